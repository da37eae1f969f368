/*
** severity.h — the one severity table: each severity's name (as rules,
** fixtures and the task DB spell it), its rank (0 = most severe, the order
** tasks are listed in) and its Japanese label for staff. Rules, findings,
** fixtures, the task DB's reader and every output take severities from here.
*/
#ifndef KZ_SEVERITY_H
#define KZ_SEVERITY_H

#include <sqlite3.h>

struct kz_severity {
  const char *name;    /* critical, high, medium, low */
  int rank;            /* 0 = critical ... 3 = low */
  const char *ja;      /* 緊急, 高, 中, 低 */
};

#define KZ_NSEVERITIES 4

/* The table, most severe first (kz_severities[i].rank == i). */
extern const struct kz_severity kz_severities[KZ_NSEVERITIES];

/* The severity called name, or NULL when name (may be NULL) is none. */
const struct kz_severity *kz_severity_find(const char *name);

/* The rank of severity name; an unknown name ranks with the least severe. */
int kz_severity_rank(const char *name);

/* The Japanese label of severity name; an unknown name is returned as it
** is, NULL as "". */
const char *kz_severity_ja(const char *name);

/* Make the SQL function kz_severity_rank(name) (deterministic, the rank
** above) available on db, for ORDER BY. Returns an SQLite result code. */
int kz_severity_sql_register(sqlite3 *db);

#endif
