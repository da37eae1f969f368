/*
** ruleset.h — loading rule files: every rules/<name>.lua runs in its own sandbox
** environment and declares its rules with rule{...}. The metadata is read
** without running any check, so tools (check, rules, docs) can list it.
*/
#ifndef KZ_RULESET_H
#define KZ_RULESET_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "profile.h"
#include "sandbox.h"
#include "subject.h"

struct kz_rule {
  char *id, *title, *label;     /* owned */
  char *description;            /* owned; may be NULL */
  int subject;                  /* index in kz_subjects (subject.h) */
  char *agency;                 /* owned; default agency kind of its tasks */
  char *severity;               /* owned; default severity */
  int due_days;
  int due_calendar;             /* 1: calendar days, 0: business days */
  int open_within_days;         /* -1: the profile's params.open_within_days */
  int never_backlog;            /* `backlog = false`: a child's safety now; a stale
                                ** trigger still opens a normal task (RULES.md) */
  char **params; size_t nparams;/* owned; the params it declares */
  uint32_t needs;               /* bit t: it finds nothing in a household without
                                ** records of table t (`needs`), and is not run there */
  char *file; int line;         /* owned; where rule{} was called */
  char version[17];             /* digest of its file */
  int check_ref;                /* registry ref of check */
  int params_ref;               /* registry ref of its read-only params table */
};

struct kz_ruleset {
  struct kz_rule *rules; size_t n, cap;   /* owned */
  char digest[17];              /* of every rule file and the profile */
};

/* Load every *.lua file of dir (in name order) into sb, checking metadata
** against the profile (agencies, params). Every problem goes to d with
** file:line. Returns 0 when there was none, -1 otherwise. */
int kz_ruleset_load(struct kz_ruleset *rs, struct kz_sandbox *sb, const char *dir,
                    const struct kz_profile *prof, struct kz_diag *d);

/* (Re)build each rule's params table from the profile's current values (after
** kz_profile_set_param). Returns 0, or -1 on out-of-memory. */
int kz_ruleset_bind_params(struct kz_ruleset *rs, struct kz_sandbox *sb,
                           const struct kz_profile *prof);

/* `kizuki check`: read each rule's check function in its file and report,
** with file:line, every `p.NAME` (p: check's params argument) that reads a
** param the rule does not declare, uses a number param as a map (p.x.y,
** p.x[...]), a map param in arithmetic or an order comparison, or a field a
** map param does not have. A look at the text (strings and comments
** skipped); p[expr] and uses in other functions are left to run time.
** Returns 0, or -1 when it added problems to d. */
int kz_ruleset_lint_params(const struct kz_ruleset *rs, struct kz_sandbox *sb,
                           const struct kz_profile *prof, struct kz_diag *d);

const struct kz_rule *kz_ruleset_find(const struct kz_ruleset *rs, const char *id);

void kz_ruleset_free(struct kz_ruleset *rs, struct kz_sandbox *sb);

#endif
