/*
** task_store.c — the task DB: schema (and its migration from version 1), the
** run transaction and the task lifecycle (open, keep, reopen, escalate,
** clear; a stale trigger opens a backlog task, promoted when it turns fresh;
** done is final for its episode).
*/
#include "task_store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_open.h"
#include "kizuki.h"
#include "router.h"
#include "severity.h"
#include "task_internal.h"
#include "task_lifecycle.h"

const char *const kz_outcome_names[] = {"opened", "kept", "reopened", "escalated",
                                        "cleared", "backlog", "promoted", "done"};

enum {
  S_FIND, S_INSERT, S_REOPEN, S_KEEP, S_ESCALATE, S_EVENT, S_ERROR, S_ERRORED,
  S_KEEP_HH, S_KEEP_SUBJ, S_KEEP_KEY, S_ERRORED_SUBJ, S_ISSUE,
  S_NSTMT
};

static const char *const SQL[S_NSTMT] = {
  [S_FIND] = "SELECT id, status, level, due_on, last_seen_on, agency, ward, unit, backlog, done_on "
             "FROM tasks WHERE rule = ?1 AND subject = ?2 AND key = ?3",
  [S_INSERT] = "INSERT INTO tasks (rule, subject, key, household_id, agency, ward, unit, "
               "severity, level, status, since, opened_on, due_on, last_seen_on, reason, "
               "evidence, rule_version, rule_file, rule_line, backlog) VALUES "
               "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 'open', ?9, ?10, ?11, ?10, ?12, ?13, ?14, ?15, ?16, ?17)",
  /* Reopen a cleared task, or promote a backlog one: level 0, routed afresh. */
  [S_REOPEN] = "UPDATE tasks SET status = 'open', level = 0, household_id = ?2, agency = ?3, "
               "ward = ?4, unit = ?5, severity = ?6, since = ?7, opened_on = ?8, due_on = ?9, "
               "last_seen_on = ?8, cleared_on = NULL, reason = ?10, evidence = ?11, "
               "rule_version = ?12, rule_file = ?13, rule_line = ?14, backlog = ?15, "
               "done_on = NULL, done_note = NULL WHERE id = ?1",
  [S_KEEP] = "UPDATE tasks SET last_seen_on = ?2, household_id = ?3, severity = ?4, reason = ?5, "
             "evidence = ?6, rule_version = ?7, rule_file = ?8, rule_line = ?9 WHERE id = ?1",
  [S_ESCALATE] = "UPDATE tasks SET level = ?2, unit = ?3, due_on = ?4 WHERE id = ?1",
  [S_EVENT] = "INSERT INTO task_events (task_id, run_id, on_date, event, unit, level, due_on) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [S_ERROR] = "INSERT INTO run_errors (run_id, rule, file, line, subject, message) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [S_ERRORED] = "INSERT OR IGNORE INTO temp.errored (rule, household_id) VALUES (?1, ?2)",
  [S_KEEP_HH] = "INSERT OR IGNORE INTO temp.kept_households (household_id) VALUES (?1)",
  [S_KEEP_SUBJ] = "INSERT OR IGNORE INTO temp.kept_subjects (subject) VALUES (?1)",
  [S_KEEP_KEY] = "INSERT OR IGNORE INTO temp.kept_keys (key) VALUES (?1)",
  [S_ERRORED_SUBJ] = "INSERT OR IGNORE INTO temp.errored_subjects (rule, subject) VALUES (?1, ?2)",
  [S_ISSUE] = "INSERT INTO run_issues (run_id, household_id, kind, table_name, row_id, "
              "column_name, value, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
};

struct kz_tasks {
  sqlite3 *db;
  int owns_db;
  const struct kz_profile *prof;
  sqlite3_stmt *st[S_NSTMT];
  long long run_id;
  kz_day as_of;
  char day[KZ_DATE_LEN];
  int in_run;
};

sqlite3 *kz_tasks_db(struct kz_tasks *ts) { return ts->db; }
long long kz_tasks_run_id(const struct kz_tasks *ts) { return ts->run_id; }

static int fail(struct kz_tasks *ts, struct kz_diag *d, const char *what) {
  kz_diag_add(d, NULL, 0, 0, "task DB: %s: %s", what, sqlite3_errmsg(ts->db));
  return -1;
}

/* {====== Schema versions ====== */

