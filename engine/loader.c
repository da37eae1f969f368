/*
** loader.c — the ordered pass over the case DB that builds household bundles.
**
** One statement a table, all ordered by household id (the index on
** household_id, or on members' household_id for tables reached through a
** person). The households cursor leads; every other cursor gathers the
** rows that belong to the current household. Household ids are compared
** with their lengths, in SQLite's own order.
**
** Validation before visibility: every value of a row is checked against the
** contract in C (kz_records_check) before any of its dates decides whether
** the row is there as of D; the SQL compares no date. A row that breaks the
** contract becomes an issue of its household, which is then handed over
** quarantined (not to be evaluated; see bundle.h); rows that name no
** household come in a phantom bundle charged to the id they name.
*/
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

#define KZ_SCHEMA_VERSION 1

/* Longest piece of a value kept in an issue (bytes of the original). */
#define KZ_ISSUE_VALUE_MAX 64

/* A household id as SQLite orders it (see key_of). */
struct key {
  int rank;               /* 0 NULL, 1 number, 2 text, 3 blob */
  double num;
  const char *p;
  size_t n;
};

struct cursor {
  sqlite3_stmt *st;
  int has_row;            /* a row is waiting in st */
  struct key k;           /* its household id (by advance(); p valid until the next step) */
  int rec_col;            /* the row's recorded_on */
  int mrec_col;           /* the membership's recorded_on, or -1 */
  int pid_col;            /* persons: the membership's person_id, or -1 */
  int id_col;             /* descriptor column that names the row in issues */
  int start_col, end_col; /* descriptor columns start_on, end_on, or -1 */
  unsigned char is_id[KZ_MAX_COLUMNS];   /* kz_records_is_id of each column */
};

