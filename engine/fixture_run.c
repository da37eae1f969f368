/*
** fixture_run.c — nightly runs over in-memory databases for `kizuki test`
** and `kizuki replay`: the session (engine, scratch task store, case DB),
** the replay's day loop, and the check of a fixture's runs against what it
** expects. See fixture_run.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_run.h"
#include "i18n.h"
#include "kizuki.h"
#include "records.h"
#include "strbuf.h"
#include "task_read.h"
#include "task_store.h"

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

/* {====== What the runs left in the task store ====== */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

struct found_read_ctx { const struct kz_fixture *f; struct kz_fixture_found_set *out; };

/* Reader callback: keep one task of the set when the fixture covers its rule. */
static int found_add(void *ctx, const struct kz_task_row *row) {
  struct found_read_ctx *c = ctx;
  struct kz_fixture_found_set *out = c->out;
  if (!kz_fixture_in_scope(c->f, row->rule)) return 0;
  struct kz_fixture_found *v = realloc(out->v, (out->n + 1) * sizeof *v);
  if (!v) return -1;
  out->v = v;
  struct kz_fixture_found *t = &out->v[out->n++];
  t->rule = dup_or_null(row->rule); t->subject = dup_or_null(row->subject);
  t->key = dup_or_null(row->key); t->unit = dup_or_null(row->unit);
  t->severity = dup_or_null(row->severity);
  t->level = row->level;
  t->due_on = dup_or_null(row->due_on);
  t->backlog = row->backlog;
  return 0;
}

/* Read set `which` after run run_id into *out. A promoted backlog task
** counts as opened (DESIGN.md). Returns 0 or -1. */
static int found_read(const struct kz_fixture *f, struct kz_tasks *ts, enum kz_fixture_set which,
                      long long run_id, struct kz_fixture_found_set *out) {
  static const unsigned events[KZ_FX_NSETS] = {
    0, KZ_EV_OPENED | KZ_EV_REOPENED | KZ_EV_PROMOTED, KZ_EV_CLEARED, KZ_EV_ESCALATED};
  struct found_read_ctx c = {f, out};
  memset(out, 0, sizeof *out);
  if (which == KZ_FX_OPEN) return kz_tasks_each_open(ts, KZ_ORDER_KEY, found_add, &c) ? -1 : 0;
  return kz_tasks_each_run_event(ts, run_id, events[which], found_add, &c) ? -1 : 0;
}

/* kz_tasks_each_error callback: a rule error is a failure. */
static int fail_rule_error(void *ctx, const struct kz_run_error_row *e) {
  char msg[1200];
  snprintf(msg, sizeof msg, _("%s:%d: rule %s, subject %s: %s"), e->file, e->line, e->rule, e->subject,
           e->message);
  kz_fixture_fail(ctx, "rule error", msg);
  return 0;
}

/* Rule errors recorded by run run_id, each as a failure. */
static void read_rule_errors(struct kz_fixture_failures *r, struct kz_tasks *ts, long long run_id) {
  kz_tasks_each_error(ts, run_id, fail_rule_error, r);
}

/* kz_tasks_each_issue callback: a row that quarantined a household is a failure. */
static int fail_issue(void *ctx, const struct kz_run_issue_row *e) {
  char msg[1200];
  snprintf(msg, sizeof msg, _("household %s quarantined: %s row %s: %s '%s' %s"), e->household_id,
           e->table, e->row_id, e->column, e->value, e->why);
  kz_fixture_fail(ctx, "bad case data", msg);
  return 0;
}

/* Rows of the case data that quarantined a household in run run_id, each as
** a failure (a fixture's data must keep the contract; quality findings are
** not failures). */
static void read_quarantine(struct kz_fixture_failures *r, struct kz_tasks *ts, long long run_id) {
  kz_tasks_each_issue(ts, run_id, "invalid", fail_issue, r);
}

struct fired_ctx { const struct kz_fixture *f; const struct kz_fixture_check_hooks *h; };

/* kz_tasks_each_rule_outcome callback: tell of a rule in the fixture's scope. */
static int rule_fired(void *ctx, const char *rule, int cleared) {
  struct fired_ctx *c = ctx;
  if (kz_fixture_in_scope(c->f, rule)) c->h->rule_fired(c->h->arg, rule, cleared);
  return 0;
}