/* Version 1 -> 2: runs gets the backlog counts; tasks gets `backlog` and a
** nullable due_on, task_events may say 'promoted'. SQLite cannot drop a NOT
** NULL or change a CHECK with ALTER, so both tables are rebuilt the way
** https://www.sqlite.org/lang_altertable.html ("Making Other Kinds Of Table
** Schema Changes") says: create new_X, copy, drop X, rename new_X to X,
** recreate its indexes, check the foreign keys. Ids are copied, so
** task_events and every outside reference keep pointing at the same task.
** The two CREATE TABLEs must match schema/tasks.sql (a unit test compares a
** migrated DB with a fresh one, column by column). */
static const char MIGRATE_1_2[] =
  "ALTER TABLE runs ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE runs ADD COLUMN promoted INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE new_tasks ("
  "  id INTEGER PRIMARY KEY, rule TEXT NOT NULL, subject TEXT NOT NULL, key TEXT NOT NULL,"
  "  household_id TEXT NOT NULL, agency TEXT NOT NULL, ward TEXT, unit TEXT NOT NULL,"
  "  severity TEXT NOT NULL CHECK (severity IN ('low','medium','high','critical')),"
  "  level INTEGER NOT NULL DEFAULT 0,"
  "  status TEXT NOT NULL CHECK (status IN ('open','cleared','done')),"
  "  since TEXT, opened_on TEXT NOT NULL, due_on TEXT, last_seen_on TEXT NOT NULL,"
  "  cleared_on TEXT, done_on TEXT, done_note TEXT, reason TEXT NOT NULL,"
  "  evidence TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),"
  "  rule_version TEXT NOT NULL, rule_file TEXT, rule_line INTEGER,"
  "  backlog INTEGER NOT NULL DEFAULT 0 CHECK (backlog IN (0, 1)),"
  "  UNIQUE (rule, subject, key),"
  "  CHECK ((backlog = 1) = (due_on IS NULL))"
  ") STRICT;"
  "INSERT INTO new_tasks (id, rule, subject, key, household_id, agency, ward, unit, severity,"
  "  level, status, since, opened_on, due_on, last_seen_on, cleared_on, done_on, done_note,"
  "  reason, evidence, rule_version, rule_file, rule_line, backlog)"
  " SELECT id, rule, subject, key, household_id, agency, ward, unit, severity,"
  "  level, status, since, opened_on, due_on, last_seen_on, cleared_on, done_on, done_note,"
  "  reason, evidence, rule_version, rule_file, rule_line, 0 FROM tasks;"
  "DROP TABLE tasks;"
  "ALTER TABLE new_tasks RENAME TO tasks;"
  "CREATE INDEX tasks_open ON tasks(status, last_seen_on);"
  "CREATE INDEX tasks_unit ON tasks(unit, status);"
  "CREATE TABLE new_task_events ("
  "  id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id),"
  "  run_id INTEGER REFERENCES runs(id), on_date TEXT NOT NULL,"
  "  event TEXT NOT NULL CHECK (event IN ('opened','reopened','promoted','escalated','cleared','done')),"
  "  unit TEXT NOT NULL, level INTEGER NOT NULL, due_on TEXT, note TEXT"
  ") STRICT;"
  "INSERT INTO new_task_events (id, task_id, run_id, on_date, event, unit, level, due_on, note)"
  " SELECT id, task_id, run_id, on_date, event, unit, level, due_on, note FROM task_events;"
  "DROP TABLE task_events;"
  "ALTER TABLE new_task_events RENAME TO task_events;"
  "CREATE INDEX task_events_by_task ON task_events(task_id);"
  "CREATE INDEX task_events_by_run ON task_events(run_id);"
  "PRAGMA user_version = 2;";

/* One integer from a one-row query; -1 when it fails. */
static long long scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Version 1 -> 2 keeping what other tools built on the task DB: the
** rebuild drops tasks and task_events, which drops their triggers (an
** audit trigger gone without a word), and the rename refuses while a view
** names a table that is not there ("error in view ...": exit 5 every
** night). As the SQLite page says: remember every view and trigger, drop
** them, rebuild, create them again. One that no longer fits the new tables
** fails the migration (rolled back), naming it. */
static int migrate_1_2(struct kz_tasks *ts, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  char **sql = NULL, **name = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  if (sqlite3_prepare_v2(ts->db, "SELECT type, name, sql FROM sqlite_master WHERE type IN "
                         "('view', 'trigger') AND sql IS NOT NULL ORDER BY type DESC, rowid",
                         -1, &st, NULL) != SQLITE_OK)
    return fail(ts, d, "cannot read its views and triggers");
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      char **a = realloc(sql, cap * sizeof *a), **b = a ? realloc(name, cap * sizeof *b) : NULL;
      if (a) sql = a;
      if (b) name = b;
      if (!a || !b) { rc = -1; break; }
    }
    const char *type = (const char *)sqlite3_column_text(st, 0);
    sql[n] = strdup((const char *)sqlite3_column_text(st, 2));
    name[n] = sqlite3_mprintf("DROP %s IF EXISTS \"%w\"", strcmp(type, "view") == 0 ? "VIEW" : "TRIGGER",
                              (const char *)sqlite3_column_text(st, 1));
    if (!sql[n] || !name[n]) { free(sql[n]); sqlite3_free(name[n]); rc = -1; break; }
    n++;
  }
  sqlite3_finalize(st);
  if (rc) kz_diag_add(d, NULL, 0, 0, "task DB: out of memory reading its views and triggers");
  for (size_t i = 0; !rc && i < n; i++)
    if (sqlite3_exec(ts->db, name[i], NULL, NULL, NULL) != SQLITE_OK)
      rc = fail(ts, d, "cannot set its views and triggers aside to migrate it");
  if (!rc && sqlite3_exec(ts->db, MIGRATE_1_2, NULL, NULL, NULL) != SQLITE_OK)
    rc = fail(ts, d, "cannot migrate it from schema version 1 to 2");
  for (size_t i = 0; !rc && i < n; i++)
    if (sqlite3_exec(ts->db, sql[i], NULL, NULL, NULL) != SQLITE_OK) {
      kz_diag_add(d, NULL, 0, 0, "task DB: after the migration to schema version 2, this view or "
                  "trigger no longer fits (nothing was changed): %.200s: %s", sql[i],
                  sqlite3_errmsg(ts->db));
      rc = -1;
    }
  if (!rc && scalar(ts->db, "SELECT count(*) FROM pragma_foreign_key_check") != 0)
    rc = fail(ts, d, "migration to schema version 2 broke a foreign key");
  for (size_t i = 0; i < n; i++) { free(sql[i]); sqlite3_free(name[i]); }
  free(sql);
  free(name);
  return rc;
}

