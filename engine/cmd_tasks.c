/*
** cmd_tasks.c — what agencies and supervisors do with tasks between runs:
** `kizuki tasks` lists them, `kizuki done` closes one, `kizuki explain`
** tells why one exists and how it got where it is. Reads go through
** task_query.c (read-only); `done` writes through task_store.c.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kizuki.h"
#include "run.h"
#include "strbuf.h"
#include "task_query.h"
#include "task_store.h"

/* Print every message of d prefixed with the command's name. */
static void print_diag(const char *cmd, const struct kz_diag *d) {
  for (size_t i = 0; i < d->n; i++)
    fprintf(stderr, "kizuki %s: %s\n", cmd, d->msgs[i] ? d->msgs[i] : "out of memory");
}

static const char *col(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? (const char *)s : "";
}

/* A task id: a positive integer, the whole argument. Returns 0 or -1. */
static int parse_id(const char *cmd, const char *arg, long long *out) {
  char *end = NULL;
  long long v = arg && *arg ? strtoll(arg, &end, 10) : 0;
  if (!arg || !*arg || *end || v <= 0) {
    fprintf(stderr, _("kizuki %s: '%s' is not a task id (a positive number, the id column of "
            "`kizuki tasks`)\n"), cmd, arg ? arg : "");
    return -1;
  }
  *out = v;
  return 0;
}

/* {====== kizuki tasks ====== */

static const char TASKS_USAGE[] =
  "usage: kizuki tasks --tasks TASKS.db [--unit U | --ward W] [--status S]\n"
  "                    [--severity S] [--rule R] [--overdue] [--opened-since DATE]\n"
  "                    [--backlog] [--as-of DATE] [--format text|json|csv]\n"
  "\n"
  "List tasks, most severe first (critical, high, medium, low), then by due\n"
  "date. The task DB is opened read-only. By default the daily queue: backlog\n"
  "tasks (a trigger older than open_within_days when first seen: no due date,\n"
  "never escalated, kept for a review) are listed apart, with --backlog; the\n"
  "footer (stderr for json and csv) says how many there are.\n"
  "\n"
  "  --tasks TASKS.db     the task DB `kizuki run` writes\n"
  "  --unit U             only tasks with unit U now (e.g. chuo.health_center)\n"
  "  --ward W             only tasks routed for ward W (any unit, city level too)\n"
  "  --status S           open (default), cleared, done or all\n"
  "  --severity S         only critical, high, medium or low tasks\n"
  "  --rule R             only tasks of rule R (e.g. checkup.missed)\n"
  "  --overdue            only open tasks whose due date is before the as-of date\n"
  "  --opened-since DATE  only tasks opened (or reopened) on or after DATE\n"
  "  --backlog            only backlog tasks (instead of the daily queue)\n"
  "  --as-of DATE         the day overdue is judged on (default: today)\n"
  "  --format F           text (default: aligned columns; ! marks overdue),\n"
  "                       json (an array of task objects) or csv (RFC 4180)\n"
  "\n"
  "Exit codes: 0 ok (also when no task matches); 2 usage error; 5 the task DB\n"
  "is missing or not a kizuki task DB.\n";

/* The text columns of `kizuki tasks`. */
enum { TC_ID, TC_SEVERITY, TC_DUE, TC_UNIT, TC_RULE, TC_SUBJECT, TC_LEVEL, TC_STATUS, TC_REASON, TC_N };
static const char *const TC_HEAD[TC_N] = {"id", "severity", "due", "unit", "rule", "subject",
                                          "level", "status", "reason"};

struct text_rows {
  char *(*v)[TC_N];   /* owned rows of owned strings */
  size_t n, cap;
  long long overdue;
};

static void text_rows_free(struct text_rows *r) {
  for (size_t i = 0; i < r->n; i++)
    for (int c = 0; c < TC_N; c++) free(r->v[i][c]);
  free(r->v);
}

