/*
** cmd_diff.c — `kizuki diff`: the supervisor's check before a rule change
** goes live. Parses the options, has rules_diff.c run the current and the
** changed rule set over the same case DB and date and compare their tasks,
** and writes what the change would open that the current rules do not, what
** it would no longer open, and what it would route or grade differently —
** per rule, per unit, with examples — as text or JSON.
*/
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db_open.h"
#include "kizuki.h"
#include "rules_diff.h"
#include "strbuf.h"
#include "task_read.h"

static const char USAGE[] =
  "usage: kizuki diff --rules NEW_DIR --cases PF.db [--as-of DATE] [--profile FILE]\n"
  "                   [--base-rules DIR] [--base-profile FILE] [--examples N]\n"
  "                   [--format text|json] [--quiet]\n"
  "\n"
  "Run the current rules (--base-rules, default: as for run) and the changed ones\n"
  "(--rules NEW_DIR with NEW_DIR/kizuki.yaml, or --profile) over the same case\n"
  "DB as of the same day, each as a first run into its own scratch in-memory\n"
  "task store, and report the difference: the tasks the change would open\n"
  "that the current rules do not, the tasks it would no longer open, and the\n"
  "tasks both open but in another unit, severity, level or due date; per rule\n"
  "and per unit, with examples (rule, subject, unit, reason), and totals.\n"
  "Changed parameters and rule files are listed first. No task DB is touched.\n"
  "\n"
  "  --rules NEW_DIR       the changed rules folder\n"
  "  --profile FILE        its profile (default: NEW_DIR/kizuki.yaml)\n"
  "  --base-rules DIR      the current rules folder (default: $KIZUKI_RULES,\n"
  "                        else ./rules, else the installed rules)\n"
  "  --base-profile FILE   its profile (default: DIR/kizuki.yaml)\n"
  "  --cases PF.db         the PF case DB (opened read-only)\n"
  "  --as-of DATE          the run date, YYYY-MM-DD (default: today)\n"
  "  --examples N          examples per rule and direction in text (default 3)\n"
  "  --format FMT          text (default) or json (every task listed)\n"
  "  --quiet               no progress on stderr\n"
  "\n"
  "Exit codes: 0 ok, whether or not the rule sets differ; 2 usage error, or\n"
  "either rule set or profile fails to load (each problem with file:line);\n"
  "3 finished, but some rule raised errors (listed on stderr); 4 the case DB\n"
  "is unreadable or not the expected schema.\n";

static void fmt_num(char *buf, size_t n, double v) { snprintf(buf, n, "%.15g", v); }

struct out {
  FILE *f;
  int json;
  int n;                      /* items written in the current list */
  struct kz_strbuf *b;        /* json */
};

static void json_str(struct kz_strbuf *b, const char *s) {
  kz_strbuf_add_json(b, s ? s : "");   /* diff never writes null strings */
}

static void json_num(struct kz_strbuf *b, double v) {
  char buf[64];
  if (isnan(v)) kz_strbuf_adds(b, "null");
  else {
    fmt_num(buf, sizeof buf, v);
    kz_strbuf_adds(b, buf);
  }
}

static void on_param(void *ctx, const char *name, double a, double b) {
  struct out *o = ctx;
  if (o->json) {
    kz_strbuf_adds(o->b, o->n ? ",{\"name\":" : "{\"name\":");
    json_str(o->b, name);
    kz_strbuf_adds(o->b, ",\"current\":");
    json_num(o->b, a);
    kz_strbuf_adds(o->b, ",\"changed\":");
    json_num(o->b, b);
    kz_strbuf_adds(o->b, "}");
  } else {
    char x[64] = "(none)", y[64] = "(none)";
    if (!isnan(a)) fmt_num(x, sizeof x, a);
    if (!isnan(b)) fmt_num(y, sizeof y, b);
    fprintf(o->f, "%s%s %s -> %s", o->n ? ", " : "changed parameters: ", name, x, y);
  }
  o->n++;
}

