/*
** loader.h — the one ordered pass over the case DB.
**
** Every table is read once, in household order, by one prepared statement;
** the statements advance together like a merge of sorted cursors, and each
** step yields the bundle of the next household. Records not yet known on the
** as-of date (recorded_on > D) are never read; dates after D are shown as
** not happened (see records.h). Memory is bounded by the largest household.
** Every value is validated before a date of it is compared (loader.c).
*/
#ifndef KZ_LOADER_H
#define KZ_LOADER_H

#include <sqlite3.h>
#include "bundle.h"
#include "date.h"
#include "diag.h"

struct kz_loader;

/* Check that db has every table and column of the case-record contract and
** a schema version kizuki understands. Each problem goes to d. Returns 0 when
** the DB is usable, -1 otherwise. */
int kz_loader_validate(sqlite3 *db, struct kz_diag *d);

/* Prepare the pass over db as of as_of. *out is owned by the caller (free
** with kz_loader_close). Returns 0, or -1 with the reason in d. */
int kz_loader_open(struct kz_loader **out, sqlite3 *db, kz_day as_of, struct kz_diag *d);

/* No record can be known before it is made: a recorded_on after latest (the
** machine's today, for a real extract) is invalid and quarantines its
** household, where it would otherwise make the row invisible "not known yet"
** and clear the task it triggered. KZ_DAY_NONE (the default): no such check
** (fixtures and replays of synthetic futures). */
void kz_loader_set_latest(struct kz_loader *ld, kz_day latest);

/* Fill b with the next household. Returns 1 when b holds a household, 0 at
** the end of the pass, -1 on an SQLite or memory error (reason in d).
** Bad data is not an error: b->issues lists every offending row; when one of
** them is invalid, b->quarantined is set and the household must not be
** evaluated (its tasks kept as they are). A phantom b (b->phantom) holds no
** household, only issues of rows naming households that do not exist;
** b->quarantined then counts the distinct ids they name. Quality issues
** (b->quarantined 0) are reported only. */
int kz_loader_next(struct kz_loader *ld, struct kz_bundle *b, struct kz_diag *d);

/* Number of households the pass will visit (a COUNT, for progress). */
long long kz_loader_count(sqlite3 *db, kz_day as_of);

/* The floor of a run, for benchmarks: step through every row and read every
** column the pass reads, with the same statements, and do nothing else.
** Returns the rows read (and, in *values, the non-empty values), or -1. */
long long kz_loader_scan(sqlite3 *db, kz_day as_of, long long *values, struct kz_diag *d);

void kz_loader_close(struct kz_loader *ld);

#endif
