/*
** fixture.c — loading a fixture: YAML (yamltree.h) -> checked runs and an
** in-memory case DB built from schema/cases.sql, so that a fixture's rows
** meet the same schema and CHECK constraints as a real PF extract. Every
** problem names file:line:col; the loader reports all of them, not the first.
*/
#include "fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_open.h"
#include "i18n.h"
#include "kizuki.h"
#include "records.h"
#include "severity.h"
#include "strbuf.h"
#include "suggest.h"

const char *const kz_fixture_set_names[KZ_FX_NSETS] = {"open", "opened", "cleared", "escalated"};

static const char *const TOP_KEYS[] = {"name", "description", "rules", "params", "records", "runs",
                                       NULL};
static const char *const RUN_KEYS[] = {"as_of", "open", "opened", "cleared", "escalated", "done",
                                       "note", NULL};
static const char *const TASK_KEYS[] = {"rule", "subject", "key", "unit", "severity", "level",
                                        "due_on", "backlog", "note", NULL};
static const char *const DONE_KEYS[] = {"rule", "subject", "key", "note", NULL};

/* A row inserted into the case DB, remembered to map errors found later
** (duplicates, foreign keys) back to its place in the file. */
struct row_ref {
  const char *table;                  /* schema-owned name (struct table_info) */
  long long rowid;
  const struct kz_yaml_node *row;
  const char *id;                     /* the row's id, or NULL */
};

struct column_info {
  char *name;
  int is_int;                         /* declared INTEGER */
  int required;                       /* NOT NULL without a default */
  int is_date;                        /* *_on: a date */
  const char *const *values;          /* enumeration (records.h), or NULL */
  const struct kz_column *desc;       /* the contract's column (records.h), or NULL */
};

struct table_info {
  char *name;
  struct column_info *cols;
  size_t ncols;
  const char **names;                 /* column names + "note", NULL-terminated */
};

struct loader {
  struct kz_fixture *f;
  struct kz_diag *d;
  int bad;
  struct table_info *tables;          /* every table of the schema */
  size_t ntables;
  const char **table_names;           /* NULL-terminated, for suggestions */
  struct row_ref *rows;
  size_t nrows, caprows;
};

/* {====== Small helpers ====== */

static void error_at(struct loader *ld, const struct kz_yaml_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_at(struct loader *ld, const struct kz_yaml_node *n, const char *fmt, ...) {
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, _(fmt), ap);
  va_end(ap);
  kz_yaml_error(ld->d, n, "%s", msg);
  ld->bad = 1;
}

