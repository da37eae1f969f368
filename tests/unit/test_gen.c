/*
** test_gen.c — unit tests of the synthetic city (engine/gen.c): the PRNG,
** that a generated city satisfies the schema (CHECK constraints, foreign
** keys), that it is deterministic for a seed, that nothing is dated after
** --until, that the planted scenarios are there, and the file handling.
** The profile is built by hand so that these tests do not need profile.c.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "gen.h"
#include "kizuki.h"

static struct kz_ward test_wards[] = {
  {"chuo", "中央区", 248680},      {"kita", "北区", 285321},
  {"higashi", "東区", 265379},     {"shiroishi", "白石区", 212488},
  {"atsubetsu", "厚別区", 124543}, {"toyohira", "豊平区", 225155},
  {"kiyota", "清田区", 110034},    {"minami", "南区", 134033},
  {"nishi", "西区", 217401},       {"teine", "手稲区", 139583}};

struct fixture {
  char dir[64];
  char path[128];
  struct kz_profile prof;
  struct kz_gen_opts o;
};

static void path_in(const struct fixture *f, const char *name, char *out, size_t n) {
  snprintf(out, n, "%s/%s", f->dir, name);
}

static int setup(void **state) {
  struct fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  strcpy(f->dir, "/tmp/kz_test_gen.XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  f->prof.municipality = "sapporo";
  f->prof.wards = test_wards;
  f->prof.nwards = sizeof test_wards / sizeof *test_wards;
  f->o.households = 2000;
  f->o.seed = 2019;
  f->o.profile = &f->prof;
  assert_int_equal(kz_date_parse(KZ_GEN_DEFAULT_UNTIL, &f->o.until), 0);
  path_in(f, "city.db", f->path, sizeof f->path);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static void gen_or_fail(const char *path, int force, const struct kz_gen_opts *o,
                        struct kz_gen_stats *st) {
  struct kz_diag d = {0};
  int rc = kz_gen_file(path, force, o, st, &d);
  if (rc) kz_diag_print(&d, stderr);
  kz_diag_clear(&d);
  assert_int_equal(rc, 0);
}

static sqlite3 *open_db(const char *path) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  return db;
}

/* The single integer a query returns. */
static long long scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  long long v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* FNV-1a over every row of every table, each table in the order of all its
** columns. */
static uint64_t city_digest(sqlite3 *db) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int t = 0; t < KZ_GEN_NTABLES; t++) {
    char sql[512];
    sqlite3_stmt *s = NULL;
    snprintf(sql, sizeof sql, "SELECT * FROM %s", kz_gen_table_name(t));
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    int n = sqlite3_column_count(s);
    sqlite3_finalize(s);
    int len = snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1", kz_gen_table_name(t));
    for (int i = 2; i <= n; i++) len += snprintf(sql + len, sizeof sql - (size_t)len, ",%d", i);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < n; i++) {
        const unsigned char *v = sqlite3_column_text(s, i);
        int vn = sqlite3_column_bytes(s, i);
        if (!v) { v = (const unsigned char *)"\x01NULL"; vn = 5; }
        for (int j = 0; j < vn; j++) h = (h ^ v[j]) * 0x100000001b3ull;
        h = (h ^ 0x1f) * 0x100000001b3ull;
      }
    }
    sqlite3_finalize(s);
  }
  return h;
}

static void test_rng(void **state) {
  (void)state;
  struct kz_gen_rng a, b, c;
  kz_gen_rng_seed(&a, 2019, 1);
  kz_gen_rng_seed(&b, 2019, 1);
  kz_gen_rng_seed(&c, 2019, 2);
  int same = 0;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = kz_gen_rng_next(&a), y = kz_gen_rng_next(&b), z = kz_gen_rng_next(&c);
    assert_true(x == y);
    same += x == z;
  }
  assert_true(same == 0);
  /* the sequence is fixed by the algorithm: the same on every machine */
  kz_gen_rng_seed(&a, 1, 0);
  assert_true(kz_gen_rng_next(&a) == UINT64_C(0xee127fe613436e33));
  for (int i = 0; i < 10000; i++) {
    int v = kz_gen_rng_range(&a, -3, 5);
    assert_true(v >= -3 && v <= 5);
    double u = kz_gen_rng_unit(&a);
    assert_true(u >= 0 && u < 1);
  }
  assert_int_equal(kz_gen_rng_range(&a, 7, 7), 7);
}

