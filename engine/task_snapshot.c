/*
** task_snapshot.c — the task DB module's reader for `kizuki report`: the
** open tasks of a task DB as of one run (as they are now, or rebuilt from
** task_events), the backlog apart, each with its evidence items.
*/
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "kizuki.h"
#include "task_query.h"

/* {====== The snapshot ====== */

static char *dup_col(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? strdup((const char *)s) : NULL;
}

/* The open tasks as they are now (the latest run); column 13 is 1 for a
** backlog task, 14 its since, 15 its id (the columns of enum snap_col). */
static const char SQL_NOW[] =
  "SELECT rule, subject, key, household_id, agency, ward, unit, severity, level, opened_on, "
  "due_on, reason, evidence, backlog, since, id FROM tasks WHERE status = 'open' "
  "ORDER BY backlog, CASE WHEN backlog THEN rule END, CASE WHEN backlog THEN unit END, "
  "kz_severity_rank(severity), due_on, since, rule, subject, key";

/* The open tasks as of run ?1 (and staff closings up to day ?2), rebuilt
** from each task's last event: opened, reopened, promoted and escalated
** leave a task open with the event's unit, level and due date; an opened or
** reopened event with no due date left it in the backlog. Reason, severity
** and since are the task's latest. */
static const char SQL_THEN[] =
  "WITH last AS (SELECT task_id, max(id) AS eid FROM task_events "
  "  WHERE (run_id IS NOT NULL AND run_id <= ?1) OR (run_id IS NULL AND on_date <= ?2) "
  "  GROUP BY task_id) "
  "SELECT t.rule, t.subject, t.key, t.household_id, t.agency, t.ward, e.unit, t.severity, "
  "e.level, (SELECT max(o.on_date) FROM task_events o WHERE o.task_id = t.id "
  "  AND o.event IN ('opened', 'reopened', 'promoted') AND o.id <= e.id), e.due_on, t.reason, "
  "t.evidence, e.due_on IS NULL AS backlog, t.since, t.id "
  "FROM last JOIN task_events e ON e.id = last.eid JOIN tasks t ON t.id = e.task_id "
  "WHERE e.event IN ('opened', 'reopened', 'promoted', 'escalated') "
  "ORDER BY backlog, CASE WHEN backlog THEN t.rule END, CASE WHEN backlog THEN e.unit END, "
  "kz_severity_rank(t.severity), e.due_on, t.since, t.rule, t.subject, t.key";

/* Each item of an evidence array: table, id, and its other fields. */
static const char SQL_EVIDENCE[] =
  "SELECT CASE WHEN e.type = 'object' THEN e.value ->> '$.table' END, "
  "CASE WHEN e.type = 'object' THEN e.value ->> '$.id' END, "
  "CASE WHEN e.type = 'object' THEN (SELECT group_concat(f.key || '=' || f.value, char(31)) "
  "  FROM json_each(e.value) f WHERE f.key NOT IN ('table', 'id', 'household_id')) "
  "  ELSE e.value END "
  "FROM json_each(?1) e";

/* The runs of the trend, newest first: what each did. Reopened tasks are new
** work of the night as much as opened ones (runs.opened counts promoted
** backlog tasks already; tasks opened into the backlog are in neither). */
static const char SQL_TREND_RUNS[] =
  "SELECT id, as_of, opened + reopened, cleared, escalated FROM runs WHERE id <= ?1 "
  "ORDER BY id DESC LIMIT ?2";

/* The open work a run left (run ?1, staff closings up to day ?2): tasks
** whose last event then left them open with a due date, as SQL_THEN
** rebuilds them. */
static const char SQL_TREND_OPEN[] =
  "WITH last AS (SELECT task_id, max(id) AS eid FROM task_events "
  "  WHERE (run_id IS NOT NULL AND run_id <= ?1) OR (run_id IS NULL AND on_date <= ?2) "
  "  GROUP BY task_id) "
  "SELECT count(*) FROM last JOIN task_events e ON e.id = last.eid "
  "WHERE e.event IN ('opened', 'reopened', 'promoted', 'escalated') AND e.due_on IS NOT NULL";

