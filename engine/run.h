/*
** run.h — the nightly run: every household bundle through every rule, each
** finding routed and applied to the task store, all in one transaction.
**
** `kizuki run`, `kizuki test` and `kizuki replay` all come through kz_run:
** a fixture run is a nightly run over an in-memory case DB, not a second
** implementation.
*/
#ifndef KZ_RUN_H
#define KZ_RUN_H

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>

#include "bundle.h"
#include "diag.h"
#include "prefetch.h"
#include "profile.h"
#include "quarantine.h"
#include "ruleset.h"
#include "sandbox.h"
#include "task_store.h"

/* The loaded world a run needs: profile, sandbox and rules. */
struct kz_engine {
  struct kz_profile prof;
  struct kz_sandbox sb;
  struct kz_ruleset rules;
  /* The bundles runs build households in (the prefetch ring). They live as
  ** long as the Lua state (not one run), so a view a rule kept from an
  ** earlier run still points at one and fails on its generation instead of
  ** reading freed memory. */
  struct kz_bundle ring[KZ_PREFETCH_DEPTH];
  int threaded;     /* load households on a second thread (default 1) */
};

/* Load the profile and every rule. Returns 0, or -1 with every problem in d
** (the CLI then exits KZ_EXIT_USAGE: nothing was written). */
int kz_engine_open(struct kz_engine *e, const char *rules_dir, const char *profile_path,
                   struct kz_diag *d);
void kz_engine_close(struct kz_engine *e);

struct kz_unit_stats {
  char unit[64];
  long long counts[KZ_NOUTCOMES];
};

struct kz_run_stats {
  long long households;
  long long counts[KZ_NOUTCOMES];
  long long errors;
  long long fallback_routed;             /* findings of households with no known ward,
                                         ** routed by the fallback (a data issue) */
  long long absent_tasks;                /* open tasks kept because the run did not see
                                         ** their household or subject at all */
  long long absent_households;           /* ... the distinct households they name */
  long long (*by_rule)[KZ_NOUTCOMES];    /* owned; one row per loaded rule */
  long long *rule_errors;                /* owned; errors of each loaded rule */
  unsigned char *suspended;              /* owned; 1: the rule was suspended (circuit breaker) */
  long long nsuspended;
  struct kz_unit_stats *by_unit;         /* owned */
  size_t nunits, capunits;
  long long run_id;
  struct kz_quarantine quarantine;       /* bad case data: households not evaluated */
};

void kz_run_stats_free(struct kz_run_stats *st);

struct kz_run_opts {
  FILE *progress;                   /* NULL: quiet */
  FILE *errors;                     /* where rule errors are told as they happen; NULL: not */
  volatile sig_atomic_t *stop;      /* set by a signal handler: abandon the run */
  int validate_cases;               /* check the case DB's schema first */
  kz_day latest_recorded;           /* no recorded_on may be after this day (the machine's
                                    ** today for `kizuki run`); 0 = KZ_DAY_NONE: no check */
  int verify_needs;                 /* run rules where their `needs` are unmet too, and
                                    ** report a rule error if one finds something there */
};

/* Run every rule as of as_of over cases, applying findings to ts. A finding
** that cannot be stored (finding.h) is its rule's error in that household.
** The first few errors of each rule are told in full on opts->errors, then
** one closing line per rule; a rule erring in more than the profile's
** rule_error_limit households, or running out of its budget
** rule_budget_limit times, is suspended: not evaluated any more, its open
** tasks kept as they are, the suspension told and stored in run_errors. Returns
** KZ_EXIT_OK, KZ_EXIT_RULE_ERROR (finished; some rule raised errors, all in
** the task DB's run_errors and told to opts->errors), KZ_EXIT_QUARANTINE
** (finished, no rule error; some households quarantined: st->quarantine,
** run_issues), KZ_EXIT_CASES (also when more than the profile's
** quarantine_max_share would be quarantined: the counts in d), KZ_EXIT_TASKS,
** KZ_EXIT_BUSY or KZ_EXIT_INTERRUPTED (nothing written). */
int kz_run(struct kz_engine *e, sqlite3 *cases, struct kz_tasks *ts, kz_day as_of,
           const struct kz_run_opts *opts, struct kz_run_stats *st, struct kz_diag *d);

/* Print the run summary (per rule and per unit) to f. */
void kz_run_print_summary(const struct kz_engine *e, const struct kz_run_stats *st,
                          kz_day as_of, FILE *f);

#endif