/* The text of a non-null scalar, or NULL after reporting "what: expected text". */
static const char *scalar_text(struct loader *ld, const struct kz_yaml_node *n, const char *what) {
  const char *s = NULL;
  if (kz_yaml_as_string(n, what, &s, ld->d)) { ld->bad = 1; return NULL; }
  return s;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "valid: a, b, c" for a NULL-terminated list, into b. */
static void list_values(struct kz_strbuf *b, const char *const *values) {
  for (size_t i = 0; values[i]; i++) kz_strbuf_addf(b, "%s%s", i ? ", " : "", values[i]);
}

static int in_list(const char *s, const char *const *values) {
  for (size_t i = 0; values[i]; i++)
    if (strcmp(s, values[i]) == 0) return 1;
  return 0;
}

/* Check a mapping's keys against allowed; each unknown key is reported with
** the nearest allowed one. what names the mapping ("run", "table persons"). */
static void check_keys(struct loader *ld, const struct kz_yaml_node *map, const char *what,
                       const char *kind, const char *const *allowed) {
  for (size_t i = 0; i < map->n; i++) {
    const struct kz_yaml_node *k = map->keys[i];
    if (strlen(k->text) == k->len && in_list(k->text, allowed)) continue;
    /* The key people mean by a word the spelling distance misses: `due`
    ** is due_on (not `rule`, one letter nearer). */
    static const char *const meant[][2] = {{"due", "due_on"}, {"date", "as_of"},
                                           {"on", "as_of"}, {"id", "key"}, {NULL, NULL}};
    const char *near = NULL;
    for (size_t m = 0; meant[m][0] && !near; m++)
      if (strcmp(k->text, meant[m][0]) == 0 && in_list(meant[m][1], allowed)) near = meant[m][1];
    if (!near) near = kz_yaml_nearest(k->text, allowed);
    error_at(ld, k, "unknown %s '%.60s' in %s (did you mean '%s'?)", kind, k->text, what,
             near ? near : "?");
  }
}

/* }====== */

/* {====== The schema ====== */

int kz_fixture_cases_db(sqlite3 **out, struct kz_diag *d) {
  sqlite3 *db = NULL;
  int rc = -1;
  if (kz_db_open(":memory:", KZ_DB_WRITE, &db, d)) {
    kz_diag_add(d, NULL, 0, 0, "cannot create an in-memory case DB");
    goto done;
  }
  if (sqlite3_exec(db, (const char *)schema_cases_sql, NULL, NULL, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot create the case schema: %s", sqlite3_errmsg(db));
    goto done;
  }
  rc = 0;
done:
  if (rc) sqlite3_close(db);
  else *out = db;
  return rc;
}

static void free_tables(struct loader *ld) {
  for (size_t t = 0; t < ld->ntables; t++) {
    struct table_info *ti = &ld->tables[t];
    for (size_t c = 0; c < ti->ncols; c++) free(ti->cols[c].name);
    free(ti->cols);
    free(ti->names);
    free(ti->name);
  }
  free(ld->tables);
  free(ld->table_names);
}

/* Read every table and column of the case DB's schema. Returns 0 or -1 (out
** of memory or an SQLite error, in d). */
static int read_schema(struct loader *ld, sqlite3 *db) {
  sqlite3_stmt *tl = NULL, *cl = NULL;
  int rc = -1;
  if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                         "AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &tl, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT name, upper(type), \"notnull\", dflt_value IS NULL "
                         "FROM pragma_table_info(?1) ORDER BY cid", -1, &cl, NULL) != SQLITE_OK) {
    kz_diag_add(ld->d, NULL, 0, 0, "cannot read the case schema: %s", sqlite3_errmsg(db));
    goto done;
  }
  while (sqlite3_step(tl) == SQLITE_ROW) {
    struct table_info *ts = realloc(ld->tables, (ld->ntables + 1) * sizeof *ts);
    if (!ts) goto oom;
    ld->tables = ts;
    struct table_info *ti = &ld->tables[ld->ntables++];
    memset(ti, 0, sizeof *ti);
    ti->name = strdup((const char *)sqlite3_column_text(tl, 0));
    if (!ti->name) goto oom;
    const struct kz_table *desc = kz_records_table(ti->name);
    sqlite3_bind_text(cl, 1, ti->name, -1, SQLITE_STATIC);
    while (sqlite3_step(cl) == SQLITE_ROW) {
      struct column_info *cs = realloc(ti->cols, (ti->ncols + 1) * sizeof *cs);
      if (!cs) goto oom;
      ti->cols = cs;
      struct column_info *ci = &ti->cols[ti->ncols++];
      memset(ci, 0, sizeof *ci);
      ci->name = strdup((const char *)sqlite3_column_text(cl, 0));
      if (!ci->name) goto oom;
      ci->is_int = strcmp((const char *)sqlite3_column_text(cl, 1), "INTEGER") == 0;
      ci->required = sqlite3_column_int(cl, 2) && sqlite3_column_int(cl, 3);
      ci->is_date = ends_with(ci->name, "_on");
      int k = desc ? kz_records_column(desc, ci->name) : -1;
      ci->values = k >= 0 ? desc->cols[k].values : NULL;
      ci->desc = k >= 0 ? &desc->cols[k] : NULL;
    }
    sqlite3_reset(cl);
    ti->names = calloc(ti->ncols + 2, sizeof *ti->names);
    if (!ti->names) goto oom;
    for (size_t c = 0; c < ti->ncols; c++) ti->names[c] = ti->cols[c].name;
    ti->names[ti->ncols] = "note";
  }
  ld->table_names = calloc(ld->ntables + 1, sizeof *ld->table_names);
  if (!ld->table_names) goto oom;
  for (size_t t = 0; t < ld->ntables; t++) ld->table_names[t] = ld->tables[t].name;
  rc = 0;
  goto done;
oom:
  kz_diag_add(ld->d, NULL, 0, 0, "out of memory reading the case schema");
done:
  sqlite3_finalize(tl);
  sqlite3_finalize(cl);
  return rc;
}

static const struct table_info *find_table(const struct loader *ld, const char *name) {
  for (size_t t = 0; t < ld->ntables; t++)
    if (strcmp(ld->tables[t].name, name) == 0) return &ld->tables[t];
  return NULL;
}

/* }====== */

/* {====== Records ====== */

static int remember_row(struct loader *ld, const char *table, long long rowid,
                        const struct kz_yaml_node *row, const char *id) {
  if (ld->nrows == ld->caprows) {
    size_t cap = ld->caprows ? ld->caprows * 2 : 64;
    struct row_ref *r = realloc(ld->rows, cap * sizeof *r);
    if (!r) return -1;
    ld->rows = r;
    ld->caprows = cap;
  }
  ld->rows[ld->nrows++] = (struct row_ref){table, rowid, row, id};
  return 0;
}

/* One value of a row, checked and ready to bind. */
struct value {
  const struct column_info *col;
  const struct kz_yaml_node *node;
  const char *text;        /* NULL: SQL NULL */
  long long num;           /* for integer columns */
};