/* Add the current row of st. Returns 0 or -1 (out of memory). */
static int text_rows_add(struct text_rows *r, sqlite3_stmt *st) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    char *(*v)[TC_N] = realloc(r->v, cap * sizeof *v);
    if (!v) return -1;
    r->v = v;
    r->cap = cap;
  }
  char due[32];
  int overdue = sqlite3_column_int(st, KZ_TQ_OVERDUE);
  snprintf(due, sizeof due, "%s%s", sqlite3_column_type(st, KZ_TQ_DUE_ON) == SQLITE_NULL ? "-"
           : col(st, KZ_TQ_DUE_ON), overdue ? "!" : "");
  r->overdue += overdue;
  const char *src[TC_N] = {col(st, KZ_TQ_ID), col(st, KZ_TQ_SEVERITY), due, col(st, KZ_TQ_UNIT),
                           col(st, KZ_TQ_RULE), col(st, KZ_TQ_SUBJECT), col(st, KZ_TQ_LEVEL),
                           col(st, KZ_TQ_STATUS), col(st, KZ_TQ_REASON)};
  char **row = r->v[r->n];
  int rc = 0;
  for (int c = 0; c < TC_N; c++)
    if (!(row[c] = strdup(src[c]))) rc = -1;
  r->n++;
  return rc;
}

static void text_rows_print(const struct text_rows *r, int with_status, kz_day as_of,
                            int backlog, long long backlog_apart) {
  size_t w[TC_N];
  char day[KZ_DATE_LEN];
  for (int c = 0; c < TC_N; c++) w[c] = strlen(TC_HEAD[c]);
  for (size_t i = 0; i < r->n; i++)
    for (int c = 0; c < TC_REASON; c++)
      if (strlen(r->v[i][c]) > w[c]) w[c] = strlen(r->v[i][c]);
  for (size_t i = 0; i <= r->n; i++) {
    const char *const *row = i == 0 ? TC_HEAD : (const char *const *)r->v[i - 1];
    for (int c = 0; c < TC_REASON; c++) {
      if (c == TC_STATUS && !with_status) continue;
      printf(c == TC_ID || c == TC_LEVEL ? "%*s  " : "%-*s  ", (int)w[c], row[c]);
    }
    printf("%s\n", row[TC_REASON]);
  }
  printf("%zu %stask%s", r->n, backlog ? "backlog " : "", r->n == 1 ? "" : "s");
  if (r->overdue)
    printf(", %lld overdue (due before %s, marked !)", r->overdue, kz_date_format(as_of, day));
  if (backlog_apart > 0)
    printf("; %lld backlog task%s listed apart (--backlog)", backlog_apart, backlog_apart == 1 ? "" : "s");
  printf("\n");
}

/* How many backlog tasks f would select with the daily queue's other
** filters: the ones `kizuki tasks` lists apart. -1 on error. */
static long long count_backlog(sqlite3 *db, const struct kz_taskq_filter *f, struct kz_diag *d) {
  struct kz_taskq_filter bf = *f;
  sqlite3_stmt *st = NULL;
  long long n = 0;
  int step;
  if (f->overdue) return 0;        /* a backlog task is never overdue */
  bf.backlog = KZ_TQ_BACKLOG_ONLY;
  if (kz_taskq_prepare(db, &bf, &st, d)) return -1;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) n++;
  sqlite3_finalize(st);
  return step == SQLITE_DONE ? n : -1;
}

static void csv_print_header(void) {
  static const char *const head[] = {"id", "severity", "due_on", "overdue", "unit", "rule",
                                     "subject", "key", "level", "status", "opened_on",
                                     "household_id", "ward", "reason", "evidence", "backlog"};
  kz_taskq_csv_record(stdout, head, sizeof head / sizeof *head, "\r\n");
}

static void csv_print_row(sqlite3_stmt *st) {
  const char *row[] = {col(st, KZ_TQ_ID), col(st, KZ_TQ_SEVERITY), col(st, KZ_TQ_DUE_ON),
                       col(st, KZ_TQ_OVERDUE), col(st, KZ_TQ_UNIT), col(st, KZ_TQ_RULE),
                       col(st, KZ_TQ_SUBJECT), col(st, KZ_TQ_KEY), col(st, KZ_TQ_LEVEL),
                       col(st, KZ_TQ_STATUS), col(st, KZ_TQ_OPENED_ON), col(st, KZ_TQ_HOUSEHOLD),
                       col(st, KZ_TQ_WARD), col(st, KZ_TQ_REASON), col(st, KZ_TQ_EVIDENCE_TEXT),
                       col(st, KZ_TQ_BACKLOG)};
  kz_taskq_csv_record(stdout, row, sizeof row / sizeof *row, "\r\n");
}

