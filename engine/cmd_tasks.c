/*
** cmd_tasks.c — what agencies and supervisors do with tasks between runs:
** `kizuki tasks` lists them, `kizuki done` closes one, `kizuki explain`
** tells why one exists and how it got where it is. Only options are parsed
** here: reads go through task_view.c and task_query.c (read-only), output
** through task_out.c; `done` writes through task_store.c.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "finding.h"
#include "i18n.h"
#include "kizuki.h"
#include "task_out.h"
#include "task_query.h"
#include "task_store.h"
#include "task_view.h"

/* Print every message of d prefixed with the command's name. */
static void print_diag(const char *cmd, const struct kz_diag *d) {
  for (size_t i = 0; i < d->n; i++)
    fprintf(stderr, "kizuki %s: %s\n", cmd, d->msgs[i] ? d->msgs[i] : "out of memory");
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
  "                    [--rules DIR] [--profile FILE]\n"
  "\n"
  "List tasks, most severe first (critical, high, medium, low), then by due\n"
  "date. The task DB is opened read-only. By default the daily queue: backlog\n"
  "tasks (a trigger older than open_within_days when first seen: no due date,\n"
  "never escalated, kept for a review) are listed apart, with --backlog; the\n"
  "footer (stderr for json and csv) says how many there are.\n"
  "\n"
  "  --tasks TASKS.db     the task DB `kizuki run` writes\n"
  "  --unit U             only tasks with unit U now: a code (chuo.health_center)\n"
  "                       or its name (中央区保健センター, 児童相談所)\n"
  "  --ward W             only tasks routed for ward W, also after escalation to\n"
  "                       a city unit: a code (chuo) or its name (中央区). A task\n"
  "                       opened at city level has no ward: list those with\n"
  "                       --unit 児童相談所\n"
  "  --status S           open (default), cleared, done or all (対応中, 解消,\n"
  "                       完了, すべて)\n"
  "  --severity S         only critical, high, medium or low tasks (緊急, 高, 中, 低)\n"
  "  --rule R             only tasks of rule R (e.g. checkup.missed)\n"
  "                       An unknown --unit, --ward, --status, --severity or\n"
  "                       --rule is an error (exit 2) that names the nearest one;\n"
  "                       so is a name or title more than one unit, ward or rule\n"
  "                       goes by (it names them all: give the code).\n"
  "  --overdue            only open tasks whose due date is before the as-of date\n"
  "  --opened-since DATE  only tasks opened (or reopened) on or after DATE\n"
  "  --backlog            only backlog tasks (instead of the daily queue)\n"
  "  --as-of DATE         the day overdue is judged on (default: the date of the\n"
  "                       task DB's latest run; today when there is none)\n"
  "  --format F           text (default: aligned columns; ! marks overdue),\n"
  "                       json (an array of task objects, valid UTF-8) or csv\n"
  "                       (the dialect of `kizuki export`: UTF-8 with a BOM,\n"
  "                       CRLF, Japanese headers and names, codes in their own\n"
  "                       columns)\n"
  "  --rules DIR          the rules folder, for rule titles and the names of\n"
  "                       units and wards (default: $KIZUKI_RULES, ./rules or\n"
  "                       the installed rules); when it cannot be loaded,\n"
  "                       codes are shown and only codes are accepted\n"
  "  --profile FILE       the municipality profile (default: DIR/kizuki.yaml)\n"
  "\n"
  "Exit codes: 0 ok (also when no task matches); 2 usage error or an unknown\n"
  "filter value; 5 the task DB is missing or not a kizuki task DB.\n";

/* The count of bytes replaced to keep the output UTF-8, on stderr. */
static void say_replaced(const char *cmd, long long n) {
  if (n > 0)
    fprintf(stderr, _("kizuki %s: %lld byte(s) that were not UTF-8 replaced by U+FFFD\n"), cmd, n);
}

/* What the command line of `kizuki tasks` asks for. */
struct tasks_args {
  struct kz_taskq_filter f;
  const char *tasks, *format, *rules, *profile;
};

/* Read the options into a. Returns 1 when the command ends here (--help,
** a usage error) with its exit code in *rc; 0 to go on. */
static int tasks_parse_args(int argc, char **argv, struct tasks_args *a, int *rc) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"unit", required_argument, NULL, 'u'},
    {"ward", required_argument, NULL, 'w'}, {"status", required_argument, NULL, 's'},
    {"severity", required_argument, NULL, 'v'}, {"rule", required_argument, NULL, 'r'},
    {"overdue", no_argument, NULL, 'o'}, {"opened-since", required_argument, NULL, 'n'},
    {"as-of", required_argument, NULL, 'a'}, {"format", required_argument, NULL, 'f'},
    {"backlog", no_argument, NULL, 'b'}, {"rules", required_argument, NULL, 'R'},
    {"profile", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct kz_taskq_filter *f = &a->f;
  int ch;
  *rc = KZ_EXIT_USAGE;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': a->tasks = optarg; break;
      case 'b': f->backlog = KZ_TQ_BACKLOG_ONLY; break;
      case 'u': f->unit = optarg; break;
      case 'w': f->ward = optarg; break;
      case 's': f->status = optarg; break;
      case 'v': f->severity = optarg; break;
      case 'r': f->rule = optarg; break;
      case 'o': f->overdue = 1; break;
      case 'n': if (kz_cli_parse_date("--opened-since", optarg, &f->opened_since)) return 1; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &f->as_of)) return 1; break;
      case 'f': a->format = optarg; break;
      case 'R': a->rules = optarg; break;
      case 'p': a->profile = optarg; break;
      case 'h': fputs(TASKS_USAGE, stdout); *rc = KZ_EXIT_OK; return 1;
      default: *rc = kz_cli_bad_option("tasks", argc, argv, TASKS_USAGE); return 1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki tasks: unexpected argument '%s'\n%s"), argv[optind], TASKS_USAGE);
    return 1;
  }
  return 0;
}