/* Check the value of column ci in a row: type, date, enumeration. Fills v;
** returns 0, or -1 after reporting. */
static int check_value(struct loader *ld, const struct table_info *ti, const struct column_info *ci,
                       const struct kz_yaml_node *n, struct value *v, kz_day *day) {
  char what[160];
  snprintf(what, sizeof what, "%s.%s", ti->name, ci->name);
  v->col = ci;
  v->node = n;
  v->text = NULL;
  if (kz_yaml_is_null(n)) return 0;
  if (n->kind != KZ_YAML_SCALAR) {
    error_at(ld, n, "%s: expected a single value, got a %s", what, kz_yaml_kind_name(n));
    return -1;
  }
  if (ci->is_int) {
    int flag;
    struct kz_diag quiet = {0};
    if (kz_yaml_as_bool(n, what, &flag, &quiet) == 0) v->num = flag;
    else if (kz_yaml_as_int(n, what, &v->num, &quiet)) {
      kz_diag_clear(&quiet);
      error_at(ld, n, "%s: expected an integer, got '%.60s'", what, n->text);
      return -1;
    }
    kz_diag_clear(&quiet);
    v->text = n->text;
    if (ci->values) {
      char num[32];
      snprintf(num, sizeof num, "%lld", v->num);
      if (!in_list(num, ci->values)) {
        struct kz_strbuf b = {0};
        list_values(&b, ci->values);
        error_at(ld, n, "%s: '%.60s' is not one of the valid values (%s)", what, n->text,
                 kz_strbuf_str(&b));
        kz_strbuf_free(&b);
        return -1;
      }
    }
    return 0;
  }
  if (!(v->text = scalar_text(ld, n, what))) return -1;
  if (ci->is_date && kz_date_parse(v->text, day)) {
    error_at(ld, n, "%s: '%.60s' is not a valid date (expected YYYY-MM-DD, a real day)",
             what, v->text);
    return -1;
  }
  if (ci->values && !in_list(v->text, ci->values)) {
    struct kz_strbuf b = {0};
    list_values(&b, ci->values);
    error_at(ld, n, "%s: '%.60s' is not one of the valid values (%s)", what, v->text,
             kz_strbuf_str(&b));
    kz_strbuf_free(&b);
    return -1;
  }
  /* The rest of the contract, as the loader checks an extract (an id with a
  ** control character would quarantine its household). */
  const char *why = ci->desc ? kz_records_check(ci->desc, 1, v->text, strlen(v->text)) : NULL;
  if (why) {
    error_at(ld, n, "%s: value %s", what, why);
    return -1;
  }
  return 0;
}

/* The first earlier row of table with this id (for "first at line N"). */
static const struct row_ref *find_row(const struct loader *ld, const char *table, const char *id) {
  for (size_t i = 0; i < ld->nrows; i++)
    if (ld->rows[i].id && ld->rows[i].rowid != -1 && strcmp(ld->rows[i].table, table) == 0 &&
        strcmp(ld->rows[i].id, id) == 0)
      return &ld->rows[i];
  return NULL;
}

/* The checked values of one row, in column order. */
struct row_values {
  struct value vals[64];
  size_t nv;
  int has_recorded;        /* recorded_on given */
  kz_day earliest;         /* the earliest other date, or KZ_DAY_NONE */
  const char *id;          /* the row's id, or NULL */
};

/* Check every column of row (a mapping) into rv, reporting each problem.
** Returns 0 when every value is good, -1 otherwise. */
static int check_row(struct loader *ld, const struct table_info *ti,
                     const struct kz_yaml_node *row, struct row_values *rv) {
  int ok = 1;
  for (size_t c = 0; c < ti->ncols && rv->nv < sizeof rv->vals / sizeof *rv->vals; c++) {
    const struct column_info *ci = &ti->cols[c];
    const struct kz_yaml_node *n = kz_yaml_map_get(row, ci->name);
    if (!n) {
      if (ci->required) {
        error_at(ld, row, "%s row: missing required column '%s'", ti->name, ci->name);
        ok = 0;
      }
      continue;
    }
    kz_day day = KZ_DAY_NONE;
    struct value *v = &rv->vals[rv->nv];
    if (check_value(ld, ti, ci, n, v, &day)) { ok = 0; continue; }
    if (!v->text && ci->required) {
      error_at(ld, n, "%s row: required column '%s' may not be null", ti->name, ci->name);
      ok = 0;
      continue;
    }
    if (strcmp(ci->name, "recorded_on") == 0) rv->has_recorded = 1;
    else if (day != KZ_DAY_NONE && (rv->earliest == KZ_DAY_NONE || day < rv->earliest))
      rv->earliest = day;
    if (strcmp(ci->name, "id") == 0) rv->id = v->text;
    rv->nv++;
  }
  return ok ? 0 : -1;
}

