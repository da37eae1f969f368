/*
** task_query.h — reading the task DB for people and other systems: opening
** it read-only, the filters staff list tasks by, the order they see them in
** (severity, then due date), and CSV fields. Nothing here writes the task DB;
** `kizuki tasks`, `explain` and `export` read through it.
*/
#ifndef KZ_TASK_QUERY_H
#define KZ_TASK_QUERY_H

#include <sqlite3.h>
#include <stdio.h>

#include "date.h"
#include "diag.h"

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

/* The columns of a statement from kz_taskq_prepare, in this order. */
enum kz_taskq_col {
  KZ_TQ_ID, KZ_TQ_SEVERITY, KZ_TQ_DUE_ON, KZ_TQ_UNIT, KZ_TQ_RULE, KZ_TQ_SUBJECT,
  KZ_TQ_KEY, KZ_TQ_LEVEL, KZ_TQ_STATUS, KZ_TQ_REASON, KZ_TQ_HOUSEHOLD, KZ_TQ_WARD,
  KZ_TQ_AGENCY, KZ_TQ_OPENED_ON, KZ_TQ_SINCE, KZ_TQ_LAST_SEEN_ON, KZ_TQ_CLEARED_ON,
  KZ_TQ_DONE_ON, KZ_TQ_DONE_NOTE,
  KZ_TQ_OVERDUE,             /* 1 when open, not backlog and due_on < as_of */
  KZ_TQ_EVIDENCE_TEXT,       /* "table id (field date, ...); ..." for people */
  KZ_TQ_JSON,                /* the whole task as one JSON object (evidence as JSON) */
  KZ_TQ_BACKLOG,             /* 1: a backlog task (due_on NULL) */
  KZ_TQ_NCOLS
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

/* Check the names in f (status, severity). Returns 0, or -1 with a message
** naming the option and the values it accepts in d. */
int kz_taskq_check_filter(const struct kz_taskq_filter *f, struct kz_diag *d);

/* Prepare the query for f over db, ordered by severity (critical first),
** due date (backlog tasks, with none, last), then id. Columns are enum kz_taskq_col. Returns 0 with *out (the
** caller finalizes it), or -1 with d. */
int kz_taskq_prepare(sqlite3 *db, const struct kz_taskq_filter *f, sqlite3_stmt **out,
                     struct kz_diag *d);

/* Prepare the read of task id for `kizuki explain` (step it once: no row,
** no such task). Columns: 0 id, 1 rule, 2 subject, 3 key, 4 household_id,
** 5 severity, 6 status, 7 level, 8 since, 9 opened_on, 10 due_on, 11 ward,
** 12 agency, 13 unit, 14 last_seen_on, 15 cleared_on, 16 reason,
** 17 rule_version, 18 rule_file, 19 rule_line, 20 done_on, 21 done_note,
** 22 backlog. Returns 0 with *out (the caller finalizes it), or -1
** (sqlite3_errmsg(db) tells why). */
int kz_taskq_prepare_task(sqlite3 *db, long long id, sqlite3_stmt **out);

/* Prepare the read of task id's events, in the order they happened.
** Columns: 0 on_date, 1 event, 2 unit, 3 level, 4 due_on ('' for none),
** 5 run_id (0: staff's, between runs), 6 note (NULL for none). Returns as
** kz_taskq_prepare_task. */
int kz_taskq_prepare_events(sqlite3 *db, long long id, sqlite3_stmt **out);

/* Prepare the read of task id's evidence items, in order. Columns: 0 the
** JSON type of the item, 1 its table, 2 its id ('' for none), 3 its other
** fields as "name value, ..." (objects), 4 the item's JSON. Returns as
** kz_taskq_prepare_task. */
int kz_taskq_prepare_evidence(sqlite3 *db, long long id, sqlite3_stmt **out);

/* Every unit that ever held a task (now or in its history) among the tasks
** of f's unit and ward (the other filters are not applied), in name order,
** into *out (n strings; free with kz_taskq_units_free). Returns 0, or -1
** with d. */
int kz_taskq_units(sqlite3 *db, const struct kz_taskq_filter *f, char ***out, size_t *n,
                   struct kz_diag *d);

void kz_taskq_units_free(char **units, size_t n);

/* Write one CSV record of n fields to out per RFC 4180: a field is quoted
** when it holds a comma, a quote, CR or LF (quotes doubled); NULL is an
** empty field; the record ends with eol ("\r\n" for Excel). */
void kz_taskq_csv_record(FILE *out, const char *const *fields, size_t n, const char *eol);

#endif
