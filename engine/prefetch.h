/*
** prefetch.h — households loaded ahead, on a second thread.
**
** Reading the case DB and evaluating rules each take about half of a run.
** The prefetcher runs the loader (loader.h) on its own thread, filling a ring
** of bundles ahead of the rules, so that on a machine with two cores the two
** halves overlap. The order of households is the loader's: a run gives the
** same tasks with or without the thread.
**
** Threads and ownership. The case DB connection and the loader belong to
** the prefetch thread from kz_prefetch_open until kz_prefetch_close; the
** caller must not use that connection in between. The ring of bundles is the
** caller's (it outlives a run: see struct kz_engine); a slot belongs to the
** thread while it is being filled and to the caller from kz_prefetch_next
** until the next call. A bundle's `live` field is written and read only by
** the caller's thread; the thread never touches it.
*/
#ifndef KZ_PREFETCH_H
#define KZ_PREFETCH_H

#include <sqlite3.h>
#include "bundle.h"
#include "date.h"
#include "diag.h"

/* Slots in the ring: enough that neither side waits for the other's
** slowest household; small enough that memory stays that of a few
** households. */
#define KZ_PREFETCH_DEPTH 16

struct kz_prefetch;

/* Start reading households of cases as of as_of into ring[0..depth-1].
** threaded = 0 loads each household in kz_prefetch_next on the caller's
** thread (the same sequence, no second thread). *out is owned by the caller
** (kz_prefetch_close). Returns 0, or -1 with the reason in d. */
int kz_prefetch_open(struct kz_prefetch **out, sqlite3 *cases, kz_day as_of,
                     struct kz_bundle *ring, int depth, int threaded, struct kz_diag *d);

/* As kz_prefetch_open, with the loader's latest possible recorded_on
** (kz_loader_set_latest; KZ_DAY_NONE: no check). */
int kz_prefetch_open_latest(struct kz_prefetch **out, sqlite3 *cases, kz_day as_of, kz_day latest,
                            struct kz_bundle *ring, int depth, int threaded, struct kz_diag *d);

/* The next household: returns 1 with *b set (valid, and b->live set, until
** the next call), 0 after the last, -1 on an error reading the case DB
** (reason in d). Every household before the error has been returned. */
int kz_prefetch_next(struct kz_prefetch *p, const struct kz_bundle **b, struct kz_diag *d);

/* Stop the thread (it may be ahead: what it read is dropped), free the
** ring's rows, and mark every slot not live. Safe on NULL. */
void kz_prefetch_close(struct kz_prefetch *p);

#endif