/* The options that need one another or exclude one another; the format
** into *format. KZ_EXIT_OK, or KZ_EXIT_USAGE after saying why. */
static int tasks_check_args(const struct tasks_args *a, enum kz_out_format *format) {
  if (!a->tasks) {
    fprintf(stderr, _("kizuki tasks: --tasks is required\n%s"), TASKS_USAGE);
    return KZ_EXIT_USAGE;
  }
  if (a->f.unit && a->f.ward) {
    fprintf(stderr, _("kizuki tasks: give --unit or --ward, not both\n"));
    return KZ_EXIT_USAGE;
  }
  if (kz_task_out_parse_format(a->format, "text,json,csv", format)) {
    fprintf(stderr, _("kizuki tasks: --format must be text, json or csv, not '%s'\n"), a->format);
    return KZ_EXIT_USAGE;
  }
  return KZ_EXIT_OK;
}

/* List the tasks f selects through o (format already set) on stdout, the
** backlog left out of the daily queue counted for the footer. Returns the
** exit code; problems in d. */
static int tasks_list(struct kz_task_view *v, const struct kz_taskq_filter *f,
                      struct kz_task_out *o, struct kz_diag *d) {
  o->f = stdout;
  o->prof = kz_task_view_profile(v);
  o->rules = kz_task_view_rules(v);
  o->with_status = f->status && strcmp(f->status, "open") != 0;
  o->backlog = f->backlog == KZ_TQ_BACKLOG_ONLY;
  o->as_of = v->as_of;
  o->as_of_why = v->as_of_why;
  if (f->backlog == KZ_TQ_BACKLOG_EXCLUDE && !f->overdue) {   /* a backlog task is never overdue */
    struct kz_taskq_filter bf = *f;
    bf.backlog = KZ_TQ_BACKLOG_ONLY;
    if (kz_taskq_count(v->db, &bf, &o->backlog_apart, d)) return KZ_EXIT_TASKS;
  }
  kz_task_out_begin(o);
  if (kz_taskq_each(v->db, f, kz_task_out_row, o, d)) {
    if (o->oom) kz_diag_add(d, NULL, 0, 0, "out of memory");
    return KZ_EXIT_TASKS;
  }
  kz_task_out_end(o);
  if (o->format != KZ_OUT_TEXT && o->backlog_apart > 0)
    fprintf(stderr, "kizuki tasks: %lld backlog task%s not listed (the daily queue); "
            "--backlog lists them\n", o->backlog_apart, o->backlog_apart == 1 ? "" : "s");
  say_replaced("tasks", o->replaced);
  return KZ_EXIT_OK;
}