/* Tell, once per rule in f's scope, what the runs made its tasks do in ts. */
static void read_rules_fired(const struct kz_fixture *f, struct kz_tasks *ts,
                             const struct kz_fixture_check_hooks *h) {
  struct fired_ctx c = {f, h};
  kz_tasks_each_rule_outcome(ts, rule_fired, &c);
}

/* }====== */

/* {====== A session of runs ====== */

int kz_fxrun_open(struct kz_fxrun *s, const char *rules, const char *profile_path,
                  struct kz_diag *d) {
  memset(s, 0, sizeof *s);
  if (kz_engine_open(&s->e, rules, profile_path, d)) return KZ_EXIT_USAGE;
  s->have_engine = 1;
  return KZ_EXIT_OK;
}

int kz_fxrun_use_fixture(struct kz_fxrun *s, const struct kz_fixture *f, int check_scope,
                         struct kz_diag *d) {
  s->f = f;
  s->cases = f->cases;
  int bad = kz_fixture_apply_params(f, &s->e.prof, d);
  if (check_scope && f->nrules) {
    const char **ids = calloc(s->e.rules.n + 1, sizeof *ids);
    for (size_t i = 0; ids && i < s->e.rules.n; i++) ids[i] = s->e.rules.rules[i].id;
    bad |= !ids || kz_fixture_check_rules(f, ids, d);
    free(ids);
  }
  return bad ? -1 : 0;
}

int kz_fxrun_use_cases(struct kz_fxrun *s, sqlite3 *cases, char **ids, size_t n,
                       struct kz_diag *d) {
  s->cases = cases;
  if (!n) return KZ_EXIT_OK;
  if (kz_fixture_cases_db(&s->cut, d) || copy_households(cases, s->cut, ids, n, d))
    return KZ_EXIT_CASES;
  s->cases = s->cut;
  return KZ_EXIT_OK;
}

int kz_fxrun_start(struct kz_fxrun *s, struct kz_diag *d) {
  return kz_tasks_open(&s->ts, ":memory:", &s->e.prof, d);
}

void kz_fxrun_mark_done(struct kz_fxrun *s, const struct kz_fixture_run *run, kz_day day,
                        kz_fxrun_done_failed failed, void *arg) {
  for (size_t k = 0; k < run->ndone; k++) {
    struct kz_diag why = {0};
    const struct kz_fixture_done *x = &run->done[k];
    if (kz_tasks_mark_done(s->ts, x->rule, x->subject, x->key, day, x->note, &why) && failed)
      failed(arg, x, why.n ? why.msgs[0] : _("failed"));
    kz_diag_clear(&why);
  }
}

int kz_fxrun_days(struct kz_fxrun *s, kz_day from, kz_day to, long every,
                  const struct kz_run_opts *ro, kz_fxrun_night_done night,
                  kz_fxrun_done_failed failed, void *arg, kz_day *failed_day, struct kz_diag *d) {
  for (kz_day day = from;; day = day + every > to ? to : day + every) {
    /* Staff closed these tasks on their run's date (fixture `done:`). */
    while (s->f && s->next_done < s->f->nruns && s->f->runs[s->next_done].as_of <= day)
      kz_fxrun_mark_done(s, &s->f->runs[s->next_done++], day, failed, arg);
    struct kz_run_stats st = {0};
    int rc = kz_run(&s->e, s->cases, s->ts, day, ro, &st, d);
    if (rc != KZ_EXIT_OK && rc != KZ_EXIT_RULE_ERROR && rc != KZ_EXIT_QUARANTINE) {
      kz_run_stats_free(&st);
      *failed_day = day;
      return rc;
    }
    if (night) night(arg, s, day, rc, &st);
    kz_run_stats_free(&st);
    if (day == to) break;
  }
  return KZ_EXIT_OK;
}

void kz_fxrun_close(struct kz_fxrun *s) {
  kz_tasks_close(s->ts);
  sqlite3_close(s->cut);
  if (s->have_engine) kz_engine_close(&s->e);
  memset(s, 0, sizeof *s);
}

/* }====== */

/* {====== Checking a fixture ====== */

/* A `done:` entry that failed is a failure of its run. */
struct done_report {
  struct kz_fixture_failures *r;
  const char *file;
};

static void done_failed(void *arg, const struct kz_fixture_done *x, const char *why) {
  const struct done_report *dr = arg;
  char msg[1200];
  snprintf(msg, sizeof msg, "%s:%d: %s", dr->file, x->line, why);
  kz_fixture_fail(dr->r, "done", msg);
}

