/*
** gen.h — `kizuki gen`: a synthetic city of households in the PF case schema.
**
** The generator owns its deterministic PRNG (xoshiro256** seeded through
** splitmix64), the household model (members, residences and moves,
** pregnancies, checkups, welfare, reports, support by the agencies) and the
** planted scenarios that make every rule of RULES.md fire in a few
** households per 10,000 at the --until date. The same seed, household count,
** date and ward list give a byte-identical set of rows on every machine.
*/
#ifndef KZ_GEN_H
#define KZ_GEN_H

#include <stdint.h>
#include <sqlite3.h>
#include "date.h"
#include "diag.h"
#include "profile.h"

/* The PRNG state. Plain data: copy it to fork a stream. */
struct kz_gen_rng {
  uint64_t s[4];
};

/* Seed r for stream `stream` of seed `seed`: different streams of one seed
** are independent sequences (the generator gives each household its own). */
void kz_gen_rng_seed(struct kz_gen_rng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t kz_gen_rng_next(struct kz_gen_rng *r);

/* A uniform integer in [lo, hi] (lo <= hi). */
int kz_gen_rng_range(struct kz_gen_rng *r, int lo, int hi);

/* A uniform double in [0, 1). */
double kz_gen_rng_unit(struct kz_gen_rng *r);

/* The tables the generator fills, in the order rows are counted. */
enum kz_gen_table {
  KZ_GEN_HOUSEHOLDS, KZ_GEN_PERSONS, KZ_GEN_MEMBERS, KZ_GEN_RESIDENCES,
  KZ_GEN_PREGNANCIES, KZ_GEN_CHECKUPS, KZ_GEN_WELFARE, KZ_GEN_ASSIGNMENTS,
  KZ_GEN_COUNCIL, KZ_GEN_CONTACTS, KZ_GEN_ASSESSMENTS, KZ_GEN_REVIEWS,
  KZ_GEN_REPORTS, KZ_GEN_TRANSFERS,
  KZ_GEN_NTABLES
};

/* The SQL name of table t (a KZ_GEN_* value). */
const char *kz_gen_table_name(int t);

#define KZ_GEN_DEFAULT_UNTIL "2024-10-01"

struct kz_gen_opts {
  long households;                 /* how many households, >= 1 */
  uint64_t seed;
  kz_day until;                    /* the snapshot date: nothing happens later */
  const struct kz_profile *profile;  /* wards (weighted by population) and
                                        municipality; borrowed */
  /* Called every 1024 households and at the end; may be NULL. */
  void (*progress)(void *ctx, long done, long total);
  void *progress_ctx;
};

struct kz_gen_stats {
  long households;
  long long rows[KZ_GEN_NTABLES];  /* rows written per table */
  long long total;                 /* all rows */
  double seconds;                  /* wall time of the generation */
};

/* Fill db, which must be open, writable and empty, with the case schema
** (schema_cases_sql, indexes included) and a city of o->households
** households. Runs in one transaction on db; sets journal_mode=OFF and
** synchronous=OFF on the connection, and skips CHECK constraints while it
** inserts (its values are valid by construction). Returns 0, or -1 after
** adding a message to d (the transaction is rolled back). st may be NULL. */
int kz_gen_city(sqlite3 *db, const struct kz_gen_opts *o,
                struct kz_gen_stats *st, struct kz_diag *d);

/* Create the SQLite file `path` holding a generated city (kz_gen_city).
** Refuses an existing path unless force. The city is written to a temporary
** file next to path and renamed over it at the end, so a failed or killed
** run never leaves a partial database at path. Returns 0, or -1 after adding
** a message to d. st may be NULL. */
int kz_gen_file(const char *path, int force, const struct kz_gen_opts *o,
                struct kz_gen_stats *st, struct kz_diag *d);

#endif