/* Every table has rows; the rows pass the schema's CHECK constraints (copied
** into a fresh checked schema) and its foreign keys. */
static void test_schema_valid(void **state) {
  struct fixture *f = *state;
  struct kz_gen_stats st;
  gen_or_fail(f->path, 0, &f->o, &st);
  assert_int_equal(st.households, 2000);

  sqlite3 *db = open_db(f->path);
  long long total = 0;
  for (int t = 0; t < KZ_GEN_NTABLES; t++) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", kz_gen_table_name(t));
    long long n = scalar(db, sql);
    if (n == 0) fail_msg("table %s is empty", kz_gen_table_name(t));
    assert_int_equal(n, st.rows[t]);
    total += n;
  }
  assert_int_equal(total, st.total);
  assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type='index' "
                              "AND sql IS NOT NULL"), 13);
  assert_int_equal(scalar(db, "PRAGMA user_version"), 1);
  sqlite3_close(db);

  /* a checked copy */
  const char *schema = (const char *)schema_cases_sql;   /* NUL-terminated */
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
  char *sql = sqlite3_mprintf("ATTACH %Q AS src", f->path);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_free(sql);
  for (int t = 0; t < KZ_GEN_NTABLES; t++) {
    char *err = NULL;
    sql = sqlite3_mprintf("INSERT INTO main.%s SELECT * FROM src.%s",
                          kz_gen_table_name(t), kz_gen_table_name(t));
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
      fail_msg("%s: %s", kz_gen_table_name(t), err);
    sqlite3_free(sql);
  }
  sqlite3_close(db);
}

/* Nothing dated after until but planned due dates; recorded_on lags by 0-14
** days; ids are readable and unique per table. */
static void test_dates_and_ids(void **state) {
  struct fixture *f = *state;
  gen_or_fail(f->path, 0, &f->o, NULL);
  sqlite3 *db = open_db(f->path);
  static const char *const after[] = {
    "SELECT count(*) FROM persons WHERE birth_on > '2024-10-01' OR recorded_on > '2024-10-01'",
    "SELECT count(*) FROM members WHERE start_on > '2024-10-01' OR end_on > '2024-10-01'",
    "SELECT count(*) FROM residences WHERE start_on > '2024-10-01' OR end_on > '2024-10-01'",
    "SELECT count(*) FROM pregnancies WHERE notified_on > '2024-10-01' OR end_on > '2024-10-01'",
    "SELECT count(*) FROM checkups WHERE scheduled_on > '2024-10-01' OR attended_on > '2024-10-01'",
    "SELECT count(*) FROM welfare WHERE end_on > '2024-10-01'",
    "SELECT count(*) FROM assignments WHERE start_on > '2024-10-01' OR end_on > '2024-10-01'",
    "SELECT count(*) FROM council WHERE start_on > '2024-10-01' OR end_on > '2024-10-01'",
    "SELECT count(*) FROM contacts WHERE occurred_on > '2024-10-01' OR recorded_on > '2024-10-01'",
    "SELECT count(*) FROM transfers WHERE follow_up_on > '2024-10-01'",
    "SELECT count(*) FROM reports WHERE received_on > '2024-10-01'",
    /* recorded_on is 0-14 days after the row's first date */
    "SELECT count(*) FROM contacts WHERE recorded_on < occurred_on "
    "OR julianday(recorded_on) - julianday(occurred_on) > 14",
    "SELECT count(*) FROM checkups WHERE recorded_on < scheduled_on",
    "SELECT count(*) FROM assignments WHERE end_on <= start_on",
    "SELECT count(*) FROM residences WHERE end_on <= start_on",
    /* ids */
    "SELECT count(*) FROM households WHERE id NOT GLOB 'H[0-9][0-9][0-9][0-9][0-9][0-9][0-9]'",
    "SELECT count(*) FROM persons WHERE id NOT GLOB 'P[0-9][0-9][0-9][0-9][0-9][0-9][0-9]'",
    "SELECT count(*) FROM contacts WHERE id NOT GLOB 'T[0-9]*'",
    "SELECT count(*) FROM transfers WHERE id NOT GLOB 'X[0-9]*'",
    "SELECT count(*) FROM (SELECT 1 FROM members GROUP BY household_id, person_id "
    "HAVING count(*) > 1)",
    /* the households that left the city live in another municipality */
    "SELECT count(*) FROM residences WHERE (ward IS NULL) != (municipality != 'sapporo')",
    "SELECT count(*) FROM households h WHERE NOT EXISTS "
    "(SELECT 1 FROM residences r WHERE r.household_id = h.id)",
  };
  for (size_t i = 0; i < sizeof after / sizeof *after; i++) {
    long long n = scalar(db, after[i]);
    if (n) fail_msg("%lld rows: %s", n, after[i]);
  }
  assert_true(scalar(db, "SELECT count(*) FROM pregnancies WHERE end_on IS NULL "
                         "AND due_on > '2024-10-01'") > 0);
  sqlite3_close(db);
}