int kz_cmd_tasks(int argc, char **argv) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"unit", required_argument, NULL, 'u'},
    {"ward", required_argument, NULL, 'w'}, {"status", required_argument, NULL, 's'},
    {"severity", required_argument, NULL, 'v'}, {"rule", required_argument, NULL, 'r'},
    {"overdue", no_argument, NULL, 'o'}, {"opened-since", required_argument, NULL, 'n'},
    {"as-of", required_argument, NULL, 'a'}, {"format", required_argument, NULL, 'f'},
    {"backlog", no_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct kz_taskq_filter f = {0};
  const char *tasks = NULL, *format = "text";
  long long apart = 0;
  struct kz_diag d = {0};
  struct text_rows rows = {0};
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int ch, rc = KZ_EXIT_OK;
  f.opened_since = KZ_DAY_NONE;
  f.as_of = kz_cli_today();
  f.backlog = KZ_TQ_BACKLOG_EXCLUDE;           /* the daily queue */
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': tasks = optarg; break;
      case 'b': f.backlog = KZ_TQ_BACKLOG_ONLY; break;
      case 'u': f.unit = optarg; break;
      case 'w': f.ward = optarg; break;
      case 's': f.status = optarg; break;
      case 'v': f.severity = optarg; break;
      case 'r': f.rule = optarg; break;
      case 'o': f.overdue = 1; break;
      case 'n': if (kz_cli_parse_date("--opened-since", optarg, &f.opened_since)) return KZ_EXIT_USAGE; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &f.as_of)) return KZ_EXIT_USAGE; break;
      case 'f': format = optarg; break;
      case 'h': fputs(TASKS_USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("tasks", argc, argv, TASKS_USAGE);
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki tasks: unexpected argument '%s'\n%s"), argv[optind], TASKS_USAGE);
    return KZ_EXIT_USAGE;
  }
  if (!tasks) {
    fprintf(stderr, _("kizuki tasks: --tasks is required\n%s"), TASKS_USAGE);
    return KZ_EXIT_USAGE;
  }
  if (f.unit && f.ward) {
    fprintf(stderr, _("kizuki tasks: give --unit or --ward, not both\n"));
    return KZ_EXIT_USAGE;
  }
  if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "csv")) {
    fprintf(stderr, _("kizuki tasks: --format must be text, json or csv, not '%s'\n"), format);
    return KZ_EXIT_USAGE;
  }
  if (kz_taskq_check_filter(&f, &d)) { rc = KZ_EXIT_USAGE; goto done; }
  if ((rc = kz_taskq_open(tasks, &db, &d)) != KZ_EXIT_OK) goto done;
  if (kz_taskq_prepare(db, &f, &st, &d)) { rc = KZ_EXIT_TASKS; goto done; }

  int step, n = 0;
  if (strcmp(format, "csv") == 0) csv_print_header();
  else if (strcmp(format, "json") == 0) fputs("[", stdout);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (format[0] == 'c') csv_print_row(st);
    else if (format[0] == 'j') printf("%s\n%s", n ? "," : "", col(st, KZ_TQ_JSON));
    else if (text_rows_add(&rows, st)) { kz_diag_add(&d, NULL, 0, 0, "out of memory"); rc = KZ_EXIT_TASKS; goto done; }
    n++;
  }
  if (step != SQLITE_DONE) {
    kz_diag_add(&d, tasks, 0, 0, "cannot read tasks: %s", sqlite3_errmsg(db));
    rc = KZ_EXIT_TASKS;
    goto done;
  }
  if (format[0] == 'j') fputs(n ? "\n]\n" : "]\n", stdout);
  if (f.backlog == KZ_TQ_BACKLOG_EXCLUDE && (apart = count_backlog(db, &f, &d)) < 0) {
    rc = KZ_EXIT_TASKS;
    goto done;
  }
  if (format[0] == 't')
    text_rows_print(&rows, f.status && strcmp(f.status, "open") != 0, f.as_of,
                    f.backlog == KZ_TQ_BACKLOG_ONLY, apart);
  else if (apart > 0)
    fprintf(stderr, "kizuki tasks: %lld backlog task%s not listed (the daily queue); "
            "--backlog lists them\n", apart, apart == 1 ? "" : "s");
