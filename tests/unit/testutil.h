/*
** testutil.h — helpers the cmocka unit tests share: SQL that must work, an
** in-memory case DB with the real schema, the real profile as a fixture,
** and the rule for missing data (under CI a test fails, never skips).
** Include after <cmocka.h>; everything here is static to each test program.
*/
#ifndef KZ_TESTUTIL_H
#define KZ_TESTUTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "kizuki.h"
#include "profile.h"

#define KZT_PROFILE "rules/kizuki.yaml"

/* Whether the tests run under CI: CI set to anything but empty, 0, false or
** no (.ci/run is run with CI=true). */
static inline int kzt_in_ci(void) {
  const char *ci = getenv("CI");
  return ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0 &&
         strcmp(ci, "FALSE") != 0 && strcmp(ci, "False") != 0 && strcmp(ci, "no") != 0;
}

/* The running test cannot run because `what` is missing (`how` says how to
** get it). Under CI the test fails; elsewhere it is skipped, saying so on
** stderr. Does not return. */
static inline void kzt_missing(const char *what, const char *how) {
  if (kzt_in_ci()) fail_msg("%s is missing, and under CI=true a test never skips (%s)", what, how);
  fprintf(stderr, "SKIP: %s is missing (%s); NOT TESTED (under CI=true this fails)\n", what, how);
  skip();
}

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
