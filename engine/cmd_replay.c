/*
** cmd_replay.c — `kizuki replay`: its options and its output. The nightly
** run day by day over a fixture or a PF case DB, into a scratch in-memory
** task store (a real task DB is never touched), is fixture_run.c; this file
** prints when each task would have opened, escalated, cleared or reopened,
** and the tasks still open at the end.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fixture.h"
#include "fixture_run.h"
#include "kizuki.h"
#include "run.h"
#include "strbuf.h"
#include "task_read.h"

static const char USAGE[] =
  "usage: kizuki replay FIXTURE.yaml [--from DATE] [--to DATE] [--every N]\n"
  "                     [--format text|json] [--rules DIR] [--profile FILE] [--quiet]\n"
  "       kizuki replay --cases PF.db --from DATE --to DATE [--household ID]...\n"
  "                     [--every N] [--format text|json] [--rules DIR] [--profile FILE]\n"
  "\n"
  "Run every rule as of each day from DATE to DATE (or every N days, the last\n"
  "day always included) over one scratch in-memory task store, and print the\n"
  "timeline: each task opened, escalated, cleared, reopened or closed (done),\n"
  "with its unit, level, due date and reason; then the tasks open at the end.\n"
  "No task DB is read or written.\n"
  "\n"
  "  FIXTURE.yaml      replay a fixture's records (default range: its first and\n"
  "                    last run; its params apply; its done: tasks are closed\n"
  "                    on their run's date)\n"
  "  --cases PF.db     replay a PF case DB (read-only); --from and --to needed\n"
  "  --household ID    only this household (repeatable)\n"
  "  --from, --to      the first and last day, YYYY-MM-DD\n"
  "  --every N         run every N days (default 1)\n"
  "  --format FMT      text (default) or json\n"
  "  --rules DIR       the rules folder (default: $KIZUKI_RULES, else ./rules,\n"
  "                    else the installed PREFIX/share/kizuki/rules)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --quiet           no progress on stderr\n"
  "\n"
  "Exit codes: 0 ok; 2 usage, fixture, profile or rule-load error; 3 finished,\n"
  "but some rule raised errors (each listed once on stderr, with the days);\n"
  "4 the case DB is unreadable or not the expected schema.\n";

/* What to replay: the command's options. */
struct replay_opts {
  const char *cases_path, *fixture_path, *rules, *profile;
  kz_day from, to;
  long every;
  int quiet, json;
  char **households;           /* owned array of borrowed argv strings */
  size_t nhouseholds;
};

/* The output of one replay. */
struct replay {
  int json;
  FILE *out;
  struct kz_strbuf events;     /* JSON: the events array */
  long long nevents;
  /* The progress of the day loop. */
  FILE *progress;              /* NULL: quiet */
  long long nruns, total, errors;
  kz_day to;
  char last[KZ_DATE_LEN];      /* the last day run */
  const char *fixture_file;    /* of the fixture replayed, for its done: */
};

/* {====== Output ====== */

/* A NULL column is written as empty (text) or null (JSON). */
static const char *str(const char *s) {
  return s ? s : "";
}

/* An empty value is written as null. */
static void json_field(struct kz_strbuf *b, const char *name, const char *v, int first) {
  kz_strbuf_add_json_field(b, name, v && v[0] ? v : NULL, first);
}

static const char TIMELINE_HEAD[] =
  "%-10s  %-9s  %-22s  %-8s  %-38s  %5s  %-10s  %s\n";