struct kz_loader {
  sqlite3 *db;
  char day[KZ_DATE_LEN];  /* the as-of date, YYYY-MM-DD */
  char latest[KZ_DATE_LEN]; /* no recorded_on may be after this ("": no check) */
  struct cursor cur[KZ_NTABLES];
  struct key hkey;        /* the household being built (p points at hbuf) */
  char *hbuf;             /* owned */
  size_t hcap;
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

/* Build the ordered query of table t into b. Column 0 is the household id;
** then the table's columns in descriptor order, as stored; then the row's
** recorded_on; for a table reached through a person, the membership's
** recorded_on; for persons, the membership's person_id (persons are joined
** LEFT, so a member whose person is not recorded at all shows as a row with
** a NULL id). No date is compared in SQL: a text comparison of a value not
** yet validated would decide visibility on garbage (' 2099-01-01' < D), so
** every row is read and validated in C first (take_row). Every ORDER BY says
** COLLATE BINARY: the merge compares ids byte by byte (key_cmp), and an
** extract made by another tool may declare a column COLLATE NOCASE (or
** RTRIM), which would order one table unlike the others and make every
** household after the first disagreement look like it has no rows. */
static void build_query(struct kz_strbuf *b, const struct kz_table *td) {
  int households = strcmp(td->name, "households") == 0;
  kz_strbuf_adds(b, td->person_col ? "SELECT m.household_id"
                    : households ? "SELECT t.id" : "SELECT t.household_id");
  for (int c = 0; c < td->ncols; c++) kz_strbuf_addf(b, ", t.%s", td->cols[c].name);
  kz_strbuf_adds(b, ", t.recorded_on");
  if (td->person_col) kz_strbuf_adds(b, ", m.recorded_on");
  if (td->person_col && strcmp(td->name, "persons") == 0)
    kz_strbuf_addf(b, ", m.person_id FROM members m LEFT JOIN %s t ON t.%s = m.person_id"
                      " ORDER BY m.household_id COLLATE BINARY", td->name, td->person_col);
  else if (td->person_col)
    kz_strbuf_addf(b, " FROM members m JOIN %s t ON t.%s = m.person_id"
                      " ORDER BY m.household_id COLLATE BINARY",
                   td->name, td->person_col);
  else if (households)
    kz_strbuf_adds(b, " FROM households t ORDER BY t.id COLLATE BINARY");
  else
    kz_strbuf_addf(b, " FROM %s t ORDER BY t.household_id COLLATE BINARY", td->name);
}

static int step(struct cursor *c, sqlite3 *db, struct kz_diag *d) {
  int rc = sqlite3_step(c->st);
  if (rc == SQLITE_ROW) { c->has_row = 1; return 0; }
  c->has_row = 0;
  if (rc == SQLITE_DONE) return 0;
  kz_diag_add(d, NULL, 0, 0, "reading the case DB: %s", sqlite3_errmsg(db));
  return -1;
}

static int advance(struct cursor *c, sqlite3 *db, struct kz_diag *d);

int kz_loader_open(struct kz_loader **out, sqlite3 *db, kz_day as_of, struct kz_diag *d) {
  int rc = -1;
  struct kz_strbuf q = {0};
  struct kz_loader *ld = calloc(1, sizeof *ld);
  if (!ld) goto done;
  ld->db = db;
  kz_date_format(as_of, ld->day);
  for (int t = 0; t < KZ_NTABLES; t++) {
    const struct kz_table *td = &kz_tables[t];
    struct cursor *c = &ld->cur[t];
    c->rec_col = td->ncols + 1;
    c->mrec_col = td->person_col ? td->ncols + 2 : -1;
    c->pid_col = td->person_col && t == KZ_T_PERSONS ? td->ncols + 3 : -1;
    c->id_col = kz_records_column(td, "id");
    if (c->id_col < 0) c->id_col = 1;             /* members: the person */
    c->start_col = kz_records_column(td, "start_on");
    c->end_col = kz_records_column(td, "end_on");
    for (int k = 0; k < td->ncols; k++) c->is_id[k] = (unsigned char)kz_records_is_id(&td->cols[k]);
    kz_strbuf_reset(&q);
    build_query(&q, td);
    if (q.oom || sqlite3_prepare_v3(db, kz_strbuf_str(&q), -1, SQLITE_PREPARE_PERSISTENT,
                                    &c->st, NULL) != SQLITE_OK) {
      kz_diag_add(d, NULL, 0, 0, "preparing the read of '%s': %s", td->name, sqlite3_errmsg(db));
      goto done;
    }
    if (advance(c, db, d)) goto done;
  }
  rc = 0;
done:
  kz_strbuf_free(&q);
  if (rc) kz_loader_close(ld);
  else *out = ld;
  return rc;
}

/* {====== Keys: household ids compared as SQLite orders them ====== */

/* SQLite's ORDER BY (BINARY collation): NULL, then numbers, then text, then
** blobs; text and blobs byte by byte, the shorter first. Ids are compared
** with their lengths, so two ids that differ only after a NUL are two. */
static void key_of(sqlite3_stmt *st, int i, struct key *k) {
  k->num = 0;
  k->p = NULL;
  k->n = 0;
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: k->rank = 0; break;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: k->rank = 1; k->num = sqlite3_column_double(st, i); break;
    case SQLITE_TEXT:
      k->rank = 2;
      k->p = (const char *)sqlite3_column_text(st, i);
      k->n = (size_t)sqlite3_column_bytes(st, i);
      break;
    default:
      k->rank = 3;
      k->p = sqlite3_column_blob(st, i);
      k->n = (size_t)sqlite3_column_bytes(st, i);
  }
}

static int key_cmp(const struct key *a, const struct key *b) {
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  if (a->rank == 0) return 0;
  if (a->rank == 1) return a->num < b->num ? -1 : a->num > b->num;
  size_t n = a->n < b->n ? a->n : b->n;
  int c = n ? memcmp(a->p, b->p, n) : 0;
  if (c) return c;
  return a->n < b->n ? -1 : a->n > b->n;
}

/* Step cursor c and key its row (the loader's pass; the scan only steps). */
static int advance(struct cursor *c, sqlite3 *db, struct kz_diag *d) {
  if (step(c, db, d)) return -1;
  if (c->has_row) key_of(c->st, 0, &c->k);
  return 0;
}

