/*
** loader.c — the ordered pass over the case DB that builds household bundles.
**
** One statement a table, all ordered by household id (the index on
** household_id, or on members' household_id for tables reached through a
** person). The households cursor leads; every other cursor is advanced past
** orphans and gathers the rows that belong to the current household.
*/
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

#define KZ_SCHEMA_VERSION 1

struct cursor {
  sqlite3_stmt *st;
  int has_row;            /* a row is waiting in st */
};

struct kz_loader {
  sqlite3 *db;
  struct cursor cur[KZ_NTABLES];
};

int kz_loader_validate(sqlite3 *db, struct kz_diag *d) {
  int bad = 0;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "not a readable SQLite database: %s", sqlite3_errmsg(db));
    return -1;
  }
  int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  int rc = sqlite3_finalize(st);
  if (rc != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "not a readable SQLite database: %s", sqlite3_errmsg(db));
    return -1;
  }
  if (version != 0 && version != KZ_SCHEMA_VERSION) {
    kz_diag_add(d, NULL, 0, 0,
                "case DB has schema version %d; this kizuki reads version %d", version,
                KZ_SCHEMA_VERSION);
    bad = 1;
  }
  if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK) {
    kz_diag_add(d, NULL, 0, 0, "cannot inspect the case DB: %s", sqlite3_errmsg(db));
    return -1;
  }
  for (int t = 0; t < KZ_NTABLES; t++) {
    const struct kz_table *td = &kz_tables[t];
    unsigned seen = 0, has_recorded = 0, any = 0;
    sqlite3_bind_text(st, 1, td->name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *col = (const char *)sqlite3_column_text(st, 0);
      any = 1;
      if (!col) continue;
      if (strcmp(col, "recorded_on") == 0) has_recorded = 1;
      int c = kz_records_column(td, col);
      if (c >= 0) seen |= 1u << c;
    }
    sqlite3_reset(st);
    if (!any) {
      kz_diag_add(d, NULL, 0, 0, "case DB has no table '%s'", td->name);
      bad = 1;
      continue;
    }
    for (int c = 0; c < td->ncols; c++)
      if (!(seen & (1u << c))) {
        kz_diag_add(d, NULL, 0, 0, "case DB table '%s' has no column '%s'", td->name,
                    td->cols[c].name);
        bad = 1;
      }
    if (!has_recorded) {
      kz_diag_add(d, NULL, 0, 0, "case DB table '%s' has no column 'recorded_on'", td->name);
      bad = 1;
    }
  }
  sqlite3_finalize(st);
  return bad ? -1 : 0;
}

/* Build the ordered, as-of query of table t into b. Column 0 is the household
** id; then the table's columns in descriptor order. ?1 is the as-of date. */
static void build_query(struct kz_strbuf *b, const struct kz_table *td) {
  const char *end_col = kz_records_column(td, "end_on") >= 0 ? "t.end_on" : "NULL";
  kz_strbuf_adds(b, td->person_col ? "SELECT m.household_id" : "SELECT ");
  if (!td->person_col)
    kz_strbuf_adds(b, strcmp(td->name, "households") == 0 ? "t.id" : "t.household_id");
  for (int c = 0; c < td->ncols; c++) {
    const char *n = td->cols[c].name;
    switch (td->cols[c].role) {
      case KZ_COL_END:
        kz_strbuf_addf(b, ", CASE WHEN t.%s <= ?1 THEN t.%s END", n, n);
        break;
      case KZ_COL_OUTCOME:
        kz_strbuf_addf(b, ", CASE WHEN %s <= ?1 THEN t.%s END", end_col, n);
        break;
      default:
        kz_strbuf_addf(b, ", t.%s", n);
    }
  }
  if (td->person_col)
    kz_strbuf_addf(b, " FROM members m JOIN %s t ON t.%s = m.person_id", td->name,
                   td->person_col);
  else if (strcmp(td->name, "households") != 0)
    kz_strbuf_addf(b, " FROM %s t", td->name);
  if (strcmp(td->name, "households") == 0) {
    /* Every household is read, visible or not, so that the rows of a
    ** household not yet recorded are told from rows of no household. */
    kz_strbuf_adds(b, ", (t.recorded_on IS NULL OR t.recorded_on <= ?1) FROM households t"
                      " ORDER BY t.id");
    return;
  }
  kz_strbuf_adds(b, " WHERE (t.recorded_on IS NULL OR t.recorded_on <= ?1)");
  if (td->person_col)     /* through a membership the PF knew of at D: no hindsight */
    kz_strbuf_adds(b, " AND (m.recorded_on IS NULL OR m.recorded_on <= ?1)");
  for (int c = 0; c < td->ncols; c++)
    if (td->cols[c].role == KZ_COL_EVENT) kz_strbuf_addf(b, " AND t.%s <= ?1", td->cols[c].name);
  kz_strbuf_adds(b, td->person_col ? " ORDER BY m.household_id"
                 : strcmp(td->name, "households") == 0 ? " ORDER BY t.id"
                                                         : " ORDER BY t.household_id");
}