/* }====== */

/* {====== Output ====== */

/* One row: the two sides' open tasks, then the differences with their sign
** ("+3", "-2"; a plain 0 when there is none). */
static void print_tally_row(FILE *f, const char *name, const long long n[KZ_RD_N]) {
  char open[32] = "0", close[32] = "0", changed[32] = "0";
  if (n[KZ_RD_OPEN]) snprintf(open, sizeof open, "+%lld", n[KZ_RD_OPEN]);
  if (n[KZ_RD_CLOSE]) snprintf(close, sizeof close, "-%lld", n[KZ_RD_CLOSE]);
  if (n[KZ_RD_CHANGED]) snprintf(changed, sizeof changed, "~%lld", n[KZ_RD_CHANGED]);
  fprintf(f, "%-38s %8lld %8lld %8s %10s %9s\n", name, n[KZ_RD_BASE], n[KZ_RD_NEW], open, close, changed);
}

static void print_tally_table(FILE *f, const char *head, const struct kz_rules_diff_tallies *ts, int all,
                              const long long total[KZ_RD_N]) {
  fprintf(f, "%-38s %8s %8s %8s %10s %9s\n", head, "current", "changed", "+open", "-no longer",
          "~differs");
  for (size_t i = 0; i < ts->n; i++) {
    const struct kz_rules_diff_tally *t = &ts->v[i];
    if (!all && !t->n[KZ_RD_OPEN] && !t->n[KZ_RD_CLOSE] && !t->n[KZ_RD_CHANGED]) continue;
    print_tally_row(f, t->name, t->n);
  }
  print_tally_row(f, "total", total);
}

static void print_task(FILE *f, char sign, const struct kz_rules_diff_task *t) {
  fprintf(f, "  %c %-24s %-10s %-38s %-8s %s\n", sign, t->rule, t->subject, t->unit, t->severity,
          t->reason);
}

/* Up to `examples` tasks of each rule in direction `what`. */
static void print_examples(FILE *f, const struct kz_rules_diff *df, int what, long examples) {
  const char *title = what == KZ_RD_OPEN ? "would open (not opened by the current rules)"
                    : what == KZ_RD_CLOSE ? "would no longer open"
                    : "would open differently (unit, severity, level or due date)";
  fprintf(f, "\n%s: %lld task%s\n", title, df->total[what], df->total[what] == 1 ? "" : "s");
  for (size_t r = 0; r < df->rules.n; r++) {
    const struct kz_rules_diff_tally *rt = &df->rules.v[r];
    if (!rt->n[what]) continue;
    long shown = 0;
    for (size_t i = 0; i < df->n && shown < examples; i++) {
      const struct kz_rules_diff_pair *p = &df->p[i];
      int w = kz_rules_diff_what(p);
      const struct kz_rules_diff_task *t = p->n ? p->n : p->b;
      if (w != what || strcmp(t->rule, rt->name) != 0) continue;
      if (what == KZ_RD_CHANGED) {
        print_task(f, '-', p->b);
        print_task(f, '+', p->n);
      } else {
        print_task(f, what == KZ_RD_OPEN ? '+' : '-', t);
      }
      shown++;
    }
    if (rt->n[what] > shown)
      fprintf(f, "    … and %lld more of %s\n", rt->n[what] - shown, rt->name);
  }
}

static void json_task(struct kz_strbuf *b, const struct kz_rules_diff_task *t) {
  kz_strbuf_adds(b, "{\"rule\":");
  json_str(b, t->rule);
  kz_strbuf_adds(b, ",\"subject\":");
  json_str(b, t->subject);
  kz_strbuf_adds(b, ",\"key\":");
  json_str(b, t->key);
  kz_strbuf_adds(b, ",\"unit\":");
  json_str(b, t->unit);
  kz_strbuf_adds(b, ",\"severity\":");
  json_str(b, t->severity);
  kz_strbuf_addf(b, ",\"level\":%d,\"due_on\":", t->level);
  if (t->due_on) json_str(b, t->due_on);
  else kz_strbuf_adds(b, "null");               /* a backlog task has no due date */
  kz_strbuf_addf(b, ",\"backlog\":%s", t->due_on ? "false" : "true");
  kz_strbuf_adds(b, ",\"reason\":");
  json_str(b, t->reason);
  kz_strbuf_adds(b, "}");
}