/* Bring an existing task DB up to KZ_TASKS_SCHEMA_VERSION, in one transaction
** (all of it or nothing). A fresh DB is left to the schema. Must run with
** foreign keys off (they cannot be switched inside a transaction). Returns 0,
** or -1 with the reason in d (a DB from a newer kizuki is refused). */
static int migrate(struct kz_tasks *ts, struct kz_diag *d) {
  int rc = 0;
  int x = sqlite3_exec(ts->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (x == SQLITE_BUSY || x == SQLITE_LOCKED) return -1;   /* the caller says "in use" */
  if (x != SQLITE_OK) return fail(ts, d, "cannot lock it to check its schema version");
  /* Read under the lock: another kizuki may have just migrated it. */
  long long version = scalar(ts->db, "PRAGMA user_version");
  long long has_tasks = scalar(ts->db, "SELECT count(*) FROM sqlite_master "
                                       "WHERE type = 'table' AND name = 'tasks'");
  if (version < 0 || has_tasks < 0) {
    rc = fail(ts, d, "cannot read its schema version");
  } else if (version > KZ_TASKS_SCHEMA_VERSION) {
    kz_diag_add(d, NULL, 0, 0, "task DB: its schema version is %lld, newer than this kizuki's "
                "(%d); use the kizuki that wrote it", version, KZ_TASKS_SCHEMA_VERSION);
    rc = -1;
  } else if (has_tasks && version < 2) {
    rc = migrate_1_2(ts, d);
  }
  sqlite3_exec(ts->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
  return rc;
}

/* }====== */

static int setup(struct kz_tasks *ts, struct kz_diag *d) {
  sqlite3_busy_timeout(ts->db, 0);
  if (kz_severity_sql_register(ts->db) != SQLITE_OK) return fail(ts, d, "cannot set up its connection");
  /* A case DB is never a task DB: another copy of the PF extract
  ** (yesterday's, a colleague's) given as --tasks had the task tables
  ** written into it and was turned to WAL, exit 0. A database that holds
  ** the case tables and no tasks is refused before the first write (the
  ** journal_mode below is one). */
  long long cases = scalar(ts->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                   "AND name IN ('households', 'persons', 'members')");
  long long tasks = scalar(ts->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                   "AND name = 'tasks'");
  if (cases > 0 && tasks == 0) {
    kz_diag_add(d, NULL, 0, 0, "task DB: it holds the case tables (households, persons, members) "
                "and no tasks: it is a case DB extract, not a kizuki task DB; refused, nothing "
                "written: give the task DB's path, or a new file");
    return -1;
  }
  sqlite3_exec(ts->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
  /* Foreign keys off while migrating (the documented way); on a failure the
  ** caller closes the connection, and sqlite3_errcode still tells busy. */
  sqlite3_exec(ts->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
  if (migrate(ts, d)) return -1;
  int rc = sqlite3_exec(ts->db,
      "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", NULL, NULL, NULL);
  if (rc == SQLITE_OK) {
    /* Creating the schema takes the write lock: a busy DB shows here. */
    rc = sqlite3_exec(ts->db, (const char *)schema_tasks_sql, NULL, NULL, NULL);
  }
  if (rc != SQLITE_OK) return fail(ts, d, "cannot create its tables");
  rc = sqlite3_exec(ts->db,
      "CREATE TEMP TABLE IF NOT EXISTS errored (rule TEXT, household_id TEXT, "
      "PRIMARY KEY (rule, household_id));"
      "CREATE TEMP TABLE IF NOT EXISTS run_rules (rule TEXT PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS kept_households (household_id TEXT PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS kept_subjects (subject TEXT PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS kept_keys (key TEXT PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS errored_subjects (rule TEXT, subject TEXT, "
      "PRIMARY KEY (rule, subject));",
      NULL, NULL, NULL);
  if (rc != SQLITE_OK) return fail(ts, d, "cannot create its scratch tables");
  for (int i = 0; i < S_NSTMT; i++)
    if (sqlite3_prepare_v3(ts->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &ts->st[i], NULL) != SQLITE_OK)
      return fail(ts, d, "cannot prepare its statements (is this a kizuki task DB?)");
  return 0;
}

int kz_tasks_attach(struct kz_tasks **out, sqlite3 *db, const struct kz_profile *prof,
                    struct kz_diag *d) {
  struct kz_tasks *ts = calloc(1, sizeof *ts);
  if (!ts) return KZ_EXIT_TASKS;
  ts->db = db;
  ts->prof = prof;
  if (setup(ts, d)) {
    int busy = sqlite3_errcode(db) == SQLITE_BUSY || sqlite3_errcode(db) == SQLITE_LOCKED;
    if (busy) kz_diag_add(d, NULL, 0, 0, "task DB is in use by another kizuki run; try again when it ends");
    kz_tasks_close(ts);
    return busy ? KZ_EXIT_BUSY : KZ_EXIT_TASKS;
  }
  *out = ts;
  return KZ_EXIT_OK;
}

/* The task DB holds the most sensitive facts a city has: owner only, even
** when the file was made before kizuki (umask covers only what it creates). */
static void owner_only(const char *path) {
  static const char *const suffix[] = {"", "-wal", "-shm"};
  char p[4096];
  struct stat sb;
  for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
    snprintf(p, sizeof p, "%s%s", path, suffix[i]);
    if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077)) chmod(p, 0600);
  }
}

int kz_tasks_open(struct kz_tasks **out, const char *path, const struct kz_profile *prof,
                  struct kz_diag *d) {
  sqlite3 *db = NULL;
  if (kz_db_open(path, KZ_DB_WRITE, &db, d)) return KZ_EXIT_TASKS;   /* "cannot open or create" */
  int rc = kz_tasks_attach(out, db, prof, d);
  if (rc != KZ_EXIT_OK) {
    sqlite3_close(db);
    return rc;
  }
  owner_only(path);
  (*out)->owns_db = 1;
  return KZ_EXIT_OK;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s) {
  if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(st, i);
}

static int run_stmt(struct kz_tasks *ts, sqlite3_stmt *st, struct kz_diag *d, const char *what) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return 0;
  return fail(ts, d, what);
}

