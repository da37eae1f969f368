/*
** task_store.h — the task DB and the task lifecycle of DESIGN.md.
**
** A run is one transaction: kz_tasks_begin takes the write lock (a second
** run fails at once with KZ_EXIT_BUSY), findings are applied one by one
** (open / keep / reopen / escalate), kz_tasks_sweep clears what no finding
** holds open, and kz_tasks_commit makes it all visible at once. Anything
** short of commit — an error, a signal, a kill — leaves the DB as before.
*/
#ifndef KZ_TASK_STORE_H
#define KZ_TASK_STORE_H

#include <sqlite3.h>
#include "date.h"
#include "diag.h"
#include "profile.h"

struct kz_tasks;

/* The task DB schema version this kizuki writes and reads (schema/tasks.sql
** PRAGMA user_version); kz_tasks_open migrates an older DB in place. */
#define KZ_TASKS_SCHEMA_VERSION 2

/* What kz_tasks_apply did. A run counts a promoted task among its opened
** ones too (DESIGN.md): counts[KZ_OUT_OPENED] includes counts[KZ_OUT_PROMOTED]. */
enum kz_outcome {
  KZ_OUT_OPENED, KZ_OUT_KEPT, KZ_OUT_REOPENED, KZ_OUT_ESCALATED, KZ_OUT_CLEARED,
  KZ_OUT_BACKLOG,    /* trigger older than open_within_days: opened (or reopened)
                     ** as a backlog task: no due date, never escalated */
  KZ_OUT_PROMOTED,   /* an open backlog task whose trigger turned fresh: now a
                     ** normal task, level 0, due from today */
  KZ_OUT_DONE,       /* staff closed this episode: never reopened */
  KZ_NOUTCOMES
};

extern const char *const kz_outcome_names[];

/* What a finding asks of the store. */
struct kz_task_input {
  const char *rule, *subject, *key, *household_id;
  const char *agency, *ward;     /* routing: unit = profile unit of these */
  const char *severity;
  kz_day since;
  const char *reason, *evidence; /* evidence: a JSON array */
  const char *rule_version, *rule_file;
  int rule_line;
  int due_days, due_calendar, open_within_days;
  int never_backlog;             /* 1: a child's safety now: a normal task however
                                 ** old since is (RULES.md "Never backlog") */
};

/* Open (creating if needed, mode 0600 by the caller's umask) the task DB at
** path. Returns KZ_EXIT_OK, or KZ_EXIT_TASKS with the reason in d. The store
** keeps prof (not owned) for routing, the ladder and the calendar. */
int kz_tasks_open(struct kz_tasks **out, const char *path, const struct kz_profile *prof,
                  struct kz_diag *d);

/* The same over an open connection (e.g. ":memory:"), not owned. */
int kz_tasks_attach(struct kz_tasks **out, sqlite3 *db, const struct kz_profile *prof,
                    struct kz_diag *d);

/* Start the run for as_of: take the write lock, record the run. Returns
** KZ_EXIT_OK, KZ_EXIT_BUSY (another run holds the DB) or KZ_EXIT_TASKS. */
int kz_tasks_begin(struct kz_tasks *ts, kz_day as_of, const char *digest, int nrules,
                   const char *const *rule_ids, struct kz_diag *d);

/* The current run's id (after begin). */
long long kz_tasks_run_id(const struct kz_tasks *ts);

/* Apply one finding. *outcome says what happened; unit (64 bytes) receives
** the task's unit after it. Nothing is dropped: a finding whose since is more
** than in->open_within_days before the run date, and whose task is not open,
** opens (or reopens) a backlog task (backlog 1, due_on NULL), unless
** in->never_backlog; an open backlog task is kept without ever escalating,
** and is promoted (backlog 0, level 0, routed afresh, due from today, a
** 'promoted' event) when its finding is fresh. Returns 0; -2 when the finding
** cannot be routed (unknown ward or agency: the rule's problem); -1 on an
** SQLite error. */
int kz_tasks_apply(struct kz_tasks *ts, const struct kz_task_input *in,
                   enum kz_outcome *outcome, char unit[64], struct kz_diag *d);

/* A rule raised an error on a household: record it, and keep that rule's
** tasks of that household as they are (they are neither kept nor cleared).
** household_id NULL: a row about the rule as a whole, nothing kept. */
int kz_tasks_record_error(struct kz_tasks *ts, const char *rule, const char *household_id,
                          const char *subject, const char *file, int line, const char *message);

/* As kz_tasks_record_error, without the run_errors row: the rule erred in
** the household again after its errors stopped being stored one by one. */
int kz_tasks_note_error(struct kz_tasks *ts, const char *rule, const char *household_id);