static void json_tallies(struct kz_strbuf *b, const char *key, const struct kz_rules_diff_tallies *ts) {
  kz_strbuf_addf(b, ",\"%s\":[", key);
  for (size_t i = 0; i < ts->n; i++) {
    const struct kz_rules_diff_tally *t = &ts->v[i];
    kz_strbuf_adds(b, i ? ",{\"name\":" : "{\"name\":");
    json_str(b, t->name);
    kz_strbuf_addf(b, ",\"current\":%lld,\"changed\":%lld,\"would_open\":%lld,"
                   "\"would_not_open\":%lld,\"changed_tasks\":%lld}",
                   t->n[KZ_RD_BASE], t->n[KZ_RD_NEW], t->n[KZ_RD_OPEN], t->n[KZ_RD_CLOSE], t->n[KZ_RD_CHANGED]);
  }
  kz_strbuf_adds(b, "]");
}

static void json_side(struct kz_strbuf *b, const char *key, const struct kz_rules_diff_side *s) {
  kz_strbuf_addf(b, ",\"%s\":{\"rules\":", key);
  json_str(b, s->rules_dir);
  kz_strbuf_adds(b, ",\"profile\":");
  json_str(b, s->profile);
  kz_strbuf_adds(b, ",\"digest\":");
  json_str(b, s->e.rules.digest);
  kz_strbuf_addf(b, ",\"rules_count\":%zu,\"open\":%zu,\"errors\":%lld}", s->e.rules.n, s->n,
                 s->st.errors);
}

static void print_json(FILE *f, const struct kz_rules_diff *df, const struct kz_rules_diff_side *base,
                       const struct kz_rules_diff_side *neu, kz_day as_of) {
  struct kz_strbuf b = {0};
  char day[KZ_DATE_LEN];
  kz_strbuf_addf(&b, "{\"as_of\":\"%s\",\"households\":%lld", kz_date_format(as_of, day),
                 neu->st.households);
  json_side(&b, "current", base);
  json_side(&b, "changed", neu);
  kz_strbuf_adds(&b, ",\"parameters\":[");
  struct out o = {f, 1, 0, &b};
  kz_rules_diff_params(&base->e.prof, &neu->e.prof, on_param, &o);
  kz_strbuf_adds(&b, "],\"rules_changed\":[");
  int n = 0;
  for (size_t r = 0; r < df->rules.n; r++) {
    const char *c = kz_rules_diff_rule_change(&base->e.rules, &neu->e.rules, df->rules.v[r].name);
    if (!c) continue;
    kz_strbuf_adds(&b, n++ ? ",{\"rule\":" : "{\"rule\":");
    json_str(&b, df->rules.v[r].name);
    kz_strbuf_adds(&b, ",\"change\":");
    json_str(&b, c);
    kz_strbuf_adds(&b, "}");
  }
  kz_strbuf_addf(&b, "],\"totals\":{\"current\":%lld,\"changed\":%lld,\"would_open\":%lld,"
                 "\"would_not_open\":%lld,\"changed_tasks\":%lld}",
                 df->total[KZ_RD_BASE], df->total[KZ_RD_NEW], df->total[KZ_RD_OPEN], df->total[KZ_RD_CLOSE],
                 df->total[KZ_RD_CHANGED]);
  json_tallies(&b, "by_rule", &df->rules);
  json_tallies(&b, "by_unit", &df->units);
  static const char *const lists[] = {"would_open", "would_not_open", "changed_tasks"};
  static const int whats[] = {KZ_RD_OPEN, KZ_RD_CLOSE, KZ_RD_CHANGED};
  for (int l = 0; l < 3; l++) {
    kz_strbuf_addf(&b, ",\"%s\":[", lists[l]);
    n = 0;
    for (size_t i = 0; i < df->n; i++) {
      const struct kz_rules_diff_pair *p = &df->p[i];
      int w = kz_rules_diff_what(p);
      if (w != whats[l]) continue;
      if (n++) kz_strbuf_adds(&b, ",");
      if (w == KZ_RD_CHANGED) {
        kz_strbuf_adds(&b, "{\"current\":");
        json_task(&b, p->b);
        kz_strbuf_adds(&b, ",\"changed\":");
        json_task(&b, p->n);
        kz_strbuf_adds(&b, "}");
      } else {
        json_task(&b, p->n ? p->n : p->b);
      }
    }
    kz_strbuf_adds(&b, "]");
  }
  kz_strbuf_adds(&b, "}\n");
  fputs(kz_strbuf_str(&b), f);
  kz_strbuf_free(&b);
}