done:
  print_diag("tasks", &d);
  kz_diag_clear(&d);
  text_rows_free(&rows);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

/* }====== */

/* {====== kizuki done ====== */

static const char DONE_USAGE[] =
  "usage: kizuki done TASK_ID --tasks TASKS.db --note TEXT [--on DATE]\n"
  "\n"
  "Staff closed task TASK_ID (the id column of `kizuki tasks`): its status\n"
  "becomes done, with the date and the note, and its history gets a 'done'\n"
  "event. A done task is never reopened by later runs for the same episode.\n"
  "\n"
  "  --tasks TASKS.db  the task DB `kizuki run` writes\n"
  "  --note TEXT       what was done (required; kept with the task)\n"
  "  --on DATE         the day it was done (default: today)\n"
  "\n"
  "Exit codes: 0 done; 2 usage error, no such task, or the task is already\n"
  "done; 5 the task DB is missing or cannot be written; 6 a run holds the task\n"
  "DB (try again when it ends).\n";

int kz_cmd_done(int argc, char **argv) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"note", required_argument, NULL, 'n'},
    {"on", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *tasks = NULL, *note = NULL;
  kz_day on = kz_cli_today();
  long long id = 0;
  struct kz_diag d = {0};
  struct kz_tasks *ts = NULL;
  sqlite3 *db = NULL;
  char *rule = NULL, *subject = NULL, *key = NULL, *unit = NULL;
  char day[KZ_DATE_LEN];
  int ch, rc = KZ_EXIT_OK;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': tasks = optarg; break;
      case 'n': note = optarg; break;
      case 'o': if (kz_cli_parse_date("--on", optarg, &on)) return KZ_EXIT_USAGE; break;
      case 'h': fputs(DONE_USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("done", argc, argv, DONE_USAGE);
    }
  }
  if (argc - optind != 1) {
    fprintf(stderr, "kizuki done: %s\n%s", optind < argc ? _("give exactly one TASK_ID")
            : _("TASK_ID is required"), DONE_USAGE);
    return KZ_EXIT_USAGE;
  }
  if (parse_id("done", argv[optind], &id)) return KZ_EXIT_USAGE;
  if (!tasks || !note || !*note) {
    fprintf(stderr, _("kizuki done: %s is required\n%s"), !tasks ? "--tasks" : _("--note TEXT (what was done)"),
            DONE_USAGE);
    return KZ_EXIT_USAGE;
  }
  kz_date_format(on, day);
  /* Check it is a task DB read-only first: never create tables elsewhere. */
  if ((rc = kz_taskq_open(tasks, &db, &d)) != KZ_EXIT_OK) goto done;
  sqlite3_close(db);
  db = NULL;
  /* Marking done needs no routing: the store is opened without a profile. */
  if ((rc = kz_tasks_open(&ts, tasks, NULL, &d)) != KZ_EXIT_OK) goto done;
  struct kz_task_done closed = {0};
  rc = kz_tasks_mark_done_id(ts, tasks, id, on, note, &closed, &d);
  rule = closed.rule; subject = closed.subject; key = closed.key; unit = closed.unit;
  if (rc != KZ_EXIT_OK) goto done;
  printf("task %lld done on %s: %s, subject %s, key %s, with %s\n", id, day, rule, subject, key, unit);
done:
  kz_tasks_close(ts);
  print_diag("done", &d);
  kz_diag_clear(&d);
  free(rule); free(subject); free(key); free(unit);
  return rc;
}

/* }====== */

/* {====== kizuki explain ====== */