/* Read r->trend: the runs up to r->run_id, oldest first. 0, or -1 (SQLite
** error or out of memory; the caller tells which by sqlite3_errcode). */
static int load_trend(struct kz_report *r, sqlite3 *db) {
  sqlite3_stmt *runs = NULL, *open = NULL;
  int rc = -1, step;
  r->trend = calloc(KZ_REPORT_TREND_RUNS, sizeof *r->trend);
  if (!r->trend) goto cleanup;
  if (sqlite3_prepare_v2(db, SQL_TREND_RUNS, -1, &runs, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, SQL_TREND_OPEN, -1, &open, NULL) != SQLITE_OK)
    goto cleanup;
  sqlite3_bind_int64(runs, 1, r->run_id);
  sqlite3_bind_int(runs, 2, KZ_REPORT_TREND_RUNS);
  while ((step = sqlite3_step(runs)) == SQLITE_ROW && r->ntrend < KZ_REPORT_TREND_RUNS) {
    struct kz_report_night *nt = &r->trend[r->ntrend];
    const char *day = (const char *)sqlite3_column_text(runs, 1);
    if (!day || kz_date_parse(day, &nt->as_of)) continue;   /* a run with no date: not drawn */
    nt->run_id = sqlite3_column_int64(runs, 0);
    nt->opened = sqlite3_column_int64(runs, 2);
    nt->cleared = sqlite3_column_int64(runs, 3);
    nt->escalated = sqlite3_column_int64(runs, 4);
    sqlite3_reset(open);
    sqlite3_bind_int64(open, 1, nt->run_id);
    sqlite3_bind_text(open, 2, day, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(open) != SQLITE_ROW) goto cleanup;
    nt->open = sqlite3_column_int64(open, 0);
    r->ntrend++;
  }
  if (step != SQLITE_DONE && step != SQLITE_ROW) goto cleanup;
  for (size_t i = 0; i < r->ntrend / 2; i++) {   /* oldest first */
    struct kz_report_night tmp = r->trend[i];
    r->trend[i] = r->trend[r->ntrend - 1 - i];
    r->trend[r->ntrend - 1 - i] = tmp;
  }
  rc = 0;
cleanup:
  sqlite3_finalize(runs);
  sqlite3_finalize(open);
  return rc;
}

/* The columns of SQL_NOW and SQL_THEN. */
enum snap_col {
  C_RULE, C_SUBJECT, C_KEY, C_HOUSEHOLD, C_AGENCY, C_WARD, C_UNIT, C_SEVERITY, C_LEVEL,
  C_OPENED_ON, C_DUE_ON, C_REASON, C_EVIDENCE, C_BACKLOG, C_SINCE, C_ID
};

/* Fill t->row from the current row of st: owned copies of its strings,
** status "open". Returns 0, or -1 when out of memory (what was copied is
** freed by free_tasks all the same). */
static int row_from_stmt(struct kz_report_task *t, sqlite3_stmt *st) {
  struct kz_task_row *w = &t->row;
  char *rule = dup_col(st, C_RULE), *subject = dup_col(st, C_SUBJECT), *key = dup_col(st, C_KEY),
       *unit = dup_col(st, C_UNIT), *severity = dup_col(st, C_SEVERITY), *status = strdup("open");
  w->id = sqlite3_column_int64(st, C_ID);
  w->rule = rule;
  w->subject = subject;
  w->key = key;
  w->household_id = dup_col(st, C_HOUSEHOLD);
  w->agency = dup_col(st, C_AGENCY);
  w->ward = dup_col(st, C_WARD);
  w->unit = unit;
  w->severity = severity;
  w->status = status;
  w->level = sqlite3_column_int(st, C_LEVEL);
  w->backlog = sqlite3_column_int(st, C_BACKLOG);
  w->since = dup_col(st, C_SINCE);
  w->opened_on = dup_col(st, C_OPENED_ON);
  w->due_on = dup_col(st, C_DUE_ON);
  w->reason = dup_col(st, C_REASON);
  if (!w->due_on || kz_date_parse(w->due_on, &t->due)) t->due = KZ_DAY_NONE;
  return rule && subject && key && unit && severity && status && w->agency ? 0 : -1;
}

static int load_evidence(struct kz_report_task *t, sqlite3_stmt *ev, const char *json) {
  sqlite3_reset(ev);
  sqlite3_bind_text(ev, 1, json ? json : "[]", -1, SQLITE_TRANSIENT);
  size_t cap = 0;
  int step;
  while ((step = sqlite3_step(ev)) == SQLITE_ROW) {
    if (t->nev == cap) {
      cap = cap ? cap * 2 : 4;
      struct kz_report_evidence *p = realloc(t->ev, cap * sizeof *p);
      if (!p) return -1;
      t->ev = p;
    }
    struct kz_report_evidence *x = &t->ev[t->nev++];
    x->table = dup_col(ev, 0);
    x->id = dup_col(ev, 1);
    x->fields = dup_col(ev, 2);
  }
  return step == SQLITE_DONE ? 0 : -1;
}