/* Keep a copy of k in the loader (the statement moves on). */
static int key_keep(struct kz_loader *ld, const struct key *k) {
  if (k->n > ld->hcap) {
    char *p = realloc(ld->hbuf, k->n);
    if (!p) return -1;
    ld->hbuf = p;
    ld->hcap = k->n;
  }
  if (k->n) memcpy(ld->hbuf, k->p, k->n);
  ld->hkey = *k;
  ld->hkey.p = ld->hbuf;
  return 0;
}

/* }====== */

/* {====== Issues ====== */

/* Append s[0..n) to b readably: printable ASCII and well-formed UTF-8 as they
** are, a backslash doubled, any other byte as \xNN; at most max bytes of s,
** then "...". */
static void escape(struct kz_strbuf *b, const char *s, size_t n, size_t max) {
  size_t i = 0;
  while (i < n && i < max) {
    unsigned char ch = (unsigned char)s[i];
    size_t len = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3
                 : (ch & 0xf8) == 0xf0 ? 4 : 0;
    int ok = len > 1 && ch >= 0xc2 && ch <= 0xf4 && i + len <= n;
    for (size_t k = 1; ok && k < len; k++) ok = ((unsigned char)s[i + k] & 0xc0) == 0x80;
    if (ok) {
      kz_strbuf_add(b, s + i, len);
      i += len;
    } else if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      kz_strbuf_add(b, s + i, 1);
      i++;
    } else if (ch == '\\') {
      kz_strbuf_adds(b, "\\\\");
      i++;
    } else {
      kz_strbuf_addf(b, "\\x%02x", ch);
      i++;
    }
  }
  if (i < n) kz_strbuf_adds(b, "...");
}

/* s[0..n) escaped into the bundle's arena (NULL for NULL); NULL also on
** out-of-memory, told by *oom. */
static const char *escaped(struct kz_bundle *b, const char *s, size_t n, int *oom) {
  if (!s) return NULL;
  struct kz_strbuf e = {0};
  escape(&e, s, n, KZ_ISSUE_VALUE_MAX);
  const char *r = e.oom ? NULL : kz_arena_strdup(&b->arena, e.len ? e.p : "", e.len);
  if (!r) *oom = 1;
  kz_strbuf_free(&e);
  return r;
}

/* Record an issue of the current row of cursor cu, charged to table t: the
** row's id, the value in statement column vcol (-1: none). hh is the
** household it is charged to (escaped, in the arena) or NULL. Returns 0, or
** -1 on out-of-memory. */
static int issue(struct kz_bundle *b, const struct cursor *cu, int t, const char *hh, int vcol,
                 const char *column, const char *why, int invalid) {
  sqlite3_stmt *st = cu->st;
  int oom = 0;
  struct kz_issue is = {t, invalid, hh, NULL, column, NULL, why};
  int id_col = cu->pid_col >= 0 && sqlite3_column_type(st, cu->id_col + 1) == SQLITE_NULL
                   ? cu->pid_col : cu->id_col + 1;
  is.row_id = escaped(b, (const char *)sqlite3_column_text(st, id_col),
                      (size_t)sqlite3_column_bytes(st, id_col), &oom);
  if (vcol >= 0)
    is.value = escaped(b, (const char *)sqlite3_column_text(st, vcol),
                       (size_t)sqlite3_column_bytes(st, vcol), &oom);
  if (oom) return -1;
  /* A person or a record reached through two memberships: said once. */
  for (size_t i = 0; i < b->nissues; i++) {
    const struct kz_issue *o = &b->issues[i];
    if (o->table == t && o->column == column && o->why == why &&
        (o->row_id == is.row_id || (o->row_id && is.row_id && strcmp(o->row_id, is.row_id) == 0)))
      return 0;
  }
  if (invalid && !b->quarantined) b->quarantined = 1;
  return kz_bundle_add_issue(b, &is);
}

/* }====== */

void kz_loader_set_latest(struct kz_loader *ld, kz_day latest) {
  if (latest == KZ_DAY_NONE) ld->latest[0] = '\0';
  else kz_date_format(latest, ld->latest);
}