/* Check run i of s->f (just run as run_id) against what the fixture expects. */
static void check_run(struct kz_fxrun *s, size_t i, long long run_id,
                      struct kz_fixture_failures *r) {
  const struct kz_fixture *f = s->f;
  const struct kz_fixture_run *run = &f->runs[i];
  read_rule_errors(r, s->ts, run_id);
  read_quarantine(r, s->ts, run_id);
  for (int k = 0; k < KZ_FX_NSETS; k++) {
    struct kz_fixture_found_set got;
    if (!run->expect[k].given) continue;
    if (found_read(f, s->ts, (enum kz_fixture_set)k, run_id, &got))
      kz_fixture_fail(r, "error", kz_tasks_errmsg(s->ts));
    else
      kz_fixture_compare(r, f->file, (enum kz_fixture_set)k, &run->expect[k], &got);
    kz_fixture_found_free(&got);
  }
  /* The same as_of twice in a row: the second run must change nothing. */
  if (i == 0 || f->runs[i - 1].as_of != run->as_of) return;
  for (int k = KZ_FX_OPENED; k < KZ_FX_NSETS; k++) {
    struct kz_fixture_found_set got;
    if (found_read(f, s->ts, (enum kz_fixture_set)k, run_id, &got) == 0) {
      for (size_t j = 0; j < got.n; j++) {
        struct kz_strbuf b = {0};
        kz_strbuf_addf(&b, _("a second run for the same date %s a task: "), kz_fixture_set_names[k]);
        kz_fixture_found_text(&b, &got.v[j]);
        kz_fixture_fail(r, "same as_of twice", kz_strbuf_str(&b));
        kz_strbuf_free(&b);
      }
    }
    kz_fixture_found_free(&got);
  }
}

int kz_fixture_check(const struct kz_fixture *f, const char *rules, const char *profile_path,
                     const struct kz_fixture_check_hooks *hooks, struct kz_diag *problems,
                     struct kz_diag *setup) {
  struct kz_fxrun s;
  struct kz_diag d = {0};
  int rc = kz_fxrun_open(&s, rules, profile_path, setup);
  int failed = 0;
  if (rc != KZ_EXIT_OK) goto done;
  if (kz_fxrun_use_fixture(&s, f, 1, problems)) goto done;            /* load errors */
  if (hooks->log) kz_sandbox_trace(&s.e.sb, hooks->log);              /* kz.log: --verbose */
  for (size_t i = 0; hooks->rule_loaded && i < s.e.rules.n; i++)
    hooks->rule_loaded(hooks->arg, s.e.rules.rules[i].id);
  if (kz_fxrun_start(&s, &d) != KZ_EXIT_OK) {
    for (size_t i = 0; i < d.n; i++) kz_diag_add(problems, f->file, 0, 0, "%s", d.msgs[i]);
    goto done;
  }
  for (size_t i = 0; i < f->nruns; i++) {
    const struct kz_fixture_run *run = &f->runs[i];
    struct kz_fixture_failures r = {0};
    struct kz_run_stats st = {0};
    struct kz_run_opts ro = {0};
    ro.verify_needs = 1;        /* a rule's `needs` are proved, not trusted, here */
    struct done_report dr = {&r, f->file};
    kz_fxrun_mark_done(&s, run, run->as_of, done_failed, &dr);
    kz_diag_clear(&d);
    int rrc = kz_run(&s.e, s.cases, s.ts, run->as_of, &ro, &st, &d);
    int finished = rrc == KZ_EXIT_OK || rrc == KZ_EXIT_RULE_ERROR || rrc == KZ_EXIT_QUARANTINE;
    if (finished) {
      check_run(&s, i, st.run_id, &r);
    } else {
      for (size_t k = 0; k < d.n; k++) kz_fixture_fail(&r, "run failed", d.msgs[k]);
      if (!d.n) kz_fixture_fail(&r, "run failed", _("the run did not finish"));
    }
    failed |= r.n > 0;
    if (hooks->run_checked) hooks->run_checked(hooks->arg, i, run, &r);
    kz_fixture_failures_free(&r);
    kz_run_stats_free(&st);
    if (!finished) break;
  }
  if (hooks->rule_fired && !failed) read_rules_fired(f, s.ts, hooks);
done:
  kz_diag_clear(&d);
  kz_fxrun_close(&s);
  return rc;
}

/* }====== */