static int step(struct cursor *c, sqlite3 *db, struct kz_diag *d) {
  int rc = sqlite3_step(c->st);
  if (rc == SQLITE_ROW) { c->has_row = 1; return 0; }
  c->has_row = 0;
  if (rc == SQLITE_DONE) return 0;
  kz_diag_add(d, NULL, 0, 0, "reading the case DB: %s", sqlite3_errmsg(db));
  return -1;
}

int kz_loader_open(struct kz_loader **out, sqlite3 *db, kz_day as_of, struct kz_diag *d) {
  int rc = -1;
  char day[KZ_DATE_LEN];
  struct kz_strbuf q = {0};
  struct kz_loader *ld = calloc(1, sizeof *ld);
  if (!ld) goto done;
  ld->db = db;
  kz_date_format(as_of, day);
  for (int t = 0; t < KZ_NTABLES; t++) {
    kz_strbuf_reset(&q);
    build_query(&q, &kz_tables[t]);
    if (q.oom || sqlite3_prepare_v3(db, kz_strbuf_str(&q), -1, SQLITE_PREPARE_PERSISTENT,
                                    &ld->cur[t].st, NULL) != SQLITE_OK) {
      kz_diag_add(d, NULL, 0, 0, "preparing the read of '%s': %s", kz_tables[t].name,
                  sqlite3_errmsg(db));
      goto done;
    }
    sqlite3_bind_text(ld->cur[t].st, 1, day, -1, SQLITE_TRANSIENT);
    if (step(&ld->cur[t], db, d)) goto done;
  }
  rc = 0;
done:
  kz_strbuf_free(&q);
  if (rc) kz_loader_close(ld);
  else *out = ld;
  return rc;
}

/* Check one value against the contract: a real date, a value of its
** enumeration. Returns NULL when fine, else what is wrong. */
static const char *bad_value(const struct kz_column *col, const char *v, int len) {
  if (col->role == KZ_COL_DATE || col->role == KZ_COL_END || col->role == KZ_COL_EVENT)
    return kz_date_valid_n(v, (size_t)len) ? NULL : "is not a real date (YYYY-MM-DD)";
  if (col->values) {
    for (const char *const *e = col->values; *e; e++)
      if (strcmp(*e, v) == 0) return NULL;
    return "is not one of its allowed values";
  }
  return NULL;
}

/* Copy the current row of cursor t (columns 1..ncols) into the bundle,
** after checking its values. Returns 0, -1 on out-of-memory, -2 on a bad
** value (reported to d). */
static int take_row(struct kz_bundle *b, int t, sqlite3_stmt *st, struct kz_diag *d) {
  const struct kz_table *td = &kz_tables[t];
  const char *vals[KZ_MAX_COLUMNS];
  int lens[KZ_MAX_COLUMNS];
  for (int c = 0; c < td->ncols; c++) {
    vals[c] = (const char *)sqlite3_column_text(st, c + 1);
    lens[c] = sqlite3_column_bytes(st, c + 1);
    const char *why = vals[c] ? bad_value(&td->cols[c], vals[c], lens[c]) : NULL;
    if (why) {
      struct kz_strbuf allowed = {0};
      for (const char *const *e = td->cols[c].values; e && *e; e++)
        kz_strbuf_addf(&allowed, "%s%s", e == td->cols[c].values ? " (allowed: " : ", ", *e);
      if (allowed.len) kz_strbuf_adds(&allowed, ")");
      kz_diag_add(d, NULL, 0, 0, "case DB: %s row %s: %s '%.40s' %s%s", td->name,
                  vals[0] ? vals[0] : "?", td->cols[c].name, vals[c], why, kz_strbuf_str(&allowed));
      kz_strbuf_free(&allowed);
      return -2;
    }
  }
  /* A person, pregnancy or checkup reached through two memberships of the
  ** same household is one record: kz_bundle_sort keeps one copy. */
  return kz_bundle_add_row(b, t, vals, lens);
}