static const char EXPLAIN_USAGE[] =
  "usage: kizuki explain TASK_ID --tasks TASKS.db [--rules DIR] [--profile FILE]\n"
  "                      [--as-of DATE]\n"
  "\n"
  "Tell why task TASK_ID exists and how it got where it is: the rule (id,\n"
  "title, policy label, file:line, version), the reason, every evidence record\n"
  "with its dates, the routing (agency kind, ward, unit now, level, the ladder\n"
  "it climbed) and its history (opened, escalated, cleared, reopened, promoted\n"
  "from the backlog, done). A backlog task says so, with no due date.\n"
  "\n"
  "  --tasks TASKS.db  the task DB `kizuki run` writes (opened read-only)\n"
  "  --rules DIR       the rules folder, for titles and the ladder (default:\n"
  "                    rules); when it cannot be loaded, the task DB alone is\n"
  "                    shown\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --as-of DATE      the day overdue is judged on (default: today)\n"
  "\n"
  "Exit codes: 0 ok; 2 usage error or no such task; 5 the task DB is missing\n"
  "or not a kizuki task DB.\n";

/* One row of task_events. */
struct event {
  char on[KZ_DATE_LEN], event[16], unit[64], due[KZ_DATE_LEN];
  int level;
  long long run;
  char *note;      /* owned; may be NULL */
};

static void explain_rule(sqlite3_stmt *t, const struct kz_engine *e) {
  const struct kz_rule *r = e ? kz_ruleset_find(&e->rules, col(t, 1)) : NULL;
  const char *version = col(t, 17);
  if (r) printf("rule      %s — %s  [%s]\n", r->id, r->title, r->label);
  else printf("rule      %s\n", col(t, 1));
  printf("          %s:%s, version %s", sqlite3_column_type(t, 18) == SQLITE_NULL ? "?" : col(t, 18),
         sqlite3_column_type(t, 19) == SQLITE_NULL ? "?" : col(t, 19), version);
  if (!e) printf(" (rules not loaded)\n");
  else if (!r) printf(" (no such rule is loaded now)\n");
  else if (strcmp(r->version, version) == 0) printf(" (the loaded rule)\n");
  else printf(" (the rule file has changed since: now %s at %s:%d)\n", r->version, r->file, r->line);
}

static int explain_evidence(sqlite3 *db, long long id) {
  sqlite3_stmt *st = NULL;
  int n = 0, rc;
  if (kz_taskq_prepare_evidence(db, id, &st)) return -1;
  printf("\nevidence\n");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    n++;
    if (strcmp(col(st, 0), "object") == 0)
      printf("  %-12s %-10s %s\n", col(st, 1), col(st, 2), col(st, 3));
    else
      printf("  %s\n", col(st, 4));
  }
  if (!n) printf("  (none recorded)\n");
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* The routing of the task: where its ladder starts, each step, where it is. */
static void explain_routing(sqlite3_stmt *t, const struct kz_engine *e, const struct event *ev,
                            size_t nev) {
  const char *agency = col(t, 12), *ward = sqlite3_column_type(t, 11) == SQLITE_NULL ? NULL : col(t, 11);
  int level = sqlite3_column_int(t, 7);
  const struct kz_agency *a = e ? kz_profile_agency(&e->prof, agency) : NULL;
  const struct kz_ward *w = e && ward ? kz_profile_ward(&e->prof, ward) : NULL;
  size_t start = 0;      /* the episode's last opened/reopened/promoted event */
  for (size_t i = 0; i < nev; i++)
    if (!strcmp(ev[i].event, "opened") || !strcmp(ev[i].event, "reopened") ||
        !strcmp(ev[i].event, "promoted"))
      start = i;
  printf("\nrouting\n");
  printf("  agency    %s%s%s%s\n", agency, a ? " (" : "", a ? a->name : "", a ? ")" : "");
  printf("  ward      %s%s%s%s\n", ward ? ward : "(none: city level)", w ? " (" : "",
         w ? w->name : "", w ? ")" : "");
  printf("  unit now  %s, level %d\n", col(t, 13), level);
  const struct kz_ladder *l = e ? kz_profile_ladder(&e->prof, agency) : NULL;
  int top = l ? (int)l->nsteps : 0;
  int last = level > top ? level : top;
  printf("  ladder   %s\n", e ? (l ? " one step up each run the task is open past its due date"
                                   : " none for this agency: the task stays with its unit")
                               : " (rules not loaded: the steps taken so far)");
  for (int lv = 0; lv <= last; lv++) {
    char unit[64] = "";
    const char *when = NULL, *what = "";
    if (e) kz_profile_ladder_unit(&e->prof, agency, ward, lv, unit, sizeof unit);
    for (size_t i = start; i < nev; i++) {
      if (ev[i].level != lv || !strcmp(ev[i].event, "cleared") || !strcmp(ev[i].event, "done")) continue;
      if (!e) snprintf(unit, sizeof unit, "%s", ev[i].unit);
      when = ev[i].on;
      what = ev[i].event;
    }
    if (!e && !when) continue;
    if (when) printf("    %d  %-44s %s %s%s\n", lv, unit, what, when, lv == level ? "  <- now" : "");
    else printf("    %d  %s%s\n", lv, unit, lv == level ? "  <- now" : "");
  }
  if (l && level >= top)
    printf("  at the top of its ladder: it stays with this unit (its level still counts up)\n");
}

