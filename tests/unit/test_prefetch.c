/*
** test_prefetch.c — households loaded ahead on a second thread: the same
** households in the same order as the plain loader, at every ring depth,
** with and without the thread; an error after some households returns those
** first, then the loader's message; a row naming no household comes in its
** place as a phantom bundle; closing early (the thread ahead, or
** waiting on a full ring) neither hangs nor leaks; a slot is live only while
** the caller holds it, and generations keep counting across runs.
** Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "kizuki.h"
#include "loader.h"
#include "prefetch.h"

#define AS_OF "2024-06-30"
#define HOUSEHOLDS 50
#define MAXDEPTH 16

static kz_day as_of(void) {
  kz_day d;
  if (kz_date_parse(AS_OF, &d)) fail_msg("bad date");
  return d;
}

/* HOUSEHOLDS households H001..; household i has i % 5 children, each with
** a checkup, so that no two neighbouring bundles look alike. */
static sqlite3 *city(void) {
  sqlite3 *db = kzt_cases_db(NULL);
  kzt_exec_sql(db, "BEGIN");
  for (int i = 1; i <= HOUSEHOLDS; i++) {
    char sql[512];
    snprintf(sql, sizeof sql, "INSERT INTO households (id) VALUES ('H%03d')", i);
    kzt_exec_sql(db, sql);
    for (int c = 0; c < i % 5; c++) {
      snprintf(sql, sizeof sql,
               "INSERT INTO persons (id, birth_on) VALUES ('C%03d_%d','2023-0%d-10');"
               "INSERT INTO members (household_id, person_id, relation, start_on)"
               " VALUES ('H%03d','C%03d_%d','child','2023-01-10');"
               "INSERT INTO checkups (id, child_id, kind, scheduled_on)"
               " VALUES ('K%03d_%d','C%03d_%d','4m','2023-05-10')",
               i, c, c + 1, i, i, c, i, c, i, c);
      kzt_exec_sql(db, sql);
    }
  }
  kzt_exec_sql(db, "COMMIT");
  return db;
}

/* A bundle as one line: id, then each table's row count and first values. */
static void signature(const struct kz_bundle *b, char *out, size_t n) {
  size_t len = (size_t)snprintf(out, n, "%s", b->household_id);
  for (int t = 0; t < KZ_NTABLES && len < n; t++) {
    const char *first = b->rows[t].n ? kz_bundle_value(b, t, b->rows[t].n - 1, 0) : "-";
    len += (size_t)snprintf(out + len, n - len, " %zu:%s", b->rows[t].n, first ? first : "-");
  }
}

/* The households of db through the plain loader, one signature each. */
static int plain(sqlite3 *db, char sig[][512]) {
  struct kz_loader *ld = NULL;
  struct kz_bundle b = {0};
  struct kz_diag d = {0};
  int n = 0;
  assert_int_equal(kz_loader_open(&ld, db, as_of(), &d), 0);
  while (kz_loader_next(ld, &b, &d) == 1) signature(&b, sig[n++], 512);
  kz_loader_close(ld);
  kz_bundle_free(&b);
  return n;
}

static void ring_free(struct kz_bundle *ring) {
  for (int i = 0; i < MAXDEPTH; i++) kz_bundle_free(&ring[i]);
}

static void test_same_sequence(void **state) {
  (void)state;
  sqlite3 *db = city();
  static char want[HOUSEHOLDS + 1][512], got[512];
  int n = plain(db, want);
  assert_int_equal(n, HOUSEHOLDS);
  static const int depths[] = {1, 2, 3, 7, MAXDEPTH};
  for (size_t k = 0; k < sizeof depths / sizeof *depths; k++) {
    for (int threaded = 0; threaded <= 1; threaded++) {
      struct kz_bundle ring[MAXDEPTH] = {{0}};
      struct kz_prefetch *p = NULL;
      struct kz_diag d = {0};
      const struct kz_bundle *b = NULL, *prev = NULL;
      assert_int_equal(kz_prefetch_open(&p, db, as_of(), ring, depths[k], threaded, &d), 0);
      int i = 0;
      while (kz_prefetch_next(p, &b, &d) == 1) {
        assert_true(i < HOUSEHOLDS);
        assert_true(b->live != 0 && b->live == b->gen);
        /* The slot handed back is no longer live (unless it is this one). */
        if (prev && prev != b) assert_int_equal(prev->live, 0);
        signature(b, got, sizeof got);
        if (strcmp(got, want[i]) != 0)
          fail_msg("depth %d, threaded %d, household %d: got '%s', want '%s'", depths[k], threaded,
                   i, got, want[i]);
        prev = b;
        i++;
      }
      assert_int_equal(i, HOUSEHOLDS);
      assert_int_equal(d.n, 0);
      assert_int_equal(kz_prefetch_next(p, &b, &d), 0);     /* the end stays the end */
      kz_prefetch_close(p);
      for (int s = 0; s < MAXDEPTH; s++) assert_int_equal(ring[s].live, 0);
      ring_free(ring);
    }
  }
  sqlite3_close(db);
}

