/*
** cmd_diff.c — `kizuki diff`: the supervisor's check before a rule change
** goes live. Runs the current and the changed rule set over the same case
** DB and date, each into a scratch in-memory task store (no task DB is
** read or written), and tells which tasks the change would open that the
** current rules do not, which it would no longer open, and which it would
** route or grade differently — per rule, per unit, with examples.
*/
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db_open.h"
#include "kizuki.h"
#include "run.h"
#include "strbuf.h"
#include "task_read.h"

static const char USAGE[] =
  "usage: kizuki diff --rules NEW_DIR --cases PF.db [--as-of DATE] [--profile FILE]\n"
  "                   [--base-rules DIR] [--base-profile FILE] [--examples N]\n"
  "                   [--format text|json] [--quiet]\n"
  "\n"
  "Run the current rules (--base-rules, default: rules) and the changed ones\n"
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
  "  --base-rules DIR      the current rules folder (default: rules)\n"
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

/* {====== The open tasks of one side ====== */

struct dtask {
  char *rule, *subject, *key, *unit, *severity, *due_on, *reason;   /* owned */
  int level;
};

struct side {
  const char *name;            /* "current" or "changed" */
  const char *rules_dir;
  char profile[1024];
  struct kz_engine e;
  int loaded;
  struct kz_run_stats st;
  struct dtask *t; size_t n;   /* owned; open tasks by (rule, subject, key) */
};

static void side_free(struct side *s) {
  for (size_t i = 0; i < s->n; i++) {
    struct dtask *t = &s->t[i];
    free(t->rule); free(t->subject); free(t->key); free(t->unit);
    free(t->severity); free(t->due_on); free(t->reason);
  }
  free(s->t);
  s->t = NULL;
  s->n = 0;
  kz_run_stats_free(&s->st);
  if (s->loaded) kz_engine_close(&s->e);
  s->loaded = 0;
}

static char *dup_or_empty(const char *s) {
  return strdup(s ? s : "");
}

struct collect { struct side *s; size_t cap; };

/* kz_tasks_each_open callback: keep one open task of the side. */
static int keep_task(void *ctx, const struct kz_task_row *r) {
  struct collect *c = ctx;
  struct side *s = c->s;
  if (s->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 256;
    struct dtask *p = realloc(s->t, c->cap * sizeof *p);
    if (!p) return -1;
    s->t = p;
  }
  struct dtask *t = &s->t[s->n++];
  t->rule = dup_or_empty(r->rule); t->subject = dup_or_empty(r->subject);
  t->key = dup_or_empty(r->key); t->unit = dup_or_empty(r->unit);
  t->severity = dup_or_empty(r->severity); t->due_on = dup_or_empty(r->due_on);
  t->reason = dup_or_empty(r->reason);
  t->level = r->level;
  return 0;
}

/* Run side s over cases as of as_of into a fresh in-memory task store and
** keep its open tasks. Returns a KZ_EXIT_* code (KZ_EXIT_RULE_ERROR: done,
** with errors). */
static int side_run(struct side *s, sqlite3 *cases, kz_day as_of, int quiet, struct kz_diag *d) {
  struct kz_tasks *ts = NULL;
  int rc = kz_tasks_open(&ts, ":memory:", &s->e.prof, d);
  if (rc != KZ_EXIT_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot open an in-memory task store");
    goto cleanup;
  }
  struct kz_run_opts ro = {0};
  ro.progress = !quiet && kz_cli_stderr_is_tty() ? stderr : NULL;
  ro.errors = stderr;
  ro.stop = kz_cli_catch_signals();
  if (ro.progress) fprintf(stderr, "kizuki diff: running the %s rules (%s)\n", s->name, s->rules_dir);
  rc = kz_run(&s->e, cases, ts, as_of, &ro, &s->st, d);
  if (rc == KZ_EXIT_QUARANTINE) {   /* the same households on both sides: told, compared */
    fprintf(stderr, "kizuki diff: %lld household(s) quarantined for bad case data, not "
            "evaluated by the %s rules (see kizuki run)\n", s->st.quarantine.households, s->name);
    rc = KZ_EXIT_OK;
  }
  if (rc != KZ_EXIT_OK && rc != KZ_EXIT_RULE_ERROR) goto cleanup;
  struct collect c = {s, 0};
  if (kz_tasks_each_open(ts, KZ_ORDER_KEY, keep_task, &c)) {
    kz_diag_add(d, NULL, 0, 0, "reading the %s tasks: %s", s->name, kz_tasks_errmsg(ts));
    rc = KZ_EXIT_TASKS;
  }
cleanup:
  kz_tasks_close(ts);
  return rc;
}