/* INSERT INTO "table" ("col", ...[, recorded_on]) VALUES (?, ...), or
** DEFAULT VALUES when there is no column at all. */
static void insert_sql(struct kz_strbuf *sql, const struct table_info *ti,
                       const struct row_values *rv, int default_recorded) {
  size_t nv = rv->nv;
  kz_strbuf_addf(sql, "INSERT INTO \"%s\" (", ti->name);
  for (size_t i = 0; i < nv; i++) kz_strbuf_addf(sql, "%s\"%s\"", i ? ", " : "", rv->vals[i].col->name);
  if (default_recorded) kz_strbuf_addf(sql, "%srecorded_on", nv ? ", " : "");
  kz_strbuf_adds(sql, nv || default_recorded ? ") VALUES (" : ") DEFAULT VALUES");
  for (size_t i = 0; i < nv + (size_t)default_recorded; i++) kz_strbuf_addf(sql, "%s?", i ? ", " : "");
  if (nv || default_recorded) kz_strbuf_adds(sql, ")");
}

static void bind_values(sqlite3_stmt *st, const struct row_values *rv, const char *recorded) {
  for (size_t i = 0; i < rv->nv; i++) {
    int p = (int)i + 1;
    const struct value *v = &rv->vals[i];
    if (!v->text) sqlite3_bind_null(st, p);
    else if (v->col->is_int) sqlite3_bind_int64(st, p, v->num);
    else sqlite3_bind_text(st, p, v->text, -1, SQLITE_STATIC);
  }
  if (recorded) sqlite3_bind_text(st, (int)rv->nv + 1, recorded, -1, SQLITE_STATIC);
}

/* What became of a row's INSERT. */
enum insert_result { ROW_INSERTED, ROW_REJECTED, ROW_FAILED };

/* The schema refused the row: a duplicate id (naming the first row with
** it), or the schema's own reason. */
static void report_refused(struct loader *ld, const struct table_info *ti,
                           const struct kz_yaml_node *row, const char *id) {
  int ext = sqlite3_extended_errcode(ld->f->cases);
  const struct row_ref *first = id ? find_row(ld, ti->name, id) : NULL;
  if ((ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE) && first)
    error_at(ld, kz_yaml_map_get(row, "id"), "duplicate id '%s' in %s (first at line %d)", id,
             ti->name, first->row->line);
  else
    error_at(ld, row, "%s row rejected by the schema: %s", ti->name,
             sqlite3_errmsg(ld->f->cases));
}

