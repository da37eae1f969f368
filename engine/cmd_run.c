/*
** cmd_run.c — `kizuki run`: the nightly batch.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db_open.h"
#include "kizuki.h"
#include "run.h"
#include "task_read.h"

static const char USAGE[] =
  "usage: kizuki run --cases PF.db --tasks TASKS.db [--as-of DATE] [--rules DIR]\n"
  "                  [--profile FILE] [--quiet] [--one-thread] [--allow-earlier]\n"
  "\n"
  "Run every rule over every household of the case DB as of DATE and write\n"
  "the resulting tasks to the task DB, in one transaction.\n"
  "\n"
  "  --cases PF.db     the PF case DB (opened read-only)\n"
  "  --tasks TASKS.db  the task DB (created if missing, mode 0600)\n"
  "  --as-of DATE      the run date, YYYY-MM-DD (default: today)\n"
  "  --rules DIR       the rules folder (default: $KIZUKI_RULES, else ./rules,\n"
  "                    else the installed PREFIX/share/kizuki/rules)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --quiet           no progress on stderr\n"
  "  --allow-earlier   run a date before the task DB's latest run (rewrites history)\n"
  "  --one-thread      read the case DB on the rules' thread (by default a second\n"
  "                    thread reads households ahead; the tasks are the same)\n"
  "\n"
  "Prints a summary per rule and per unit on stdout. Exit codes: 0 ok;\n"
  "2 usage, profile or rule error (nothing written); 3 finished, but some rule\n"
  "raised errors (each listed on stderr and in run_errors); 4 the case DB is\n"
  "unreadable or not the expected schema, or so much of it is bad that more\n"
  "than quarantine_max_share of the households would be quarantined (nothing\n"
  "written); 5 the task DB cannot be opened or written; 6 another run holds\n"
  "the task DB; 7 interrupted (nothing written); 8 finished, but some\n"
  "households were quarantined for bad case data: not evaluated, their open\n"
  "tasks kept as they were, every offending row on stderr (summed up) and in\n"
  "run_issues (3 wins when both happen).\n";

/* A nightly run for a date before the task DB's latest run would rewrite
** history (clear what a later night saw, reopen what it cleared): refuse it
** unless --allow-earlier says the operator means it. */
static int refuse_going_back(struct kz_tasks *ts, kz_day as_of, struct kz_diag *d) {
  kz_day last;
  char day[KZ_DATE_LEN], then[KZ_DATE_LEN];
  if (kz_tasks_last_run(ts, &last) || last == KZ_DAY_NONE || last <= as_of) return KZ_EXIT_OK;
  kz_diag_add(d, NULL, 0, 0, "the task DB already has a run for %s; a run for the earlier "
              "date %s would rewrite its history (use --allow-earlier if you mean it, or a "
              "scratch task DB, or kizuki replay)", kz_date_format(last, then),
              kz_date_format(as_of, day));
  return KZ_EXIT_USAGE;
}

/* Bad case data of a finished run, summed up on stderr (each row is in
** run_issues); the operator's action with exit 8. */
static void print_issues(const struct kz_run_stats *st) {
  struct kz_diag lines = {0};
  kz_quarantine_describe(&st->quarantine, st->households, &lines);
  for (size_t i = 0; i < lines.n; i++) fprintf(stderr, "kizuki run: %s\n", lines.msgs[i]);
  if (st->quarantine.households)
    fprintf(stderr, _("kizuki run: every offending row is in run_issues (run %lld): have the PF "
            "correct it; the next run evaluates the households again\n"), st->run_id);
  kz_diag_clear(&lines);
}