int kz_tasks_begin(struct kz_tasks *ts, kz_day as_of, const char *digest, int nrules,
                   const char *const *rule_ids, struct kz_diag *d) {
  int rc = sqlite3_exec(ts->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    kz_diag_add(d, NULL, 0, 0, "task DB is in use by another kizuki run; try again when it ends");
    return KZ_EXIT_BUSY;
  }
  if (rc != SQLITE_OK) {
    fail(ts, d, "cannot start the run's transaction");
    return KZ_EXIT_TASKS;
  }
  ts->in_run = 1;
  ts->as_of = as_of;
  kz_date_format(as_of, ts->day);
  sqlite3_stmt *st = NULL;
  rc = sqlite3_exec(ts->db, "DELETE FROM temp.errored; DELETE FROM temp.run_rules;"
                    "DELETE FROM temp.kept_households; DELETE FROM temp.kept_subjects;"
                    "DELETE FROM temp.kept_keys; DELETE FROM temp.errored_subjects;",
                    NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(ts->db, "INSERT INTO temp.run_rules (rule) VALUES (?1)", -1, &st, NULL);
  for (int i = 0; rc == SQLITE_OK && i < nrules; i++) {
    sqlite3_bind_text(st, 1, rule_ids[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  st = NULL;
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(ts->db,
        "INSERT INTO runs (as_of, started_at, rules_digest, rules_count) "
        "VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?2, ?3)", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, ts->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, nrules);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK) {
    fail(ts, d, "cannot record the run");
    kz_tasks_rollback(ts);
    return KZ_EXIT_TASKS;
  }
  ts->run_id = sqlite3_last_insert_rowid(ts->db);
  return KZ_EXIT_OK;
}

static kz_day due_from(const struct kz_tasks *ts, kz_day from, int days, int calendar) {
  return calendar ? from + days : kz_calendar_add_business_days(&ts->prof->calendar, from, days);
}

static int add_event(struct kz_tasks *ts, long long task, const char *event, const char *unit,
                     int level, const char *due, struct kz_diag *d) {
  sqlite3_stmt *st = ts->st[S_EVENT];
  sqlite3_bind_int64(st, 1, task);
  sqlite3_bind_int64(st, 2, ts->run_id);
  sqlite3_bind_text(st, 3, ts->day, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, event, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 6, level);
  bind_opt(st, 7, due);
  return run_stmt(ts, st, d, "cannot record a task event");
}

/* The row of (rule, subject, key), as the lifecycle sees it plus what routing
** needs. Returns 1 found, 0 none, -1 on an SQLite error. */
struct found_task {
  long long id;
  int level;
  struct kz_lc_task lc;
  char agency[64], ward[64];
  int has_ward;
};

static int find_task(struct kz_tasks *ts, const struct kz_task_input *in, struct found_task *t,
                     char unit[64]) {
  sqlite3_stmt *st = ts->st[S_FIND];
  sqlite3_bind_text(st, 1, in->rule, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, in->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, in->key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
  if (found == 1) {
    const char *status = (const char *)sqlite3_column_text(st, 1);
    t->id = sqlite3_column_int64(st, 0);
    t->lc.status = strcmp(status, "open") == 0 ? KZ_TASK_OPEN
                 : strcmp(status, "done") == 0 ? KZ_TASK_DONE : KZ_TASK_CLEARED;
    t->level = sqlite3_column_int(st, 2);
    t->lc.due_on = KZ_DAY_NONE;   /* NULL: a backlog task */
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
      kz_date_parse((const char *)sqlite3_column_text(st, 3), &t->lc.due_on);
    t->lc.last_seen_on = KZ_DAY_NONE;
    kz_date_parse((const char *)sqlite3_column_text(st, 4), &t->lc.last_seen_on);
    snprintf(t->agency, sizeof t->agency, "%s", (const char *)sqlite3_column_text(st, 5));
    t->has_ward = sqlite3_column_type(st, 6) != SQLITE_NULL;
    if (t->has_ward) snprintf(t->ward, sizeof t->ward, "%s", (const char *)sqlite3_column_text(st, 6));
    snprintf(unit, 64, "%s", (const char *)sqlite3_column_text(st, 7));
    t->lc.backlog = sqlite3_column_int(st, 8);
    t->lc.done_on = KZ_DAY_NONE;   /* NULL: not done, or done on no recorded day */
    if (sqlite3_column_type(st, 9) != SQLITE_NULL)
      kz_date_parse((const char *)sqlite3_column_text(st, 9), &t->lc.done_on);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return found;
}

/* Keep an open task: last seen tonight, the finding's latest reason and
** evidence. */
static int keep_task(struct kz_tasks *ts, long long id, const struct kz_task_input *in,
                     struct kz_diag *d) {
  sqlite3_stmt *st = ts->st[S_KEEP];
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, ts->day, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, in->household_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, in->severity, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, in->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, in->evidence, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, in->rule_version, -1, SQLITE_STATIC);
  bind_opt(st, 8, in->rule_file);
  sqlite3_bind_int(st, 9, in->rule_line);
  return run_stmt(ts, st, d, "cannot keep a task");
}

/* One step up the ladder of the task's agency, due ladder_due_days from
** tonight. Returns 0, -2 when the ladder has no such step, -1 on SQLite. */
static int escalate_task(struct kz_tasks *ts, const struct found_task *t, char unit[64],
                         struct kz_diag *d) {
  char due[KZ_DATE_LEN];
  if (kz_profile_ladder_unit(ts->prof, t->agency, t->has_ward ? t->ward : NULL, t->level + 1, unit, 64)) {
    kz_diag_add(d, NULL, 0, 0, "cannot route task %lld up the ladder of agency '%s'", t->id, t->agency);
    return -2;
  }
  kz_date_format(due_from(ts, ts->as_of, ts->prof->ladder_due_days, 0), due);
  sqlite3_stmt *st = ts->st[S_ESCALATE];
  sqlite3_bind_int64(st, 1, t->id);
  sqlite3_bind_int(st, 2, t->level + 1);
  sqlite3_bind_text(st, 3, unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, due, -1, SQLITE_STATIC);
  if (run_stmt(ts, st, d, "cannot escalate a task")) return -1;
  return add_event(ts, t->id, "escalated", unit, t->level + 1, due, d);
}

/* A new task for the finding in, with unit, since and due date (NULL: a
** backlog task); its id into *id. Returns 0 or -1. */
static int insert_task(struct kz_tasks *ts, const struct kz_task_input *in, const char *unit,
                       const char *since, const char *due_or_null, int backlog, long long *id,
                       struct kz_diag *d) {
  sqlite3_stmt *st = ts->st[S_INSERT];
  sqlite3_bind_text(st, 1, in->rule, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, in->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, in->key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, in->household_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, in->agency, -1, SQLITE_STATIC);
  bind_opt(st, 6, in->ward);
  sqlite3_bind_text(st, 7, unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 8, in->severity, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 9, since, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, ts->day, -1, SQLITE_STATIC);
  bind_opt(st, 11, due_or_null);
  sqlite3_bind_text(st, 12, in->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 13, in->evidence, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 14, in->rule_version, -1, SQLITE_STATIC);
  bind_opt(st, 15, in->rule_file);
  sqlite3_bind_int(st, 16, in->rule_line);
  sqlite3_bind_int(st, 17, backlog);
  if (run_stmt(ts, st, d, "cannot open a task")) return -1;
  *id = sqlite3_last_insert_rowid(ts->db);
  return 0;
}

/* Reopen task id (cleared) or promote it (an open backlog task): level 0,
** routed afresh to unit, the finding's latest fields. Returns 0 or -1 (what
** says what failed). */
static int reopen_task(struct kz_tasks *ts, long long id, const struct kz_task_input *in,
                       const char *unit, const char *since, const char *due_or_null, int backlog,
                       struct kz_diag *d, const char *what) {
  sqlite3_stmt *st = ts->st[S_REOPEN];
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, in->household_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, in->agency, -1, SQLITE_STATIC);
  bind_opt(st, 4, in->ward);
  sqlite3_bind_text(st, 5, unit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 6, in->severity, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, since, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, ts->day, -1, SQLITE_STATIC);
  bind_opt(st, 9, due_or_null);
  sqlite3_bind_text(st, 10, in->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 11, in->evidence, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 12, in->rule_version, -1, SQLITE_STATIC);
  bind_opt(st, 13, in->rule_file);
  sqlite3_bind_int(st, 14, in->rule_line);
  sqlite3_bind_int(st, 15, backlog);
  return run_stmt(ts, st, d, what);
}

int kz_tasks_apply(struct kz_tasks *ts, const struct kz_task_input *in,
                   enum kz_outcome *outcome, char unit[64], struct kz_diag *d) {
  char since[KZ_DATE_LEN], due[KZ_DATE_LEN];
  struct found_task t = {0};
  int found = find_task(ts, in, &t, unit);
  if (found < 0) return fail(ts, d, "cannot look up a task");
  long long id = found ? t.id : 0;
  struct kz_lc_finding f = {in->since, in->open_within_days, in->never_backlog};
  struct kz_lc_decision dec = kz_lifecycle_decide(found ? &t.lc : NULL, &f, ts->as_of);

  switch (dec.action) {
  case KZ_LC_DONE:
    *outcome = KZ_OUT_DONE;
    return 0;
  case KZ_LC_SEEN:
    *outcome = KZ_OUT_KEPT;
    return 0;
  case KZ_LC_KEEP:
  case KZ_LC_ESCALATE:
    *outcome = KZ_OUT_KEPT;
    if (keep_task(ts, id, in, d)) return -1;
    if (dec.action == KZ_LC_KEEP) return 0;
    {
      int rc = escalate_task(ts, &t, unit, d);
      if (rc == 0) *outcome = KZ_OUT_ESCALATED;
      return rc;
    }
  case KZ_LC_OPEN:
  case KZ_LC_REOPEN:
  case KZ_LC_PROMOTE:
    break;
  case KZ_LC_NOTHING:
  case KZ_LC_CLEAR:
    return 0;   /* not with a finding */
  }

  /* A new episode, a cleared one that returns, or an open backlog task whose
  ** trigger turned fresh (promoted): route it afresh. A stale trigger gets no
  ** due date and goes to the backlog. */
  int stale = dec.backlog;
  kz_date_format(in->since, since);
  if (kz_router_unit(ts->prof, in->agency, in->ward, unit, 64)) {   /* router.h decides */
    kz_diag_add(d, NULL, 0, 0, "rule %s, subject %s: cannot route agency '%s' in ward '%s'",
                in->rule, in->subject, in->agency, in->ward ? in->ward : "(none)");
    return -2;
  }
  kz_date_format(due_from(ts, ts->as_of, in->due_days, in->due_calendar), due);
  const char *due_or_null = stale ? NULL : due;
  if (dec.action == KZ_LC_OPEN) {
    long long id_new;
    if (insert_task(ts, in, unit, since, due_or_null, stale, &id_new, d)) return -1;
    *outcome = stale ? KZ_OUT_BACKLOG : KZ_OUT_OPENED;
    return add_event(ts, id_new, "opened", unit, 0, due_or_null, d);
  }
  int promote = dec.action == KZ_LC_PROMOTE;
  if (reopen_task(ts, id, in, unit, since, due_or_null, stale, d,
                  promote ? "cannot promote a backlog task" : "cannot reopen a task"))
    return -1;
  *outcome = promote ? KZ_OUT_PROMOTED : stale ? KZ_OUT_BACKLOG : KZ_OUT_REOPENED;
  return add_event(ts, id, promote ? "promoted" : "reopened", unit, 0, due_or_null, d);
}

int kz_tasks_record_error(struct kz_tasks *ts, const char *rule, const char *household_id,
                          const char *subject, const char *file, int line, const char *message) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_ERROR];
  sqlite3_bind_int64(st, 1, ts->run_id);
  sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
  bind_opt(st, 3, file);
  if (line > 0) sqlite3_bind_int(st, 4, line);
  bind_opt(st, 5, subject);
  sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "error");
  if (household_id) rc |= kz_tasks_note_error(ts, rule, household_id);
  kz_diag_clear(&ignore);
  return rc;
}

