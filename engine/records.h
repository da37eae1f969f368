/*
** records.h — the case-record contract (DESIGN.md) as data: every table the
** engine reads, its columns, and what each date column means for "as of D".
**
** This is the one place in C that names the PF's tables and columns. The
** loader builds its queries from it, the case DB is validated against it,
** and the Lua bridge exposes exactly these columns to rules.
*/
#ifndef KZ_RECORDS_H
#define KZ_RECORDS_H

#include <stddef.h>

/* Longest id (bytes) a household may carry: a key made of it and a suffix
** must fit KZ_FINDING_FIELD_MAX (256). */
#define KZ_RECORDS_ID_MAX 200

enum kz_col_role {
  KZ_COL_TEXT,      /* text or id */
  KZ_COL_INT,       /* integer flag (0/1) */
  KZ_COL_DATE,      /* a date shown as it is (birth_on, start_on, scheduled_on…) */
  KZ_COL_END,       /* a date that "has not happened" after D: shown as nil */
  KZ_COL_EVENT,     /* the row's own event date: the row is invisible after D */
  KZ_COL_OUTCOME    /* shown only once the row's end_on has happened */
};

struct kz_column {
  const char *name;
  enum kz_col_role role;
  /* The values the schema's CHECK (col IN (...)) allows, NULL-terminated;
  ** NULL when the column is not an enumeration. Integer flags list "0", "1".
  ** tests/unit/test_fixture.c proves these match schema/cases.sql. */
  const char *const *values;
};

enum kz_table_id {
  KZ_T_HOUSEHOLDS, KZ_T_PERSONS, KZ_T_MEMBERS, KZ_T_RESIDENCES,
  KZ_T_PREGNANCIES, KZ_T_CHECKUPS, KZ_T_WELFARE, KZ_T_ASSIGNMENTS,
  KZ_T_COUNCIL, KZ_T_CONTACTS, KZ_T_ASSESSMENTS, KZ_T_REVIEWS,
  KZ_T_REPORTS, KZ_T_TRANSFERS,
  KZ_NTABLES
};

#define KZ_MAX_COLUMNS 12

struct kz_table {
  const char *name;
  struct kz_column cols[KZ_MAX_COLUMNS];
  int ncols;
  /* How a row reaches its household: NULL when the table has household_id
  ** (or is households); else the person column that joins members. */
  const char *person_col;
  /* The date a row is dated by, for ordering inside a bundle (NULL: id). */
  const char *order_col;
};

/* The table descriptors, indexed by enum kz_table_id. */
extern const struct kz_table kz_tables[KZ_NTABLES];

/* The descriptor called name, or NULL. */
const struct kz_table *kz_records_table(const char *name);

/* Index of column name in t, or -1. */
int kz_records_column(const struct kz_table *t, const char *name);

/* 1 when col holds an id (named "id" or "..._id"), else 0. */
int kz_records_is_id(const struct kz_column *col);

/* Check one value of col against the contract before anything compares or
** shows it: a real date (YYYY-MM-DD) in a date column; an id that is text
** (is_text: SQLite stored it as TEXT) with no NUL or control character; no
** NUL in any other text; a value of its enumeration. v holds len bytes (NULL
** is SQL NULL, always fine here). Returns NULL when fine, else what is wrong
** ("is not a real date (YYYY-MM-DD)", ...), a static string. */
const char *kz_records_check(const struct kz_column *col, int is_text, const char *v, size_t len);

/* The same, told whether col is an id (kz_records_is_id, worked out once:
** the loader checks every value of a city). is_text matters only for ids. */
const char *kz_records_check_as(const struct kz_column *col, int is_id, int is_text, const char *v,
                                size_t len);

#endif