/* The rule is suspended for the rest of the run: the sweep leaves all its
** open tasks as they are (neither kept nor cleared). Returns 0 or -1. */
int kz_tasks_keep_rule(struct kz_tasks *ts, const char *rule);
/* The household's case data could not be trusted tonight (quarantined): its
** open tasks are kept exactly as they are, neither cleared by the sweep nor
** touched otherwise. Returns 0, or -1 on an SQLite error. */
int kz_tasks_keep_household(struct kz_tasks *ts, const char *household_id);

/* Keep tonight every open task whose subject is this person, whichever
** household the task was last seen in: a person in a quarantined household,
** or named by an offending members row (a child moved into a quarantined
** household, a membership naming a household that does not exist), is not
** evaluated tonight, so the household the task remembers must not clear it. */
int kz_tasks_keep_subject(struct kz_tasks *ts, const char *subject);

/* Keep tonight every open task whose key is this record id, or begins with
** it and ':' (the rules key an episode by the row that triggered it: a
** report, a residence, "W1:health_center"). For a row that names a household
** that does not exist: the household it belonged to is evaluated without
** it, and must not clear the task that row triggered. */
int kz_tasks_keep_key(struct kz_tasks *ts, const char *key);

/* Record one offending case-DB row of this run in run_issues: kind is
** "invalid" or "quality"; household_id, row_id, column and value may be
** NULL. Returns 0, or -1 on an SQLite error. */
int kz_tasks_record_issue(struct kz_tasks *ts, const char *household_id, const char *kind,
                          const char *table, const char *row_id, const char *column,
                          const char *value, const char *why);

/* The rule erred in a household that subject (a person) is in tonight:
** that rule's tasks of subject are kept too, wherever the task DB last saw
** them (a child who moved keeps the task her old household opened). */
int kz_tasks_note_error_subject(struct kz_tasks *ts, const char *rule, const char *subject);

/* Tell cb the household and the subject of every open task (a household or
** person id may come more than once). Returns 0, or -1 with d. */
int kz_tasks_each_open_owner(struct kz_tasks *ts,
                             int (*cb)(void *ctx, const char *household_id, const char *subject),
                             void *ctx, struct kz_diag *d);

/* Clear every open task of a loaded rule that this run did not see.
** looked (may be NULL) is asked first whether the run looked at the task's
** household or subject at all; a task it was not looked at is kept, not
** cleared (its household is not in tonight's extract, or not visible as of
** the run date: no data says the condition ended). cb (may be NULL) is told
** the rule and unit of each task cleared. Returns the number cleared, or -1
** on error. */
long long kz_tasks_sweep(struct kz_tasks *ts,
                         int (*looked)(void *ctx, const char *household_id, const char *subject,
                                       const char *rule),
                         void (*cb)(void *ctx, const char *rule, const char *unit), void *ctx,
                         struct kz_diag *d);

/* Record the run's figures and commit. Returns 0 or -1 (with d). */
int kz_tasks_commit(struct kz_tasks *ts, long long households, const long long counts[KZ_NOUTCOMES],
                    long long errors, struct kz_diag *d);

/* Staff closed the task (rule, subject, key) on day `on`: its status becomes
** done (done_on, done_note = note, may be NULL) and a 'done' task_event is
** added; a done task is never reopened for the same episode. Call it between
** runs (it commits on its own) or inside one. Returns 0; 1 when there is no
** such task, or it is already done (told in d); -1 on an SQLite error. */
int kz_tasks_mark_done(struct kz_tasks *ts, const char *rule, const char *subject,
                       const char *key, kz_day on, const char *note, struct kz_diag *d);

/* What kz_tasks_mark_done_id closed (strings owned by the caller: free each). */
struct kz_task_done {
  char *rule, *subject, *key, *unit;
};

/* Staff closed task `id` on day `on` (`kizuki done`), between runs: in its
** own write transaction, check the task exists, is not done and was opened
** on or before `on`, then mark it done as kz_tasks_mark_done does; *out gets
** the task's rule, subject, key and unit (also on failure, may be NULL).
** path names the DB in messages. Returns KZ_EXIT_OK; KZ_EXIT_USAGE (no such
** task, already done, `on` too early), KZ_EXIT_BUSY (a run holds the DB) or
** KZ_EXIT_TASKS, each told in d. */
int kz_tasks_mark_done_id(struct kz_tasks *ts, const char *path, long long id, kz_day on,
                          const char *note, struct kz_task_done *out, struct kz_diag *d);

/* Roll the run back (nothing of it stays). */
void kz_tasks_rollback(struct kz_tasks *ts);

void kz_tasks_close(struct kz_tasks *ts);

#endif
