/*
** task_read.c — the task DB module's reader over a store it holds open:
** open tasks, a run's events, rule errors, case-data issues and the run
** history, each handed out as the one row type of task_read.h.
*/
#include "task_read.h"

#include <string.h>

#include "task_internal.h"

static const char *text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

/* Columns of a task row: the task, then (events) the event's own. */
#define TASK_COLS \
  "t.id, t.rule, t.subject, t.key, t.household_id, t.agency, t.ward, %s, t.severity, t.status, " \
  "%s, t.backlog, t.since, t.opened_on, %s, t.last_seen_on, t.cleared_on, t.reason, t.evidence"

static void read_row(sqlite3_stmt *st, int events, struct kz_task_row *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  r->rule = text(st, 1); r->subject = text(st, 2); r->key = text(st, 3);
  r->household_id = text(st, 4); r->agency = text(st, 5); r->ward = text(st, 6);
  r->unit = text(st, 7); r->severity = text(st, 8); r->status = text(st, 9);
  r->level = sqlite3_column_int(st, 10);
  r->backlog = sqlite3_column_int(st, 11);
  r->since = text(st, 12); r->opened_on = text(st, 13); r->due_on = text(st, 14);
  r->last_seen_on = text(st, 15); r->cleared_on = text(st, 16); r->reason = text(st, 17);
  r->evidence = text(st, 18);
  if (events) { r->event = text(st, 19); r->on_date = text(st, 20); r->note = text(st, 21); }
}

/* Step st to its end, one row at a time to fn. */
static int walk(sqlite3_stmt *st, int events, kz_task_row_fn fn, void *ctx) {
  int rc = 0, step;
  struct kz_task_row r;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    read_row(st, events, &r);
    if ((rc = fn(ctx, &r)) != 0) break;
  }
  if (rc == 0 && step != SQLITE_DONE) rc = -1;
  sqlite3_finalize(st);
  return rc;
}

int kz_tasks_each_open(struct kz_tasks *ts, enum kz_task_order order, kz_task_row_fn fn, void *ctx) {
  char sql[1024];
  sqlite3_stmt *st = NULL;
  snprintf(sql, sizeof sql, "SELECT " TASK_COLS " FROM tasks t WHERE t.status = 'open' ORDER BY %s",
           "t.unit", "t.level", "t.due_on",
           order == KZ_ORDER_OPENED ? "t.opened_on, t.rule, t.subject, t.key" : "t.rule, t.subject, t.key");
  if (sqlite3_prepare_v2(kz_tasks_db(ts), sql, -1, &st, NULL) != SQLITE_OK) return -1;
  return walk(st, 0, fn, ctx);
}

#define EVENT_COLS ", e.event, e.on_date, e.note FROM task_events e JOIN tasks t ON t.id = e.task_id "

int kz_tasks_each_run_event(struct kz_tasks *ts, long long run_id, unsigned mask,
                            kz_task_row_fn fn, void *ctx) {
  static const char *const names[] = {"opened", "reopened", "promoted", "escalated", "cleared", "done"};
  char sql[1536], in[160] = "";
  size_t n = 0;
  for (int i = 0; i < 6; i++)
    if (mask & (1u << i)) n += (size_t)snprintf(in + n, sizeof in - n, "%s'%s'", n ? ", " : "", names[i]);
  sqlite3_stmt *st = NULL;
  snprintf(sql, sizeof sql, "SELECT " TASK_COLS EVENT_COLS
           "WHERE e.run_id = ?1 AND e.event IN (%s) ORDER BY t.rule, t.subject, t.key",
           "e.unit", "e.level", "e.due_on", in);
  if (sqlite3_prepare_v2(kz_tasks_db(ts), sql, -1, &st, NULL) != SQLITE_OK) return -1;
  sqlite3_bind_int64(st, 1, run_id);
  return walk(st, 1, fn, ctx);
}

int kz_tasks_each_night_event(struct kz_tasks *ts, long long run_id, const char *day,
                              kz_task_row_fn fn, void *ctx) {
  char sql[1536];
  sqlite3_stmt *st = NULL;
  snprintf(sql, sizeof sql, "SELECT " TASK_COLS EVENT_COLS
           "WHERE e.run_id = ?1 OR (e.run_id IS NULL AND e.on_date = ?2 AND e.event = 'done') "
           "ORDER BY e.run_id IS NOT NULL, e.id", "e.unit", "e.level", "e.due_on");
  if (sqlite3_prepare_v2(kz_tasks_db(ts), sql, -1, &st, NULL) != SQLITE_OK) return -1;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
  return walk(st, 1, fn, ctx);
}