/* Why the valid recorded_on v (10 bytes) cannot be, or NULL. */
static const char *recorded_too_late(const struct kz_loader *ld, const char *v) {
  return ld->latest[0] && memcmp(v, ld->latest, 10) > 0
             ? "is after today: no record is known before it is made" : NULL;
}

/* 1 when the valid date v (10 bytes) is after the run's date. */
static int after(const struct kz_loader *ld, const char *v) {
  return memcmp(v, ld->day, 10) > 0;
}

/* Take the current row of cursor t into the household being built: validate
** it, then decide what of it is visible as of D. A row recorded after D is
** not there at all (its other values are not looked at: no hindsight, of
** errors either); a row that breaks the contract is an issue and is not
** taken. Returns 0, or -1 on out-of-memory. */
static int take_row(struct kz_loader *ld, struct kz_bundle *b, int t) {
  const struct kz_table *td = &kz_tables[t];
  struct cursor *cu = &ld->cur[t];
  sqlite3_stmt *st = cu->st;
  const char *hh = b->household_id;
  const char *vals[KZ_MAX_COLUMNS];
  int lens[KZ_MAX_COLUMNS];
  int bad = 0;

  const char *rec = (const char *)sqlite3_column_text(st, cu->rec_col);
  if (rec) {
    if (!kz_date_valid_n(rec, (size_t)sqlite3_column_bytes(st, cu->rec_col)))
      return issue(b, cu, t, hh, cu->rec_col, "recorded_on", "is not a real date (YYYY-MM-DD)", 1);
    const char *late = recorded_too_late(ld, rec);
    if (late) return issue(b, cu, t, hh, cu->rec_col, "recorded_on", late, 1);
    if (after(ld, rec)) return 0;                  /* not known yet */
  }
  if (cu->mrec_col >= 0) {     /* through a membership the PF knew of at D (members says
                               ** what is wrong with the membership itself) */
    const char *m = (const char *)sqlite3_column_text(st, cu->mrec_col);
    if (m && (!kz_date_valid_n(m, (size_t)sqlite3_column_bytes(st, cu->mrec_col)) || after(ld, m)))
      return 0;
  }
  if (cu->pid_col >= 0 && sqlite3_column_type(st, 1) == SQLITE_NULL)
    return issue(b, cu, KZ_T_MEMBERS, hh, cu->pid_col, "person_id",
                 "names a person who is not in persons", 1);
  for (int c = 0; c < td->ncols; c++) {
    vals[c] = (const char *)sqlite3_column_text(st, c + 1);
    lens[c] = sqlite3_column_bytes(st, c + 1);
    const struct kz_column *col = &td->cols[c];
    const char *why = !vals[c] ? (col->role == KZ_COL_EVENT ? "is empty (the row's own date)" : NULL)
                      : kz_records_check_as(col, cu->is_id[c],
                                            !cu->is_id[c] || sqlite3_column_type(st, c + 1) == SQLITE_TEXT,
                                            vals[c], (size_t)lens[c]);
    if (why) {
      if (issue(b, cu, t, hh, c + 1, col->name, why, 1)) return -1;
      bad = 1;
    }
  }
  if (bad) return 0;
  /* A report received, or an assessment made, after the day the PF
  ** recorded it cannot be: a typo (2042 for 2024) that would make the row
  ** invisible as of D and clear the task it triggered, without a word. (A
  ** contact or a review may be entered before it happens: planned.) */
  int recorded_after = t == KZ_T_REPORTS || t == KZ_T_ASSESSMENTS;
  for (int c = 0; rec && recorded_after && c < td->ncols; c++)
    if (td->cols[c].role == KZ_COL_EVENT && vals[c] && memcmp(vals[c], rec, 10) > 0)
      return issue(b, cu, t, hh, c + 1, td->cols[c].name,
                   "is after the row's recorded_on (recorded before it happened)", 1);
  if (cu->start_col >= 0 && cu->end_col >= 0 && vals[cu->start_col] && vals[cu->end_col] &&
      memcmp(vals[cu->end_col], vals[cu->start_col], 10) < 0)
    return issue(b, cu, t, hh, cu->end_col + 1, "end_on", "is before start_on", 1);
  /* As of D: an event after D has not happened (the row is not there); an
  ** end after D is not known; an outcome only once the end has happened. */
  const char *end = cu->end_col >= 0 ? vals[cu->end_col] : NULL;
  for (int c = 0; c < td->ncols; c++) {
    if (!vals[c]) continue;
    switch (td->cols[c].role) {
      case KZ_COL_EVENT: if (after(ld, vals[c])) return 0; break;
      case KZ_COL_END: if (after(ld, vals[c])) vals[c] = NULL; break;
      case KZ_COL_OUTCOME: if (!end || after(ld, end)) vals[c] = NULL; break;
      default: break;
    }
  }
  /* A person, pregnancy or checkup reached through two memberships of the
  ** same household is one record: kz_bundle_sort keeps one copy. */
  return kz_bundle_add_row(b, t, vals, lens);
}

