/*
** task_query.c — read-only access to the task DB: opening it, the task
** filters and order people see, the evidence summary and JSON form of a task
** (built by SQLite's json functions), and RFC 4180 CSV records.
*/
#include "task_query.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_open.h"
#include "kizuki.h"
#include "severity.h"
#include "strbuf.h"
#include "task_store.h"

static const char *const STATUSES[] = {"open", "cleared", "done", "all", NULL};

/* The columns of enum kz_taskq_col; ?1 is the as-of date. */
static const char SELECT_TASKS[] =
  "SELECT t.id, t.severity, t.due_on, t.unit, t.rule, t.subject, t.key, t.level, t.status, "
  "t.reason, t.household_id, t.ward, t.agency, t.opened_on, t.since, t.last_seen_on, "
  "t.cleared_on, t.done_on, t.done_note, "
  "(t.status = 'open' AND t.backlog = 0 AND t.due_on < ?1), "
  /* Evidence for people: "checkups K1 (scheduled_on 2024-07-16); ..." */
  "(SELECT group_concat(CASE WHEN e.type = 'object' THEN "
  "   coalesce(e.value ->> 'table', '?') || ' ' || coalesce(e.value ->> 'id', '?') || "
  "   coalesce(' (' || (SELECT group_concat(f.key || ' ' || f.value, ', ') "
  "                     FROM json_each(e.value) f WHERE f.key GLOB '*_on') || ')', '') "
  "   ELSE e.value END, '; ') FROM json_each(t.evidence) e), "
  "json_object('id', t.id, 'rule', t.rule, 'subject', t.subject, 'key', t.key, "
  "  'household_id', t.household_id, 'severity', t.severity, 'level', t.level, "
  "  'status', t.status, 'unit', t.unit, 'agency', t.agency, 'ward', t.ward, "
  "  'since', t.since, 'opened_on', t.opened_on, 'due_on', t.due_on, "
  "  'backlog', json(iif(t.backlog, 'true', 'false')), "
  "  'overdue', json(iif(t.status = 'open' AND t.backlog = 0 AND t.due_on < ?1, 'true', 'false')), "
  "  'last_seen_on', t.last_seen_on, 'cleared_on', t.cleared_on, 'done_on', t.done_on, "
  "  'done_note', t.done_note, 'reason', t.reason, 'evidence', json(t.evidence), "
  "  'rule_version', t.rule_version, 'rule_file', t.rule_file, 'rule_line', t.rule_line), "
  "t.backlog "
  "FROM tasks t WHERE 1";

static int one_of(const char *s, const char *const *names) {
  for (size_t i = 0; names[i]; i++)
    if (strcmp(s, names[i]) == 0) return 1;
  return 0;
}

int kz_taskq_open_ro(const char *path, sqlite3 **out, struct kz_diag *d) {
  sqlite3 *db = NULL;
  if (kz_db_open(path, KZ_DB_READ, &db, d)) return -1;
  sqlite3_busy_timeout(db, 5000);     /* a nightly run may be checkpointing or committing */
  if (kz_severity_sql_register(db) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot set up the task DB connection: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
    return -1;
  }
  *out = db;
  return 0;
}

int kz_taskq_open(const char *path, sqlite3 **out, struct kz_diag *d) {
  struct stat sb;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc = KZ_EXIT_TASKS;
  if (stat(path, &sb) != 0) {
    kz_diag_add(d, path, 0, 0, "task DB not found (`kizuki run --tasks %s` creates it)", path);
    goto done;
  }
  if (!S_ISREG(sb.st_mode)) {
    kz_diag_add(d, path, 0, 0, "task DB is not a regular file");
    goto done;
  }
  if (kz_taskq_open_ro(path, &db, d)) goto done;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                         "AND name IN ('tasks', 'task_events', 'runs')", -1, &st, NULL) != SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    kz_diag_add(d, path, 0, 0, "cannot read the task DB: %s", sqlite3_errmsg(db));
    goto done;
  }
  if (sqlite3_column_int(st, 0) != 3) {
    kz_diag_add(d, path, 0, 0, "not a kizuki task DB (no tasks, task_events and runs tables)");
    goto done;
  }
  if (kz_taskq_check_version(db, path, d)) goto done;
  *out = db;
  db = NULL;
  rc = KZ_EXIT_OK;
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

