/*
** task_view.h — what `kizuki tasks`, `export` and `explain` read with: the
** task DB opened read-only, the rules and profile for the names staff read
** (when they load; codes otherwise), and the day overdue is judged on (the
** task DB's latest run unless --as-of says otherwise).
*/
#ifndef KZ_TASK_VIEW_H
#define KZ_TASK_VIEW_H

#include <sqlite3.h>

#include "date.h"
#include "diag.h"
#include "run.h"

struct kz_task_view {
  sqlite3 *db;                     /* owned; read-only */
  struct kz_engine e;              /* valid when have_engine */
  int have_engine;
  kz_day as_of;                    /* the day overdue is judged on */
  const char *as_of_why;           /* "the last run", "--as-of" or "today (no run yet)" */
};

struct kz_taskq_filter;
struct kz_taskq_names;

/* kz_task_view_open at f->as_of, then f->as_of set to the view's day and
** f's values resolved from codes or staff's names (kz_taskq_resolve_filter,
** own keeps what they resolve to). Returns KZ_EXIT_OK; KZ_EXIT_TASKS with d
** (v needs no close then); or KZ_EXIT_USAGE with one message per unknown
** value in d (close v). */
int kz_task_view_open_filtered(struct kz_task_view *v, const char *cmd, const char *tasks,
                               const char *rules_dir, const char *profile, int loud,
                               struct kz_taskq_filter *f, struct kz_taskq_names *own,
                               struct kz_diag *d);

/* The profile and rules of v, or NULL when they did not load. */
const struct kz_profile *kz_task_view_profile(const struct kz_task_view *v);
const struct kz_ruleset *kz_task_view_rules(const struct kz_task_view *v);

/* Open the task DB at tasks (kz_taskq_open) and, for names, the rules of
** rules_dir with profile (NULL: rules_dir/kizuki.yaml). Rules that do not
** load are said on stderr ("kizuki CMD: rules in DIR not loaded (...)")
** when loud, and v shows codes. as_of KZ_DAY_NONE: the date of the task
** DB's latest finished run (today when there is none). Returns KZ_EXIT_OK,
** or KZ_EXIT_TASKS with d (v needs no close then). */
int kz_task_view_open(struct kz_task_view *v, const char *cmd, const char *tasks,
                      const char *rules_dir, const char *profile, int loud, kz_day as_of,
                      struct kz_diag *d);

void kz_task_view_close(struct kz_task_view *v);

#endif