static void print_text(FILE *f, const struct kz_rules_diff *df, const struct kz_rules_diff_side *base,
                       const struct kz_rules_diff_side *neu, kz_day as_of, long examples) {
  char day[KZ_DATE_LEN];
  fprintf(f, "kizuki diff as of %s: %lld households\n", kz_date_format(as_of, day),
          neu->st.households);
  fprintf(f, "  current: %s (%s), %zu rules, %zu open tasks\n", base->rules_dir, base->profile,
          base->e.rules.n, base->n);
  fprintf(f, "  changed: %s (%s), %zu rules, %zu open tasks\n", neu->rules_dir, neu->profile,
          neu->e.rules.n, neu->n);
  struct out o = {f, 0, 0, NULL};
  kz_rules_diff_params(&base->e.prof, &neu->e.prof, on_param, &o);
  fprintf(f, o.n ? "\n" : "changed parameters: (none)\n");
  int n = 0;
  for (size_t r = 0; r < df->rules.n; r++) {
    const char *c = kz_rules_diff_rule_change(&base->e.rules, &neu->e.rules, df->rules.v[r].name);
    if (c) fprintf(f, "%s%s (%s)", n++ ? ", " : "changed rules: ", df->rules.v[r].name, c);
  }
  fprintf(f, n ? "\n\n" : "changed rules: (none)\n\n");
  print_tally_table(f, "rule", &df->rules, 1, df->total);
  fprintf(f, "\n");
  print_tally_table(f, "unit (where the difference is)", &df->units, 0, df->total);
  print_examples(f, df, KZ_RD_OPEN, examples);
  print_examples(f, df, KZ_RD_CLOSE, examples);
  print_examples(f, df, KZ_RD_CHANGED, examples);
  fprintf(f, "\ntotal: %lld would open, %lld would no longer open, %lld would open differently "
          "(current %lld open, changed %lld open)\n", df->total[KZ_RD_OPEN], df->total[KZ_RD_CLOSE],
          df->total[KZ_RD_CHANGED], df->total[KZ_RD_BASE], df->total[KZ_RD_NEW]);
}

/* }====== */

/* What the command line asked for. */
struct diff_opts {
  const char *rules, *profile, *base_rules, *base_profile, *cases;
  kz_day as_of;
  long examples;
  int json, quiet;
  char base_rules_buf[1024];   /* the rules folder kz_cli_rules_dir chose for --base-rules */
};

