/*
** cmd_replay.c — `kizuki replay`: the nightly run day by day over a fixture
** or a PF case DB, into a scratch in-memory task store (a real task DB is
** never touched), printing when each task would have opened, escalated,
** cleared or reopened, and the tasks still open at the end.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fixture.h"
#include "kizuki.h"
#include "records.h"
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
  "  --rules DIR       the rules folder (default: rules)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --quiet           no progress on stderr\n"
  "\n"
  "Exit codes: 0 ok; 2 usage, fixture, profile or rule-load error; 3 finished,\n"
  "but some rule raised errors (each listed once on stderr, with the days);\n"
  "4 the case DB is unreadable or not the expected schema.\n";

/* {====== A PF case DB cut down to some households ====== */

/* Copy the rows of the households ids[0..n) from src into the empty case DB
** dst, table by table (the columns of records.h plus recorded_on). */
static int copy_households(sqlite3 *src, sqlite3 *dst, char **ids, size_t n, struct kz_diag *d) {
  struct kz_strbuf sel = {0}, ins = {0}, set = {0};
  sqlite3_stmt *s = NULL, *w = NULL;
  int rc = -1;
  kz_strbuf_adds(&set, "(");
  for (size_t i = 0; i < n; i++) kz_strbuf_addf(&set, "%s?%zu", i ? ", " : "", i + 1);
  kz_strbuf_adds(&set, ")");
  if (sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto fail;
  for (int t = 0; t < KZ_NTABLES; t++) {
    const struct kz_table *td = &kz_tables[t];
    kz_strbuf_reset(&sel);
    kz_strbuf_reset(&ins);
    kz_strbuf_adds(&sel, "SELECT ");
    kz_strbuf_addf(&ins, "INSERT INTO %s (", td->name);
    for (int c = 0; c < td->ncols; c++) {
      kz_strbuf_addf(&sel, "%s, ", td->cols[c].name);
      kz_strbuf_addf(&ins, "%s, ", td->cols[c].name);
    }
    kz_strbuf_addf(&sel, "recorded_on FROM %s WHERE ", td->name);
    kz_strbuf_adds(&ins, "recorded_on) VALUES (");
    for (int c = 0; c <= td->ncols; c++) kz_strbuf_addf(&ins, "%s?", c ? ", " : "");
    kz_strbuf_adds(&ins, ")");
    if (t == KZ_T_HOUSEHOLDS)
      kz_strbuf_addf(&sel, "id IN %s", kz_strbuf_str(&set));
    else if (td->person_col)
      kz_strbuf_addf(&sel, "%s IN (SELECT person_id FROM members WHERE household_id IN %s)",
                     td->person_col, kz_strbuf_str(&set));
    else
      kz_strbuf_addf(&sel, "household_id IN %s", kz_strbuf_str(&set));
    if (sel.oom || ins.oom) goto fail;
    if (sqlite3_prepare_v2(src, kz_strbuf_str(&sel), -1, &s, NULL) != SQLITE_OK) {
      kz_diag_add(d, NULL, 0, 0, "reading %s: %s", td->name, sqlite3_errmsg(src));
      goto done;
    }
    if (sqlite3_prepare_v2(dst, kz_strbuf_str(&ins), -1, &w, NULL) != SQLITE_OK) goto fail;
    for (size_t i = 0; i < n; i++) sqlite3_bind_text(s, (int)i + 1, ids[i], -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
      for (int c = 0; c <= td->ncols; c++) sqlite3_bind_value(w, c + 1, sqlite3_column_value(s, c));
      if (sqlite3_step(w) != SQLITE_DONE) goto fail;
      sqlite3_reset(w);
    }
    if (step != SQLITE_DONE) {
      kz_diag_add(d, NULL, 0, 0, "reading %s: %s", td->name, sqlite3_errmsg(src));
      goto done;
    }
    sqlite3_finalize(s); s = NULL;
    sqlite3_finalize(w); w = NULL;
  }
  if (sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto fail;
  rc = 0;
  goto done;
fail:
  kz_diag_add(d, NULL, 0, 0, "copying the households: %s", sqlite3_errmsg(dst));
done:
  if (rc) sqlite3_exec(dst, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_finalize(s);
  sqlite3_finalize(w);
  kz_strbuf_free(&sel);
  kz_strbuf_free(&ins);
  kz_strbuf_free(&set);
  return rc;
}

/* }====== */

/* {====== Output ====== */

struct replay {
  int json;
  FILE *out;
  struct kz_strbuf events;     /* JSON: the events array */
  long long nevents;
};

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

int kz_cmd_replay(int argc, char **argv) {
  static const struct option opts[] = {
    {"cases", required_argument, NULL, 'c'}, {"from", required_argument, NULL, 'F'},
    {"to", required_argument, NULL, 'T'}, {"every", required_argument, NULL, 'e'},
    {"household", required_argument, NULL, 'H'}, {"format", required_argument, NULL, 'f'},
    {"rules", required_argument, NULL, 'r'}, {"profile", required_argument, NULL, 'p'},
    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *cases_path = NULL, *fixture_path = NULL, *rules = "rules", *profile = NULL;
  kz_day from = KZ_DAY_NONE, to = KZ_DAY_NONE;
  long every = 1;
  int quiet = 0, ch, rc = KZ_EXIT_OK;
  char **households = NULL;
  size_t nhouseholds = 0;
  struct replay rp = {0};
  rp.out = stdout;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'c': cases_path = optarg; break;
      case 'F': if (kz_cli_parse_date("--from", optarg, &from)) { rc = KZ_EXIT_USAGE; goto out; } break;
      case 'T': if (kz_cli_parse_date("--to", optarg, &to)) { rc = KZ_EXIT_USAGE; goto out; } break;
      case 'e': {
        char *end;
        every = strtol(optarg, &end, 10);
        if (*end || every < 1 || every > 36500) {
          fprintf(stderr, "kizuki replay: --every must be a whole number of days, 1 or more\n");
          rc = KZ_EXIT_USAGE;
          goto out;
        }
        break;
      }
      case 'H': {
        char **h = realloc(households, (nhouseholds + 1) * sizeof *h);
        if (!h) { rc = KZ_EXIT_USAGE; goto out; }
        households = h;
        households[nhouseholds++] = optarg;
        break;
      }
      case 'f':
        if (strcmp(optarg, "json") == 0) rp.json = 1;
        else if (strcmp(optarg, "text") != 0) {
          fprintf(stderr, "kizuki replay: --format must be text or json, not '%s'\n", optarg);
          rc = KZ_EXIT_USAGE;
          goto out;
        }
        break;
      case 'r': rules = optarg; break;
      case 'p': profile = optarg; break;
      case 'q': quiet = 1; break;
      case 'h': fputs(USAGE, stdout); goto out;
      default: fputs(USAGE, stderr); rc = KZ_EXIT_USAGE; goto out;
    }
  }
  if (optind < argc) fixture_path = argv[optind++];
  if (optind < argc || (!fixture_path == !cases_path)) {
    fprintf(stderr, "kizuki replay: give one FIXTURE.yaml or --cases PF.db\n%s", USAGE);
    rc = KZ_EXIT_USAGE;
    goto out;
  }
  if (cases_path && (from == KZ_DAY_NONE || to == KZ_DAY_NONE)) {
    fprintf(stderr, "kizuki replay: --cases needs --from and --to\n");
    rc = KZ_EXIT_USAGE;
    goto out;
  }
  if (fixture_path && nhouseholds) {
    fprintf(stderr, "kizuki replay: --household is for --cases\n");
    rc = KZ_EXIT_USAGE;
    goto out;
  }

  char profile_path[1024];
  kz_cli_profile_path(rules, profile, profile_path, sizeof profile_path);
  struct kz_diag d = {0};
  struct kz_engine e;
  struct kz_fixture f = {0};
  struct kz_tasks *ts = NULL;
  sqlite3 *pf = NULL, *cut = NULL, *cases = NULL;
  struct kz_strbuf open_json = {0}, errors_json = {0};
  int have_engine = 0, have_fixture = 0;
  long long nruns = 0, errors = 0;
  char day[KZ_DATE_LEN], last[KZ_DATE_LEN] = "";
  size_t next_done = 0;                   /* fixture runs whose done: are applied */

  if (kz_engine_open(&e, rules, profile_path, &d)) {
    kz_diag_print(&d, stderr);
    fprintf(stderr, "kizuki replay: %zu problem(s) in the rules or profile; nothing was run\n", d.n);
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  have_engine = 1;
  if (fixture_path) {
    if (kz_fixture_load(&f, fixture_path, &d)) {
      kz_diag_print(&d, stderr);
      fprintf(stderr, "kizuki replay: %s cannot be loaded\n", fixture_path);
      rc = KZ_EXIT_USAGE;
      goto done;
    }
    have_fixture = 1;
    if (kz_fixture_apply_params(&f, &e.prof, &d)) {
      kz_diag_print(&d, stderr);
      rc = KZ_EXIT_USAGE;
      goto done;
    }
    if (from == KZ_DAY_NONE) from = f.runs[0].as_of;
    if (to == KZ_DAY_NONE) to = f.runs[f.nruns - 1].as_of;
    cases = f.cases;
  } else {
    rc = kz_cli_open_cases(cases_path, &pf, &d);
    if (rc != KZ_EXIT_OK) {
      for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki replay: %s\n", d.msgs[i]);
      goto done;
    }
    cases = pf;
    if (nhouseholds) {
      if (kz_fixture_cases_db(&cut, &d) || copy_households(pf, cut, households, nhouseholds, &d)) {
        for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki replay: %s\n", d.msgs[i]);
        rc = KZ_EXIT_CASES;
        goto done;
      }
      cases = cut;
    }
  }
  if (from > to) {
    char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
    fprintf(stderr, "kizuki replay: --from %s is after --to %s\n", kz_date_format(from, a),
            kz_date_format(to, b));
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  rc = kz_tasks_open(&ts, ":memory:", &e.prof, &d);
  if (rc != KZ_EXIT_OK) {
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki replay: %s\n", d.msgs[i]);
    goto done;
  }

  long long total = (to - from) / every + 1 + ((to - from) % every != 0);
  FILE *progress = !quiet && kz_cli_stderr_is_tty() ? stderr : NULL;
  if (!rp.json) {
    char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
    fprintf(rp.out, "kizuki replay of %s%s%s: %s .. %s, every %ld day%s (%lld runs), %zu rules\n\n",
            fixture_path ? fixture_path : cases_path, fixture_path ? " — " : "",
            fixture_path ? f.name : "", kz_date_format(from, a), kz_date_format(to, b), every, every == 1 ? "" : "s", total, e.rules.n);
    fprintf(rp.out, TIMELINE_HEAD, "date", "event", "rule", "subject", "unit", "level", "due",
            "reason");
  }
  for (kz_day dd = from;; dd = dd + every > to ? to : dd + every) {
    kz_date_format(dd, day);
    /* Staff closed these tasks on their run's date (fixture `done:`). */
    while (have_fixture && next_done < f.nruns && f.runs[next_done].as_of <= dd) {
      const struct kz_fixture_run *run = &f.runs[next_done++];
      for (size_t k = 0; k < run->ndone; k++) {
        struct kz_diag why = {0};
        const struct kz_fixture_done *x = &run->done[k];
        if (kz_tasks_mark_done(ts, x->rule, x->subject, x->key, dd, x->note, &why))
          fprintf(stderr, "%s:%d: done: %s\n", f.file, x->line, why.n ? why.msgs[0] : "failed");
        kz_diag_clear(&why);
      }
    }
    struct kz_run_stats st = {0};
    struct kz_run_opts ro = {0};
    ro.stop = kz_cli_catch_signals();
    int rrc = kz_run(&e, cases, ts, dd, &ro, &st, &d);
    if (rrc == KZ_EXIT_QUARANTINE)   /* bad case data: told, the replay goes on */
      fprintf(stderr, "kizuki replay: %s: %lld household(s) quarantined for bad case data "
              "(not evaluated, tasks kept; see kizuki run)\n", day, st.quarantine.households);
    if (rrc != KZ_EXIT_OK && rrc != KZ_EXIT_RULE_ERROR && rrc != KZ_EXIT_QUARANTINE) {
      for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki replay: %s: %s\n", day, d.msgs[i]);
      kz_run_stats_free(&st);
      rc = rrc;
      goto done;
    }
    errors += st.errors;
    nruns++;
    kz_tasks_each_night_event(ts, st.run_id, day, print_event, &rp);
    kz_run_stats_free(&st);
    snprintf(last, sizeof last, "%s", day);
    if (progress && (nruns % 16 == 0 || dd == to))
      fprintf(progress, "\r  %s  %lld/%lld runs%s", day, nruns, total, dd == to ? "\n" : "");
    if (dd == to) break;
  }
  long long distinct = print_errors(ts, &errors_json);
  if (!rp.json) {
    if (rp.nevents == 0) fprintf(rp.out, "(no task events)\n");
  }
  print_open(&rp, ts, last, &open_json);
  if (rp.json) {
    char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
    fprintf(rp.out, "{\"source\":");
    struct kz_strbuf src = {0};
    const char *s = fixture_path ? fixture_path : cases_path;
    kz_strbuf_add_json_string(&src, s, strlen(s));
    fprintf(rp.out, "%s,\"from\":\"%s\",\"to\":\"%s\",\"every\":%ld,\"runs\":%lld,\"rules\":%zu,"
            "\"events\":[%s],\"open\":[%s],\"errors\":[%s]}\n", kz_strbuf_str(&src),
            kz_date_format(from, a), kz_date_format(to, b), every, nruns, e.rules.n,
            kz_strbuf_str(&rp.events), kz_strbuf_str(&open_json), kz_strbuf_str(&errors_json));
    kz_strbuf_free(&src);
  }
  if (errors) {
    fprintf(stderr, "kizuki replay: %lld rule error(s) over %lld runs (%lld distinct, listed above)\n",
            errors, nruns, distinct);
    rc = KZ_EXIT_RULE_ERROR;
  }
done:
  kz_tasks_close(ts);
  if (have_fixture) kz_fixture_free(&f);
  sqlite3_close(cut);
  sqlite3_close(pf);
  if (have_engine) kz_engine_close(&e);
  kz_strbuf_free(&open_json);
  kz_strbuf_free(&errors_json);
  kz_strbuf_free(&rp.events);
  kz_diag_clear(&d);
out:
  free(households);
  return rc;
}