static void explain_history(const struct event *ev, size_t nev) {
  printf("\nhistory\n");
  for (size_t i = 0; i < nev; i++) {
    printf("  %s  %-9s  %-44s level %d", ev[i].on, ev[i].event, ev[i].unit, ev[i].level);
    if (ev[i].due[0]) printf("  due %s", ev[i].due);
    if (ev[i].run) printf("  (run %lld)", ev[i].run);
    if (ev[i].note) printf("  note: %s", ev[i].note);
    printf("\n");
  }
  if (!nev) printf("  (no events)\n");
}

/* Read the task's events in order into *out (owned). Returns the count or -1. */
static long read_events(sqlite3 *db, long long id, struct event **out) {
  sqlite3_stmt *st = NULL;
  struct event *v = NULL;
  long n = 0;
  if (kz_taskq_prepare_events(db, id, &st)) return -1;
  while (sqlite3_step(st) == SQLITE_ROW) {
    struct event *nv = realloc(v, (size_t)(n + 1) * sizeof *nv);
    if (!nv) { n = -1; break; }
    v = nv;
    struct event *x = &v[n++];
    snprintf(x->on, sizeof x->on, "%s", col(st, 0));
    snprintf(x->event, sizeof x->event, "%s", col(st, 1));
    snprintf(x->unit, sizeof x->unit, "%s", col(st, 2));
    x->level = sqlite3_column_int(st, 3);
    snprintf(x->due, sizeof x->due, "%s", col(st, 4));
    x->run = sqlite3_column_int64(st, 5);
    x->note = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : strdup(col(st, 6));
  }
  sqlite3_finalize(st);
  if (n < 0) { free(v); v = NULL; }
  *out = v;
  return n;
}

