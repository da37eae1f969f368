/*
** bundle.h — the household bundle: one household and every visible record
** of it and its members, as of the run date. Built once per household by the
** loader and handed, read-only, to every rule.
**
** Values are NUL-terminated strings owned by the bundle's arena (NULL is SQL
** NULL or "not happened yet"); integer columns are "0"/"1". Everything is
** released when the bundle is reset for the next household. `gen` names
** the household a bundle holds (bumped at every reset); `live` is the gen
** whose evaluation is going on (0: none), set by whoever hands the bundle to
** the rules. A Lua-side view remembers the gen it was made for, and is usable
** only while that gen is live.
*/
#ifndef KZ_BUNDLE_H
#define KZ_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include "date.h"
#include "records.h"

struct kz_arena_block;

struct kz_arena {
  struct kz_arena_block *head;   /* owned list of blocks; the newest first */
};

/* Copy n bytes of s plus a NUL into the arena; NULL on out-of-memory. */
char *kz_arena_strdup(struct kz_arena *a, const char *s, size_t n);
/* Forget everything allocated, keeping one block for reuse. */
void kz_arena_reset(struct kz_arena *a);
void kz_arena_free(struct kz_arena *a);

struct kz_rows {
  const char **vals;    /* owned array: n rows of the table's ncols values */
  size_t n, cap;
};

/* A row that breaks the case-record contract (invalid: the household is
** quarantined, not evaluated tonight) or only looks wrong (quality: reported,
** the household is evaluated). Strings are in the bundle's arena, except
** column, which is the descriptor's (static); column and value may be NULL. */
struct kz_issue {
  int table;                    /* enum kz_table_id of the offending row */
  int invalid;                  /* 1: quarantines household_id; 0: quality only */
  const char *household_id;     /* the household it belongs to (escaped); NULL: none named */
  const char *row_id;           /* the row's id (members: person_id), escaped */
  const char *column;
  const char *value;            /* escaped, truncated */
  const char *why;
};

struct kz_bundle {
  const char *household_id;     /* in the arena */
  char today[11];               /* the run's as-of date, set by the run (router.c reads it) */
  uint32_t gen;                 /* bumped at every reset; never 0 after one */
  uint32_t live;                /* gen being evaluated, or 0 (see prefetch.h) */
  struct kz_rows rows[KZ_NTABLES];
  struct kz_arena arena;
  /* Quarantine (loader.h): the issues found while building it; quarantined
  ** counts the households whose tasks must be kept as they are and which are
  ** not evaluated (0: evaluate it). A phantom bundle is no household: it
  ** carries rows that name households that do not exist (quarantined = how
  ** many distinct ids they name). */
  struct kz_issue *issues;      /* owned array */
  size_t nissues, capissues;
  int quarantined;
  int phantom;
};

/* The value of column col of row i of table t (NULL for nil). */
static inline const char *kz_bundle_value(const struct kz_bundle *b, int t, size_t i, int col) {
  return b->rows[t].vals[i * (size_t)kz_tables[t].ncols + (size_t)col];
}

/* Start a new household: drop the previous one's rows and strings. */
void kz_bundle_reset(struct kz_bundle *b);

/* Append a row to table t; vals holds ncols strings (or NULL) that are copied
** into the arena. Returns 0, or -1 on out-of-memory. */
int kz_bundle_add_row(struct kz_bundle *b, int t, const char *const *vals, const int *lens);

/* Append an issue (its strings must already be in b's arena, or static).
** Returns 0, or -1 on out-of-memory. */
int kz_bundle_add_issue(struct kz_bundle *b, const struct kz_issue *is);

/* 1 when table t already has a row whose first column equals id. */
int kz_bundle_has_id(const struct kz_bundle *b, int t, const char *id);

/* Sort every table's rows by its order column, then id (stable for rules;
** O(n log n)), keeping one copy of a person, pregnancy or checkup that two
** memberships reached. */
void kz_bundle_sort(struct kz_bundle *b);

void kz_bundle_free(struct kz_bundle *b);

/* Free b's rows and strings but keep counting generations, not live: views
** made of it fail on their generation instead of reading freed memory. */
void kz_bundle_retire(struct kz_bundle *b);

#endif