/* The shape of the city: a supported minority, children of every age, the
** vocabularies used, and the planted scenarios present. */
static void test_city_shape(void **state) {
  struct fixture *f = *state;
  gen_or_fail(f->path, 0, &f->o, NULL);
  sqlite3 *db = open_db(f->path);
  long long supported = scalar(db, "SELECT count(DISTINCT household_id) FROM assignments");
  assert_true(supported >= 60 && supported <= 250);       /* 3%-12% of 2000 */
  assert_int_equal(scalar(db, "SELECT count(DISTINCT CAST((julianday('2024-10-01') - "
                              "julianday(p.birth_on)) / 365.25 AS INT)) FROM persons p "
                              "JOIN members m ON m.person_id = p.id "
                              "WHERE m.relation = 'child'"), 18);
  static const char *const present[] = {
    "SELECT count(DISTINCT relation) = 6 FROM members",
    "SELECT count(DISTINCT outcome) = 4 FROM pregnancies",
    "SELECT count(DISTINCT kind) = 4 FROM checkups",
    "SELECT count(DISTINCT agency) = 4 FROM assignments",
    "SELECT count(DISTINCT kind) = 5 FROM contacts",
    "SELECT count(DISTINCT risk) = 4 FROM assessments",
    "SELECT count(DISTINCT forum) = 2 FROM reviews",
    "SELECT count(DISTINCT kind) = 4 FROM reports",
    "SELECT count(*) > 0 FROM checkups WHERE attended_on IS NULL",
    "SELECT count(*) > 0 FROM checkups WHERE attended_on > date(scheduled_on, '+14 days')",
    "SELECT count(*) > 0 FROM welfare WHERE end_on IS NULL",
    "SELECT count(*) > 0 FROM welfare WHERE end_reason IS NOT NULL",
    "SELECT count(*) > 0 FROM pregnancies WHERE specific = 1",
    "SELECT count(*) > 0 FROM pregnancies g JOIN persons p ON p.id = g.mother_id "
    "WHERE julianday(g.notified_on) - julianday(p.birth_on) < 20 * 365.25",
    "SELECT count(*) > 0 FROM transfers WHERE follow_up_on IS NULL",
    "SELECT count(*) > 0 FROM contacts WHERE person_id IS NOT NULL",
    "SELECT count(*) > 0 FROM assignments WHERE staff_id GLOB '*-hc-[0-9][0-9][0-9]'",
    "SELECT count(*) > 0 FROM households WHERE recorded_on IS NULL",
    /* planted: a police request or notification in the last 25 days that
    ** child guidance has not followed with a visit */
    "SELECT count(*) > 0 FROM reports e WHERE kind IN ('notification','accompany_request') "
    "AND received_on >= '2024-09-06' AND NOT EXISTS (SELECT 1 FROM contacts c "
    "WHERE c.household_id = e.household_id AND c.agency = 'child_guidance' "
    "AND c.occurred_on >= e.received_on)",
    /* planted: out of the city while an agency is still assigned */
    "SELECT count(*) > 0 FROM residences r JOIN assignments a "
    "ON a.household_id = r.household_id WHERE r.ward IS NULL AND r.end_on IS NULL "
    "AND a.end_on IS NULL AND a.agency != 'welfare'",
    /* planted: family consultation involved, no council registration */
    "SELECT count(*) > 0 FROM assignments a WHERE a.agency = 'family_consultation' "
    "AND a.end_on IS NULL AND a.start_on <= '2024-09-01' AND NOT EXISTS (SELECT 1 "
    "FROM council u WHERE u.household_id = a.household_id AND u.end_on IS NULL)",
    /* planted: a pregnancy lost in the last 150 days with no nurse contact */
    "SELECT count(*) > 0 FROM pregnancies g JOIN members m ON m.person_id = g.mother_id "
    "WHERE g.outcome != 'birth' AND g.end_on >= '2024-05-04' AND NOT EXISTS (SELECT 1 "
    "FROM contacts c WHERE c.household_id = m.household_id "
    "AND c.agency = 'health_center' AND c.occurred_on >= g.end_on)",
  };
  for (size_t i = 0; i < sizeof present / sizeof *present; i++)
    if (scalar(db, present[i]) != 1) fail_msg("not found: %s", present[i]);
  sqlite3_close(db);
}