int kz_taskq_check_version(sqlite3 *db, const char *path, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  int version = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version == KZ_TASKS_SCHEMA_VERSION) return 0;
  if (version == 0)
    kz_diag_add(d, path, 0, 0, "not a kizuki task DB (it has no task DB schema version)");
  else if (version > 0 && version < KZ_TASKS_SCHEMA_VERSION)
    kz_diag_add(d, path, 0, 0, "the task DB has schema version %d, from before the backlog; the next "
                "`kizuki run --tasks %s` upgrades it in place (nothing is lost)", version,
                path ? path : "TASKS.db");
  else if (version > KZ_TASKS_SCHEMA_VERSION)
    kz_diag_add(d, path, 0, 0, "the task DB has schema version %d, newer than this kizuki's (%d); "
                "use the kizuki that wrote it", version, KZ_TASKS_SCHEMA_VERSION);
  else
    kz_diag_add(d, path, 0, 0, "cannot read the task DB's schema version: %s", sqlite3_errmsg(db));
  return -1;
}

int kz_taskq_check_filter(const struct kz_taskq_filter *f, struct kz_diag *d) {
  int rc = 0;
  if (f->status && !one_of(f->status, STATUSES)) {
    kz_diag_add(d, NULL, 0, 0, "--status must be open, cleared, done or all, not '%s'", f->status);
    rc = -1;
  }
  if (f->severity && !kz_severity_find(f->severity)) {
    kz_diag_add(d, NULL, 0, 0, "--severity must be critical, high, medium or low, not '%s'",
                f->severity);
    rc = -1;
  }
  return rc;
}

int kz_taskq_prepare(sqlite3 *db, const struct kz_taskq_filter *f, sqlite3_stmt **out,
                     struct kz_diag *d) {
  struct kz_strbuf sql = {0};
  sqlite3_stmt *st = NULL;
  char as_of[KZ_DATE_LEN], since[KZ_DATE_LEN];
  int rc = -1;
  const char *status = f->status ? f->status : "open";
  kz_date_format(f->as_of, as_of);
  kz_strbuf_adds(&sql, SELECT_TASKS);
  if (strcmp(status, "all") != 0) kz_strbuf_adds(&sql, " AND t.status = :status");
  if (f->unit) kz_strbuf_adds(&sql, " AND t.unit = :unit");
  if (f->ward) kz_strbuf_adds(&sql, " AND t.ward = :ward");
  if (f->rule) kz_strbuf_adds(&sql, " AND t.rule = :rule");
  if (f->severity) kz_strbuf_adds(&sql, " AND t.severity = :severity");
  if (f->overdue) kz_strbuf_adds(&sql, " AND t.status = 'open' AND t.backlog = 0 AND t.due_on < ?1");
  if (f->backlog == KZ_TQ_BACKLOG_EXCLUDE) kz_strbuf_adds(&sql, " AND t.backlog = 0");
  if (f->backlog == KZ_TQ_BACKLOG_ONLY) kz_strbuf_adds(&sql, " AND t.backlog = 1");
  if (f->opened_since != KZ_DAY_NONE) kz_strbuf_adds(&sql, " AND t.opened_on >= :since");
  kz_strbuf_adds(&sql, " ORDER BY kz_severity_rank(t.severity), t.due_on IS NULL, t.due_on, t.id");
  if (sql.oom) { kz_diag_add(d, NULL, 0, 0, "out of memory"); goto done; }
  if (sqlite3_prepare_v2(db, kz_strbuf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot query the task DB: %s", sqlite3_errmsg(db));
    goto done;
  }
  sqlite3_bind_text(st, 1, as_of, -1, SQLITE_TRANSIENT);
#define BIND(name, value) \
  do { int i_ = sqlite3_bind_parameter_index(st, name); \
       if (i_) sqlite3_bind_text(st, i_, value, -1, SQLITE_TRANSIENT); } while (0)
  BIND(":status", status);
  BIND(":unit", f->unit);
  BIND(":ward", f->ward);
  BIND(":rule", f->rule);
  BIND(":severity", f->severity);
  if (f->opened_since != KZ_DAY_NONE) BIND(":since", kz_date_format(f->opened_since, since));
#undef BIND
  *out = st;
  st = NULL;
  rc = 0;
done:
  sqlite3_finalize(st);
  kz_strbuf_free(&sql);
  return rc;
}

void kz_taskq_csv_record(FILE *out, const char *const *fields, size_t n, const char *eol) {
  for (size_t i = 0; i < n; i++) {
    const char *s = fields[i] ? fields[i] : "";
    if (i) fputc(',', out);
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, out); continue; }
    fputc('"', out);
    for (; *s; s++) {
      if (*s == '"') fputc('"', out);   /* a quote inside is doubled */
      fputc(*s, out);
    }
    fputc('"', out);
  }
  fputs(eol, out);
}