/* Data-quality findings of a household that was taken whole: reported, the
** household is evaluated all the same (README "Bad data"). */
static int quality(struct kz_loader *ld, struct kz_bundle *b) {
  const struct kz_rows *r = &b->rows[KZ_T_RESIDENCES];
  struct kz_issue is = {KZ_T_HOUSEHOLDS, 0, b->household_id, b->household_id, NULL, NULL, NULL};
  if (r->n == 0) {
    is.why = "has no residence as of the run date";
    if (kz_bundle_add_issue(b, &is)) return -1;
  }
  /* Two residences both begun by D whose spans overlap: which ward the
  ** household is in depends on which one a rule reads. */
  const struct kz_table *rd = &kz_tables[KZ_T_RESIDENCES];
  int nc = rd->ncols, id = kz_records_column(rd, "id");
  int start = kz_records_column(rd, "start_on"), end = kz_records_column(rd, "end_on");
  for (size_t i = 0; i < r->n; i++) {
    const char **a = r->vals + i * (size_t)nc;
    if (!a[start] || after(ld, a[start])) continue;
    for (size_t j = i + 1; j < r->n; j++) {
      const char **o = r->vals + j * (size_t)nc;
      if (!o[start] || after(ld, o[start])) continue;
      if ((a[end] && strcmp(a[end], o[start]) <= 0) || (o[end] && strcmp(o[end], a[start]) <= 0))
        continue;
      struct kz_strbuf w = {0};
      kz_strbuf_adds(&w, "overlaps residence ");
      escape(&w, a[id], strlen(a[id]), KZ_ISSUE_VALUE_MAX);
      is.table = KZ_T_RESIDENCES;
      is.row_id = o[id];
      is.column = "start_on";
      is.value = o[start];
      is.why = w.oom ? NULL : kz_arena_strdup(&b->arena, w.p, w.len);
      kz_strbuf_free(&w);
      if (!is.why || kz_bundle_add_issue(b, &is)) return -1;
    }
  }
  return 0;
}

/* The current row of cursor t names a household that does not exist:
** charge it to that id (escaped) in the phantom bundle b. Rows reached
** through a person are the membership's: members says it once. */
static int orphan(struct kz_loader *ld, struct kz_bundle *b, int t) {
  if (kz_tables[t].person_col) return 0;
  sqlite3_stmt *st = ld->cur[t].st;
  int oom = 0;
  const char *hh = escaped(b, (const char *)sqlite3_column_text(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0), &oom);
  if (oom) return -1;
  size_t before = b->nissues;
  int q = b->quarantined, fresh = 1;
  for (size_t i = 0; i < before && fresh; i++) {  /* an id not named before? */
    const char *o = b->issues[i].household_id;
    fresh = !(o == hh || (o && hh && strcmp(o, hh) == 0));
  }
  if (issue(b, &ld->cur[t], t, hh, 0, "household_id",
            "names a household that is not in households", 1))
    return -1;
  b->quarantined = q + (b->nissues > before && fresh);
  return 0;
}

