/*
** fixture_match.h — the fixture's expectations against what a run left: the
** tasks found in a set (open, opened, cleared, escalated), the matcher that
** pairs expected with found tasks (a bipartite matching, so the order of
** either list never matters), and the failure messages of one run, in text
** and JSON side by side (DESIGN.md "Fixture format": a failing fixture says
** which run, which task, and what was expected against what was found).
**
** No SQLite here: found tasks are plain structs, so the matcher is tested on
** its own (tests/unit/test_fixture_match.c).
*/
#ifndef KZ_FIXTURE_MATCH_H
#define KZ_FIXTURE_MATCH_H

#include <stddef.h>

#include "fixture.h"
#include "strbuf.h"

/* One task as the store has it after a run. */
struct kz_fixture_found {
  char *rule, *subject, *key, *unit, *severity, *due_on;   /* owned; due_on may be NULL */
  int level;
  int backlog;                    /* the task's backlog flag after the run */
};

struct kz_fixture_found_set {
  struct kz_fixture_found *v;     /* owned */
  size_t n;
};

/* Free every task of s and leave it empty. */
void kz_fixture_found_free(struct kz_fixture_found_set *s);

/* 1 when found task t has every field that expected task e gives (a NULL
** string, level or backlog -1, due_on KZ_DAY_NONE: not given; due_null:
** t must have no due date), else 0. */
int kz_fixture_task_matches(const struct kz_fixture_task *e, const struct kz_fixture_found *t);

/* The outcome of matching an expected set against a found set: a maximum
** matching of expected to found tasks that match. */
struct kz_fixture_match {
  long *owner;                    /* owned; per found task, the expected one it
                                  ** is paired with, or -1 (unexpected) */
  char *paired;                   /* owned; per expected task, 1 when paired
                                  ** (else missing) */
  size_t missing, unexpected;
};

/* Match want against got into *m (zeroed first; kz_fixture_match_free
** after). The sets are equal when m->missing and m->unexpected are 0.
** Returns 0, or -1 when out of memory. */
int kz_fixture_match(const struct kz_fixture_expect *want, const struct kz_fixture_found_set *got,
                     struct kz_fixture_match *m);
/* Free what *m owns; *m is left zeroed. */
void kz_fixture_match_free(struct kz_fixture_match *m);

/* The failures of one run: text lines ("    kind: message") and the items
** of a JSON "failures" array, side by side. Zero-initialise; free with
** kz_fixture_failures_free. */
struct kz_fixture_failures {
  struct kz_strbuf text, json;
  int n;
};

/* Add one failure of kind (e.g. "rule error") with message msg. */
void kz_fixture_fail(struct kz_fixture_failures *r, const char *kind, const char *msg);

/* Compare expected set s (of the fixture in file) with got, adding one
** "mismatch" failure that lists every missing task (with its file:line) and
** every unexpected one when they differ. Returns 1 when a failure was
** added (out of memory included), 0 when the sets are equal. */
int kz_fixture_compare(struct kz_fixture_failures *r, const char *file, enum kz_fixture_set s,
                       const struct kz_fixture_expect *want,
                       const struct kz_fixture_found_set *got);

/* Append found task t as text: "{rule: ..., ..., backlog: false}". */
void kz_fixture_found_text(struct kz_strbuf *b, const struct kz_fixture_found *t);

/* Free what *r owns; *r is left zeroed (ready for the next run). */
void kz_fixture_failures_free(struct kz_fixture_failures *r);

#endif