/* kz_tasks_each_night_event callback: print (or collect) one event. */
static int print_event(void *ctx, const struct kz_task_row *e) {
  struct replay *rp = ctx;
  int done = strcmp(e->event, "done") == 0;
  const char *reason = done && e->note && e->note[0] ? e->note : str(e->reason);
  int backlog = !e->due_on && (strcmp(e->event, "opened") == 0 || strcmp(e->event, "reopened") == 0);
  if (rp->json) {
    struct kz_strbuf *b = &rp->events;
    kz_strbuf_adds(b, rp->nevents++ ? ",{" : "{");
    json_field(b, "date", str(e->on_date), 1);
    json_field(b, "event", str(e->event), 0);
    json_field(b, "rule", str(e->rule), 0);
    json_field(b, "subject", str(e->subject), 0);
    json_field(b, "key", str(e->key), 0);
    json_field(b, "unit", str(e->unit), 0);
    kz_strbuf_addf(b, ",\"level\":%d", e->level);
    json_field(b, "due_on", str(e->due_on), 0);
    kz_strbuf_addf(b, ",\"backlog\":%s", backlog ? "true" : "false");
    json_field(b, "severity", str(e->severity), 0);
    json_field(b, "reason", reason, 0);
    kz_strbuf_adds(b, "}");
  } else {
    fprintf(rp->out, "%-10s  %-9s  %-22s  %-8s  %-38s  %5d  %-10s  %s\n", str(e->on_date),
            str(e->event), str(e->rule), str(e->subject), str(e->unit), e->level,
            backlog ? "(backlog)" : str(e->due_on), reason);
  }
  rp->nevents++;
  return 0;
}

struct open_list { struct replay *rp; struct kz_strbuf *json; int n; };

/* kz_tasks_each_open callback: print (or collect) one task open at the end. */
static int print_open_task(void *ctx, const struct kz_task_row *t) {
  struct open_list *o = ctx;
  if (o->rp->json) {
    struct kz_strbuf *json = o->json;
    kz_strbuf_adds(json, o->n ? ",{" : "{");
    json_field(json, "rule", str(t->rule), 1);
    json_field(json, "subject", str(t->subject), 0);
    json_field(json, "key", str(t->key), 0);
    json_field(json, "unit", str(t->unit), 0);
    json_field(json, "severity", str(t->severity), 0);
    kz_strbuf_addf(json, ",\"level\":%d", t->level);
    json_field(json, "opened_on", str(t->opened_on), 0);
    json_field(json, "due_on", str(t->due_on), 0);
    kz_strbuf_addf(json, ",\"backlog\":%s", t->backlog ? "true" : "false");
    json_field(json, "reason", str(t->reason), 0);
    kz_strbuf_adds(json, "}");
  } else {
    fprintf(o->rp->out, "  %-22s  %-8s  %-16s  %-38s  %-8s  level %d  opened %s  %s%s\n",
            str(t->rule), str(t->subject), str(t->key), str(t->unit), str(t->severity), t->level,
            str(t->opened_on), t->backlog ? "backlog (no due date)" : "due ",
            t->backlog ? "" : str(t->due_on));
  }
  o->n++;
  return 0;
}

static void print_open(struct replay *rp, struct kz_tasks *ts, const char *last, struct kz_strbuf *json) {
  struct open_list o = {rp, json, 0};
  if (!rp->json) fprintf(rp->out, "\nopen tasks as of %s:\n", last);
  kz_tasks_each_open(ts, KZ_ORDER_OPENED, print_open_task, &o);
  if (!rp->json && o.n == 0) fprintf(rp->out, "  (none)\n");
}

struct error_list { struct kz_strbuf *json; long long n; };

/* kz_tasks_each_error_summary callback: one distinct error, with its days. */
static int print_error(void *ctx, const struct kz_run_error_row *e) {
  struct error_list *l = ctx;
  struct kz_strbuf *json = l->json;
  fprintf(stderr, "%s:%d: rule %s, subject %s: %s (%d day%s, %s .. %s)\n", e->file, e->line,
          e->rule, e->subject, e->message, e->days, e->days == 1 ? "" : "s", e->first, e->last);
  kz_strbuf_adds(json, l->n ? ",{" : "{");
  json_field(json, "file", e->file, 1);
  kz_strbuf_addf(json, ",\"line\":%d", e->line);
  json_field(json, "rule", e->rule, 0);
  json_field(json, "subject", e->subject, 0);
  json_field(json, "message", e->message, 0);
  kz_strbuf_addf(json, ",\"days\":%d", e->days);
  json_field(json, "first", e->first, 0);
  json_field(json, "last", e->last, 0);
  kz_strbuf_adds(json, "}");
  l->n++;
  return 0;
}