int kz_report_load(struct kz_report *r, sqlite3 *db, kz_day as_of, struct kz_diag *d) {
  sqlite3_stmt *run = NULL, *st = NULL, *ev = NULL;
  char day[KZ_DATE_LEN];
  size_t cap = 0, bcap = 0;
  int rc = -1, step;
  memset(r, 0, sizeof *r);
  if (kz_taskq_check_version(db, NULL, d)) {   /* a version-1 DB has no backlog column */
    rc = 1;
    goto cleanup;
  }
  if (sqlite3_prepare_v2(db, "SELECT id, as_of, rules_digest, rules_count, households, errors "
                         "FROM runs WHERE ?1 IS NULL OR as_of <= ?1 ORDER BY id DESC LIMIT 1",
                         -1, &run, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "not a kizuki task DB (%s)", sqlite3_errmsg(db));
    rc = 1;
    goto cleanup;
  }
  if (as_of != KZ_DAY_NONE) sqlite3_bind_text(run, 1, kz_date_format(as_of, day), -1, SQLITE_TRANSIENT);
  step = sqlite3_step(run);
  if (step != SQLITE_ROW) {
    if (step != SQLITE_DONE) goto sql_error;
    if (as_of == KZ_DAY_NONE) kz_diag_add(d, NULL, 0, 0, "the task DB has no run yet");
    else kz_diag_add(d, NULL, 0, 0, "the task DB has no run on or before %s", day);
    rc = 1;
    goto cleanup;
  }
  r->run_id = sqlite3_column_int64(run, 0);
  if (kz_date_parse((const char *)sqlite3_column_text(run, 1), &r->run_as_of)) {
    kz_diag_add(d, NULL, 0, 0, "run %lld has no valid as_of date", r->run_id);
    rc = 1;
    goto cleanup;
  }
  snprintf(r->digest, sizeof r->digest, "%s", (const char *)sqlite3_column_text(run, 2));
  r->rules_count = sqlite3_column_int64(run, 3);
  r->households = sqlite3_column_int64(run, 4);
  r->errors = sqlite3_column_int64(run, 5);
  r->as_of = as_of == KZ_DAY_NONE ? r->run_as_of : as_of;

  if (sqlite3_prepare_v2(db, as_of == KZ_DAY_NONE ? SQL_NOW : SQL_THEN, -1, &st, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, SQL_EVIDENCE, -1, &ev, NULL) != SQLITE_OK)
    goto sql_error;
  if (as_of != KZ_DAY_NONE) {
    sqlite3_bind_int64(st, 1, r->run_id);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
  }
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    int backlog = sqlite3_column_int(st, C_BACKLOG);
    struct kz_report_task **arr = backlog ? &r->backlog : &r->tasks;
    size_t *n = backlog ? &r->nbacklog : &r->n, *c = backlog ? &bcap : &cap;
    if (*n == *c) {
      *c = *c ? *c * 2 : 256;
      struct kz_report_task *p = realloc(*arr, *c * sizeof *p);
      if (!p) goto oom;
      *arr = p;
    }
    struct kz_report_task *t = &(*arr)[(*n)++];
    memset(t, 0, sizeof *t);
    if (row_from_stmt(t, st)) goto oom;
    if (load_evidence(t, ev, (const char *)sqlite3_column_text(st, C_EVIDENCE))) goto sql_error;
  }
  if (step != SQLITE_DONE) goto sql_error;
  if (load_trend(r, db)) {
    if (!r->trend) goto oom;
    goto sql_error;
  }
  rc = 0;
  goto cleanup;
oom:
  kz_diag_add(d, NULL, 0, 0, "out of memory reading the tasks");
  goto cleanup;
sql_error:
  kz_diag_add(d, NULL, 0, 0, "reading the task DB: %s", sqlite3_errmsg(db));
cleanup:
  sqlite3_finalize(run);
  sqlite3_finalize(st);
  sqlite3_finalize(ev);
  if (rc) kz_report_free(r);
  return rc;
}

static void free_tasks(struct kz_report_task *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    struct kz_report_task *t = &v[i];
    const struct kz_task_row *w = &t->row;
    const char *owned[] = {w->rule, w->subject, w->key, w->household_id, w->agency, w->ward,
                           w->unit, w->severity, w->status, w->opened_on, w->due_on, w->reason,
                           w->since};
    for (size_t k = 0; k < sizeof owned / sizeof *owned; k++) free((char *)owned[k]);
    for (size_t k = 0; k < t->nev; k++) {
      free(t->ev[k].table);
      free(t->ev[k].id);
      free(t->ev[k].fields);
    }
    free(t->ev);
  }
  free(v);
}

void kz_report_free(struct kz_report *r) {
  free_tasks(r->tasks, r->n);
  free_tasks(r->backlog, r->nbacklog);
  free(r->trend);
  memset(r, 0, sizeof *r);
}

/* }====== */