int kz_cmd_explain(int argc, char **argv) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"rules", required_argument, NULL, 'r'},
    {"profile", required_argument, NULL, 'p'}, {"as-of", required_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *tasks = NULL, *rules = "rules", *profile = NULL;
  kz_day as_of = kz_cli_today();
  long long id = 0;
  struct kz_diag d = {0};
  struct kz_engine e;
  int have_engine = 0;
  sqlite3 *db = NULL;
  sqlite3_stmt *t = NULL;
  struct event *ev = NULL;
  long nev = 0;
  char day[KZ_DATE_LEN];
  int ch, rc = KZ_EXIT_OK;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': tasks = optarg; break;
      case 'r': rules = optarg; break;
      case 'p': profile = optarg; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &as_of)) return KZ_EXIT_USAGE; break;
      case 'h': fputs(EXPLAIN_USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("explain", argc, argv, EXPLAIN_USAGE);
    }
  }
  if (argc - optind != 1) {
    fprintf(stderr, "kizuki explain: %s\n%s", optind < argc ? _("give exactly one TASK_ID")
            : _("TASK_ID is required"), EXPLAIN_USAGE);
    return KZ_EXIT_USAGE;
  }
  if (parse_id("explain", argv[optind], &id)) return KZ_EXIT_USAGE;
  if (!tasks) {
    fprintf(stderr, _("kizuki explain: --tasks is required\n%s"), EXPLAIN_USAGE);
    return KZ_EXIT_USAGE;
  }
  if ((rc = kz_taskq_open(tasks, &db, &d)) != KZ_EXIT_OK) goto done;
  if (kz_taskq_prepare_task(db, id, &t)) {
    kz_diag_add(&d, tasks, 0, 0, "cannot read the task: %s", sqlite3_errmsg(db));
    rc = KZ_EXIT_TASKS;
    goto done;
  }
  if (sqlite3_step(t) != SQLITE_ROW) {
    kz_diag_add(&d, NULL, 0, 0, "no task %lld in %s (`kizuki tasks --status all` lists them)", id, tasks);
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  /* The rules give titles, labels and the ladder; without them the task
  ** DB still tells the whole story. */
  char profile_path[1024];
  struct kz_diag why = {0};
  kz_cli_profile_path(rules, profile, profile_path, sizeof profile_path);
  if (kz_engine_open(&e, rules, profile_path, &why) == 0) have_engine = 1;
  else fprintf(stderr, "kizuki explain: rules in %s not loaded (%s); showing the task DB alone\n",
               rules, why.n && why.msgs[0] ? why.msgs[0] : "see `kizuki check`");
  kz_diag_clear(&why);
  if ((nev = read_events(db, id, &ev)) < 0) {
    kz_diag_add(&d, tasks, 0, 0, "cannot read the task's history: %s", sqlite3_errmsg(db));
    rc = KZ_EXIT_TASKS;
    goto done;
  }

  /* Columns of t (kz_taskq_prepare_task): 0 id, 1 rule, 2 subject, 3 key, 4 household_id, 5 severity,
  ** 6 status, 7 level, 8 since, 9 opened_on, 10 due_on, 11 ward, 12 agency,
  ** 13 unit, 14 last_seen_on, 15 cleared_on, 16 reason, 17 rule_version,
  ** 18 rule_file, 19 rule_line, 20 done_on, 21 done_note, 22 backlog. */
  const char *status = col(t, 6);
  int backlog = sqlite3_column_int(t, 22);
  kz_date_format(as_of, day);
  printf("task %lld: %s, %s, level %d, with %s\n", id, status, col(t, 5), sqlite3_column_int(t, 7),
         col(t, 13));
  explain_rule(t, have_engine ? &e : NULL);
  printf("subject   %s (household %s), key %s\n", col(t, 2), col(t, 4), col(t, 3));
  printf("dates     trigger %s, opened %s, due %s%s, last seen by a run %s\n",
         sqlite3_column_type(t, 8) == SQLITE_NULL ? "?" : col(t, 8), col(t, 9),
         backlog ? "none" : col(t, 10),
         !backlog && strcmp(status, "open") == 0 && strcmp(col(t, 10), day) < 0 ? " (overdue)" : "",
         col(t, 14));
  if (backlog)
    printf("backlog   the trigger was older than open_within_days when the task opened: no due\n"
           "          date, never escalated; listed apart for a review, and promoted to a\n"
           "          normal task if a new trigger makes it recent\n");
  if (strcmp(status, "cleared") == 0) printf("cleared   %s: the data no longer shows the condition\n", col(t, 15));
  if (strcmp(status, "done") == 0) printf("done      %s: %s\n", col(t, 20), col(t, 21));
  printf("\nreason\n  %s\n", col(t, 16));
  if (explain_evidence(db, id)) {
    kz_diag_add(&d, tasks, 0, 0, "cannot read the evidence of task %lld: %s", id, sqlite3_errmsg(db));
    rc = KZ_EXIT_TASKS;
    goto done;
  }
  explain_routing(t, have_engine ? &e : NULL, ev, (size_t)nev);
  explain_history(ev, (size_t)nev);
done:
  for (long i = 0; i < nev; i++) free(ev[i].note);
  free(ev);
  sqlite3_finalize(t);
  sqlite3_close(db);
  if (have_engine) kz_engine_close(&e);
  print_diag("explain", &d);
  kz_diag_clear(&d);
  return rc;
}

/* }====== */
