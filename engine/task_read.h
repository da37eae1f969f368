/*
** task_read.h — reading a task store the module holds open (struct
** kz_tasks): its open tasks, the events of a run, the errors and case-data
** issues a run recorded, and the run history. One row type serves every
** reader (kizuki test, replay, diff, run, and through task_query.h tasks,
** explain and export; task_out.h writes it); rows are borrowed: their strings
** live until the callback returns. No SQL on the task tables outside the
** task DB module (task_store.c, task_read.c, task_query.c).
*/
#ifndef KZ_TASK_READ_H
#define KZ_TASK_READ_H

#include "date.h"
#include "task_store.h"

/* One task, or one task event with its task. NULL: the column is NULL. */
struct kz_task_row {
  long long id;
  const char *rule, *subject, *key, *household_id, *agency, *ward;
  const char *unit;          /* the task's unit now; for an event, the unit it left */
  const char *severity, *status;
  int level;                 /* for an event, the level it left */
  int backlog;               /* the task is a backlog task now */
  const char *since, *opened_on;
  const char *due_on;        /* for an event, the due date it set (NULL: none) */
  const char *last_seen_on, *cleared_on, *reason, *evidence;
  const char *event;         /* event rows only: opened, reopened, promoted, escalated, cleared, done */
  const char *on_date;       /* event rows only */
  const char *note;          /* event rows only: staff's note of a done event */
  /* Filled by task_query.c's readers for people (kz_taskq_each, kz_taskq_get,
  ** kz_taskq_each_event); NULL or 0 from the readers above. */
  const char *done_on, *done_note;
  int overdue;               /* open, not backlog, due before the as-of date */
  const char *evidence_ja;   /* for staff: "通告 E0000067（受理 2024-09-30）; ..." */
  const char *evidence_text; /* the same in codes: "reports E0000067 (received_on 2024-09-30); ..." */
  const char *rule_version, *rule_file;
  int rule_line;             /* 0: unknown */
  long long run_id;          /* event rows of kz_taskq_each_event: the run (0: staff's) */
};

/* Called once per row; a non-zero return stops the walk (and is returned). */
typedef int (*kz_task_row_fn)(void *ctx, const struct kz_task_row *row);

enum kz_task_order {
  KZ_ORDER_KEY,              /* rule, subject, key */
  KZ_ORDER_OPENED            /* opened_on, then rule, subject, key */
};

/* Each open task (backlog ones included) in order. Returns 0, fn's non-zero
** return, or -1 on an SQLite error (kz_tasks_errmsg tells it). */
int kz_tasks_each_open(struct kz_tasks *ts, enum kz_task_order order, kz_task_row_fn fn, void *ctx);

/* Event kinds, as a mask for kz_tasks_each_event. */
enum {
  KZ_EV_OPENED = 1, KZ_EV_REOPENED = 2, KZ_EV_PROMOTED = 4, KZ_EV_ESCALATED = 8,
  KZ_EV_CLEARED = 16, KZ_EV_DONE = 32
};

/* Each event of run run_id whose kind is in mask, with its task, ordered by
** the task's rule, subject and key. Returns as kz_tasks_each_open. */
int kz_tasks_each_run_event(struct kz_tasks *ts, long long run_id, unsigned mask,
                            kz_task_row_fn fn, void *ctx);

/* The timeline of one night: staff's done events on day `day` (recorded
** between runs, so with no run) first, then every event of run run_id, each
** in the order it happened. Returns as kz_tasks_each_open. */
int kz_tasks_each_night_event(struct kz_tasks *ts, long long run_id, const char *day,
                              kz_task_row_fn fn, void *ctx);

/* Each rule with tasks in the store, once per what befell them: cleared is 0
** for a rule whose tasks were opened, reopened or promoted, 1 for one whose
** tasks were cleared (a rule may come twice). Returns as kz_tasks_each_open. */
int kz_tasks_each_rule_outcome(struct kz_tasks *ts,
                               int (*fn)(void *ctx, const char *rule, int cleared), void *ctx);

/* One recorded rule error; file '?', line 0 and subject '-' when unknown. A
** summary row (kz_tasks_each_error_summary) stands for `days` runs with the
** same error, the first and last on those run dates. */
struct kz_run_error_row {
  const char *file;
  int line;
  const char *rule, *subject, *message;
  int days;
  const char *first, *last;   /* summary rows only */
};

/* Each error of run run_id in the order recorded (days 1). */
int kz_tasks_each_error(struct kz_tasks *ts, long long run_id,
                        int (*fn)(void *ctx, const struct kz_run_error_row *e), void *ctx);

/* Each distinct error over every run of the store, once, in the order first
** recorded. */
int kz_tasks_each_error_summary(struct kz_tasks *ts,
                                int (*fn)(void *ctx, const struct kz_run_error_row *e), void *ctx);

/* One offending case-DB row of a run; '-' (value 'NULL') when unknown. */
struct kz_run_issue_row {
  const char *household_id, *table, *row_id, *column, *value, *why;
};

/* Each issue of kind ("invalid" or "quality") that run run_id recorded. */
int kz_tasks_each_issue(struct kz_tasks *ts, long long run_id, const char *kind,
                        int (*fn)(void *ctx, const struct kz_run_issue_row *e), void *ctx);

/* The date of the latest finished run into *out (KZ_DAY_NONE: none yet).
** Returns 0, or -1 on an SQLite error. */
int kz_tasks_last_run(struct kz_tasks *ts, kz_day *out);

/* SQLite's message for the store's last error. */
const char *kz_tasks_errmsg(struct kz_tasks *ts);

/* 1 when the store's last error was the task DB refusing a row (a CHECK or
** UNIQUE constraint), not the DB failing. */
int kz_tasks_refused(struct kz_tasks *ts);

#endif