/* Insert the checked row into the case DB. recorded_on omitted: the PF
** learned the row on its earliest date (a row with no date at all is known
** from the beginning: NULL). ROW_REJECTED when the schema refused it,
** ROW_FAILED when it could not even be tried; both reported. */
static enum insert_result insert_row(struct loader *ld, const struct table_info *ti,
                                     const struct kz_yaml_node *row, const struct row_values *rv) {
  enum insert_result res = ROW_FAILED;
  char recorded[KZ_DATE_LEN];
  struct kz_strbuf sql = {0};
  sqlite3_stmt *st = NULL;
  int default_recorded = !rv->has_recorded && rv->earliest != KZ_DAY_NONE &&
                         in_list("recorded_on", ti->names);
  if (default_recorded) kz_date_format(rv->earliest, recorded);
  insert_sql(&sql, ti, rv, default_recorded);
  if (sql.oom) { error_at(ld, row, "out of memory"); goto done; }
  if (!rv->nv && !default_recorded) {
    error_at(ld, row, "%s row has no columns", ti->name);
    goto done;
  }
  if (sqlite3_prepare_v2(ld->f->cases, kz_strbuf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
    error_at(ld, row, "%s row: %s", ti->name, sqlite3_errmsg(ld->f->cases));
    goto done;
  }
  bind_values(st, rv, default_recorded ? recorded : NULL);
  if (sqlite3_step(st) != SQLITE_DONE) {
    report_refused(ld, ti, row, rv->id);
    res = ROW_REJECTED;
    goto done;
  }
  res = ROW_INSERTED;
done:
  sqlite3_finalize(st);
  kz_strbuf_free(&sql);
  return res;
}

/* Check and insert one row of table ti. A rejected row is remembered with
** no rowid, so that references to it are not reported a second time as
** "unknown". */
static void load_row(struct loader *ld, const struct table_info *ti, const struct kz_yaml_node *row) {
  struct row_values rv = {.earliest = KZ_DAY_NONE};
  char what[96];
  snprintf(what, sizeof what, "table %s", ti->name);
  if (row->kind != KZ_YAML_MAPPING) {
    error_at(ld, row, "a row of %s must be a mapping {column: value, ...}, got a %s", ti->name,
             kz_yaml_kind_name(row));
    return;
  }
  check_keys(ld, row, what, "column", ti->names);
  enum insert_result res = check_row(ld, ti, row, &rv) ? ROW_REJECTED : insert_row(ld, ti, row, &rv);
  if (res == ROW_INSERTED) {
    if (remember_row(ld, ti->name, sqlite3_last_insert_rowid(ld->f->cases), row, rv.id))
      error_at(ld, row, "out of memory");
  } else if (res == ROW_REJECTED) {
    const struct kz_yaml_node *idn = kz_yaml_map_get(row, "id");
    if (idn && idn->kind == KZ_YAML_SCALAR && !kz_yaml_is_null(idn))
      remember_row(ld, ti->name, -1, row, idn->text);
  }
}

/* Every row that references a missing household or person, reported at the
** referencing value with the nearest existing id. */
static void check_foreign_keys(struct loader *ld) {
  sqlite3 *db = ld->f->cases;
  sqlite3_stmt *chk = NULL, *fk = NULL;
  if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &chk, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1) "
                         "WHERE id = ?2", -1, &fk, NULL) != SQLITE_OK) {
    error_at(ld, ld->f->doc.root, "cannot check references: %s", sqlite3_errmsg(db));
    goto done;
  }
  while (sqlite3_step(chk) == SQLITE_ROW) {
    const char *table = (const char *)sqlite3_column_text(chk, 0);
    long long rowid = sqlite3_column_int64(chk, 1);
    const struct row_ref *r = NULL;
    for (size_t i = 0; i < ld->nrows && !r; i++)
      if (ld->rows[i].rowid == rowid && strcmp(ld->rows[i].table, table) == 0) r = &ld->rows[i];
    if (!r) continue;
    sqlite3_bind_text(fk, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(fk, 2, sqlite3_column_int(chk, 3));
    if (sqlite3_step(fk) == SQLITE_ROW) {
      const char *from = (const char *)sqlite3_column_text(fk, 0);
      const char *parent = (const char *)sqlite3_column_text(fk, 1);
      const struct kz_yaml_node *v = kz_yaml_map_get(r->row, from);
      const char *value = v && v->kind == KZ_YAML_SCALAR ? v->text : "?";
      int rejected = 0;                   /* the parent row is there, but was reported */
      for (size_t i = 0; i < ld->nrows; i++)
        rejected |= ld->rows[i].rowid == -1 && ld->rows[i].id &&
                    strcmp(ld->rows[i].table, parent) == 0 && strcmp(ld->rows[i].id, value) == 0;
      if (rejected) {
        sqlite3_reset(fk);
        sqlite3_clear_bindings(fk);
        continue;
      }
      /* The nearest id the parent table does have. */
      const char **ids = calloc(ld->nrows + 1, sizeof *ids);
      size_t nids = 0;
      for (size_t i = 0; ids && i < ld->nrows; i++)
        if (ld->rows[i].id && ld->rows[i].rowid != -1 && strcmp(ld->rows[i].table, parent) == 0)
          ids[nids++] = ld->rows[i].id;
      const char *near = nids ? kz_suggest(value, ids, nids) : NULL;
      char noun[64];
      snprintf(noun, sizeof noun, "%s", parent);
      size_t len = strlen(noun);
      if (len > 1 && noun[len - 1] == 's') noun[len - 1] = '\0';   /* households -> household */
      char hint[200] = "";
      if (near) snprintf(hint, sizeof hint, _("; did you mean '%s'?"), near);
      error_at(ld, v ? v : r->row, "%s.%s: unknown %s '%.60s' (no %s row has this id%s)", table,
               from, noun, value, parent, hint);
      free(ids);
    }
    sqlite3_reset(fk);
    sqlite3_clear_bindings(fk);
  }
done:
  sqlite3_finalize(chk);
  sqlite3_finalize(fk);
}

static void load_records(struct loader *ld, const struct kz_yaml_node *records) {
  if (!records || kz_yaml_is_null(records)) return;
  if (records->kind != KZ_YAML_MAPPING) {
    error_at(ld, records, "records: expected a mapping of table -> rows, got a %s",
             kz_yaml_kind_name(records));
    return;
  }
  for (size_t i = 0; i < records->n; i++) {
    const struct kz_yaml_node *k = records->keys[i], *rows = records->items[i];
    const struct table_info *ti = strlen(k->text) == k->len ? find_table(ld, k->text) : NULL;
    if (!ti) {
      const char *near = kz_yaml_nearest(k->text, ld->table_names);
      error_at(ld, k, "unknown table '%.60s' in records (did you mean '%s'?)", k->text,
               near ? near : "?");
      continue;
    }
    if (kz_yaml_is_null(rows)) continue;
    if (rows->kind != KZ_YAML_SEQUENCE) {
      error_at(ld, rows, "records.%s: expected a list of rows, got a %s", ti->name,
               kz_yaml_kind_name(rows));
      continue;
    }
    for (size_t r = 0; r < rows->n; r++) load_row(ld, ti, rows->items[r]);
  }
  check_foreign_keys(ld);
}

/* }====== */

/* {====== Runs and params ====== */