int kz_loader_next(struct kz_loader *ld, struct kz_bundle *b, struct kz_diag *d) {
  struct cursor *hc = &ld->cur[KZ_T_HOUSEHOLDS];
  const struct kz_table *hd = &kz_tables[KZ_T_HOUSEHOLDS];
  for (;;) {
    kz_bundle_reset(b);
    /* Rows before the next household (or after the last) name none. */
    for (int t = 0; t < KZ_NTABLES; t++) {
      struct cursor *c = &ld->cur[t];
      if (t == KZ_T_HOUSEHOLDS) continue;
      while (c->has_row) {
        if (hc->has_row && key_cmp(&c->k, &hc->k) >= 0) break;
        b->phantom = 1;
        if (orphan(ld, b, t)) goto oom;
        if (advance(c, ld->db, d)) return -1;
      }
    }
    if (b->phantom) {
      if (b->nissues) b->household_id = b->issues[0].household_id;
      if (b->nissues || b->quarantined) return 1;
      kz_bundle_reset(b);                          /* only rows reached through people */
    }
    if (!hc->has_row) return 0;

    /* The household: its id and recorded_on checked like any value. */
    if (key_keep(ld, &hc->k)) goto oom;
    int oom = 0;
    const char *idv = (const char *)sqlite3_column_text(hc->st, 0);
    size_t idn = (size_t)sqlite3_column_bytes(hc->st, 0);
    const char *idwhy = kz_records_check(&hd->cols[0], ld->hkey.rank == 2, idv, idn);
    if (!idv) idwhy = "is empty";
    b->household_id = idwhy ? escaped(b, idv ? idv : "", idv ? idn : 0, &oom)
                            : kz_arena_strdup(&b->arena, idv, idn);
    if (!b->household_id) goto oom;
    if (idwhy && issue(b, hc, KZ_T_HOUSEHOLDS, b->household_id, 0, "id", idwhy, 1)) goto oom;
    int visible = 1;
    const char *rec = (const char *)sqlite3_column_text(hc->st, hc->rec_col);
    if (rec && !kz_date_valid_n(rec, (size_t)sqlite3_column_bytes(hc->st, hc->rec_col))) {
      if (issue(b, hc, KZ_T_HOUSEHOLDS, b->household_id, hc->rec_col, "recorded_on",
                "is not a real date (YYYY-MM-DD)", 1))
        goto oom;
    } else if (rec && recorded_too_late(ld, rec)) {
      if (issue(b, hc, KZ_T_HOUSEHOLDS, b->household_id, hc->rec_col, "recorded_on",
                recorded_too_late(ld, rec), 1))
        goto oom;
    } else if (rec && after(ld, rec)) {
      visible = 0;
    }
    {
      const char *hv[1] = {b->household_id};
      int hl[1] = {(int)strlen(b->household_id)};
      if (kz_bundle_add_row(b, KZ_T_HOUSEHOLDS, hv, hl)) goto oom;
    }
    if (advance(hc, ld->db, d)) return -1;
    /* Its rows: every table's cursor is at or after it. A household not
    ** yet recorded is skipped with its rows; a quarantined one has every
    ** row looked at, so that each offending row is reported. */
    for (int t = 0; t < KZ_NTABLES; t++) {
      struct cursor *c = &ld->cur[t];
      if (t == KZ_T_HOUSEHOLDS) continue;
      while (c->has_row) {
        if (key_cmp(&c->k, &ld->hkey) != 0) break;   /* a later household's */
        if ((visible || b->quarantined) && take_row(ld, b, t)) goto oom;
        if (advance(c, ld->db, d)) return -1;
      }
    }
    if (!visible && !b->quarantined) continue;     /* not yet recorded: skip it */
    if (!b->quarantined && quality(ld, b)) goto oom;
    kz_bundle_sort(b);
    return 1;
  }
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

/* For progress only: an estimate (dates compared as text, unvalidated). */
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
  free(ld->hbuf);
  free(ld);
}
