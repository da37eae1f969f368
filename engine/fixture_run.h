/*
** fixture_run.h — nightly runs over in-memory databases, the way `kizuki
** test` and `kizuki replay` make them: an engine opened for this session
** alone (so a fixture's `params:` never leak into the next one), a scratch
** ":memory:" task store (a real task DB is never touched), and the case DB
** of a fixture or of a PF extract (optionally cut down to some households).
**
** kz_fixture_check runs a fixture's runs in order and checks each against
** what the fixture expects (fixture_match.h); kz_fxrun_days steps a replay
** day by day. Both call kz_run and nothing else writes the task store.
*/
#ifndef KZ_FIXTURE_RUN_H
#define KZ_FIXTURE_RUN_H

#include <sqlite3.h>
#include <stddef.h>

#include "fixture.h"
#include "fixture_match.h"
#include "run.h"

/* {====== A session of runs ====== */

struct kz_fxrun {
  struct kz_engine e;
  int have_engine;
  struct kz_tasks *ts;            /* owned: the ":memory:" task store */
  const struct kz_fixture *f;     /* borrowed; NULL when replaying a PF */
  sqlite3 *cases;                 /* borrowed (f->cases or the caller's), or cut */
  sqlite3 *cut;                   /* owned: the households cut out of a PF */
  size_t next_done;               /* fixture runs whose done: were applied */
};

/* Open the engine (profile + rules) of session s (zeroed first). Returns
** KZ_EXIT_OK, or KZ_EXIT_USAGE with every problem in d. kz_fxrun_close
** after, whatever it returned. */
int kz_fxrun_open(struct kz_fxrun *s, const char *rules, const char *profile_path,
                  struct kz_diag *d);

/* Run over fixture f (borrowed; it must outlive s): its params apply to this
** session's profile, and with check_scope its `rules:` must name loaded
** rules. Returns 0, or -1 with each bad name in d (at its line). */
int kz_fxrun_use_fixture(struct kz_fxrun *s, const struct kz_fixture *f, int check_scope,
                         struct kz_diag *d);

/* Run over the PF case DB cases (borrowed), or, when n > 0, over an
** in-memory copy of the rows of the households ids[0..n). Returns
** KZ_EXIT_OK, or KZ_EXIT_CASES with d. */
int kz_fxrun_use_cases(struct kz_fxrun *s, sqlite3 *cases, char **ids, size_t n,
                       struct kz_diag *d);

/* Open the scratch task store. Returns KZ_EXIT_OK or kz_tasks_open's code. */
int kz_fxrun_start(struct kz_fxrun *s, struct kz_diag *d);

/* Told of a fixture `done:` entry that could not be applied, with why. */
typedef void (*kz_fxrun_done_failed)(void *arg, const struct kz_fixture_done *x, const char *why);

/* Staff close the tasks of run's `done:` list, on day. */
void kz_fxrun_mark_done(struct kz_fxrun *s, const struct kz_fixture_run *run, kz_day day,
                        kz_fxrun_done_failed failed, void *arg);

/* Told after each night that finished (rc KZ_EXIT_OK, KZ_EXIT_RULE_ERROR or
** KZ_EXIT_QUARANTINE), with its stats. */
typedef void (*kz_fxrun_night_done)(void *arg, struct kz_fxrun *s, kz_day day, int rc,
                                    const struct kz_run_stats *st);

/* Replay: the nightly run as of from, from + every, ... and to (always
** included), each after the `done:` of the fixture's runs up to that day
** (on that day). d collects across nights (not cleared). Returns KZ_EXIT_OK,
** or the code of the first night that did not finish (*failed its day). */
int kz_fxrun_days(struct kz_fxrun *s, kz_day from, kz_day to, long every,
                  const struct kz_run_opts *ro, kz_fxrun_night_done night,
                  kz_fxrun_done_failed failed, void *arg, kz_day *failed_day, struct kz_diag *d);

/* Close everything s owns (the fixture and a caller's case DB are the
** caller's); s is left zeroed. */
void kz_fxrun_close(struct kz_fxrun *s);

/* }====== */

/* {====== Checking a fixture ====== */

/* What kz_fixture_check tells its caller. Any hook may be NULL. */
struct kz_fixture_check_hooks {
  /* The failures of run i (r->n == 0: it passed); r is emptied after. */
  void (*run_checked)(void *arg, size_t i, const struct kz_fixture_run *run,
                      const struct kz_fixture_failures *r);
  /* Each loaded rule, before the first run (for coverage). */
  void (*rule_loaded)(void *arg, const char *rule);
  /* After every run passed: once per in-scope rule and kind, that the
  ** fixture's runs opened (cleared 0) or cleared (cleared 1) one of its tasks. */
  void (*rule_fired)(void *arg, const char *rule, int cleared);
  void *arg;
  /* When set (`kizuki test --verbose`), kz.log lines of the rules go here
  ** (trace.h); the hooks read them in run_checked and clear them. */
  struct kz_trace *log;
};

/* Run every run of fixture f in order with the rules and profile given, and
** check each against what f expects (rule errors, bad case data, each given
** set, a second run with the same as_of changing nothing). Returns
** KZ_EXIT_OK (each run's failures told to hooks; a problem that stops the
** fixture before its runs, such as a bad param, is added to problems), or
** KZ_EXIT_USAGE when the rules or profile cannot be loaded (their problems
** in setup; nothing was run). */
int kz_fixture_check(const struct kz_fixture *f, const char *rules, const char *profile_path,
                     const struct kz_fixture_check_hooks *hooks, struct kz_diag *problems,
                     struct kz_diag *setup);

/* }====== */

#endif
