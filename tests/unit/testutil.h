/*
** testutil.h — helpers the cmocka unit tests share: SQL that must work, an
** in-memory case DB with the real schema, the real profile as a fixture.
** Include after <cmocka.h>; everything here is static to each test program.
*/
#ifndef KZ_TESTUTIL_H
#define KZ_TESTUTIL_H

#include <sqlite3.h>
#include <stdlib.h>

#include "diag.h"
#include "kizuki.h"
#include "profile.h"

#define KZT_PROFILE "rules/kizuki.yaml"

/* Run sql on db or fail the test with SQLite's message. */
static inline void kzt_exec_sql(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("SQL failed: %s\n%s", err, sql);
}

/* A case DB in memory: the schema of schema/cases.sql plus rows (may be NULL).
** The caller closes it. */
static inline sqlite3 *kzt_cases_db(const char *rows) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  kzt_exec_sql(db, (const char *)schema_cases_sql);
  if (rows) kzt_exec_sql(db, rows);
  return db;
}

/* cmocka group setup/teardown: *state is the profile of rules/kizuki.yaml. */
static inline int kzt_profile_setup(void **state) {
  struct kz_profile *p = calloc(1, sizeof *p);
  struct kz_diag d = {0};
  if (!p) return -1;
  if (kz_profile_load(p, KZT_PROFILE, &d) != 0) {
    kz_diag_print(&d, stderr);
    kz_diag_clear(&d);
    free(p);
    return -1;
  }
  *state = p;
  return 0;
}

static inline int kzt_profile_teardown(void **state) {
  kz_profile_free(*state);
  free(*state);
  return 0;
}

#endif