/* }====== */

/* {====== Comparing ====== */

enum { T_BASE, T_NEW, T_OPEN, T_CLOSE, T_CHANGED, T_N };

struct tally {
  const char *name;            /* not owned: a rule id or unit of a task */
  long long n[T_N];
};

struct tallies {
  struct tally *v; size_t n, cap;
};

static struct tally *tally_of(struct tallies *ts, const char *name) {
  for (size_t i = 0; i < ts->n; i++)
    if (strcmp(ts->v[i].name, name) == 0) return &ts->v[i];
  if (ts->n == ts->cap) {
    size_t cap = ts->cap ? ts->cap * 2 : 64;
    struct tally *p = realloc(ts->v, cap * sizeof *p);
    if (!p) return NULL;
    ts->v = p;
    ts->cap = cap;
  }
  struct tally *t = &ts->v[ts->n++];
  memset(t, 0, sizeof *t);
  t->name = name;
  return t;
}

static int bump(struct tallies *ts, const char *name, int what) {
  struct tally *t = tally_of(ts, name);
  if (!t) return -1;
  t->n[what]++;
  return 0;
}

static int cmp_task(const struct dtask *a, const struct dtask *b) {
  int c = strcmp(a->rule, b->rule);
  if (!c) c = strcmp(a->subject, b->subject);
  if (!c) c = strcmp(a->key, b->key);
  return c;
}

static int same_task(const struct dtask *a, const struct dtask *b) {
  /* due_on is NULL for a backlog task: in the backlog on one side only differs */
  int same_due = a->due_on && b->due_on ? strcmp(a->due_on, b->due_on) == 0 : a->due_on == b->due_on;
  return strcmp(a->unit, b->unit) == 0 && strcmp(a->severity, b->severity) == 0 && same_due &&
         a->level == b->level;
}

static int cmp_tally_name(const void *a, const void *b) {
  return strcmp(((const struct tally *)a)->name, ((const struct tally *)b)->name);
}

/* The pairs of one merge of the two sorted task lists: base only (b set),
** new only (n set), or both. */
struct pair {
  const struct dtask *b, *n;
};

struct diff {
  struct pair *p; size_t n;    /* owned; every task of either side, in key order */
  struct tallies rules, units;
  long long total[T_N];
};

static int diff_build(struct diff *df, const struct side *base, const struct side *neu) {
  size_t i = 0, j = 0;
  df->p = malloc((base->n + neu->n + 1) * sizeof *df->p);
  if (!df->p) return -1;
  /* Rules in the changed set's order, then those it dropped. */
  for (size_t k = 0; k < neu->e.rules.n; k++)
    if (!tally_of(&df->rules, neu->e.rules.rules[k].id)) return -1;
  for (size_t k = 0; k < base->e.rules.n; k++)
    if (!tally_of(&df->rules, base->e.rules.rules[k].id)) return -1;
  while (i < base->n || j < neu->n) {
    int c = i == base->n ? 1 : j == neu->n ? -1 : cmp_task(&base->t[i], &neu->t[j]);
    struct pair pr = {c <= 0 ? &base->t[i] : NULL, c >= 0 ? &neu->t[j] : NULL};
    df->p[df->n++] = pr;
    if (pr.b) {
      i++;
      if (bump(&df->rules, pr.b->rule, T_BASE) || bump(&df->units, pr.b->unit, T_BASE)) return -1;
      df->total[T_BASE]++;
    }
    if (pr.n) {
      j++;
      if (bump(&df->rules, pr.n->rule, T_NEW) || bump(&df->units, pr.n->unit, T_NEW)) return -1;
      df->total[T_NEW]++;
    }
    int what = !pr.n ? T_CLOSE : !pr.b ? T_OPEN : !same_task(pr.b, pr.n) ? T_CHANGED : -1;
    if (what < 0) continue;
    const struct dtask *t = pr.n ? pr.n : pr.b;
    if (bump(&df->rules, t->rule, what) || bump(&df->units, t->unit, what)) return -1;
    df->total[what]++;
  }
  qsort(df->units.v, df->units.n, sizeof *df->units.v, cmp_tally_name);
  return 0;
}

