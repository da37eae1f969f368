/*
** task_snapshot.h — the snapshot of open tasks `kizuki report` shows, as the
** task DB module reads it (task_snapshot.c): the run shown, the open tasks
** by severity and due date, the backlog apart, each with its evidence.
*/
#ifndef KZ_TASK_SNAPSHOT_H
#define KZ_TASK_SNAPSHOT_H

#include <sqlite3.h>
#include <stddef.h>

#include "date.h"
#include "diag.h"
#include "task_read.h"

/* One evidence item of a task, as the rule gave it. */
struct kz_report_evidence {
  char *table, *id;   /* owned; NULL when the item had none */
  char *fields;       /* owned; "name=value" pairs separated by \x1f, or the
                      ** item's JSON text when it was not an object */
};

/* One open task, with its unit, level and due date as of the report's run:
** the one task row type of the task DB module (struct kz_task_row,
** task_read.h), whose strings are here owned copies (freed by
** kz_report_free); status is "open", ward NULL at city level, due_on NULL
** for a backlog task, evidence NULL (read into ev instead); the event
** fields are NULL. */
struct kz_report_task {
  struct kz_task_row row;
  kz_day due;                                  /* row.due_on; KZ_DAY_NONE: none */
  struct kz_report_evidence *ev; size_t nev;   /* owned */
};

/* One night of the trend: a run, what it did (the runs table) and the open
** work it left (rebuilt from task_events as of that run). */
struct kz_report_night {
  long long run_id;
  kz_day as_of;
  long long open;        /* open tasks after the run, the backlog not counted */
  long long opened;      /* opened + reopened (promoted included), as runs counts them */
  long long cleared, escalated;
};

/* How many runs the trend goes back: the run shown and the ones before it. */
#define KZ_REPORT_TREND_RUNS 60

struct kz_report {
  long long run_id, households, rules_count, errors;
  kz_day run_as_of;         /* the date of the run shown */
  kz_day as_of;             /* overdue and "due today" are judged on this day */
  char digest[32];          /* the run's rule-set digest */
  struct kz_report_task *tasks; size_t n;   /* owned; by severity, then due date */
  /* Open backlog tasks (a trigger older than open_within_days: no due date,
  ** never escalated), listed apart: never among tasks, so never counted as
  ** open work or overdue. */
  struct kz_report_task *backlog; size_t nbacklog;   /* owned; by rule, unit, since */
  /* The last KZ_REPORT_TREND_RUNS runs up to the one shown, oldest first. */
  struct kz_report_night *trend; size_t ntrend;      /* owned */
};

/* Read the open tasks of db (a task DB), the backlog apart. as_of KZ_DAY_NONE: the latest run
** and the tasks as they are now. Otherwise the latest run on or before
** as_of, with each task's state rebuilt from task_events as of that run
** (tasks staff closed on or before as_of count as closed). The trend holds
** the runs up to the one shown (see struct kz_report_night). Returns 0; 1 when
** the DB has no such run or is not a task DB (told in d); -1 on an SQLite
** error (in d). */
int kz_report_load(struct kz_report *r, sqlite3 *db, kz_day as_of, struct kz_diag *d);

/* Free what kz_report_load read (r itself is the caller's). */
void kz_report_free(struct kz_report *r);

#endif