/* Every distinct rule error of the replay, once, with the days it happened.
** Returns how many distinct errors there were. */
static long long print_errors(struct kz_tasks *ts, struct kz_strbuf *json) {
  struct error_list l = {json, 0};
  kz_tasks_each_error_summary(ts, print_error, &l);
  return l.n;
}

/* }====== */


/* {====== The command ====== */

/* Parse argv into *o. Returns KZ_EXIT_OK, KZ_EXIT_USAGE (told on stderr),
** or -1 after --help (nothing more to do). */
static int parse_options(int argc, char **argv, struct replay_opts *o) {
  static const struct option opts[] = {
    {"cases", required_argument, NULL, 'c'}, {"from", required_argument, NULL, 'F'},
    {"to", required_argument, NULL, 'T'}, {"every", required_argument, NULL, 'e'},
    {"household", required_argument, NULL, 'H'}, {"format", required_argument, NULL, 'f'},
    {"rules", required_argument, NULL, 'r'}, {"profile", required_argument, NULL, 'p'},
    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  int ch;
  o->rules = NULL;
  o->from = o->to = KZ_DAY_NONE;
  o->every = 1;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'c': o->cases_path = optarg; break;
      case 'F': if (kz_cli_parse_date("--from", optarg, &o->from)) return KZ_EXIT_USAGE; break;
      case 'T': if (kz_cli_parse_date("--to", optarg, &o->to)) return KZ_EXIT_USAGE; break;
      case 'e': {
        char *end;
        o->every = strtol(optarg, &end, 10);
        if (*end || o->every < 1 || o->every > 36500) {
          fprintf(stderr, _("kizuki replay: --every must be a whole number of days, 1 or more\n"));
          return KZ_EXIT_USAGE;
        }
        break;
      }
      case 'H': {
        char **h = realloc(o->households, (o->nhouseholds + 1) * sizeof *h);
        if (!h) return KZ_EXIT_USAGE;
        o->households = h;
        o->households[o->nhouseholds++] = optarg;
        break;
      }
      case 'f':
        if (strcmp(optarg, "json") == 0) o->json = 1;
        else if (strcmp(optarg, "text") != 0) {
          fprintf(stderr, _("kizuki replay: --format must be text or json, not '%s'\n"), optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'r': o->rules = optarg; break;
      case 'p': o->profile = optarg; break;
      case 'q': o->quiet = 1; break;
      case 'h': fputs(USAGE, stdout); return -1;
      default: return kz_cli_bad_option("replay", argc, argv, USAGE);
    }
  }
  if (optind < argc) o->fixture_path = argv[optind++];
  if (optind < argc || (!o->fixture_path == !o->cases_path)) {
    fprintf(stderr, _("kizuki replay: give one FIXTURE.yaml or --cases PF.db\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  if (o->cases_path && (o->from == KZ_DAY_NONE || o->to == KZ_DAY_NONE)) {
    fprintf(stderr, _("kizuki replay: --cases needs --from and --to\n"));
    return KZ_EXIT_USAGE;
  }
  if (o->fixture_path && o->nhouseholds) {
    fprintf(stderr, _("kizuki replay: --household is for --cases\n"));
    return KZ_EXIT_USAGE;
  }
  return KZ_EXIT_OK;
}

/* Print each message of d on stderr as "kizuki replay: [day: ]message". */
static void print_diag(const struct kz_diag *d, const char *day) {
  for (size_t i = 0; i < d->n; i++)
    fprintf(stderr, "kizuki replay: %s%s%s\n", day ? day : "", day ? ": " : "", d->msgs[i]);
}

/* A fixture `done:` entry that could not be applied: told, the replay goes on. */
static void done_failed(void *arg, const struct kz_fixture_done *x, const char *why) {
  const struct replay *rp = arg;
  fprintf(stderr, "%s:%d: done: %s\n", rp->fixture_file, x->line, why);
}

/* After each night: its events, and the progress line. */
static void night_done(void *arg, struct kz_fxrun *s, kz_day dd, int rc,
                       const struct kz_run_stats *st) {
  struct replay *rp = arg;
  char day[KZ_DATE_LEN];
  kz_date_format(dd, day);
  if (rc == KZ_EXIT_QUARANTINE)   /* bad case data: told, the replay goes on */
    fprintf(stderr, "kizuki replay: %s: %lld household(s) quarantined for bad case data "
            "(not evaluated, tasks kept; see kizuki run)\n", day, st->quarantine.households);
  rp->errors += st->errors;
  rp->nruns++;
  kz_tasks_each_night_event(s->ts, st->run_id, day, print_event, rp);
  snprintf(rp->last, sizeof rp->last, "%s", day);
  if (rp->progress && (rp->nruns % 16 == 0 || dd == rp->to))
    fprintf(rp->progress, "\r  %s  %lld/%lld runs%s", day, rp->nruns, rp->total,
            dd == rp->to ? "\n" : "");
}

/* Open the source of o (a fixture into *f, or a PF into *pf) in session s,
** filling in the fixture's default range. Returns KZ_EXIT_OK, or the exit
** code after telling why on stderr. */
static int open_source(struct replay_opts *o, struct kz_fxrun *s, struct kz_fixture *f,
                       int *have_fixture, sqlite3 **pf, struct kz_diag *d) {
  if (o->fixture_path) {
    if (kz_fixture_load(f, o->fixture_path, d)) {
      kz_diag_print(d, stderr);
      fprintf(stderr, "kizuki replay: %s cannot be loaded\n", o->fixture_path);
      return KZ_EXIT_USAGE;
    }
    *have_fixture = 1;
    if (kz_fxrun_use_fixture(s, f, 0, d)) {
      kz_diag_print(d, stderr);
      return KZ_EXIT_USAGE;
    }
    if (o->from == KZ_DAY_NONE) o->from = f->runs[0].as_of;
    if (o->to == KZ_DAY_NONE) o->to = f->runs[f->nruns - 1].as_of;
    return KZ_EXIT_OK;
  }
  int rc = kz_cli_open_cases(o->cases_path, pf, d);
  if (rc == KZ_EXIT_OK) rc = kz_fxrun_use_cases(s, *pf, o->households, o->nhouseholds, d);
  if (rc != KZ_EXIT_OK) print_diag(d, NULL);
  return rc;
}

/* The text timeline's title and column heads. */
static void print_head(const struct replay_opts *o, const struct replay *rp, const char *name,
                       size_t nrules) {
  char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
  fprintf(rp->out, "kizuki replay of %s%s%s: %s .. %s, every %ld day%s (%lld runs), %zu rules\n\n",
          o->fixture_path ? o->fixture_path : o->cases_path, o->fixture_path ? " — " : "",
          o->fixture_path ? name : "", kz_date_format(o->from, a), kz_date_format(o->to, b),
          o->every, o->every == 1 ? "" : "s", rp->total, nrules);
  fprintf(rp->out, TIMELINE_HEAD, "date", "event", "rule", "subject", "unit", "level", "due",
          "reason");
}

/* After the last night: the rule errors, the tasks open at the end, the JSON
** document, the closing line on rule errors. Returns KZ_EXIT_OK or
** KZ_EXIT_RULE_ERROR. */
static int print_tail(const struct replay_opts *o, struct replay *rp, struct kz_tasks *ts,
                      size_t nrules) {
  char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
  struct kz_strbuf open_json = {0}, errors_json = {0}, src = {0};
  int rc = KZ_EXIT_OK;
  long long distinct = print_errors(ts, &errors_json);
  if (!rp->json && rp->nevents == 0) fprintf(rp->out, "(no task events)\n");
  print_open(rp, ts, rp->last, &open_json);
  if (rp->json) {
    const char *source = o->fixture_path ? o->fixture_path : o->cases_path;
    kz_strbuf_add_json(&src, source);
    fprintf(rp->out, "{\"source\":%s,\"from\":\"%s\",\"to\":\"%s\",\"every\":%ld,\"runs\":%lld,"
            "\"rules\":%zu,\"events\":[%s],\"open\":[%s],\"errors\":[%s]}\n", kz_strbuf_str(&src),
            kz_date_format(o->from, a), kz_date_format(o->to, b), o->every, rp->nruns, nrules,
            kz_strbuf_str(&rp->events), kz_strbuf_str(&open_json), kz_strbuf_str(&errors_json));
  }
  if (rp->errors) {
    fprintf(stderr, "kizuki replay: %lld rule error(s) over %lld runs (%lld distinct, listed above)\n",
            rp->errors, rp->nruns, distinct);
    rc = KZ_EXIT_RULE_ERROR;
  }
  kz_strbuf_free(&open_json);
  kz_strbuf_free(&errors_json);
  kz_strbuf_free(&src);
  return rc;
}

/* Replay as o says, printing to rp. Returns the command's exit code. */
static int replay(struct replay_opts *o, struct replay *rp) {
  char profile_path[1024], a[KZ_DATE_LEN], b[KZ_DATE_LEN];
  struct kz_diag d = {0};
  struct kz_fxrun s;
  struct kz_fixture f = {0};
  sqlite3 *pf = NULL;
  int have_fixture = 0;
  char rules_buf[1024];   /* --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("replay", "--rules DIR", o->rules, rules_buf,
                       sizeof rules_buf))
    return KZ_EXIT_USAGE;
  o->rules = rules_buf;
  kz_cli_profile_path(o->rules, o->profile, profile_path, sizeof profile_path);
  int rc = kz_fxrun_open(&s, o->rules, profile_path, &d);
  if (rc != KZ_EXIT_OK) {
    kz_diag_print(&d, stderr);
    fprintf(stderr, "kizuki replay: %zu problem(s) in the rules or profile; nothing was run\n", d.n);
    goto done;
  }
  if ((rc = open_source(o, &s, &f, &have_fixture, &pf, &d)) != KZ_EXIT_OK) goto done;
  if (o->from > o->to) {
    fprintf(stderr, _("kizuki replay: --from %s is after --to %s\n"), kz_date_format(o->from, a),
            kz_date_format(o->to, b));
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  if ((rc = kz_fxrun_start(&s, &d)) != KZ_EXIT_OK) {
    print_diag(&d, NULL);
    goto done;
  }

  rp->total = (o->to - o->from) / o->every + 1 + ((o->to - o->from) % o->every != 0);
  rp->progress = !o->quiet && kz_cli_stderr_is_tty() ? stderr : NULL;
  rp->to = o->to;
  rp->fixture_file = f.file;
  if (!rp->json) print_head(o, rp, f.name, s.e.rules.n);
  struct kz_run_opts ro = {0};
  ro.stop = kz_cli_catch_signals();
  kz_day failed_day = KZ_DAY_NONE;
  rc = kz_fxrun_days(&s, o->from, o->to, o->every, &ro, night_done, done_failed, rp,
                     &failed_day, &d);
  if (rc != KZ_EXIT_OK) {
    print_diag(&d, kz_date_format(failed_day, a));
    goto done;
  }
  rc = print_tail(o, rp, s.ts, s.e.rules.n);
done:
  kz_fxrun_close(&s);
  if (have_fixture) kz_fixture_free(&f);
  sqlite3_close(pf);
  kz_diag_clear(&d);
  return rc;
}

/* `kizuki replay`: see USAGE. Returns the command's exit code. */
int kz_cmd_replay(int argc, char **argv) {
  struct replay_opts o = {0};
  struct replay rp = {0};
  rp.out = stdout;
  int rc = parse_options(argc, argv, &o);
  if (rc == KZ_EXIT_OK) {
    rp.json = o.json;
    rc = replay(&o, &rp);
  } else if (rc < 0) {
    rc = KZ_EXIT_OK;                     /* --help */
  }
  kz_strbuf_free(&rp.events);
  free(o.households);
  return rc;
}

/* }====== */