/* Parse argv into o. Returns -1 to go on, or the exit code (--help, or a
** usage error told on stderr). */
static int parse_options(int argc, char **argv, struct diff_opts *o) {
  static const struct option opts[] = {
    {"rules", required_argument, NULL, 'r'}, {"profile", required_argument, NULL, 'p'},
    {"base-rules", required_argument, NULL, 'R'}, {"base-profile", required_argument, NULL, 'P'},
    {"cases", required_argument, NULL, 'c'}, {"as-of", required_argument, NULL, 'a'},
    {"examples", required_argument, NULL, 'x'}, {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  int ch;
  char *end;
  *o = (struct diff_opts){.as_of = kz_cli_today(), .examples = 3};
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'r': o->rules = optarg; break;
      case 'p': o->profile = optarg; break;
      case 'R': o->base_rules = optarg; break;
      case 'P': o->base_profile = optarg; break;
      case 'c': o->cases = optarg; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &o->as_of)) return KZ_EXIT_USAGE; break;
      case 'x':
        o->examples = strtol(optarg, &end, 10);
        if (*end || end == optarg || o->examples < 0) {
          fprintf(stderr, _("kizuki diff: --examples '%s' is not a count\n"), optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'f':
        if (strcmp(optarg, "json") == 0) o->json = 1;
        else if (strcmp(optarg, "text") == 0) o->json = 0;
        else {
          fprintf(stderr, _("kizuki diff: --format '%s': expected text or json\n"), optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'q': o->quiet = 1; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("diff", argc, argv, USAGE);
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki diff: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  if (!o->rules || !o->cases) {
    fprintf(stderr, _("kizuki diff: --rules and --cases are required\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  /* --base-rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("diff", "--base-rules DIR", o->base_rules, o->base_rules_buf,
                       sizeof o->base_rules_buf))
    return KZ_EXIT_USAGE;
  o->base_rules = o->base_rules_buf;
  return -1;
}

int kz_cmd_diff(int argc, char **argv) {
  struct diff_opts o;
  int rc = parse_options(argc, argv, &o);
  if (rc >= 0) return rc;
  struct kz_rules_diff_side base = {.name = "current", .rules_dir = o.base_rules};
  struct kz_rules_diff_side neu = {.name = "changed", .rules_dir = o.rules};
  struct kz_rules_diff_side *sides[] = {&base, &neu};
  struct kz_run_opts ro = {.errors = stderr};
  struct kz_diag d = {0};
  struct kz_rules_diff df = {0};
  sqlite3 *cases = NULL;
  kz_cli_profile_path(base.rules_dir, o.base_profile, base.profile, sizeof base.profile);
  kz_cli_profile_path(neu.rules_dir, o.profile, neu.profile, sizeof neu.profile);
  rc = KZ_EXIT_OK;
  for (int k = 0; k < 2; k++) {   /* load both rule sets first, and tell every problem of both */
    if (kz_rules_diff_load(sides[k], &d) == 0) continue;
    kz_diag_print(&d, stderr);
    fprintf(stderr, "kizuki diff: %zu problem(s) in the %s rules (%s); nothing was run\n", d.n,
            sides[k]->name, sides[k]->rules_dir);
    kz_diag_clear(&d);
    rc = KZ_EXIT_USAGE;
  }
  if (rc == KZ_EXIT_OK) rc = kz_cli_open_cases(o.cases, &cases, &d);
  if (rc == KZ_EXIT_OK) {
    ro.progress = !o.quiet && kz_cli_stderr_is_tty() ? stderr : NULL;
    ro.stop = kz_cli_catch_signals();
    rc = kz_rules_diff_run(&df, &base, &neu, cases, o.as_of, &ro, &d);
  }
  if (rc == KZ_EXIT_OK || rc == KZ_EXIT_RULE_ERROR) {
    if (o.json) print_json(stdout, &df, &base, &neu, o.as_of);
    else print_text(stdout, &df, &base, &neu, o.as_of, o.examples);
  }
  if (rc == KZ_EXIT_RULE_ERROR)
    fprintf(stderr, "kizuki diff: rule errors: %lld with the current rules, %lld with the "
            "changed ones (listed above); their tasks are missing from the comparison\n",
            base.st.errors, neu.st.errors);
  for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki diff: %s\n", d.msgs[i]);
  kz_rules_diff_free(&df);
  kz_rules_diff_side_free(&base);
  kz_rules_diff_side_free(&neu);
  sqlite3_close(cases);
  kz_diag_clear(&d);
  return rc;
}
