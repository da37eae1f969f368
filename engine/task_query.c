/*
** task_query.c — read-only access to the task DB: opening it, the task
** filters (checked and resolved from staff names) and the order people see,
** and the rows (struct kz_task_row) with the evidence summaries, in codes
** and in Japanese, built by SQLite's json functions.
*/
#include "task_query.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_open.h"
#include "i18n.h"
#include "kizuki.h"
#include "severity.h"
#include "staff_names.h"
#include "strbuf.h"
#include "suggest.h"
#include "task_lifecycle.h"
#include "task_store.h"

/* The columns of a task query, in SELECT_TASKS order. */
enum {
  C_ID, C_SEVERITY, C_DUE_ON, C_UNIT, C_RULE, C_SUBJECT, C_KEY, C_LEVEL, C_STATUS, C_REASON,
  C_HOUSEHOLD, C_WARD, C_AGENCY, C_OPENED_ON, C_SINCE, C_LAST_SEEN_ON, C_CLEARED_ON, C_DONE_ON,
  C_DONE_NOTE, C_OVERDUE, C_EVIDENCE_TEXT, C_EVIDENCE_JA, C_EVIDENCE, C_BACKLOG, C_RULE_VERSION,
  C_RULE_FILE, C_RULE_LINE
};

/* The evidence of task t for people, each item "table id (field date, ...)"
** (%s: the name of a table or field: itself, or kz_ja(...) for staff; the
** brackets and separators) and items joined by "; ". kz_utf8 first: a byte
** that is not UTF-8 never makes the evidence unreadable. */
#define EVIDENCE_SQL(NAME_OPEN, NAME_CLOSE, OPEN, SEP, CLOSE) \
  "(SELECT group_concat(CASE WHEN e.type = 'object' THEN " \
  "   " NAME_OPEN "coalesce(e.value ->> 'table', '?')" NAME_CLOSE " || ' ' || coalesce(e.value ->> 'id', '?') || " \
  "   coalesce('" OPEN "' || (SELECT group_concat(" NAME_OPEN "f.key" NAME_CLOSE " || ' ' || f.value, '" SEP "') " \
  "                     FROM json_each(e.value) f WHERE f.key GLOB '*_on') || '" CLOSE "', '') " \
  "   ELSE e.value END, '; ') FROM json_each(kz_utf8(t.evidence)) e)"

/* The columns above; ?1 is the as-of date. */
static const char SELECT_TASKS[] =
  "SELECT t.id, t.severity, t.due_on, t.unit, t.rule, t.subject, t.key, t.level, t.status, "
  "t.reason, t.household_id, t.ward, t.agency, t.opened_on, t.since, t.last_seen_on, "
  "t.cleared_on, t.done_on, t.done_note, "
  "kz_overdue(t.status, t.backlog, t.due_on, ?1), "
  EVIDENCE_SQL("", "", " (", ", ", ")") ", "
  EVIDENCE_SQL("kz_ja(", ")", "（", "、", "）") ", "
  "t.evidence, t.backlog, t.rule_version, t.rule_file, t.rule_line "
  "FROM tasks t WHERE 1";

static const char *text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

static void read_task(sqlite3_stmt *st, struct kz_task_row *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, C_ID);
  r->severity = text(st, C_SEVERITY); r->due_on = text(st, C_DUE_ON); r->unit = text(st, C_UNIT);
  r->rule = text(st, C_RULE); r->subject = text(st, C_SUBJECT); r->key = text(st, C_KEY);
  r->level = sqlite3_column_int(st, C_LEVEL); r->status = text(st, C_STATUS);
  r->reason = text(st, C_REASON); r->household_id = text(st, C_HOUSEHOLD);
  r->ward = text(st, C_WARD); r->agency = text(st, C_AGENCY); r->opened_on = text(st, C_OPENED_ON);
  r->since = text(st, C_SINCE); r->last_seen_on = text(st, C_LAST_SEEN_ON);
  r->cleared_on = text(st, C_CLEARED_ON); r->done_on = text(st, C_DONE_ON);
  r->done_note = text(st, C_DONE_NOTE); r->overdue = sqlite3_column_int(st, C_OVERDUE);
  r->evidence_text = text(st, C_EVIDENCE_TEXT); r->evidence_ja = text(st, C_EVIDENCE_JA);
  r->evidence = text(st, C_EVIDENCE); r->backlog = sqlite3_column_int(st, C_BACKLOG);
  r->rule_version = text(st, C_RULE_VERSION); r->rule_file = text(st, C_RULE_FILE);
  r->rule_line = sqlite3_column_int(st, C_RULE_LINE);
}