static void diff_free(struct diff *df) {
  free(df->p);
  free(df->rules.v);
  free(df->units.v);
}

/* }====== */

/* {====== What changed in the inputs: parameters and rule files ====== */

static int param_eq(double a, double b) { return fabs(a - b) < 1e-9; }

static void fmt_num(char *buf, size_t n, double v) { snprintf(buf, n, "%.15g", v); }

/* Call f for each parameter (map fields as "map.field") whose value differs,
** or which only one profile has (NAN for the missing side). */
static void params_changed(const struct kz_profile *a, const struct kz_profile *b,
                           void (*f)(void *, const char *, double, double), void *ctx) {
  char name[256];
  for (size_t i = 0; i < a->nparams; i++) {
    const struct kz_param *pa = &a->params[i], *pb = kz_profile_param(b, pa->name);
    if (!pa->fields) {
      if (!pb || pb->fields) f(ctx, pa->name, pa->value, NAN);
      else if (!param_eq(pa->value, pb->value)) f(ctx, pa->name, pa->value, pb->value);
      continue;
    }
    for (size_t k = 0; k < pa->nfields; k++) {
      const struct kz_param *fa = &pa->fields[k], *fb = NULL;
      for (size_t m = 0; pb && m < pb->nfields; m++)
        if (strcmp(pb->fields[m].name, fa->name) == 0) fb = &pb->fields[m];
      snprintf(name, sizeof name, "%s.%s", pa->name, fa->name);
      if (!fb) f(ctx, name, fa->value, NAN);
      else if (!param_eq(fa->value, fb->value)) f(ctx, name, fa->value, fb->value);
    }
    for (size_t m = 0; pb && m < pb->nfields; m++) {
      int found = 0;
      for (size_t k = 0; k < pa->nfields; k++) found |= strcmp(pa->fields[k].name, pb->fields[m].name) == 0;
      snprintf(name, sizeof name, "%s.%s", pa->name, pb->fields[m].name);
      if (!found) f(ctx, name, NAN, pb->fields[m].value);
    }
  }
  for (size_t i = 0; i < b->nparams; i++)
    if (!kz_profile_param(a, b->params[i].name)) {
      if (!b->params[i].fields) f(ctx, b->params[i].name, NAN, b->params[i].value);
      for (size_t m = 0; m < b->params[i].nfields; m++) {
        snprintf(name, sizeof name, "%s.%s", b->params[i].name, b->params[i].fields[m].name);
        f(ctx, name, NAN, b->params[i].fields[m].value);
      }
    }
}

/* Rules added, removed, or whose file changed: "added", "removed", "file
** changed"; NULL when the rule is the same. */
static const char *rule_change(const struct kz_ruleset *base, const struct kz_ruleset *neu,
                               const char *id) {
  const struct kz_rule *a = kz_ruleset_find(base, id), *b = kz_ruleset_find(neu, id);
  if (!a) return "added";
  if (!b) return "removed";
  return strcmp(a->version, b->version) != 0 ? "file changed" : NULL;
}

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
static void print_tally_row(FILE *f, const char *name, const long long n[T_N]) {
  char open[32] = "0", close[32] = "0", changed[32] = "0";
  if (n[T_OPEN]) snprintf(open, sizeof open, "+%lld", n[T_OPEN]);
  if (n[T_CLOSE]) snprintf(close, sizeof close, "-%lld", n[T_CLOSE]);
  if (n[T_CHANGED]) snprintf(changed, sizeof changed, "~%lld", n[T_CHANGED]);
  fprintf(f, "%-38s %8lld %8lld %8s %10s %9s\n", name, n[T_BASE], n[T_NEW], open, close, changed);
}