int kz_tasks_each_rule_outcome(struct kz_tasks *ts,
                               int (*fn)(void *ctx, const char *rule, int cleared), void *ctx) {
  sqlite3_stmt *st = NULL;
  int rc = 0, step;
  if (sqlite3_prepare_v2(kz_tasks_db(ts), "SELECT DISTINCT t.rule, e.event = 'cleared' FROM task_events e "
                         "JOIN tasks t ON t.id = e.task_id "
                         "WHERE e.event IN ('opened', 'reopened', 'promoted', 'cleared')", -1, &st, NULL) != SQLITE_OK)
    return -1;
  while ((step = sqlite3_step(st)) == SQLITE_ROW)
    if ((rc = fn(ctx, text(st, 0), sqlite3_column_int(st, 1))) != 0) break;
  if (rc == 0 && step != SQLITE_DONE) rc = -1;
  sqlite3_finalize(st);
  return rc;
}

static int walk_errors(sqlite3_stmt *st, int summary,
                       int (*fn)(void *ctx, const struct kz_run_error_row *e), void *ctx) {
  int rc = 0, step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    struct kz_run_error_row e = {text(st, 0), sqlite3_column_int(st, 1), text(st, 2), text(st, 3),
                                 text(st, 4), 1, NULL, NULL};
    if (summary) { e.days = sqlite3_column_int(st, 5); e.first = text(st, 6); e.last = text(st, 7); }
    if ((rc = fn(ctx, &e)) != 0) break;
  }
  if (rc == 0 && step != SQLITE_DONE) rc = -1;
  sqlite3_finalize(st);
  return rc;
}

int kz_tasks_each_error(struct kz_tasks *ts, long long run_id,
                        int (*fn)(void *ctx, const struct kz_run_error_row *e), void *ctx) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(kz_tasks_db(ts), "SELECT coalesce(file, '?'), coalesce(line, 0), rule, "
                         "coalesce(subject, '-'), message FROM run_errors WHERE run_id = ?1 "
                         "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_int64(st, 1, run_id);
  return walk_errors(st, 0, fn, ctx);
}

int kz_tasks_each_error_summary(struct kz_tasks *ts,
                                int (*fn)(void *ctx, const struct kz_run_error_row *e), void *ctx) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(kz_tasks_db(ts),
        "SELECT coalesce(e.file, '?'), coalesce(e.line, 0), e.rule, coalesce(e.subject, '-'), "
        "e.message, count(*), min(r.as_of), max(r.as_of) FROM run_errors e "
        "JOIN runs r ON r.id = e.run_id GROUP BY 1, 2, 3, 4, 5 ORDER BY min(e.id)",
        -1, &st, NULL) != SQLITE_OK)
    return -1;
  return walk_errors(st, 1, fn, ctx);
}

int kz_tasks_each_issue(struct kz_tasks *ts, long long run_id, const char *kind,
                        int (*fn)(void *ctx, const struct kz_run_issue_row *e), void *ctx) {
  sqlite3_stmt *st = NULL;
  int rc = 0, step;
  if (sqlite3_prepare_v2(kz_tasks_db(ts), "SELECT coalesce(household_id, '-'), table_name, "
                         "coalesce(row_id, '-'), coalesce(column_name, '-'), coalesce(value, 'NULL'), "
                         "why FROM run_issues WHERE run_id = ?1 AND kind = ?2 ORDER BY id",
                         -1, &st, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    struct kz_run_issue_row e = {text(st, 0), text(st, 1), text(st, 2), text(st, 3), text(st, 4),
                                 text(st, 5)};
    if ((rc = fn(ctx, &e)) != 0) break;
  }
  if (rc == 0 && step != SQLITE_DONE) rc = -1;
  sqlite3_finalize(st);
  return rc;
}

int kz_tasks_last_run(struct kz_tasks *ts, kz_day *out) {
  sqlite3_stmt *st = NULL;
  int rc = -1;
  *out = KZ_DAY_NONE;
  if (sqlite3_prepare_v2(kz_tasks_db(ts), "SELECT max(as_of) FROM runs WHERE finished_at IS NOT NULL",
                         -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    rc = 0;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL && kz_date_parse(text(st, 0), out)) rc = -1;
  }
  sqlite3_finalize(st);
  return rc;
}

const char *kz_tasks_errmsg(struct kz_tasks *ts) { return sqlite3_errmsg(kz_tasks_db(ts)); }

int kz_tasks_refused(struct kz_tasks *ts) {
  return sqlite3_errcode(kz_tasks_db(ts)) == SQLITE_CONSTRAINT;
}