int kz_cmd_tasks(int argc, char **argv) {
  struct tasks_args a = {.format = "text"};
  struct kz_taskq_names names;
  struct kz_diag d = {0};
  struct kz_task_view v = {0};
  struct kz_task_out o = {0};
  int rc = KZ_EXIT_OK;
  a.f.opened_since = KZ_DAY_NONE;
  a.f.as_of = KZ_DAY_NONE;
  a.f.backlog = KZ_TQ_BACKLOG_EXCLUDE;           /* the daily queue */
  if (tasks_parse_args(argc, argv, &a, &rc)) return rc;
  if ((rc = tasks_check_args(&a, &o.format)) != KZ_EXIT_OK) return rc;
  if ((rc = kz_task_view_open_filtered(&v, "tasks", a.tasks, a.rules, a.profile,
                                       o.format == KZ_OUT_CSV || a.profile, &a.f, &names, &d))
      != KZ_EXIT_OK)
    goto done;
  rc = tasks_list(&v, &a.f, &o, &d);
done:
  print_diag("tasks", &d);
  kz_diag_clear(&d);
  kz_task_out_free(&o);
  kz_task_view_close(&v);
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
  "  --on DATE         the day it was done (default: today; not after today)\n"
  "\n"
  "Exit codes: 0 done; 2 usage error, a note that is not UTF-8 text, an --on\n"
  "after today, no such task, or the task is already done; 5 the task DB is\n"
  "missing or cannot be written; 6 a run holds the task DB (try again when it\n"
  "ends).\n";

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
  if (!kz_finding_utf8_valid(note, strlen(note))) {
    fprintf(stderr, _("kizuki done: --note is not UTF-8 text (set the terminal to UTF-8); "
                      "nothing was written\n"));
    return KZ_EXIT_USAGE;
  }
  kz_date_format(on, day);
  if (on > kz_cli_today()) {
    /* A done task reopens only for a trigger after its done day: a typo
    ** (2204 for 2024) would swallow every new episode for years. */
    fprintf(stderr, _("kizuki done: --on %s is after today: a task is marked done on the day it "
                      "was done; nothing was written\n"), day);
    return KZ_EXIT_USAGE;
  }
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
  "                    $KIZUKI_RULES, else ./rules, else the installed\n"
  "                    PREFIX/share/kizuki/rules); when it cannot be loaded,\n"
  "                    the task DB alone is shown\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --as-of DATE      the day overdue is judged on (default: the date of the\n"
  "                    task DB's latest run; today when there is none)\n"
  "\n"
  "Bytes in the task DB that are not UTF-8 are shown as U+FFFD (and counted\n"
  "on stderr): the evidence is always shown.\n"
  "\n"
  "Exit codes: 0 ok; 2 usage error or no such task; 5 the task DB is missing\n"
  "or not a kizuki task DB.\n";

int kz_cmd_explain(int argc, char **argv) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"rules", required_argument, NULL, 'r'},
    {"profile", required_argument, NULL, 'p'}, {"as-of", required_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *tasks = NULL, *rules = NULL, *profile = NULL;
  kz_day as_of = KZ_DAY_NONE;
  long long id = 0, replaced = 0;
  struct kz_diag d = {0};
  struct kz_task_view v = {0};
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
  if ((rc = kz_task_view_open(&v, "explain", tasks, rules, profile, 1, as_of, &d)) != KZ_EXIT_OK)
    goto done;
  int found = kz_task_out_explain(stdout, v.db, id, kz_task_view_profile(&v), kz_task_view_rules(&v),
                                  v.as_of, &replaced, &d);
  if (found == 1) {
    kz_diag_add(&d, NULL, 0, 0, "no task %lld in %s (`kizuki tasks --status all` lists them)", id, tasks);
    rc = KZ_EXIT_USAGE;
  } else if (found != 0) {
    rc = KZ_EXIT_TASKS;
  }
  say_replaced("explain", replaced);
done:
  kz_task_view_close(&v);
  print_diag("explain", &d);
  kz_diag_clear(&d);
  return rc;
}

/* }====== */