int kz_tasks_note_error(struct kz_tasks *ts, const char *rule, const char *household_id) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_ERRORED];
  sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, household_id, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "errored");
  kz_diag_clear(&ignore);
  return rc;
}

int kz_tasks_keep_household(struct kz_tasks *ts, const char *household_id) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_KEEP_HH];
  if (!household_id) return 0;     /* a NULL in the NOT IN list would keep every task */
  sqlite3_bind_text(st, 1, household_id, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "keep");
  kz_diag_clear(&ignore);
  return rc;
}

int kz_tasks_keep_subject(struct kz_tasks *ts, const char *subject) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_KEEP_SUBJ];
  if (!subject) return 0;
  sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "keep");
  kz_diag_clear(&ignore);
  return rc;
}

int kz_tasks_keep_key(struct kz_tasks *ts, const char *key) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_KEEP_KEY];
  if (!key || !*key) return 0;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "keep");
  kz_diag_clear(&ignore);
  return rc;
}

/* The sweep clears only the rules of temp.run_rules: a suspended rule leaves it. */
int kz_tasks_keep_rule(struct kz_tasks *ts, const char *rule) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(ts->db, "DELETE FROM temp.run_rules WHERE rule = ?1", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? 0 : -1;
}

int kz_tasks_record_issue(struct kz_tasks *ts, const char *household_id, const char *kind,
                          const char *table, const char *row_id, const char *column,
                          const char *value, const char *why) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_ISSUE];
  sqlite3_bind_int64(st, 1, ts->run_id);
  bind_opt(st, 2, household_id);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, table, -1, SQLITE_STATIC);
  bind_opt(st, 5, row_id);
  bind_opt(st, 6, column);
  bind_opt(st, 7, value);
  sqlite3_bind_text(st, 8, why, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "issue");
  kz_diag_clear(&ignore);
  return rc;
}

