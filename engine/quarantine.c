/*
** quarantine.c — bad case data in a run: run_issues, kept tasks, the
** summary (see quarantine.h).
*/
#include "quarantine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_read.h"

/* The tally of (table, column, kind), created on first use; NULL on
** out-of-memory (the count is then lost, the run_issues row is not). */
static struct kz_quarantine_col *col_of(struct kz_quarantine *q, const struct kz_issue *is) {
  for (size_t i = 0; i < q->n; i++) {
    struct kz_quarantine_col *c = &q->cols[i];
    if (c->table == is->table && c->invalid == is->invalid &&
        (c->column == is->column || (c->column && is->column && strcmp(c->column, is->column) == 0)))
      return c;
  }
  if (q->n == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 16;
    struct kz_quarantine_col *v = realloc(q->cols, cap * sizeof *v);
    if (!v) return NULL;
    q->cols = v;
    q->cap = cap;
  }
  struct kz_quarantine_col *c = &q->cols[q->n++];
  memset(c, 0, sizeof *c);
  c->table = is->table;
  c->column = is->column;
  c->invalid = is->invalid;
  return c;
}

int kz_quarantine_take(struct kz_quarantine *q, struct kz_tasks *ts, const struct kz_bundle *b,
                       struct kz_diag *d) {
  for (size_t i = 0; i < b->nissues; i++) {
    const struct kz_issue *is = &b->issues[i];
    const char *table = kz_tables[is->table].name;
    if (kz_tasks_record_issue(ts, is->household_id, is->invalid ? "invalid" : "quality", table,
                              is->row_id, is->column, is->value, is->why) ||
        (is->invalid && kz_tasks_keep_household(ts, is->household_id))) {
      kz_diag_add(d, NULL, 0, 0, "task DB: cannot record a case-data issue: %s",
                  kz_tasks_errmsg(ts));
      return -1;
    }
    if (is->invalid) q->invalid++;
    else q->quality++;
    struct kz_quarantine_col *c = col_of(q, is);
    if (!c) continue;
    if (c->nexamples < KZ_QUARANTINE_EXAMPLES) {
      /* "reports R1 of household H1: '2024-9-30' is not a real date" */
      int other = is->household_id && (!is->row_id || strcmp(is->household_id, is->row_id));
      snprintf(c->examples[c->nexamples++], sizeof c->examples[0], "%s %s%s%s: %s%s%s%s",
               table, is->row_id ? is->row_id : "(no id)", other ? " of household " : "",
               other ? is->household_id : "", is->value ? "'" : "", is->value ? is->value : "",
               is->value ? "' " : "", is->why);
    }
    c->n++;
  }
  /* Its people are not evaluated tonight: their tasks are kept wherever
  ** the task DB last saw them (kz_tasks_keep_subject). A members issue
  ** names the person in row_id. */
  int keep = 0;
  for (size_t i = 0; i < b->nissues; i++) {
    const struct kz_issue *is = &b->issues[i];
    if (is->invalid && is->table == KZ_T_MEMBERS) keep |= kz_tasks_keep_subject(ts, is->row_id);
    /* A row naming no household (the phantom's): its episode's task is kept. */
    else if (is->invalid && b->phantom && is->column && strcmp(is->column, "household_id") == 0)
      keep |= kz_tasks_keep_key(ts, is->row_id);
  }
  if (b->quarantined || b->phantom) {
    const struct kz_rows *m = &b->rows[KZ_T_MEMBERS];
    size_t nc = (size_t)kz_tables[KZ_T_MEMBERS].ncols;
    int pc = kz_records_column(&kz_tables[KZ_T_MEMBERS], "person_id");
    for (size_t i = 0; pc >= 0 && i < m->n; i++) keep |= kz_tasks_keep_subject(ts, m->vals[i * nc + (size_t)pc]);
  }
  if (keep) {
    kz_diag_add(d, NULL, 0, 0, "task DB: cannot keep a quarantined person's tasks: %s",
                kz_tasks_errmsg(ts));
    return -1;
  }
  q->households += b->quarantined;
  return 0;
}

int kz_quarantine_too_many(const struct kz_quarantine *q, long long evaluated, double max_share) {
  long long all = evaluated + q->households;
  return q->households > 0 && (double)q->households > max_share * (double)all;
}

void kz_quarantine_describe(const struct kz_quarantine *q, long long evaluated,
                            struct kz_diag *out) {
  long long all = evaluated + q->households;
  if (q->households)
    kz_diag_add(out, NULL, 0, 0, "%lld of %lld household(s) quarantined (%.2f%%): not evaluated "
                "tonight, their open tasks kept as they were; %lld offending row(s)",
                q->households, all, all ? 100.0 * (double)q->households / (double)all : 0.0,
                q->invalid);
  if (q->quality)
    kz_diag_add(out, NULL, 0, 0, "%lld data-quality finding(s) reported (the households were "
                "evaluated)", q->quality);
  for (int kind = 1; kind >= 0; kind--)
    for (size_t i = 0; i < q->n; i++) {
      const struct kz_quarantine_col *c = &q->cols[i];
      if (c->invalid != kind) continue;
      char ex[700] = "";
      size_t len = 0;
      for (int k = 0; k < c->nexamples && len < sizeof ex; k++)
        len += (size_t)snprintf(ex + len, sizeof ex - len, "%s%s", k ? "; " : "", c->examples[k]);
      kz_diag_add(out, NULL, 0, 0, "  %-7s %s%s%s: %lld row(s), e.g. %s", kind ? "invalid" : "quality",
                  kz_tables[c->table].name, c->column ? "." : "", c->column ? c->column : "",
                  c->n, ex);
    }
}

void kz_quarantine_free(struct kz_quarantine *q) {
  free(q->cols);
  memset(q, 0, sizeof *q);
}
