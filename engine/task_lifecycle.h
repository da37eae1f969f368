/*
** task_lifecycle.h — the task lifecycle of DESIGN.md as one pure decision:
** given a task (or none), tonight's finding for it (or none) and the run
** date, what happens to the task. No SQLite, no routing, no due-date
** arithmetic: task_store.c turns the decision into rows, with the unit and
** due date the profile gives.
*/
#ifndef KZ_TASK_LIFECYCLE_H
#define KZ_TASK_LIFECYCLE_H

#include "date.h"

enum kz_task_status { KZ_TASK_OPEN, KZ_TASK_CLEARED, KZ_TASK_DONE };

/* What the task DB holds of one task, as far as the lifecycle cares. */
struct kz_lc_task {
  enum kz_task_status status;
  int backlog;               /* 1: a backlog task (no due date, never escalated) */
  kz_day due_on;             /* KZ_DAY_NONE for a backlog task */
  kz_day last_seen_on;       /* the last run that saw its finding */
  kz_day done_on;            /* the day staff closed it; KZ_DAY_NONE if not
                             ** done (or done on no recorded day) */
};

/* What tonight's finding brings, as far as the lifecycle cares. The rule's
** open_within_days is the rule's own, else the profile's (the caller
** resolves it). */
struct kz_lc_finding {
  kz_day since;              /* first day of the unbroken run of the condition */
  int open_within_days;      /* a since older than this is a stale trigger */
  int never_backlog;         /* 1: a child's safety now: never stale */
};

enum kz_lc_action {
  KZ_LC_NOTHING,    /* nothing to write: no task and no finding, or a cleared
                    ** task without a finding */
  KZ_LC_OPEN,       /* a new task (backlog if .backlog) */
  KZ_LC_KEEP,       /* an open task seen again: last_seen_on = today */
  KZ_LC_SEEN,       /* kept, and this run already saw it: nothing to write */
  KZ_LC_ESCALATE,   /* kept, and past its due date: one step up the ladder */
  KZ_LC_REOPEN,     /* a cleared task whose finding returns, or a done task
                    ** whose finding is a later episode (backlog if .backlog) */
  KZ_LC_PROMOTE,    /* an open backlog task whose trigger turned fresh */
  KZ_LC_CLEAR,      /* an open task with no finding tonight */
  KZ_LC_DONE,       /* staff closed it: done stays done for its episode */
};

struct kz_lc_decision {
  enum kz_lc_action action;
  int backlog;      /* for OPEN and REOPEN: the task opens in the backlog */
};

/* Decide what happens to task (NULL: none) given tonight's finding f (NULL:
** none) on the run date today. A task with no finding is cleared only when
** open (the caller's sweep decides which open tasks went unseen); staff's
** done is final for its episode, and a finding whose since is after the
** day it was done (the condition went away and came back) reopens it; an open backlog task never escalates and is promoted when
** its trigger turns fresh; a stale trigger opens or reopens in the backlog
** unless f->never_backlog. Pure: same inputs, same decision. */
struct kz_lc_decision kz_lifecycle_decide(const struct kz_lc_task *task,
                                          const struct kz_lc_finding *f, kz_day today);

/* The one definition of overdue, for every reader (report, tasks, export)
** and for the lifecycle's escalation: an open task that is not in the
** backlog, with a due date before as_of. as_of is the day it is judged on:
** the task DB's latest run date (kz_tasks_last_run) unless the person asked
** for another (--as-of); never the machine clock. open: the task's status is
** open; due_on KZ_DAY_NONE: no due date (never overdue). */
int kz_task_overdue(int open, int backlog, kz_day due_on, kz_day as_of);

/* The same for a task's columns as the task DB holds them (status text,
** due_on "YYYY-MM-DD" or NULL): 0 for a due date that does not parse. */
int kz_task_overdue_text(const char *status, int backlog, const char *due_on, kz_day as_of);

/* 1 when a finding with this since, judged on today, is a stale trigger. */
int kz_lifecycle_stale(const struct kz_lc_finding *f, kz_day today);

#endif