int kz_tasks_note_error_subject(struct kz_tasks *ts, const char *rule, const char *subject) {
  struct kz_diag ignore = {0};
  sqlite3_stmt *st = ts->st[S_ERRORED_SUBJ];
  if (!subject) return 0;
  sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
  int rc = run_stmt(ts, st, &ignore, "errored subject");
  kz_diag_clear(&ignore);
  return rc;
}

int kz_tasks_each_open_owner(struct kz_tasks *ts,
                             int (*cb)(void *ctx, const char *household_id, const char *subject),
                             void *ctx, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(ts->db, "SELECT household_id, subject FROM tasks WHERE status = 'open'",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) return fail(ts, d, "cannot read open tasks");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (cb(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1))) {
      sqlite3_finalize(st);
      kz_diag_add(d, NULL, 0, 0, "out of memory");
      return -1;
    }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : fail(ts, d, "cannot read open tasks");
}

long long kz_tasks_sweep(struct kz_tasks *ts,
                         int (*looked)(void *ctx, const char *household_id, const char *subject,
                                       const char *rule),
                         void (*cb)(void *ctx, const char *rule, const char *unit), void *ctx,
                         struct kz_diag *d) {
  sqlite3_stmt *sel = NULL, *upd = NULL;
  long long n = 0;
  int rc = sqlite3_prepare_v2(ts->db,
      "SELECT t.id, t.rule, t.unit, t.level, t.household_id, t.subject FROM tasks t "
      "WHERE t.status = 'open' AND t.last_seen_on < ?1 "
      "AND t.rule IN (SELECT rule FROM temp.run_rules) "
      "AND NOT EXISTS (SELECT 1 FROM temp.errored e WHERE e.rule = t.rule "
      "AND e.household_id = t.household_id) "
      "AND NOT EXISTS (SELECT 1 FROM temp.errored_subjects e WHERE e.rule = t.rule "
      "AND e.subject = t.subject) "
      "AND t.household_id NOT IN (SELECT household_id FROM temp.kept_households) "
      "AND t.subject NOT IN (SELECT subject FROM temp.kept_subjects) "
      "AND NOT EXISTS (SELECT 1 FROM temp.kept_keys k WHERE t.key = k.key "
      "OR substr(t.key, 1, length(k.key) + 1) = k.key || ':')", -1, &sel, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(ts->db,
        "UPDATE tasks SET status = 'cleared', cleared_on = ?2 WHERE id = ?1", -1, &upd, NULL);
  if (rc != SQLITE_OK) { n = fail(ts, d, "cannot prepare the clearing pass"); goto done; }
  sqlite3_bind_text(sel, 1, ts->day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
    long long id = sqlite3_column_int64(sel, 0);
    const char *unit = (const char *)sqlite3_column_text(sel, 2);
    if (looked && !looked(ctx, (const char *)sqlite3_column_text(sel, 4),
                          (const char *)sqlite3_column_text(sel, 5),
                          (const char *)sqlite3_column_text(sel, 1)))
      continue;                     /* not looked at tonight: kept as it is */
    /* The query picked open tasks no finding held tonight: the lifecycle clears them. */
    struct kz_lc_task open = {KZ_TASK_OPEN, 0, KZ_DAY_NONE, KZ_DAY_NONE, KZ_DAY_NONE};
    if (kz_lifecycle_decide(&open, NULL, ts->as_of).action != KZ_LC_CLEAR) continue;
    sqlite3_bind_int64(upd, 1, id);
    sqlite3_bind_text(upd, 2, ts->day, -1, SQLITE_STATIC);
    if (run_stmt(ts, upd, d, "cannot clear a task")) { n = -1; goto done; }
    if (add_event(ts, id, "cleared", unit, sqlite3_column_int(sel, 3), NULL, d)) { n = -1; goto done; }
    if (cb) cb(ctx, (const char *)sqlite3_column_text(sel, 1), unit);
    n++;
  }
  if (rc != SQLITE_DONE) n = fail(ts, d, "cannot read open tasks");
done:
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  return n;
}

int kz_tasks_commit(struct kz_tasks *ts, long long households, const long long counts[KZ_NOUTCOMES],
                    long long errors, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(ts->db,
      "UPDATE runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'), households = ?2, "
      "opened = ?3, kept = ?4, reopened = ?5, escalated = ?6, cleared = ?7, errors = ?8, "
      "backlog = ?9, promoted = ?10 "
      "WHERE id = ?1", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, ts->run_id);
    sqlite3_bind_int64(st, 2, households);
    sqlite3_bind_int64(st, 3, counts[KZ_OUT_OPENED]);
    sqlite3_bind_int64(st, 4, counts[KZ_OUT_KEPT]);
    sqlite3_bind_int64(st, 5, counts[KZ_OUT_REOPENED]);
    sqlite3_bind_int64(st, 6, counts[KZ_OUT_ESCALATED]);
    sqlite3_bind_int64(st, 7, counts[KZ_OUT_CLEARED]);
    sqlite3_bind_int64(st, 8, errors);
    sqlite3_bind_int64(st, 9, counts[KZ_OUT_BACKLOG]);
    sqlite3_bind_int64(st, 10, counts[KZ_OUT_PROMOTED]);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_OK) rc = sqlite3_exec(ts->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    fail(ts, d, "cannot commit the run");
    kz_tasks_rollback(ts);
    return -1;
  }
  ts->in_run = 0;
  return 0;
}