/* An SQLite error while reading H026 (the households table is a view whose
** value for H026 cannot be computed): the households before it come first,
** then the error, with or without the thread. */
static void test_error_after_households(void **state) {
  (void)state;
  sqlite3 *db = city();
  kzt_exec_sql(db, "ALTER TABLE households RENAME TO households_t;"
                   "CREATE VIEW households AS SELECT id, CASE WHEN id = 'H026'"
                   " THEN abs(-9223372036854775804 - length(id)) ELSE recorded_on END AS recorded_on"
                   " FROM households_t;");
  for (int threaded = 0; threaded <= 1; threaded++) {
    struct kz_bundle ring[MAXDEPTH] = {{0}};
    struct kz_prefetch *p = NULL;
    struct kz_diag d = {0};
    const struct kz_bundle *b = NULL;
    assert_int_equal(kz_prefetch_open(&p, db, as_of(), ring, 4, threaded, &d), 0);
    int n = 0, got;
    while ((got = kz_prefetch_next(p, &b, &d)) == 1) n++;
    assert_int_equal(got, -1);
    assert_int_equal(n, 24);             /* H025 was being built when H026 was read */
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.msgs[0], "reading the case DB: integer overflow"));
    assert_int_equal(kz_prefetch_next(p, &b, &d), -1);
    kz_diag_clear(&d);
    kz_prefetch_close(p);
    ring_free(ring);
  }
  sqlite3_close(db);
}

/* A row naming no household between H025 and H026 is no error: it comes as
** a phantom bundle in its place (quarantine, loader.h), in the same order
** with or without the thread, and every household follows. */
static void test_orphan_in_order(void **state) {
  (void)state;
  sqlite3 *db = city();
  kzt_exec_sql(db, "INSERT INTO reviews (id, household_id, forum, reviewed_on)"
                   " VALUES ('V9','H025x','progress','2024-01-01')");
  for (int threaded = 0; threaded <= 1; threaded++) {
    struct kz_bundle ring[MAXDEPTH] = {{0}};
    struct kz_prefetch *p = NULL;
    struct kz_diag d = {0};
    const struct kz_bundle *b = NULL;
    assert_int_equal(kz_prefetch_open(&p, db, as_of(), ring, 4, threaded, &d), 0);
    int n = 0, got, phantom_at = -1;
    while ((got = kz_prefetch_next(p, &b, &d)) == 1) {
      if (b->phantom) {
        phantom_at = n;
        assert_int_equal(b->quarantined, 1);
        assert_int_equal((int)b->nissues, 1);
        assert_string_equal(b->issues[0].household_id, "H025x");
        assert_string_equal(b->issues[0].row_id, "V9");
      }
      n++;
    }
    assert_int_equal(got, 0);
    assert_int_equal(n, HOUSEHOLDS + 1);
    assert_int_equal(phantom_at, 25);
    assert_int_equal(d.n, 0);
    kz_prefetch_close(p);
    ring_free(ring);
  }
  sqlite3_close(db);
}

/* The caller stops early: after one household (the thread ahead, likely
** waiting on a full ring), and before taking any. */
static void test_close_early(void **state) {
  (void)state;
  sqlite3 *db = city();
  for (int taken = 0; taken <= 1; taken++) {
    struct kz_bundle ring[MAXDEPTH] = {{0}};
    struct kz_prefetch *p = NULL;
    struct kz_diag d = {0};
    const struct kz_bundle *b = NULL;
    assert_int_equal(kz_prefetch_open(&p, db, as_of(), ring, 2, 1, &d), 0);
    if (taken) assert_int_equal(kz_prefetch_next(p, &b, &d), 1);
    kz_prefetch_close(p);
    for (int s = 0; s < MAXDEPTH; s++) assert_int_equal(ring[s].live, 0);
    ring_free(ring);
  }
  /* The case DB is the caller's again: a plain pass reads all of it. */
  static char sig[HOUSEHOLDS + 1][512];
  assert_int_equal(plain(db, sig), HOUSEHOLDS);
  sqlite3_close(db);
}

/* A slot's generation keeps counting across runs over the same ring, so a
** view kept from an earlier run never matches a later household. */
static void test_generations_across_runs(void **state) {
  (void)state;
  sqlite3 *db = city();
  struct kz_bundle ring[MAXDEPTH] = {{0}};
  uint32_t seen[MAXDEPTH] = {0};
  for (int run = 0; run < 3; run++) {
    struct kz_prefetch *p = NULL;
    struct kz_diag d = {0};
    const struct kz_bundle *b = NULL;
    assert_int_equal(kz_prefetch_open(&p, db, as_of(), ring, 3, 1, &d), 0);
    while (kz_prefetch_next(p, &b, &d) == 1) {
      int s = (int)(b - ring);
      assert_true(s >= 0 && s < 3);
      assert_true(b->gen > seen[s]);
      seen[s] = b->gen;
    }
    kz_prefetch_close(p);
  }
  ring_free(ring);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_same_sequence),
    cmocka_unit_test(test_error_after_households),
    cmocka_unit_test(test_orphan_in_order),
    cmocka_unit_test(test_close_early),
    cmocka_unit_test(test_generations_across_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