static void print_tally_table(FILE *f, const char *head, const struct tallies *ts, int all,
                              const long long total[T_N]) {
  fprintf(f, "%-38s %8s %8s %8s %10s %9s\n", head, "current", "changed", "+open", "-no longer",
          "~differs");
  for (size_t i = 0; i < ts->n; i++) {
    const struct tally *t = &ts->v[i];
    if (!all && !t->n[T_OPEN] && !t->n[T_CLOSE] && !t->n[T_CHANGED]) continue;
    print_tally_row(f, t->name, t->n);
  }
  print_tally_row(f, "total", total);
}

static void print_task(FILE *f, char sign, const struct dtask *t) {
  fprintf(f, "  %c %-24s %-10s %-38s %-8s %s\n", sign, t->rule, t->subject, t->unit, t->severity,
          t->reason);
}

/* Up to `examples` tasks of each rule in direction `what`. */
static void print_examples(FILE *f, const struct diff *df, int what, long examples) {
  const char *title = what == T_OPEN ? "would open (not opened by the current rules)"
                    : what == T_CLOSE ? "would no longer open"
                    : "would open differently (unit, severity, level or due date)";
  fprintf(f, "\n%s: %lld task%s\n", title, df->total[what], df->total[what] == 1 ? "" : "s");
  for (size_t r = 0; r < df->rules.n; r++) {
    const struct tally *rt = &df->rules.v[r];
    if (!rt->n[what]) continue;
    long shown = 0;
    for (size_t i = 0; i < df->n && shown < examples; i++) {
      const struct pair *p = &df->p[i];
      int w = !p->n ? T_CLOSE : !p->b ? T_OPEN : !same_task(p->b, p->n) ? T_CHANGED : -1;
      const struct dtask *t = p->n ? p->n : p->b;
      if (w != what || strcmp(t->rule, rt->name) != 0) continue;
      if (what == T_CHANGED) {
        print_task(f, '-', p->b);
        print_task(f, '+', p->n);
      } else {
        print_task(f, what == T_OPEN ? '+' : '-', t);
      }
      shown++;
    }
    if (rt->n[what] > shown)
      fprintf(f, "    … and %lld more of %s\n", rt->n[what] - shown, rt->name);
  }
}

