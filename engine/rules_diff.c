/*
** rules_diff.c — what `kizuki diff` compares: each rule set run over the same
** case DB and day into its own scratch in-memory task store, its open tasks
** kept, the two lists merged by (rule, subject, key) and tallied per rule
** and per unit; and the parameters and rule files that differ. See
** rules_diff.h; cmd_diff.c parses the options and writes the result.
*/
#include "rules_diff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuki.h"
#include "task_read.h"

/* {====== The open tasks of one side ====== */

void kz_rules_diff_side_free(struct kz_rules_diff_side *s) {
  for (size_t i = 0; i < s->n; i++) {
    struct kz_rules_diff_task *t = &s->t[i];
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

struct collect { struct kz_rules_diff_side *s; size_t cap; };

/* kz_tasks_each_open callback: keep one open task of the side. */
static int keep_task(void *ctx, const struct kz_task_row *r) {
  struct collect *c = ctx;
  struct kz_rules_diff_side *s = c->s;
  if (s->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 256;
    struct kz_rules_diff_task *p = realloc(s->t, c->cap * sizeof *p);
    if (!p) return -1;
    s->t = p;
  }
  struct kz_rules_diff_task *t = &s->t[s->n++];
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
static int side_run(struct kz_rules_diff_side *s, sqlite3 *cases, kz_day as_of,
                    const struct kz_run_opts *opts, struct kz_diag *d) {
  struct kz_tasks *ts = NULL;
  int rc = kz_tasks_open(&ts, ":memory:", &s->e.prof, d);
  if (rc != KZ_EXIT_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot open an in-memory task store");
    goto cleanup;
  }
  if (opts->progress)
    fprintf(opts->progress, "kizuki diff: running the %s rules (%s)\n", s->name, s->rules_dir);
  rc = kz_run(&s->e, cases, ts, as_of, opts, &s->st, d);
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

static struct kz_rules_diff_tally *tally_of(struct kz_rules_diff_tallies *ts, const char *name) {
  for (size_t i = 0; i < ts->n; i++)
    if (strcmp(ts->v[i].name, name) == 0) return &ts->v[i];
  if (ts->n == ts->cap) {
    size_t cap = ts->cap ? ts->cap * 2 : 64;
    struct kz_rules_diff_tally *p = realloc(ts->v, cap * sizeof *p);
    if (!p) return NULL;
    ts->v = p;
    ts->cap = cap;
  }
  struct kz_rules_diff_tally *t = &ts->v[ts->n++];
  memset(t, 0, sizeof *t);
  t->name = name;
  return t;
}

static int bump(struct kz_rules_diff_tallies *ts, const char *name, int what) {
  struct kz_rules_diff_tally *t = tally_of(ts, name);
  if (!t) return -1;
  t->n[what]++;
  return 0;
}

static int cmp_task(const struct kz_rules_diff_task *a, const struct kz_rules_diff_task *b) {
  int c = strcmp(a->rule, b->rule);
  if (!c) c = strcmp(a->subject, b->subject);
  if (!c) c = strcmp(a->key, b->key);
  return c;
}

static int same_task(const struct kz_rules_diff_task *a, const struct kz_rules_diff_task *b) {
  /* due_on is NULL for a backlog task: in the backlog on one side only differs */
  int same_due = a->due_on && b->due_on ? strcmp(a->due_on, b->due_on) == 0 : a->due_on == b->due_on;
  return strcmp(a->unit, b->unit) == 0 && strcmp(a->severity, b->severity) == 0 && same_due &&
         a->level == b->level;
}

static int cmp_tally_name(const void *a, const void *b) {
  return strcmp(((const struct kz_rules_diff_tally *)a)->name, ((const struct kz_rules_diff_tally *)b)->name);
}

/* Merge the two sides' sorted open tasks into df and tally them. Returns 0,
** or -1 out of memory. */
static int diff_build(struct kz_rules_diff *df, const struct kz_rules_diff_side *base,
                      const struct kz_rules_diff_side *neu) {
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
    struct kz_rules_diff_pair pr = {c <= 0 ? &base->t[i] : NULL, c >= 0 ? &neu->t[j] : NULL};
    df->p[df->n++] = pr;
    if (pr.b) {
      i++;
      if (bump(&df->rules, pr.b->rule, KZ_RD_BASE) || bump(&df->units, pr.b->unit, KZ_RD_BASE)) return -1;
      df->total[KZ_RD_BASE]++;
    }
    if (pr.n) {
      j++;
      if (bump(&df->rules, pr.n->rule, KZ_RD_NEW) || bump(&df->units, pr.n->unit, KZ_RD_NEW)) return -1;
      df->total[KZ_RD_NEW]++;
    }
    int what = !pr.n ? KZ_RD_CLOSE : !pr.b ? KZ_RD_OPEN : !same_task(pr.b, pr.n) ? KZ_RD_CHANGED : -1;
    if (what < 0) continue;
    const struct kz_rules_diff_task *t = pr.n ? pr.n : pr.b;
    if (bump(&df->rules, t->rule, what) || bump(&df->units, t->unit, what)) return -1;
    df->total[what]++;
  }
  qsort(df->units.v, df->units.n, sizeof *df->units.v, cmp_tally_name);
  return 0;
}

void kz_rules_diff_free(struct kz_rules_diff *df) {
  free(df->p);
  free(df->rules.v);
  free(df->units.v);
}

/* }====== */

/* {====== What changed in the inputs: parameters and rule files ====== */

static int param_eq(double a, double b) { return fabs(a - b) < 1e-9; }

void kz_rules_diff_params(const struct kz_profile *a, const struct kz_profile *b,
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

const char *kz_rules_diff_rule_change(const struct kz_ruleset *base, const struct kz_ruleset *neu,
                               const char *id) {
  const struct kz_rule *a = kz_ruleset_find(base, id), *b = kz_ruleset_find(neu, id);
  if (!a) return "added";
  if (!b) return "removed";
  return strcmp(a->version, b->version) != 0 ? "file changed" : NULL;
}

int kz_rules_diff_load(struct kz_rules_diff_side *s, struct kz_diag *d) {
  if (kz_engine_open(&s->e, s->rules_dir, s->profile, d)) return -1;
  s->loaded = 1;
  return 0;
}

int kz_rules_diff_what(const struct kz_rules_diff_pair *p) {
  return !p->n ? KZ_RD_CLOSE : !p->b ? KZ_RD_OPEN : !same_task(p->b, p->n) ? KZ_RD_CHANGED : -1;
}

int kz_rules_diff_run(struct kz_rules_diff *df, struct kz_rules_diff_side *base,
                      struct kz_rules_diff_side *neu, sqlite3 *cases, kz_day as_of,
                      const struct kz_run_opts *opts, struct kz_diag *d) {
  struct kz_rules_diff_side *sides[] = {base, neu};
  int errors = 0;
  for (int k = 0; k < 2; k++) {
    int r = side_run(sides[k], cases, as_of, opts, d);
    if (r == KZ_EXIT_RULE_ERROR) errors = 1;
    else if (r != KZ_EXIT_OK) return r;
  }
  if (diff_build(df, base, neu)) {
    kz_diag_add(d, NULL, 0, 0, "out of memory comparing the tasks");
    return KZ_EXIT_TASKS;
  }
  return errors ? KZ_EXIT_RULE_ERROR : KZ_EXIT_OK;
}