/* Open tasks of rules this run did not have (a rule file left out of a
** deployment, or retired): nothing clears, escalates or reopens them, and
** the rule finds nothing new. Said on stderr every night, rule by rule. */
static void warn_missing_rules(const struct kz_engine *e, const char *tasks) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2(tasks, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT rule, count(*) FROM tasks WHERE status = 'open' "
                         "GROUP BY rule ORDER BY rule", -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, _("kizuki run: warning: cannot read the task DB's open tasks by rule: %s\n"),
            db ? sqlite3_errmsg(db) : "out of memory");
    goto done;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *rule = (const char *)sqlite3_column_text(st, 0);
    if (rule && !kz_ruleset_find(&e->rules, rule))
      fprintf(stderr, _("kizuki run: warning: %lld open task(s) of rule %s, which the rules folder "
                        "does not have: this run neither found nor cleared anything for it (a rule "
                        "file left out?); put it back, or close its tasks with kizuki done\n"),
              (long long)sqlite3_column_int64(st, 1), rule);
  }
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int kz_cmd_run(int argc, char **argv) {
  static const struct option opts[] = {
    {"cases", required_argument, NULL, 'c'}, {"tasks", required_argument, NULL, 't'},
    {"as-of", required_argument, NULL, 'a'}, {"rules", required_argument, NULL, 'r'},
    {"profile", required_argument, NULL, 'p'}, {"quiet", no_argument, NULL, 'q'},
    {"allow-earlier", no_argument, NULL, 'E'}, {"one-thread", no_argument, NULL, '1'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *cases = NULL, *tasks = NULL, *rules = NULL, *profile = NULL;
  int quiet = 0, earlier = 0, one_thread = 0, ch;
  kz_day as_of = kz_cli_today();
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'c': cases = optarg; break;
      case 't': tasks = optarg; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &as_of)) return KZ_EXIT_USAGE; break;
      case 'r': rules = optarg; break;
      case 'p': profile = optarg; break;
      case 'q': quiet = 1; break;
      case 'E': earlier = 1; break;
      case '1': one_thread = 1; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("run", argc, argv, USAGE);
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki run: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  if (!cases || !tasks) {
    fprintf(stderr, _("kizuki run: --cases and --tasks are required\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  char rules_buf[1024];   /* --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("run", "--rules DIR", rules, rules_buf,
                       sizeof rules_buf))
    return KZ_EXIT_USAGE;
  rules = rules_buf;

  struct kz_diag d = {0};
  struct kz_engine e;
  struct kz_tasks *ts = NULL;
  sqlite3 *db = NULL;
  struct kz_run_stats st = {0};
  volatile sig_atomic_t *stop = kz_cli_catch_signals();   /* from the start: exit 7, whenever */
  int rc = kz_cli_open_engine(&e, "run", rules, profile, N_("was run"));
  if (rc != KZ_EXIT_OK) return rc;
  e.threaded = !one_thread;
  if (kz_db_refuse_same("--tasks", tasks, "the case DB", cases, &d)) rc = KZ_EXIT_USAGE;
  if (rc == KZ_EXIT_OK) rc = kz_cli_open_cases(cases, &db, &d);
  if (rc == KZ_EXIT_OK) rc = kz_tasks_open(&ts, tasks, &e.prof, &d);
  if (rc == KZ_EXIT_OK && !earlier) rc = refuse_going_back(ts, as_of, &d);
  if (rc == KZ_EXIT_OK) {
    struct kz_run_opts ro = {0};
    ro.progress = !quiet && kz_cli_stderr_is_tty() ? stderr : NULL;
    ro.errors = stderr;
    ro.stop = stop;
    ro.latest_recorded = kz_cli_today();   /* no record is known before it is made */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = kz_run(&e, db, ts, as_of, &ro, &st, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    kz_sandbox_print_profile(&e.sb, stderr);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    int finished = rc == KZ_EXIT_OK || rc == KZ_EXIT_RULE_ERROR || rc == KZ_EXIT_QUARANTINE;
    if (!quiet && finished)
      fprintf(stderr, _("kizuki run: %lld households in %.2f s (%.0f a second), run %lld\n"),
              st.households, secs, secs > 0 ? st.households / secs : 0.0, st.run_id);
    if (finished) kz_run_print_summary(&e, &st, as_of, stdout);
    if (finished) print_issues(&st);
    if (finished) warn_missing_rules(&e, tasks);
    if (rc == KZ_EXIT_RULE_ERROR)
      fprintf(stderr, _("kizuki run: finished with %lld rule error(s)%s; see above and run_errors "
              "(run %lld)\n"), st.errors, st.nsuspended ? _(", some rules suspended (their open tasks "
              "kept)") : "", st.run_id);
  }
  if (d.n) {
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki run: %s\n", d.msgs[i]);
  }
  kz_run_stats_free(&st);
  kz_tasks_close(ts);
  sqlite3_close(db);
  kz_engine_close(&e);
  kz_diag_clear(&d);
  return rc;
}