int kz_taskq_units(sqlite3 *db, const struct kz_taskq_filter *f, char ***out, size_t *n,
                   struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  char **v = NULL;
  size_t cnt = 0, cap = 0;
  int rc = -1, step;
  if (sqlite3_prepare_v2(db,
      "SELECT t.unit FROM tasks t WHERE (?1 IS NULL OR t.unit = ?1) AND (?2 IS NULL OR t.ward = ?2) "
      "UNION SELECT e.unit FROM task_events e JOIN tasks t ON t.id = e.task_id "
      "WHERE (?1 IS NULL OR e.unit = ?1) AND (?2 IS NULL OR t.ward = ?2) ORDER BY 1",
      -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot list units: %s", sqlite3_errmsg(db));
    goto done;
  }
  if (f->unit) sqlite3_bind_text(st, 1, f->unit, -1, SQLITE_STATIC);
  if (f->ward) sqlite3_bind_text(st, 2, f->ward, -1, SQLITE_STATIC);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (cnt == cap) {
      cap = cap ? cap * 2 : 32;
      char **p = realloc(v, cap * sizeof *p);
      if (!p) { kz_diag_add(d, NULL, 0, 0, "out of memory"); goto done; }
      v = p;
    }
    const unsigned char *u = sqlite3_column_text(st, 0);
    if (!(v[cnt] = strdup(u ? (const char *)u : ""))) { kz_diag_add(d, NULL, 0, 0, "out of memory"); goto done; }
    cnt++;
  }
  if (step != SQLITE_DONE) {
    kz_diag_add(d, NULL, 0, 0, "cannot list units: %s", sqlite3_errmsg(db));
    goto done;
  }
  *out = v;
  *n = cnt;
  v = NULL;
  cnt = 0;
  rc = 0;
done:
  sqlite3_finalize(st);
  kz_taskq_units_free(v, cnt);
  return rc;
}

void kz_taskq_units_free(char **units, size_t n) {
  for (size_t i = 0; i < n; i++) free(units[i]);
  free(units);
}

/* Prepare sql with ?1 bound to id. */
static int prepare_id(sqlite3 *db, const char *sql, long long id, sqlite3_stmt **out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
  sqlite3_bind_int64(st, 1, id);
  *out = st;
  return 0;
}

int kz_taskq_prepare_task(sqlite3 *db, long long id, sqlite3_stmt **out) {
  return prepare_id(db,
      "SELECT id, rule, subject, key, household_id, severity, status, level, since, opened_on, "
      "due_on, ward, agency, unit, last_seen_on, cleared_on, reason, rule_version, rule_file, "
      "rule_line, done_on, done_note, backlog FROM tasks WHERE id = ?1", id, out);
}

int kz_taskq_prepare_events(sqlite3 *db, long long id, sqlite3_stmt **out) {
  return prepare_id(db, "SELECT on_date, event, unit, level, coalesce(due_on, ''), "
                    "coalesce(run_id, 0), note FROM task_events WHERE task_id = ?1 "
                    "ORDER BY id", id, out);
}

int kz_taskq_prepare_evidence(sqlite3 *db, long long id, sqlite3_stmt **out) {
  return prepare_id(db,
      "SELECT e.type, coalesce(e.value ->> 'table', ''), coalesce(e.value ->> 'id', ''), "
      "  (SELECT group_concat(f.key || ' ' || coalesce(f.atom, f.value), ', ') "
      "   FROM json_each(iif(e.type = 'object', e.value, '{}')) f "
      "   WHERE f.key NOT IN ('table', 'id')), e.value "
      "FROM tasks t, json_each(t.evidence) e WHERE t.id = ?1 ORDER BY e.id", id, out);
}