static void json_task(struct kz_strbuf *b, const struct dtask *t) {
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

static void json_tallies(struct kz_strbuf *b, const char *key, const struct tallies *ts) {
  kz_strbuf_addf(b, ",\"%s\":[", key);
  for (size_t i = 0; i < ts->n; i++) {
    const struct tally *t = &ts->v[i];
    kz_strbuf_adds(b, i ? ",{\"name\":" : "{\"name\":");
    json_str(b, t->name);
    kz_strbuf_addf(b, ",\"current\":%lld,\"changed\":%lld,\"would_open\":%lld,"
                   "\"would_not_open\":%lld,\"changed_tasks\":%lld}",
                   t->n[T_BASE], t->n[T_NEW], t->n[T_OPEN], t->n[T_CLOSE], t->n[T_CHANGED]);
  }
  kz_strbuf_adds(b, "]");
}

static void json_side(struct kz_strbuf *b, const char *key, const struct side *s) {
  kz_strbuf_addf(b, ",\"%s\":{\"rules\":", key);
  json_str(b, s->rules_dir);
  kz_strbuf_adds(b, ",\"profile\":");
  json_str(b, s->profile);
  kz_strbuf_adds(b, ",\"digest\":");
  json_str(b, s->e.rules.digest);
  kz_strbuf_addf(b, ",\"rules_count\":%zu,\"open\":%zu,\"errors\":%lld}", s->e.rules.n, s->n,
                 s->st.errors);
}

static void print_json(FILE *f, const struct diff *df, const struct side *base,
                       const struct side *neu, kz_day as_of) {
  struct kz_strbuf b = {0};
  char day[KZ_DATE_LEN];
  kz_strbuf_addf(&b, "{\"as_of\":\"%s\",\"households\":%lld", kz_date_format(as_of, day),
                 neu->st.households);
  json_side(&b, "current", base);
  json_side(&b, "changed", neu);
  kz_strbuf_adds(&b, ",\"parameters\":[");
  struct out o = {f, 1, 0, &b};
  params_changed(&base->e.prof, &neu->e.prof, on_param, &o);
  kz_strbuf_adds(&b, "],\"rules_changed\":[");
  int n = 0;
  for (size_t r = 0; r < df->rules.n; r++) {
    const char *c = rule_change(&base->e.rules, &neu->e.rules, df->rules.v[r].name);
    if (!c) continue;
    kz_strbuf_adds(&b, n++ ? ",{\"rule\":" : "{\"rule\":");
    json_str(&b, df->rules.v[r].name);
    kz_strbuf_adds(&b, ",\"change\":");
    json_str(&b, c);
    kz_strbuf_adds(&b, "}");
  }
  kz_strbuf_addf(&b, "],\"totals\":{\"current\":%lld,\"changed\":%lld,\"would_open\":%lld,"
                 "\"would_not_open\":%lld,\"changed_tasks\":%lld}",
                 df->total[T_BASE], df->total[T_NEW], df->total[T_OPEN], df->total[T_CLOSE],
                 df->total[T_CHANGED]);
  json_tallies(&b, "by_rule", &df->rules);
  json_tallies(&b, "by_unit", &df->units);
  static const char *const lists[] = {"would_open", "would_not_open", "changed_tasks"};
  static const int whats[] = {T_OPEN, T_CLOSE, T_CHANGED};
  for (int l = 0; l < 3; l++) {
    kz_strbuf_addf(&b, ",\"%s\":[", lists[l]);
    n = 0;
    for (size_t i = 0; i < df->n; i++) {
      const struct pair *p = &df->p[i];
      int w = !p->n ? T_CLOSE : !p->b ? T_OPEN : !same_task(p->b, p->n) ? T_CHANGED : -1;
      if (w != whats[l]) continue;
      if (n++) kz_strbuf_adds(&b, ",");
      if (w == T_CHANGED) {
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

static void print_text(FILE *f, const struct diff *df, const struct side *base,
                       const struct side *neu, kz_day as_of, long examples) {
  char day[KZ_DATE_LEN];
  fprintf(f, "kizuki diff as of %s: %lld households\n", kz_date_format(as_of, day),
          neu->st.households);
  fprintf(f, "  current: %s (%s), %zu rules, %zu open tasks\n", base->rules_dir, base->profile,
          base->e.rules.n, base->n);
  fprintf(f, "  changed: %s (%s), %zu rules, %zu open tasks\n", neu->rules_dir, neu->profile,
          neu->e.rules.n, neu->n);
  struct out o = {f, 0, 0, NULL};
  params_changed(&base->e.prof, &neu->e.prof, on_param, &o);
  fprintf(f, o.n ? "\n" : "changed parameters: (none)\n");
  int n = 0;
  for (size_t r = 0; r < df->rules.n; r++) {
    const char *c = rule_change(&base->e.rules, &neu->e.rules, df->rules.v[r].name);
    if (c) fprintf(f, "%s%s (%s)", n++ ? ", " : "changed rules: ", df->rules.v[r].name, c);
  }
  fprintf(f, n ? "\n\n" : "changed rules: (none)\n\n");
  print_tally_table(f, "rule", &df->rules, 1, df->total);
  fprintf(f, "\n");
  print_tally_table(f, "unit (where the difference is)", &df->units, 0, df->total);
  print_examples(f, df, T_OPEN, examples);
  print_examples(f, df, T_CLOSE, examples);
  print_examples(f, df, T_CHANGED, examples);
  fprintf(f, "\ntotal: %lld would open, %lld would no longer open, %lld would open differently "
          "(current %lld open, changed %lld open)\n", df->total[T_OPEN], df->total[T_CLOSE],
          df->total[T_CHANGED], df->total[T_BASE], df->total[T_NEW]);
}

/* }====== */

int kz_cmd_diff(int argc, char **argv) {
  static const struct option opts[] = {
    {"rules", required_argument, NULL, 'r'}, {"profile", required_argument, NULL, 'p'},
    {"base-rules", required_argument, NULL, 'R'}, {"base-profile", required_argument, NULL, 'P'},
    {"cases", required_argument, NULL, 'c'}, {"as-of", required_argument, NULL, 'a'},
    {"examples", required_argument, NULL, 'x'}, {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct side base = {.name = "current", .rules_dir = "rules"}, neu = {.name = "changed"};
  const char *cases_path = NULL, *profile = NULL, *base_profile = NULL;
  kz_day as_of = kz_cli_today();
  long examples = 3;
  int json = 0, quiet = 0, ch;
  char *end;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'r': neu.rules_dir = optarg; break;
      case 'p': profile = optarg; break;
      case 'R': base.rules_dir = optarg; break;
      case 'P': base_profile = optarg; break;
      case 'c': cases_path = optarg; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &as_of)) return KZ_EXIT_USAGE; break;
      case 'x':
        examples = strtol(optarg, &end, 10);
        if (*end || end == optarg || examples < 0) {
          fprintf(stderr, _("kizuki diff: --examples '%s' is not a count\n"), optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'f':
        if (strcmp(optarg, "json") == 0) json = 1;
        else if (strcmp(optarg, "text") == 0) json = 0;
        else {
          fprintf(stderr, _("kizuki diff: --format '%s': expected text or json\n"), optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'q': quiet = 1; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("diff", argc, argv, USAGE);
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki diff: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  if (!neu.rules_dir || !cases_path) {
    fprintf(stderr, _("kizuki diff: --rules and --cases are required\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  kz_cli_profile_path(base.rules_dir, base_profile, base.profile, sizeof base.profile);
  kz_cli_profile_path(neu.rules_dir, profile, neu.profile, sizeof neu.profile);

  struct kz_diag d = {0};
  struct diff df = {0};
  sqlite3 *cases = NULL;
  int rc = KZ_EXIT_OK, errors = 0;
  /* Load both rule sets first, and tell every problem of both. */
  struct side *sides[] = {&base, &neu};
  for (int k = 0; k < 2; k++) {
    if (kz_engine_open(&sides[k]->e, sides[k]->rules_dir, sides[k]->profile, &d) == 0) {
      sides[k]->loaded = 1;
      continue;
    }
    kz_diag_print(&d, stderr);
    fprintf(stderr, "kizuki diff: %zu problem(s) in the %s rules (%s); nothing was run\n", d.n,
            sides[k]->name, sides[k]->rules_dir);
    kz_diag_clear(&d);
    rc = KZ_EXIT_USAGE;
  }
  if (rc != KZ_EXIT_OK) goto cleanup;
  rc = kz_cli_open_cases(cases_path, &cases, &d);
  if (rc != KZ_EXIT_OK) goto cleanup;
  for (int k = 0; k < 2; k++) {
    int r = side_run(sides[k], cases, as_of, quiet, &d);
    if (r == KZ_EXIT_RULE_ERROR) errors = 1;
    else if (r != KZ_EXIT_OK) {
      rc = r;
      goto cleanup;
    }
  }
  if (diff_build(&df, &base, &neu)) {
    kz_diag_add(&d, NULL, 0, 0, "out of memory comparing the tasks");
    rc = KZ_EXIT_TASKS;
    goto cleanup;
  }
  if (json) print_json(stdout, &df, &base, &neu, as_of);
  else print_text(stdout, &df, &base, &neu, as_of, examples);
  if (errors) {
    fprintf(stderr, "kizuki diff: rule errors: %lld with the current rules, %lld with the "
            "changed ones (listed above); their tasks are missing from the comparison\n",
            base.st.errors, neu.st.errors);
    rc = KZ_EXIT_RULE_ERROR;
  }
cleanup:
  for (size_t i = 0; i < d.n; i++) fprintf(stderr, "kizuki diff: %s\n", d.msgs[i]);
  diff_free(&df);
  side_free(&base);
  side_free(&neu);
  sqlite3_close(cases);
  kz_diag_clear(&d);
  return rc;
}