/* The same seed gives the same rows; another seed does not. */
static void test_deterministic(void **state) {
  struct fixture *f = *state;
  char a[160], b[160], c[160];
  path_in(f, "a.db", a, sizeof a);
  path_in(f, "b.db", b, sizeof b);
  path_in(f, "c.db", c, sizeof c);
  gen_or_fail(a, 0, &f->o, NULL);
  gen_or_fail(b, 0, &f->o, NULL);
  f->o.seed = 2020;
  gen_or_fail(c, 0, &f->o, NULL);
  sqlite3 *da = open_db(a), *db = open_db(b), *dc = open_db(c);
  uint64_t ha = city_digest(da), hb = city_digest(db), hc = city_digest(dc);
  assert_true(ha == hb);
  assert_true(ha != hc);
  sqlite3_close(da);
  sqlite3_close(db);
  sqlite3_close(dc);
}

/* A small city (fewer households than scenarios' block) is mostly planted
** households: the rare records are there even for 60 households. */
static void test_small_city_has_every_scenario(void **state) {
  struct fixture *f = *state;
  f->o.households = 60;
  gen_or_fail(f->path, 0, &f->o, NULL);
  sqlite3 *db = open_db(f->path);
  assert_int_equal(scalar(db, "SELECT count(*) FROM households"), 60);
  assert_int_equal(scalar(db, "SELECT max(id) = 'H0000060' FROM households"), 1);
  assert_true(scalar(db, "SELECT count(*) FROM reports") >= 4);
  assert_true(scalar(db, "SELECT count(*) FROM transfers") >= 1);
  assert_true(scalar(db, "SELECT count(*) FROM residences WHERE ward IS NULL") >= 1);
  sqlite3_close(db);
}

/* An existing --out is refused unless forced; no temporary file is left. */
static void test_refuse_overwrite(void **state) {
  struct fixture *f = *state;
  struct kz_diag d = {0};
  FILE *fp = fopen(f->path, "w");
  assert_non_null(fp);
  fputs("precious", fp);
  fclose(fp);
  f->o.households = 50;
  assert_int_equal(kz_gen_file(f->path, 0, &f->o, NULL, &d), -1);
  assert_true(d.n == 1 && strstr(d.msgs[0], "--force"));
  kz_diag_clear(&d);
  char buf[16] = {0};
  fp = fopen(f->path, "r");
  assert_non_null(fgets(buf, sizeof buf, fp));
  fclose(fp);
  assert_string_equal(buf, "precious");
  gen_or_fail(f->path, 1, &f->o, NULL);
  sqlite3 *db = open_db(f->path);
  assert_int_equal(scalar(db, "SELECT count(*) FROM households"), 50);
  sqlite3_close(db);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", f->dir);
  assert_int_not_equal(system(cmd), 0);
}

/* A failed generation leaves nothing at --out. */
static void test_errors(void **state) {
  struct fixture *f = *state;
  struct kz_diag d = {0};
  f->prof.nwards = 0;
  assert_int_equal(kz_gen_file(f->path, 0, &f->o, NULL, &d), -1);
  assert_true(d.n >= 1);
  kz_diag_clear(&d);
  assert_int_not_equal(access(f->path, F_OK), 0);
  f->prof.nwards = 10;
  f->o.households = 0;
  assert_int_equal(kz_gen_file(f->path, 0, &f->o, NULL, &d), -1);
  kz_diag_clear(&d);
  assert_int_not_equal(access(f->path, F_OK), 0);
  /* an unwritable place */
  f->o.households = 10;
  assert_int_equal(kz_gen_file("/nonexistent-dir/x.db", 0, &f->o, NULL, &d), -1);
  assert_true(d.n >= 1);
  kz_diag_clear(&d);
}

/* --until moves the whole city: nothing after an earlier date. */
static void test_until(void **state) {
  struct fixture *f = *state;
  f->o.households = 300;
  assert_int_equal(kz_date_parse("2021-03-31", &f->o.until), 0);
  gen_or_fail(f->path, 0, &f->o, NULL);
  sqlite3 *db = open_db(f->path);
  assert_int_equal(scalar(db, "SELECT count(*) FROM contacts WHERE occurred_on > '2021-03-31' "
                              "OR recorded_on > '2021-03-31'"), 0);
  assert_int_equal(scalar(db, "SELECT count(*) FROM persons WHERE birth_on > '2021-03-31'"), 0);
  assert_int_equal(scalar(db, "SELECT min(start_on) >= '2011-03-28' FROM residences"), 1);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rng),
    cmocka_unit_test_setup_teardown(test_schema_valid, setup, teardown),
    cmocka_unit_test_setup_teardown(test_dates_and_ids, setup, teardown),
    cmocka_unit_test_setup_teardown(test_city_shape, setup, teardown),
    cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
    cmocka_unit_test_setup_teardown(test_small_city_has_every_scenario, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refuse_overwrite, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_until, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
