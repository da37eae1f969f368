/*
** rules_diff.h — the comparison behind `kizuki diff`: the current and the
** changed rule set, each loaded into its own engine and run over the same
** case DB and day into a scratch in-memory task store (no task DB is read or
** written), their open tasks merged by (rule, subject, key) and tallied per
** rule and per unit; and which parameters and rule files differ.
*/
#ifndef KZ_RULES_DIFF_H
#define KZ_RULES_DIFF_H

#include <sqlite3.h>
#include <stddef.h>
#include "run.h"

/* One open task of a side (every string owned, never NULL but due_on ""). */
struct kz_rules_diff_task {
  char *rule, *subject, *key, *unit, *severity, *due_on, *reason;
  int level;
};

/* One rule set: set name, rules_dir and profile, then kz_rules_diff_load. */
struct kz_rules_diff_side {
  const char *name;            /* "current" or "changed" */
  const char *rules_dir;
  char profile[1024];
  struct kz_engine e;
  int loaded;
  struct kz_run_stats st;
  struct kz_rules_diff_task *t; size_t n;   /* owned; open tasks by (rule, subject, key) */
};

/* What a tally counts: each side's open tasks, those only the changed side
** opens, those only the current side opens, those both open differently. */
enum { KZ_RD_BASE, KZ_RD_NEW, KZ_RD_OPEN, KZ_RD_CLOSE, KZ_RD_CHANGED, KZ_RD_N };

struct kz_rules_diff_tally {
  const char *name;            /* not owned: a rule id or unit of a task */
  long long n[KZ_RD_N];
};

struct kz_rules_diff_tallies {
  struct kz_rules_diff_tally *v; size_t n, cap;
};

/* One pair of the merge of the two sorted task lists: current only (b set),
** changed only (n set), or both. */
struct kz_rules_diff_pair {
  const struct kz_rules_diff_task *b, *n;
};

struct kz_rules_diff {
  struct kz_rules_diff_pair *p; size_t n;   /* owned; every task of either side, in key order */
  struct kz_rules_diff_tallies rules;       /* the changed set's rules, then those it dropped */
  struct kz_rules_diff_tallies units;       /* in name order */
  long long total[KZ_RD_N];
};

/* Load side s's profile and rules (kz_engine_open). Returns 0, or -1 with
** every problem in d. */
int kz_rules_diff_load(struct kz_rules_diff_side *s, struct kz_diag *d);

/* Run both loaded sides over cases as of as_of (opts: progress, errors, stop
** as for kz_run; a quarantine is told on stderr and compared), then merge and
** tally their open tasks into df (zeroed by the caller). Returns KZ_EXIT_OK,
** KZ_EXIT_RULE_ERROR (compared; some rule erred: the sides' st.errors), or
** the failure of a run (KZ_EXIT_CASES, KZ_EXIT_TASKS, ... with d). */
int kz_rules_diff_run(struct kz_rules_diff *df, struct kz_rules_diff_side *base,
                      struct kz_rules_diff_side *neu, sqlite3 *cases, kz_day as_of,
                      const struct kz_run_opts *opts, struct kz_diag *d);

/* What pair p is: KZ_RD_OPEN, KZ_RD_CLOSE, KZ_RD_CHANGED (another unit,
** severity, level or due date), or -1 (the same task on both sides). */
int kz_rules_diff_what(const struct kz_rules_diff_pair *p);

/* Call f for each parameter (map fields as "map.field") whose value differs
** between profiles a and b, or which only one has (NAN for the missing side). */
void kz_rules_diff_params(const struct kz_profile *a, const struct kz_profile *b,
                          void (*f)(void *, const char *, double, double), void *ctx);

/* Rule id added, removed, or whose file changed from base to neu: "added",
** "removed", "file changed"; NULL when the rule is the same. */
const char *kz_rules_diff_rule_change(const struct kz_ruleset *base, const struct kz_ruleset *neu,
                                      const char *id);

void kz_rules_diff_free(struct kz_rules_diff *df);
void kz_rules_diff_side_free(struct kz_rules_diff_side *s);

#endif