int kz_loader_next(struct kz_loader *ld, struct kz_bundle *b, struct kz_diag *d) {
  struct cursor *hc = &ld->cur[KZ_T_HOUSEHOLDS];
  int visible;
  do {
    kz_bundle_reset(b);
    if (!hc->has_row) {                            /* the end: nothing may be left */
      for (int t = 0; t < KZ_NTABLES; t++) {
        struct cursor *c = &ld->cur[t];
        if (t == KZ_T_HOUSEHOLDS || !c->has_row) continue;
        const char *h = (const char *)sqlite3_column_text(c->st, 0);
        const char *rid = (const char *)sqlite3_column_text(c->st, 1);
        kz_diag_add(d, NULL, 0, 0, "case DB: %s row %s names household %s, which does not exist",
                    kz_tables[t].name, rid ? rid : "?", h ? h : "NULL");
        return -1;
      }
      return 0;
    }
    const char *id = (const char *)sqlite3_column_text(hc->st, 0);
    visible = sqlite3_column_int(hc->st, 2);
    b->household_id = kz_arena_strdup(&b->arena, id ? id : "", id ? strlen(id) : 0);
    if (!b->household_id) goto oom;
    int rc = take_row(b, KZ_T_HOUSEHOLDS, hc->st, d);
    if (rc) return rc == -2 ? -1 : (kz_diag_add(d, NULL, 0, 0, "out of memory"), -1);
    if (step(hc, ld->db, d)) return -1;
    for (int t = 0; t < KZ_NTABLES; t++) {
      if (t == KZ_T_HOUSEHOLDS) continue;
      struct cursor *c = &ld->cur[t];
      while (c->has_row) {
        const char *h = (const char *)sqlite3_column_text(c->st, 0);
        int cmp = h ? strcmp(h, b->household_id) : -1;
        if (cmp > 0) break;                        /* belongs to a later household */
        if (cmp < 0) {                             /* names no household at all */
          const char *rid = (const char *)sqlite3_column_text(c->st, 1);
          kz_diag_add(d, NULL, 0, 0, "case DB: %s row %s names household %s, which does not exist",
                      kz_tables[t].name, rid ? rid : "?", h ? h : "NULL");
          return -1;
        }
        if (visible) {
          rc = take_row(b, t, c->st, d);
          if (rc == -2) return -1;
          if (rc) goto oom;
        }
        if (step(c, ld->db, d)) return -1;
      }
    }
  } while (!visible);                              /* not yet recorded: skip it */
  kz_bundle_sort(b);
  return 1;
oom:
  kz_diag_add(d, NULL, 0, 0, "out of memory building household %s",
              b->household_id ? b->household_id : "?");
  return -1;
}

long long kz_loader_scan(sqlite3 *db, kz_day as_of, long long *values, struct kz_diag *d) {
  struct kz_loader *ld = NULL;
  long long rows = 0, vals = 0;
  if (kz_loader_open(&ld, db, as_of, d)) return -1;
  for (int t = 0; t < KZ_NTABLES; t++) {
    struct cursor *c = &ld->cur[t];
    int ncol = sqlite3_column_count(c->st);
    while (c->has_row) {
      for (int i = 0; i < ncol; i++) {
        if (sqlite3_column_text(c->st, i)) vals += sqlite3_column_bytes(c->st, i) > 0;
      }
      rows++;
      if (step(c, db, d)) { rows = -1; goto done; }
    }
  }
done:
  kz_loader_close(ld);
  if (values) *values = vals;
  return rows;
}

long long kz_loader_count(sqlite3 *db, kz_day as_of) {
  char day[KZ_DATE_LEN];
  sqlite3_stmt *st = NULL;
  long long n = -1;
  kz_date_format(as_of, day);
  if (sqlite3_prepare_v2(db,
        "SELECT count(*) FROM households WHERE recorded_on IS NULL OR recorded_on <= ?1",
        -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return n;
}

void kz_loader_close(struct kz_loader *ld) {
  if (!ld) return;
  for (int t = 0; t < KZ_NTABLES; t++) sqlite3_finalize(ld->cur[t].st);
  free(ld);
}
