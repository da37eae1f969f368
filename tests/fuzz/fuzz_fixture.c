/*
** fuzz_fixture.c — libFuzzer harness for the fixture loader: any bytes
** either load as a fixture or fail with at least one message; never a crash,
** a hang or a leak. When the bytes load, what the loader built is used the
** way `kizuki test` uses it, cheaply: the in-memory case DB it filled passes
** the loader's schema check and is read by the one ordered pass (every
** household bundle) as of each run's date, and the runs' expected tasks and
** the `rules:` scope are read.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "fixture.h"
#include "loader.h"

/* Read every household of the fixture's case DB as of day; abort when the
** pass fails on a DB the fixture loader accepted. */
static void read_pass(sqlite3 *cases, kz_day as_of) {
  struct kz_loader *ld = NULL;
  struct kz_bundle b = {0};
  struct kz_diag d = {0};
  if (kz_loader_open(&ld, cases, as_of, &d)) abort();
  int got, households = 0;
  while ((got = kz_loader_next(ld, &b, &d)) == 1)
    if (!b.household_id || ++households > 100000) abort();
  if (got != 0) abort();
  kz_loader_close(ld);
  kz_bundle_free(&b);
  kz_diag_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct kz_fixture f;
  struct kz_diag d = {0};
  int rc = kz_fixture_load_string(&f, "fuzz.yaml", (const char *)data, size, &d);
  if (rc == 0) {
    if (!f.name || !f.cases || f.nruns == 0) abort();   /* a loaded fixture is complete */
    if (kz_loader_validate(f.cases, &d)) abort();       /* the schema is the contract's */
    kz_day last = KZ_DAY_NONE;
    size_t passes = 0;
    for (size_t i = 0; i < f.nruns; i++) {
      const struct kz_fixture_run *run = &f.runs[i];
      if (run->as_of == KZ_DAY_NONE || (last != KZ_DAY_NONE && run->as_of < last)) abort();
      if (run->as_of != last && passes++ < 3) read_pass(f.cases, run->as_of);
      last = run->as_of;
      for (int s = 0; s < KZ_FX_NSETS; s++)
        for (size_t k = 0; k < run->expect[s].n; k++) {
          const struct kz_fixture_task *t = &run->expect[s].tasks[k];
          if (t->rule) kz_fixture_in_scope(&f, t->rule);
          if (t->level < -1) abort();
        }
      for (size_t k = 0; k < run->ndone; k++)
        if (!run->done[k].rule || !run->done[k].subject || !run->done[k].key) abort();
    }
    kz_fixture_free(&f);
  } else if (d.n == 0) {
    abort();   /* a failure must say why */
  }
  kz_diag_clear(&d);
  return 0;
}
