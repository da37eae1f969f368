/*
** task_query.h — reading the task DB for people and other systems: opening
** it read-only, the filters staff list tasks by, the order they see them in
** (severity, then due date), the names staff may filter by, and the rows
** (struct kz_task_row) task_out.h writes. Nothing here writes the task DB;
** `kizuki tasks`, `explain` and `export` read through it.
*/
#ifndef KZ_TASK_QUERY_H
#define KZ_TASK_QUERY_H

#include <sqlite3.h>
#include <stdio.h>

#include "date.h"
#include "diag.h"
#include "profile.h"
#include "ruleset.h"
#include "strbuf.h"
#include "task_read.h"

/* Backlog tasks (a stale trigger: no due date, never escalated) and the
** daily queue. The zero value reads both. */
enum kz_taskq_backlog { KZ_TQ_BACKLOG_ANY, KZ_TQ_BACKLOG_EXCLUDE, KZ_TQ_BACKLOG_ONLY };

/* Which tasks to read. NULL strings and KZ_DAY_NONE mean "any". */
struct kz_taskq_filter {
  const char *unit;          /* the unit the task is with now */
  const char *ward;          /* the ward it was routed for */
  const char *rule, *severity;
  const char *status;        /* open, cleared, done or all; NULL: open */
  int overdue;               /* 1: only open tasks with due_on < as_of (never a backlog task) */
  enum kz_taskq_backlog backlog;
  kz_day opened_since;       /* only tasks with opened_on >= this */
  kz_day as_of;              /* "today" for overdue (required) */
};

/* The one read-only opener of a task DB: path through kz_db_open (read-only,
** escaped), a busy timeout for a run that is committing, and the SQL
** function kz_severity_rank. Checks nothing else. Returns 0 with *out (the
** caller closes it), or -1 with d. */
int kz_taskq_open_ro(const char *path, sqlite3 **out, struct kz_diag *d);

/* Open the task DB at path read-only (a mode=ro URI) and check that it is a
** kizuki task DB. Returns KZ_EXIT_OK with *out (the caller closes it), or
** KZ_EXIT_TASKS with a message naming path in d (missing, not a regular
** file, not SQLite, no tasks table). */
int kz_taskq_open(const char *path, sqlite3 **out, struct kz_diag *d);

/* Check that db (a task DB) has the schema this kizuki reads
** (KZ_TASKS_SCHEMA_VERSION): an older one is upgraded by the next `kizuki
** run`, a newer one is another kizuki's. Returns 0, or -1 with a message
** naming path (may be NULL) in d. kz_taskq_open and kz_report_load call it. */
int kz_taskq_check_version(sqlite3 *db, const char *path, struct kz_diag *d);

/* Names staff may type for the filters, turned into codes. */
struct kz_taskq_names {
  char unit[160], ward[64], rule[128], severity[16], status[16];
};

/* Check every filter of f against what exists and turn it into codes, with
** the strings in *own (f then points into it): --status open, cleared, done,
** all (or 対応中, 解消, 完了, すべて); --severity critical ... low (or 緊急,
** 高, 中, 低); --ward a ward code or name of the profile or a ward of the
** task DB (中央区); --unit a unit the profile routes to or one the task DB
** holds, by code or staff name (kz_staff_resolve: 中央区保健センター); --rule
** a rule id (or title) loaded or in the task DB. prof and rules may be NULL
** (codes of the task DB only). Returns 0, or -1 with one message per
** unknown value naming the option, the value and the nearest known one
** (did you mean) in d. */
int kz_taskq_resolve_filter(sqlite3 *db, const struct kz_profile *prof,
                            const struct kz_ruleset *rules, struct kz_taskq_filter *f,
                            struct kz_taskq_names *own, struct kz_diag *d);

/* The date of the task DB's latest finished run into *out (KZ_DAY_NONE:
** none yet): the day overdue is judged on unless --as-of says otherwise.
** Returns 0, or -1 with d. */
int kz_taskq_last_run(sqlite3 *db, kz_day *out, struct kz_diag *d);

/* Each task f selects, ordered by severity (critical first), due date
** (backlog tasks, with none, last), then id, as a struct kz_task_row with
** overdue, evidence_ja and evidence_text set. Returns 0, fn's non-zero
** return, or -1 with d. */
int kz_taskq_each(sqlite3 *db, const struct kz_taskq_filter *f, kz_task_row_fn fn, void *ctx,
                  struct kz_diag *d);

/* How many tasks f selects into *n. Returns 0 or -1 with d. */
int kz_taskq_count(sqlite3 *db, const struct kz_taskq_filter *f, long long *n, struct kz_diag *d);

/* Task id as one row (overdue judged at as_of) to fn. Returns 0, 1 when
** there is no such task, fn's non-zero return, or -1 with d. */
int kz_taskq_get(sqlite3 *db, long long id, kz_day as_of, kz_task_row_fn fn, void *ctx,
                 struct kz_diag *d);

/* Each event of task id in the order it happened, as a row with event,
** on_date, unit, level, due_on (NULL: none), run_id and note. Returns as
** kz_taskq_each. */
int kz_taskq_each_event(sqlite3 *db, long long id, kz_task_row_fn fn, void *ctx, struct kz_diag *d);

/* One evidence item of a task: an object (table, id, its other fields as
** "name value, ...") or any other JSON value (json). */
struct kz_taskq_evidence {
  int object;
  const char *table, *id, *fields, *json;
};

/* Each evidence item of task id, in order. Invalid UTF-8 in the evidence
** never hides it. Returns as kz_taskq_each. */
int kz_taskq_each_evidence(sqlite3 *db, long long id,
                           int (*fn)(void *ctx, const struct kz_taskq_evidence *e), void *ctx,
                           struct kz_diag *d);

/* Every unit that ever held a task (now or in its history) among the tasks
** of f's unit and ward (the other filters are not applied), in name order,
** into *out (n strings; free with kz_taskq_units_free). Returns 0, or -1
** with d. */
int kz_taskq_units(sqlite3 *db, const struct kz_taskq_filter *f, char ***out, size_t *n,
                   struct kz_diag *d);

void kz_taskq_units_free(char **units, size_t n);

/* Append the n bytes of s to b with every byte that is not part of valid
** UTF-8 replaced by U+FFFD; returns how many were replaced. (Registered on
** the read-only connection as the SQL function kz_utf8(text).) */
long long kz_taskq_utf8(struct kz_strbuf *b, const char *s, size_t n);

#endif