static int load_task(struct loader *ld, const struct kz_yaml_node *n, struct kz_fixture_task *t) {
  memset(t, 0, sizeof *t);
  t->level = -1;
  t->backlog = -1;
  t->due_on = KZ_DAY_NONE;
  t->line = n->line;
  t->col = n->col;
  if (n->kind != KZ_YAML_MAPPING) {
    error_at(ld, n, "an expected task must be a mapping {rule: ..., subject: ...}, got a %s",
             kz_yaml_kind_name(n));
    return -1;
  }
  check_keys(ld, n, "expected task", "key", TASK_KEYS);
  const char **fields[] = {&t->rule, &t->subject, &t->key, &t->unit, &t->severity};
  static const char *const names[] = {"rule", "subject", "key", "unit", "severity"};
  for (size_t i = 0; i < 5; i++) {
    const struct kz_yaml_node *v = kz_yaml_map_get(n, names[i]);
    if (v) *fields[i] = scalar_text(ld, v, names[i]);
  }
  if (t->severity && !kz_severity_find(t->severity))
    error_at(ld, kz_yaml_map_get(n, "severity"),
             "severity: '%.60s' is not one of the valid values (low, medium, high, critical)",
             t->severity);
  const struct kz_yaml_node *v = kz_yaml_map_get(n, "level");
  long long level;
  if (v) {
    if (kz_yaml_as_int(v, "level", &level, ld->d)) ld->bad = 1;
    else if (level < 0 || level > 1000000) error_at(ld, v, "level: expected 0 or more");
    else t->level = (int)level;
  }
  if ((v = kz_yaml_map_get(n, "due_on")) && kz_yaml_is_null(v))
    t->due_null = 1;                       /* no due date: a backlog task */
  else if (v && kz_yaml_as_date(v, "due_on", &t->due_on, ld->d))
    ld->bad = 1;
  if ((v = kz_yaml_map_get(n, "backlog"))) {
    int b;
    if (kz_yaml_as_bool(v, "backlog", &b, ld->d)) ld->bad = 1;
    else t->backlog = b != 0;
  }
  return 0;
}

static void load_run(struct loader *ld, const struct kz_yaml_node *n, struct kz_fixture_run *run) {
  memset(run, 0, sizeof *run);
  run->as_of = KZ_DAY_NONE;
  run->line = n->line;
  run->col = n->col;
  if (n->kind != KZ_YAML_MAPPING) {
    error_at(ld, n, "a run must be a mapping {as_of: DATE, open: [...]}, got a %s",
             kz_yaml_kind_name(n));
    return;
  }
  check_keys(ld, n, "run", "key", RUN_KEYS);
  const struct kz_yaml_node *v = kz_yaml_map_get(n, "as_of");
  if (!v) error_at(ld, n, "run: missing as_of (the run's date, YYYY-MM-DD)");
  else if (kz_yaml_as_date(v, "as_of", &run->as_of, ld->d)) ld->bad = 1;
  for (int s = 0; s < KZ_FX_NSETS; s++) {
    const struct kz_yaml_node *set = kz_yaml_map_get(n, kz_fixture_set_names[s]);
    if (!set) continue;
    run->expect[s].given = 1;
    if (kz_yaml_is_null(set)) continue;
    if (set->kind != KZ_YAML_SEQUENCE) {
      error_at(ld, set, "%s: expected a list of tasks, got a %s", kz_fixture_set_names[s],
               kz_yaml_kind_name(set));
      continue;
    }
    run->expect[s].tasks = calloc(set->n ? set->n : 1, sizeof *run->expect[s].tasks);
    if (!run->expect[s].tasks) { error_at(ld, set, "out of memory"); return; }
    for (size_t i = 0; i < set->n; i++)
      if (load_task(ld, set->items[i], &run->expect[s].tasks[run->expect[s].n]) == 0)
        run->expect[s].n++;
  }
  const struct kz_yaml_node *done = kz_yaml_map_get(n, "done");
  if (done && !kz_yaml_is_null(done)) {
    if (done->kind != KZ_YAML_SEQUENCE) {
      error_at(ld, done, "done: expected a list of {rule, subject, key}, got a %s",
               kz_yaml_kind_name(done));
      return;
    }
    run->done = calloc(done->n ? done->n : 1, sizeof *run->done);
    if (!run->done) { error_at(ld, done, "out of memory"); return; }
    for (size_t i = 0; i < done->n; i++) {
      const struct kz_yaml_node *t = done->items[i];
      struct kz_fixture_done *x = &run->done[run->ndone];
      if (t->kind != KZ_YAML_MAPPING) {
        error_at(ld, t, "a done task must be a mapping {rule, subject, key}, got a %s",
                 kz_yaml_kind_name(t));
        continue;
      }
      check_keys(ld, t, "done task", "key", DONE_KEYS);
      static const char *const names[] = {"rule", "subject", "key"};
      const char **fields[] = {&x->rule, &x->subject, &x->key};
      int ok = 1;
      for (size_t k = 0; k < 3; k++) {
        const struct kz_yaml_node *f = kz_yaml_map_get(t, names[k]);
        if (!f) { error_at(ld, t, "done task: missing %s", names[k]); ok = 0; }
        else if (!(*fields[k] = scalar_text(ld, f, names[k]))) ok = 0;
      }
      const struct kz_yaml_node *note = kz_yaml_map_get(t, "note");
      if (note && !kz_yaml_is_null(note)) x->note = scalar_text(ld, note, "note");
      x->line = t->line;
      x->col = t->col;
      if (ok) run->ndone++;
    }
  }
}