/* kz_ja(name): staff's name of a case-record table or column. */
static void sql_ja(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  const unsigned char *s = sqlite3_value_text(argv[0]);
  if (!s) { sqlite3_result_null(cx); return; }
  sqlite3_result_text(cx, kz_staff_field_name((const char *)s), -1, SQLITE_TRANSIENT);
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (!len || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && s[1] < 0xA0) return 0;              /* overlong */
  if (c == 0xED && s[1] >= 0xA0) return 0;             /* a surrogate */
  if (c == 0xF0 && s[1] < 0x90) return 0;              /* overlong */
  if (c == 0xF4 && s[1] >= 0x90) return 0;             /* past U+10FFFF */
  return len;
}

long long kz_taskq_utf8(struct kz_strbuf *b, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  long long bad = 0;
  for (size_t i = 0; i < n;) {
    size_t len = utf8_len(u + i, n - i);
    if (len) kz_strbuf_add(b, s + i, len);
    else { kz_strbuf_add(b, "\xEF\xBF\xBD", 3); bad++; }
    i += len ? len : 1;
  }
  return bad;
}

/* kz_utf8(text): text with every byte that is not UTF-8 replaced by U+FFFD. */
static void sql_utf8(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  const unsigned char *s = sqlite3_value_text(argv[0]);
  if (!s) { sqlite3_result_null(cx); return; }
  struct kz_strbuf b = {0};
  kz_taskq_utf8(&b, (const char *)s, (size_t)sqlite3_value_bytes(argv[0]));
  if (b.oom) sqlite3_result_error_nomem(cx);
  else sqlite3_result_text(cx, kz_strbuf_str(&b), -1, SQLITE_TRANSIENT);
  kz_strbuf_free(&b);
}

/* kz_overdue(status, backlog, due_on, as_of): kz_task_overdue_text, the one
** definition of overdue, for the columns and the --overdue filter. */
static void sql_overdue(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *as_of = (const char *)sqlite3_value_text(argv[3]);
  kz_day day = KZ_DAY_NONE;
  if (as_of && kz_date_parse(as_of, &day)) day = KZ_DAY_NONE;
  sqlite3_result_int(cx, kz_task_overdue_text((const char *)sqlite3_value_text(argv[0]),
                                              sqlite3_value_int(argv[1]),
                                              (const char *)sqlite3_value_text(argv[2]), day));
}