int kz_tasks_mark_done(struct kz_tasks *ts, const char *rule, const char *subject,
                       const char *key, kz_day on, const char *note, struct kz_diag *d) {
  sqlite3_stmt *sel = NULL, *upd = NULL, *ev = NULL;
  char day[KZ_DATE_LEN];
  int rc = -1;
  kz_date_format(on, day);
  /* A savepoint nests inside a run's transaction and commits on its own. */
  if (sqlite3_exec(ts->db, "SAVEPOINT kz_done", NULL, NULL, NULL) != SQLITE_OK)
    return fail(ts, d, "cannot start marking a task done");
  if (sqlite3_prepare_v2(ts->db, "SELECT id, status, unit, level, due_on FROM tasks "
                         "WHERE rule = ?1 AND subject = ?2 AND key = ?3", -1, &sel, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(ts->db, "UPDATE tasks SET status = 'done', done_on = ?2, done_note = ?3 "
                         "WHERE id = ?1", -1, &upd, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(ts->db, "INSERT INTO task_events (task_id, run_id, on_date, event, unit, "
                         "level, due_on, note) VALUES (?1, NULL, ?2, 'done', ?3, ?4, ?5, ?6)",
                         -1, &ev, NULL) != SQLITE_OK) {
    fail(ts, d, "cannot prepare marking a task done");
    goto done;
  }
  sqlite3_bind_text(sel, 1, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text(sel, 2, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(sel, 3, key, -1, SQLITE_STATIC);
  int step = sqlite3_step(sel);
  if (step == SQLITE_DONE) {
    kz_diag_add(d, NULL, 0, 0, "no task %s / %s / %s to mark done", rule, subject, key);
    rc = 1;
    goto done;
  }
  if (step != SQLITE_ROW) { fail(ts, d, "cannot look up the task to mark done"); goto done; }
  if (strcmp((const char *)sqlite3_column_text(sel, 1), "done") == 0) {
    kz_diag_add(d, NULL, 0, 0, "task %s / %s / %s is already done", rule, subject, key);
    rc = 1;
    goto done;
  }
  long long id = sqlite3_column_int64(sel, 0);
  sqlite3_bind_int64(upd, 1, id);
  sqlite3_bind_text(upd, 2, day, -1, SQLITE_STATIC);
  bind_opt(upd, 3, note);
  if (sqlite3_step(upd) != SQLITE_DONE) { fail(ts, d, "cannot mark a task done"); goto done; }
  sqlite3_bind_int64(ev, 1, id);
  sqlite3_bind_text(ev, 2, day, -1, SQLITE_STATIC);
  sqlite3_bind_value(ev, 3, sqlite3_column_value(sel, 2));
  sqlite3_bind_int(ev, 4, sqlite3_column_int(sel, 3));
  sqlite3_bind_value(ev, 5, sqlite3_column_value(sel, 4));
  bind_opt(ev, 6, note);
  if (sqlite3_step(ev) != SQLITE_DONE) { fail(ts, d, "cannot record a done event"); goto done; }
  rc = 0;
done:
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  sqlite3_finalize(ev);
  sqlite3_exec(ts->db, rc == 0 ? "RELEASE kz_done" : "ROLLBACK TO kz_done; RELEASE kz_done",
               NULL, NULL, NULL);
  return rc;
}

static const char *col_or_empty(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? (const char *)s : "";
}

int kz_tasks_mark_done_id(struct kz_tasks *ts, const char *path, long long id, kz_day on,
                          const char *note, struct kz_task_done *out, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  char day[KZ_DATE_LEN];
  int rc = KZ_EXIT_TASKS;
  kz_date_format(on, day);
  int x = sqlite3_exec(ts->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (x != SQLITE_OK) {
    int busy = x == SQLITE_BUSY || x == SQLITE_LOCKED;
    kz_diag_add(d, path, 0, 0, "%s", busy ? "a kizuki run holds the task DB; try again when it ends"
                : sqlite3_errmsg(ts->db));
    return busy ? KZ_EXIT_BUSY : KZ_EXIT_TASKS;
  }
  if (sqlite3_prepare_v2(ts->db, "SELECT rule, subject, key, status, opened_on, done_on, "
                         "coalesce(done_note, ''), unit FROM tasks WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, path, 0, 0, "cannot look up the task: %s", sqlite3_errmsg(ts->db));
    goto done;
  }
  sqlite3_bind_int64(st, 1, id);
  x = sqlite3_step(st);
  if (x == SQLITE_DONE) {
    kz_diag_add(d, NULL, 0, 0, "no task %lld in %s (`kizuki tasks --status all` lists them)", id, path);
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  if (x != SQLITE_ROW) {
    kz_diag_add(d, path, 0, 0, "cannot look up the task: %s", sqlite3_errmsg(ts->db));
    goto done;
  }
  if (strcmp(col_or_empty(st, 3), "done") == 0) {
    kz_diag_add(d, NULL, 0, 0, "task %lld is already done (on %s: %s); nothing changed", id,
                col_or_empty(st, 5), col_or_empty(st, 6));
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  if (strcmp(day, col_or_empty(st, 4)) < 0) {
    kz_diag_add(d, NULL, 0, 0, "--on %s is before task %lld was opened (%s)", day, id, col_or_empty(st, 4));
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  out->rule = strdup(col_or_empty(st, 0)); out->subject = strdup(col_or_empty(st, 1));
  out->key = strdup(col_or_empty(st, 2)); out->unit = strdup(col_or_empty(st, 7));
  sqlite3_finalize(st);
  st = NULL;
  if (!out->rule || !out->subject || !out->key || !out->unit) {
    kz_diag_add(d, NULL, 0, 0, "out of memory");
    goto done;
  }
  x = kz_tasks_mark_done(ts, out->rule, out->subject, out->key, on, note, d);
  if (x != 0) { rc = x > 0 ? KZ_EXIT_USAGE : KZ_EXIT_TASKS; goto done; }
  if (sqlite3_exec(ts->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    kz_diag_add(d, path, 0, 0, "cannot commit: %s", sqlite3_errmsg(ts->db));
    goto done;
  }
  rc = KZ_EXIT_OK;
done:
  sqlite3_finalize(st);
  if (!sqlite3_get_autocommit(ts->db)) sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

void kz_tasks_rollback(struct kz_tasks *ts) {
  if (ts->in_run) sqlite3_exec(ts->db, "ROLLBACK", NULL, NULL, NULL);
  ts->in_run = 0;
}

void kz_tasks_close(struct kz_tasks *ts) {
  if (!ts) return;
  kz_tasks_rollback(ts);
  for (int i = 0; i < S_NSTMT; i++) sqlite3_finalize(ts->st[i]);
  if (ts->owns_db) sqlite3_close(ts->db);
  free(ts);
}