static void load_runs(struct loader *ld, const struct kz_yaml_node *runs) {
  struct kz_fixture *f = ld->f;
  if (!runs) { error_at(ld, f->doc.root, "fixture: missing runs (a list of {as_of, open, ...})"); return; }
  if (runs->kind != KZ_YAML_SEQUENCE || runs->n == 0) {
    error_at(ld, runs, "runs: expected a non-empty list of runs");
    return;
  }
  f->runs = calloc(runs->n, sizeof *f->runs);
  if (!f->runs) { error_at(ld, runs, "out of memory"); return; }
  for (size_t i = 0; i < runs->n; i++) {
    load_run(ld, runs->items[i], &f->runs[i]);
    f->nruns++;
    if (i > 0 && f->runs[i].as_of != KZ_DAY_NONE && f->runs[i - 1].as_of != KZ_DAY_NONE &&
        f->runs[i].as_of < f->runs[i - 1].as_of) {
      char a[KZ_DATE_LEN], b[KZ_DATE_LEN];
      error_at(ld, kz_yaml_map_get(runs->items[i], "as_of"),
               "as_of %s is before the previous run's %s: runs go in date order",
               kz_date_format(f->runs[i].as_of, a), kz_date_format(f->runs[i - 1].as_of, b));
    }
  }
}

static int add_param(struct loader *ld, const char *name, const struct kz_yaml_node *v) {
  struct kz_fixture *f = ld->f;
  double value;
  if (kz_yaml_as_double(v, name, &value, ld->d)) { ld->bad = 1; return -1; }
  struct kz_fixture_param *p = realloc(f->params, (f->nparams + 1) * sizeof *p);
  if (!p) { error_at(ld, v, "out of memory"); return -1; }
  f->params = p;
  p = &f->params[f->nparams];
  if (!(p->name = strdup(name))) { error_at(ld, v, "out of memory"); return -1; }
  p->value = value;
  p->line = v->line;
  p->col = v->col;
  f->nparams++;
  return 0;
}

static void load_params(struct loader *ld, const struct kz_yaml_node *params) {
  if (!params || kz_yaml_is_null(params)) return;
  if (params->kind != KZ_YAML_MAPPING) {
    error_at(ld, params, "params: expected a mapping name -> number, got a %s",
             kz_yaml_kind_name(params));
    return;
  }
  for (size_t i = 0; i < params->n; i++) {
    const struct kz_yaml_node *k = params->keys[i], *v = params->items[i];
    if (v->kind == KZ_YAML_MAPPING) {       /* risk_weights: {report: 5} */
      for (size_t j = 0; j < v->n; j++) {
        char name[256];
        snprintf(name, sizeof name, "%s.%s", k->text, v->keys[j]->text);
        add_param(ld, name, v->items[j]);
      }
    } else {
      add_param(ld, k->text, v);
    }
  }
}

static void load_rules(struct loader *ld, const struct kz_yaml_node *rules) {
  struct kz_fixture *f = ld->f;
  if (!rules || kz_yaml_is_null(rules)) return;
  if (rules->kind != KZ_YAML_SEQUENCE || rules->n == 0) {
    error_at(ld, rules, "rules: expected a non-empty list of rule ids");
    return;
  }
  f->rules = calloc(rules->n, sizeof *f->rules);
  if (!f->rules) { error_at(ld, rules, "out of memory"); return; }
  for (size_t i = 0; i < rules->n; i++)
    if (scalar_text(ld, rules->items[i], "rules")) f->rules[f->nrules++] = rules->items[i];
}

int kz_fixture_check_rules(const struct kz_fixture *f, const char *const *ids, struct kz_diag *d) {
  int rc = 0;
  for (size_t i = 0; i < f->nrules; i++)
    if (!in_list(f->rules[i]->text, ids)) {
      const char *near = kz_yaml_nearest(f->rules[i]->text, ids);
      kz_yaml_error(d, f->rules[i], "rules: no loaded rule is called '%.60s' (did you mean '%s'?)",
                    f->rules[i]->text, near ? near : "?");
      rc = -1;
    }
  return rc;
}

int kz_fixture_in_scope(const struct kz_fixture *f, const char *rule) {
  if (!f->nrules) return 1;
  for (size_t i = 0; i < f->nrules; i++)
    if (strcmp(f->rules[i]->text, rule) == 0) return 1;
  return 0;
}