int kz_taskq_open_ro(const char *path, sqlite3 **out, struct kz_diag *d) {
  sqlite3 *db = NULL;
  if (kz_db_open(path, KZ_DB_READ, &db, d)) return -1;
  sqlite3_busy_timeout(db, 5000);     /* a nightly run may be checkpointing or committing */
  if (kz_severity_sql_register(db) != SQLITE_OK ||
      sqlite3_create_function(db, "kz_ja", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_ja,
                              NULL, NULL) != SQLITE_OK ||
      sqlite3_create_function(db, "kz_utf8", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                              sql_utf8, NULL, NULL) != SQLITE_OK ||
      sqlite3_create_function(db, "kz_overdue", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                              sql_overdue, NULL, NULL) != SQLITE_OK) {
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

/* Prepare the query for f (SELECT_TASKS, filtered, in the order people see). */
static int prepare(sqlite3 *db, const struct kz_taskq_filter *f, sqlite3_stmt **out,
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
  if (f->overdue) kz_strbuf_adds(&sql, " AND kz_overdue(t.status, t.backlog, t.due_on, ?1)");
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

int kz_taskq_each(sqlite3 *db, const struct kz_taskq_filter *f, kz_task_row_fn fn, void *ctx,
                  struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  struct kz_task_row r;
  int rc = 0, step;
  if (prepare(db, f, &st, d)) return -1;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    read_task(st, &r);
    if ((rc = fn(ctx, &r)) != 0) break;
  }
  if (rc == 0 && step != SQLITE_DONE) {
    kz_diag_add(d, NULL, 0, 0, "cannot read tasks: %s", sqlite3_errmsg(db));
    rc = -1;
  }
  sqlite3_finalize(st);
  return rc;
}

static int count_row(void *ctx, const struct kz_task_row *r) {
  (void)r;
  ++*(long long *)ctx;
  return 0;
}

int kz_taskq_count(sqlite3 *db, const struct kz_taskq_filter *f, long long *n, struct kz_diag *d) {
  *n = 0;
  return kz_taskq_each(db, f, count_row, n, d) ? -1 : 0;
}

int kz_taskq_get(sqlite3 *db, long long id, kz_day as_of, kz_task_row_fn fn, void *ctx,
                 struct kz_diag *d) {
  struct kz_strbuf sql = {0};
  sqlite3_stmt *st = NULL;
  struct kz_task_row r;
  char day[KZ_DATE_LEN];
  int rc = -1, step;
  kz_strbuf_adds(&sql, SELECT_TASKS);
  kz_strbuf_adds(&sql, " AND t.id = ?2");
  if (sql.oom) { kz_diag_add(d, NULL, 0, 0, "out of memory"); goto done; }
  if (sqlite3_prepare_v2(db, kz_strbuf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot read the task: %s", sqlite3_errmsg(db));
    goto done;
  }
  sqlite3_bind_text(st, 1, kz_date_format(as_of, day), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, id);
  step = sqlite3_step(st);
  if (step == SQLITE_DONE) { rc = 1; goto done; }
  if (step != SQLITE_ROW) {
    kz_diag_add(d, NULL, 0, 0, "cannot read the task: %s", sqlite3_errmsg(db));
    goto done;
  }
  read_task(st, &r);
  rc = fn(ctx, &r);
done:
  sqlite3_finalize(st);
  kz_strbuf_free(&sql);
  return rc;
}

int kz_taskq_each_event(sqlite3 *db, long long id, kz_task_row_fn fn, void *ctx, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  struct kz_task_row r;
  int rc = 0, step;
  if (sqlite3_prepare_v2(db, "SELECT on_date, event, unit, level, due_on, coalesce(run_id, 0), note "
                         "FROM task_events WHERE task_id = ?1 ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot read the task's history: %s", sqlite3_errmsg(db));
    return -1;
  }
  sqlite3_bind_int64(st, 1, id);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&r, 0, sizeof r);
    r.id = id;
    r.on_date = text(st, 0); r.event = text(st, 1); r.unit = text(st, 2);
    r.level = sqlite3_column_int(st, 3); r.due_on = text(st, 4);
    r.run_id = sqlite3_column_int64(st, 5); r.note = text(st, 6);
    if ((rc = fn(ctx, &r)) != 0) break;
  }
  if (rc == 0 && step != SQLITE_DONE) {
    kz_diag_add(d, NULL, 0, 0, "cannot read the task's history: %s", sqlite3_errmsg(db));
    rc = -1;
  }
  sqlite3_finalize(st);
  return rc;
}

int kz_taskq_each_evidence(sqlite3 *db, long long id,
                           int (*fn)(void *ctx, const struct kz_taskq_evidence *e), void *ctx,
                           struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  int rc = 0, step;
  if (sqlite3_prepare_v2(db,
      "SELECT e.type = 'object', coalesce(e.value ->> 'table', ''), coalesce(e.value ->> 'id', ''), "
      "  (SELECT group_concat(f.key || ' ' || coalesce(f.atom, f.value), ', ') "
      "   FROM json_each(iif(e.type = 'object', e.value, '{}')) f "
      "   WHERE f.key NOT IN ('table', 'id')), e.value "
      "FROM tasks t, json_each(kz_utf8(t.evidence)) e WHERE t.id = ?1 ORDER BY e.id",
      -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot read the evidence of task %lld: %s", id, sqlite3_errmsg(db));
    return -1;
  }
  sqlite3_bind_int64(st, 1, id);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    struct kz_taskq_evidence e = {sqlite3_column_int(st, 0), text(st, 1), text(st, 2),
                                  text(st, 3), text(st, 4)};
    if ((rc = fn(ctx, &e)) != 0) break;
  }
  if (rc == 0 && step != SQLITE_DONE) {
    kz_diag_add(d, NULL, 0, 0, "cannot read the evidence of task %lld: %s", id, sqlite3_errmsg(db));
    rc = -1;
  }
  sqlite3_finalize(st);
  return rc;
}

int kz_taskq_last_run(sqlite3 *db, kz_day *out, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  int rc = -1;
  *out = KZ_DAY_NONE;
  if (sqlite3_prepare_v2(db, "SELECT max(as_of) FROM runs WHERE finished_at IS NOT NULL", -1, &st,
                         NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    rc = 0;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL && kz_date_parse(text(st, 0), out)) rc = -1;
  }
  if (rc) kz_diag_add(d, NULL, 0, 0, "cannot read the task DB's last run: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* {====== Filters from what staff type ====== */

/* The distinct values of column (unit, ward or rule) the task DB holds,
** tasks and (for units) their history, into *out. Returns 0 or -1 with d. */
static int known_values(sqlite3 *db, const char *column, char ***out, size_t *n, struct kz_diag *d) {
  char sql[256];
  sqlite3_stmt *st = NULL;
  char **v = NULL;
  size_t cnt = 0;
  int rc = -1, step;
  *out = NULL;
  *n = 0;
  snprintf(sql, sizeof sql, strcmp(column, "unit") == 0
           ? "SELECT unit FROM tasks UNION SELECT unit FROM task_events ORDER BY 1"
           : "SELECT DISTINCT %s FROM tasks WHERE %s IS NOT NULL ORDER BY 1", column, column);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) goto fail;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *s = text(st, 0);
    if (!s) continue;
    char **p = realloc(v, (cnt + 1) * sizeof *p);
    if (!p) goto fail;
    v = p;
    if (!(v[cnt] = strdup(s))) goto fail;
    cnt++;
  }
  if (step != SQLITE_DONE) goto fail;
  *out = v;
  *n = cnt;
  v = NULL;
  cnt = 0;
  rc = 0;
  goto done;
fail:
  kz_diag_add(d, NULL, 0, 0, "cannot read the task DB's %ss: %s", column, sqlite3_errmsg(db));
done:
  sqlite3_finalize(st);
  kz_taskq_units_free(v, cnt);
  return rc;
}

/* "--unit: no unit 'x' (did you mean 'y'?); ..." */
static void unknown(struct kz_diag *d, const char *opt, const char *what, const char *given,
                    const char *near, const char *listing) {
  if (near && *near)
    kz_diag_add(d, NULL, 0, 0, _("%s: no %s '%s' (did you mean '%s'?); %s"), opt, what, given, near,
                listing);
  else
    kz_diag_add(d, NULL, 0, 0, _("%s: no %s '%s'; %s"), opt, what, given, listing);
}

static int resolve_status(struct kz_taskq_filter *f, struct kz_taskq_names *own, struct kz_diag *d) {
  static const char *const CODES[] = {"open", "cleared", "done", "all"};
  const char *cands[8];
  if (!f->status) return 0;
  for (size_t i = 0; i < 4; i++) {
    cands[2 * i] = CODES[i];
    cands[2 * i + 1] = kz_staff_status_name(CODES[i]);
    if (!strcmp(f->status, CODES[i]) || !strcmp(f->status, cands[2 * i + 1])) {
      snprintf(own->status, sizeof own->status, "%s", CODES[i]);
      f->status = own->status;
      return 0;
    }
  }
  unknown(d, "--status", _("status"), f->status, kz_suggest(f->status, cands, 8),
          _("it is open, cleared, done or all (対応中, 解消, 完了, すべて)"));
  return -1;
}

static int resolve_severity(struct kz_taskq_filter *f, struct kz_taskq_names *own, struct kz_diag *d) {
  const char *cands[2 * KZ_NSEVERITIES];
  if (!f->severity) return 0;
  for (size_t i = 0; i < KZ_NSEVERITIES; i++) {
    cands[2 * i] = kz_severities[i].name;
    cands[2 * i + 1] = kz_severities[i].ja;
    if (!strcmp(f->severity, kz_severities[i].name) || !strcmp(f->severity, kz_severities[i].ja)) {
      snprintf(own->severity, sizeof own->severity, "%s", kz_severities[i].name);
      f->severity = own->severity;
      return 0;
    }
  }
  unknown(d, "--severity", _("severity"), f->severity, kz_suggest(f->severity, cands, 2 * KZ_NSEVERITIES),
          _("it is critical, high, medium or low (緊急, 高, 中, 低)"));
  return -1;
}

static int resolve_rule(sqlite3 *db, const struct kz_ruleset *rules, struct kz_taskq_filter *f,
                        struct kz_taskq_names *own, struct kz_diag *d) {
  char **known = NULL;
  size_t nknown = 0;
  int rc = -1;
  if (!f->rule) return 0;
  if (known_values(db, "rule", &known, &nknown, d)) return -1;
  const char *found = NULL;
  for (size_t i = 0; i < nknown && !found; i++)
    if (!strcmp(known[i], f->rule)) found = known[i];
  for (size_t i = 0; rules && i < rules->n && !found; i++)
    if (!strcmp(rules->rules[i].id, f->rule)) found = rules->rules[i].id;
  /* By title: a title two rules share is not guessed (one rule's tasks
  ** would be listed as if they were all). */
  struct kz_strbuf same = {0};
  size_t ntitle = 0;
  int found_by_id = found != NULL;
  for (size_t i = 0; rules && i < rules->n && !found_by_id; i++)
    if (!strcmp(rules->rules[i].title, f->rule)) {
      kz_strbuf_addf(&same, "%s%s", ntitle++ ? ", " : "", rules->rules[i].id);
      found = rules->rules[i].id;
    }
  if (ntitle > 1) {
    kz_diag_add(d, NULL, 0, 0, "--rule: '%s' is the title of more than one rule (%s); give the "
                "rule id", f->rule, kz_strbuf_str(&same));
    kz_strbuf_free(&same);
    goto done;
  }
  kz_strbuf_free(&same);
  if (found) {
    snprintf(own->rule, sizeof own->rule, "%s", found);
    f->rule = own->rule;
    rc = 0;
    goto done;
  }
  size_t ncand = nknown + (rules ? rules->n : 0);
  const char **cands = malloc((ncand ? ncand : 1) * sizeof *cands);
  if (!cands) { kz_diag_add(d, NULL, 0, 0, "out of memory"); goto done; }
  for (size_t i = 0; i < nknown; i++) cands[i] = known[i];
  for (size_t i = 0; rules && i < rules->n; i++) cands[nknown + i] = rules->rules[i].id;
  unknown(d, "--rule", _("rule"), f->rule, ncand ? kz_suggest(f->rule, cands, ncand) : NULL,
          _("`kizuki rules` lists the rules"));
  free(cands);
done:
  kz_taskq_units_free(known, nknown);
  return rc;
}

/* --unit or --ward through kz_staff_resolve. */
static int resolve_place(sqlite3 *db, const struct kz_profile *prof, enum kz_staff_kind kind,
                         const char **value, char *own, size_t n, struct kz_diag *d) {
  char **known = NULL;
  size_t nknown = 0;
  int rc = 0;
  if (!*value) return 0;
  if (known_values(db, kind == KZ_NAME_UNIT ? "unit" : "ward", &known, &nknown, d)) return -1;
  int found = kz_staff_resolve(prof, kind, *value, (const char *const *)known, nknown, own, n);
  if (found == 0) {
    *value = own;
  } else if (found == -2) {
    kz_diag_add(d, NULL, 0, 0, "%s: '%s' is the name of more than one %s (%s); give the code",
                kind == KZ_NAME_UNIT ? "--unit" : "--ward", *value,
                kind == KZ_NAME_UNIT ? _("unit") : _("ward"), own);
    rc = -1;
  } else {
    const char *near = own[0] ? own : NULL;
    if (kind == KZ_NAME_UNIT)
      unknown(d, "--unit", _("unit"), *value, near,
              prof ? _("give a unit code (chuo.health_center) or its name (中央区保健センター)")
                   : _("give a unit code; names need the profile (--rules, --profile)"));
    else
      unknown(d, "--ward", _("ward"), *value, near,
              prof ? _("give a ward code (chuo) or its name (中央区)")
                   : _("give a ward code; names need the profile (--rules, --profile)"));
    rc = -1;
  }
  kz_taskq_units_free(known, nknown);
  return rc;
}

int kz_taskq_resolve_filter(sqlite3 *db, const struct kz_profile *prof,
                            const struct kz_ruleset *rules, struct kz_taskq_filter *f,
                            struct kz_taskq_names *own, struct kz_diag *d) {
  int rc = 0;
  if (resolve_status(f, own, d)) rc = -1;
  if (resolve_severity(f, own, d)) rc = -1;
  if (resolve_rule(db, rules, f, own, d)) rc = -1;
  if (resolve_place(db, prof, KZ_NAME_UNIT, &f->unit, own->unit, sizeof own->unit, d)) rc = -1;
  if (resolve_place(db, prof, KZ_NAME_WARD, &f->ward, own->ward, sizeof own->ward, d)) rc = -1;
  return rc;
}

/* }====== */
