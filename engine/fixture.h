/*
** fixture.h — fixtures (DESIGN.md "Fixture format"): a YAML scenario of case
** records and nightly runs with the tasks each run must leave. The loader
** turns one file into an in-memory case DB (the same schema and CHECK
** constraints as a PF extract) plus the list of runs to check.
**
** Extensions of the format, all optional:
**   note:     on any record row, run or expected task: free text, ignored
**             (used to label assumptions, e.g. "day of month assumed");
**   done:     on a run, a list of {rule, subject, key[, note]}: before that
**             run, staff closed these tasks (kz_tasks_mark_done on as_of);
**   description: at the top, free text;
**   rules:    at the top, a list of rule ids: the scope of comparison. Every
**             loaded rule still runs (and a rule error still fails the
**             fixture), but only tasks of these rules are compared in open,
**             opened, cleared, escalated and the same-as_of check. Rules are
**             independent, so the listed rules' tasks are exactly what a
**             full run makes; a fixture about one rule stays true as others
**             are added. Without it, every rule's tasks are compared.
** Every problem is reported as "file:line:col: message".
*/
#ifndef KZ_FIXTURE_H
#define KZ_FIXTURE_H

#include <sqlite3.h>
#include <stddef.h>

#include "date.h"
#include "diag.h"
#include "profile.h"
#include "yamltree.h"

/* The task sets a run may list, in file order of DESIGN.md. */
enum kz_fixture_set { KZ_FX_OPEN, KZ_FX_OPENED, KZ_FX_CLEARED, KZ_FX_ESCALATED, KZ_FX_NSETS };

/* "open", "opened", "cleared", "escalated". */
extern const char *const kz_fixture_set_names[KZ_FX_NSETS];

/* One expected task. Only the fields given are compared: a NULL string, a
** level or backlog of -1 or a due_on of KZ_DAY_NONE (without due_null)
** means "not given". Strings are borrowed from the fixture's YAML document. */
struct kz_fixture_task {
  const char *rule, *subject, *key, *unit, *severity;
  int level;
  kz_day due_on;
  int due_null;                   /* `due_on: null`: expects no due date (a backlog task) */
  int backlog;                    /* `backlog: true|false`: 1 or 0; -1 not given */
  int line, col;
};

struct kz_fixture_expect {
  int given;                      /* 0: the run omits this key (not checked) */
  struct kz_fixture_task *tasks;  /* owned */
  size_t n;
};

/* A task staff closed before a run (the `done:` extension). */
struct kz_fixture_done {
  const char *rule, *subject, *key, *note;   /* borrowed; note may be NULL */
  int line, col;
};

struct kz_fixture_run {
  kz_day as_of;
  int line, col;                  /* of the run's mapping */
  struct kz_fixture_expect expect[KZ_FX_NSETS];
  struct kz_fixture_done *done;   /* owned */
  size_t ndone;
};

/* A `params:` override; map fields are named "map.field". */
struct kz_fixture_param {
  char *name;                     /* owned */
  double value;
  int line, col;
};

struct kz_fixture {
  struct kz_yaml_doc doc;         /* owns every borrowed string above */
  const char *file;               /* doc.file */
  const char *name;               /* `name:` */
  struct kz_fixture_param *params; size_t nparams;   /* owned */
  const struct kz_yaml_node **rules; size_t nrules;  /* owned array of borrowed
                                                     ** scalars; 0: every rule */
  struct kz_fixture_run *runs; size_t nruns;         /* owned; as_of never decreases */
  sqlite3 *cases;                 /* owned: the records, in a ":memory:" case DB */
};

/* Load the fixture at path into *f (zeroed first). Every problem goes to d
** as file:line:col; returns 0, or -1 with *f freed. */
int kz_fixture_load(struct kz_fixture *f, const char *path, struct kz_diag *d);

/* The same from len bytes of text, as if read from a file called name. */
int kz_fixture_load_string(struct kz_fixture *f, const char *name, const char *text, size_t len,
                           struct kz_diag *d);

/* Free everything *f owns; *f is left zeroed. */
void kz_fixture_free(struct kz_fixture *f);

/* Apply the fixture's params to p (kz_profile_set_param). An unknown name is
** reported at its line with the nearest parameter of the profile. Returns 0,
** or -1 after reporting every bad name. Use a profile loaded for this
** fixture alone, so nothing leaks into the next one. */
int kz_fixture_apply_params(const struct kz_fixture *f, struct kz_profile *p, struct kz_diag *d);

/* Check that every id of the fixture's `rules:` is among ids (the loaded
** rules, NULL-terminated); each unknown one is reported at its line with
** the nearest. Returns 0 or -1. */
int kz_fixture_check_rules(const struct kz_fixture *f, const char *const *ids, struct kz_diag *d);

/* 1 when tasks of rule are compared (in `rules:`, or there is no `rules:`). */
int kz_fixture_in_scope(const struct kz_fixture *f, const char *rule);

/* Create an empty ":memory:" case DB with the embedded schema/cases.sql into
** *out (owned by the caller, sqlite3_close). Returns 0, or -1 with d. */
int kz_fixture_cases_db(sqlite3 **out, struct kz_diag *d);

#endif