int kz_fixture_apply_params(const struct kz_fixture *f, struct kz_profile *p, struct kz_diag *d) {
  int rc = 0;
  for (size_t i = 0; i < f->nparams; i++) {
    if (kz_profile_set_param(p, f->params[i].name, f->params[i].value) == 0) continue;
    /* Suggest among every settable name: plain params and map.field. */
    size_t n = 0;
    for (size_t j = 0; j < p->nparams; j++) n += p->params[j].fields ? p->params[j].nfields : 1;
    char **names = calloc(n + 1, sizeof *names);
    size_t k = 0;
    for (size_t j = 0; names && j < p->nparams; j++) {
      const struct kz_param *par = &p->params[j];
      if (!par->fields) { names[k++] = strdup(par->name); continue; }
      for (size_t m = 0; m < par->nfields; m++) {
        size_t len = strlen(par->name) + strlen(par->fields[m].name) + 2;
        if ((names[k] = malloc(len))) snprintf(names[k], len, "%s.%s", par->name, par->fields[m].name);
        k++;
      }
    }
    const struct kz_param *whole = kz_profile_param(p, f->params[i].name);
    const char *near = NULL;
    for (size_t j = 0; names && j < k && !near; j++) if (!names[j]) near = "";   /* oom: no hint */
    if (!near && names) near = kz_yaml_nearest(f->params[i].name, (const char *const *)names);
    if (whole && whole->fields)
      kz_diag_add(d, f->file, f->params[i].line, f->params[i].col,
                  "params: '%s' is a map; override its fields, e.g. %s.%s: N", f->params[i].name,
                  whole->name, whole->nfields ? whole->fields[0].name : "field");
    else
      kz_diag_add(d, f->file, f->params[i].line, f->params[i].col,
                  "params: unknown parameter '%s' (did you mean '%s'?)", f->params[i].name,
                  near && near[0] ? near : "?");
    for (size_t j = 0; names && j < k; j++) free(names[j]);
    free(names);
    rc = -1;
  }
  return rc;
}

/* }====== */

static int load(struct kz_fixture *f, struct kz_diag *d) {
  struct loader ld = {0};
  ld.f = f;
  ld.d = d;
  f->file = f->doc.file;
  const struct kz_yaml_node *root = f->doc.root;
  if (!root) {                           /* an empty document has no node to point at */
    kz_diag_add(d, f->file, 0, 0, "the fixture is empty: it must be a mapping with name, "
                "records and runs");
    return -1;
  }
  if (root->kind != KZ_YAML_MAPPING) {
    kz_yaml_error(d, root, "a fixture must be a mapping with name, records and runs");
    return -1;
  }
  check_keys(&ld, root, "fixture", "key", TOP_KEYS);
  const struct kz_yaml_node *name = kz_yaml_map_get(root, "name");
  if (!name) error_at(&ld, root, "fixture: missing name (what the scenario shows)");
  else f->name = scalar_text(&ld, name, "name");
  const struct kz_yaml_node *desc = kz_yaml_map_get(root, "description");
  if (desc && !kz_yaml_is_null(desc)) scalar_text(&ld, desc, "description");
  load_params(&ld, kz_yaml_map_get(root, "params"));
  load_rules(&ld, kz_yaml_map_get(root, "rules"));
  if (kz_fixture_cases_db(&f->cases, d) || read_schema(&ld, f->cases)) {
    ld.bad = 1;
  } else {
    load_records(&ld, kz_yaml_map_get(root, "records"));
  }
  load_runs(&ld, kz_yaml_map_get(root, "runs"));
  free_tables(&ld);
  free(ld.rows);
  return ld.bad ? -1 : 0;
}

int kz_fixture_load_string(struct kz_fixture *f, const char *name, const char *text, size_t len,
                           struct kz_diag *d) {
  memset(f, 0, sizeof *f);
  if (kz_yaml_load_string(name, text, len, &f->doc, d)) return -1;
  if (load(f, d)) { kz_fixture_free(f); return -1; }
  return 0;
}

int kz_fixture_load(struct kz_fixture *f, const char *path, struct kz_diag *d) {
  memset(f, 0, sizeof *f);
  if (kz_yaml_load_file(path, &f->doc, d)) return -1;
  if (load(f, d)) { kz_fixture_free(f); return -1; }
  return 0;
}

void kz_fixture_free(struct kz_fixture *f) {
  for (size_t i = 0; i < f->nruns; i++) {
    for (int s = 0; s < KZ_FX_NSETS; s++) free(f->runs[i].expect[s].tasks);
    free(f->runs[i].done);
  }
  free(f->runs);
  for (size_t i = 0; i < f->nparams; i++) free(f->params[i].name);
  free(f->params);
  free(f->rules);
  sqlite3_close(f->cases);
  kz_yaml_free(&f->doc);
  memset(f, 0, sizeof *f);
}
