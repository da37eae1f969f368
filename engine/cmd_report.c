/*
** cmd_report.c — `kizuki report`: the task DB as static HTML pages for the
** agencies and their supervisors (index.html for the city, one page per
** unit). Reads the task DB read-only; writes only into --out.
*/
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "db_open.h"
#include "kizuki.h"
#include "report.h"
#include "report_out.h"
#include "run.h"
#include "task_query.h"

static const char USAGE[] =
  "usage: kizuki report --tasks TASKS.db --out DIR [--as-of DATE] [--rules DIR]\n"
  "                     [--profile FILE] [--quiet]\n"
  "\n"
  "Write the open tasks of the task DB as static HTML: DIR/index.html for the\n"
  "city and DIR/<unit>.html for each unit (e.g. chuo.health_center.html, its\n"
  "supervisor's tasks included), linked from the index. Each page shows the\n"
  "open tasks by severity and due date (overdue ones marked), each task's\n"
  "reason and evidence, counts per ward and per rule (tasks held by city-level\n"
  "units as 市（児童相談所）; a unit page only its ward), how many tasks stand at\n"
  "each step of each agency's escalation ladder, the backlog apart, and on\n"
  "index.html the trend of the last 60 runs (open work after each night; what\n"
  "each night opened, cleared and escalated). Overdue means open, not backlog,\n"
  "due before the day judged on, as everywhere in kizuki. Dates are shown in\n"
  "ISO and in the Japanese era (令和6年7月16日). The pages need no server, no\n"
  "network and no JavaScript; files are mode 0600. The pages are written to a\n"
  "fresh folder beside DIR and swapped in whole: a reader, or a killed report,\n"
  "sees the old set or the new, never a mix. DIR must hold only pages.\n"
  "\n"
  "  --tasks TASKS.db  the task DB (opened read-only)\n"
  "  --out DIR         where the pages go (created if missing; replaced as a\n"
  "                    whole, so it may hold nothing but the report's pages)\n"
  "  --as-of DATE      show the latest run on or before DATE and judge\n"
  "                    overdue tasks on DATE (default: the latest run, on\n"
  "                    its own date)\n"
  "  --rules DIR       the rules folder, for rule labels (default: $KIZUKI_RULES,\n"
  "                    else ./rules, else the installed PREFIX/share/kizuki/rules)\n"
  "  --profile FILE    the municipality profile, for ward, agency and\n"
  "                    ladder names (default: DIR/kizuki.yaml)\n"
  "  --quiet           do not print the summary line\n"
  "\n"
  "Exit codes: 0 ok; 2 usage, profile or rule-load error, or a DIR that is a\n"
  "file, holds other files, a database or the task DB; 5 the task DB\n"
  "cannot be read (or has no run), or DIR cannot be written.\n";

/* Open the task DB read-only; KZ_EXIT_OK or KZ_EXIT_TASKS with a message. */
static int open_tasks_ro(const char *path, sqlite3 **out) {
  struct stat sb;
  struct kz_diag d = {0};
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    fprintf(stderr, "kizuki report: %s: task DB not found\n", path);
    return KZ_EXIT_TASKS;
  }
  if (kz_taskq_open_ro(path, out, &d)) {
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki report: %s: %s\n", path, d.msgs[i]);
    kz_diag_clear(&d);
    return KZ_EXIT_TASKS;
  }
  return KZ_EXIT_OK;
}

int kz_cmd_report(int argc, char **argv) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"out", required_argument, NULL, 'o'},
    {"as-of", required_argument, NULL, 'a'}, {"rules", required_argument, NULL, 'r'},
    {"profile", required_argument, NULL, 'p'}, {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *tasks = NULL, *out = NULL, *rules = NULL, *profile = NULL;
  kz_day as_of = KZ_DAY_NONE;
  int quiet = 0, ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': tasks = optarg; break;
      case 'o': out = optarg; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &as_of)) return KZ_EXIT_USAGE; break;
      case 'r': rules = optarg; break;
      case 'p': profile = optarg; break;
      case 'q': quiet = 1; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("report", argc, argv, USAGE);
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki report: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  if (!tasks || !out) {
    fprintf(stderr, _("kizuki report: --tasks and --out are required\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  char rules_buf[1024];   /* --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("report", "--rules DIR", rules, rules_buf,
                       sizeof rules_buf))
    return KZ_EXIT_USAGE;
  rules = rules_buf;

  struct kz_diag d = {0};
  struct kz_engine e;
  struct kz_report r = {0};
  struct kz_report_out o = {.lock_fd = -1};
  sqlite3 *db = NULL;
  int rc, have_report = 0;
  if (kz_cli_open_engine(&e, "report", rules, profile, N_("written"))) return KZ_EXIT_USAGE;
  rc = open_tasks_ro(tasks, &db);
  if (rc != KZ_EXIT_OK) goto cleanup;
  if (kz_report_load(&r, db, as_of, &d)) {
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki report: %s: %s\n", tasks, d.msgs[i]);
    rc = KZ_EXIT_TASKS;
    goto cleanup;
  }
  have_report = 1;
  /* The pages go to a fresh folder beside --out, swapped in when complete. */
  int brc = kz_report_out_begin(&o, out, tasks, &d);
  if (brc) {
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki report: %s\n", d.msgs[i]);
    rc = brc == -2 ? KZ_EXIT_USAGE : KZ_EXIT_TASKS;
    goto cleanup;
  }
  size_t pages = 0;
  int wrc = kz_report_write(&r, &e.prof, &e.rules, o.fresh, &pages, &d);
  if (!wrc) wrc = kz_report_out_commit(&o, &d);
  for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki report: %s\n", d.msgs[i]);
  if (wrc) {
    rc = KZ_EXIT_TASKS;
    goto cleanup;
  }
  if (!quiet) {
    char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
    printf("kizuki report as of %s (run %lld of %s): %zu open tasks, %zu pages in %s/"
           " (index.html)\n", kz_date_format(r.as_of, a), r.run_id, kz_date_format(r.run_as_of, b),
           r.n, pages, out);
  }
  rc = KZ_EXIT_OK;
cleanup:
  kz_report_out_abort(&o);
  if (have_report) kz_report_free(&r);
  sqlite3_close(db);
  kz_engine_close(&e);
  kz_diag_clear(&d);
  return rc;
}
