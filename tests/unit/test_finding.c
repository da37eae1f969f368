/*
** test_finding.c — a finding that cannot be stored is its rule's error, and
** a rule that keeps failing is suspended (engine/finding.c, engine/run.c).
**
** The first part checks finding.c on its own: UTF-8, the due range, what a
** finding may hold, the evidence cap, error messages made safe. The second
** runs the rules of tests/rules/isolate/ over 30 households, twice, with a
** small circuit breaker. Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "finding.h"
#include "run.h"
#include "subject.h"

/* {====== finding.c ====== */

static void test_utf8(void **state) {
  (void)state;
  static const char *const good[] = {"", "abc", "理由", "\xf0\x9f\x98\x80", "a\0b", NULL};
  static const char *const bad[] = {"\x80", "\xc0\x80", "\xe3\x81", "\xed\xa0\x80", "\xf5\x80\x80\x80",
                                    "ok\xff", "\xe0\x80\xaf", NULL};
  for (const char *const *s = good; *s; s++)
    assert_true(kz_finding_utf8_valid(*s, strlen(*s) + (*s == good[4] ? 2 : 0)));
  for (const char *const *s = bad; *s; s++)
    if (kz_finding_utf8_valid(*s, strlen(*s))) fail_msg("taken as UTF-8: %s", *s);
}

static void test_clean_message(void **state) {
  (void)state;
  struct kz_strbuf b = {0};
  const char forged[] = "boom\nkizuki run: finished OK\r\x1b[2J\xc2\x9b\xe2\x80\xae\xff\x7f";
  kz_finding_clean_message(&b, forged, sizeof forged - 1, KZ_MESSAGE_MAX);
  assert_string_equal(kz_strbuf_str(&b),
                      "boom\\nkizuki run: finished OK\\r\\x1b[2J\\u009b\\u202e\\xff\\x7f");
  /* 4 MB: cut to the limit, with the length in all. */
  size_t n = 4u << 20;
  char *big = malloc(n);
  assert_non_null(big);
  memset(big, 'x', n);
  kz_strbuf_reset(&b);
  kz_finding_clean_message(&b, big, n, KZ_MESSAGE_MAX);
  assert_true(b.len < KZ_MESSAGE_MAX + 64);
  assert_non_null(strstr(kz_strbuf_str(&b), "… (4194304 bytes in all)"));
  /* Cut on a character boundary: 400 × あ (3 bytes) to 1024 bytes is 341 of them. */
  for (size_t i = 0; i < 400; i++) memcpy(big + 3 * i, "あ", 3);
  kz_strbuf_reset(&b);
  kz_finding_clean_message(&b, big, 1200, KZ_MESSAGE_MAX);
  assert_true(kz_finding_utf8_valid(b.p, b.len));
  assert_int_equal(strstr(b.p, "…") - b.p, 341 * 3);
  assert_string_equal(strstr(b.p, "…"), "… (1200 bytes in all)");
  free(big);
  kz_strbuf_free(&b);
}

/* The due at the top of L, after running src (one Lua expression). */
static int due_of(lua_State *L, const char *src, int *days, int *cal) {
  char chunk[256];
  snprintf(chunk, sizeof chunk, "return %s", src);
  assert_int_equal(luaL_dostring(L, chunk), LUA_OK);
  int rc = kz_finding_due(L, lua_gettop(L), days, cal, NULL);
  lua_settop(L, 0);
  return rc;
}

static void test_due_range(void **state) {
  (void)state;
  lua_State *L = luaL_newstate();
  int days = -1, cal = -1;
  assert_int_equal(due_of(L, "1", &days, &cal), 0);
  assert_int_equal(days, 1);
  assert_int_equal(cal, 0);
  assert_int_equal(due_of(L, "60", &days, &cal), 0);
  assert_int_equal(due_of(L, "{ days = 2, unit = 'calendar' }", &days, &cal), 0);
  assert_int_equal(days, 2);
  assert_int_equal(cal, 1);
  assert_int_equal(due_of(L, "{ days = 10, unit = 'business' }", &days, &cal), 0);
  assert_int_equal(cal, 0);
  static const char *const refused[] = {"0", "61", "100000", "-3", "2.5", "'3'", "0/0",
                                        "{ days = 2.5, unit = 'calendar' }", "{ days = 3, unit = 'weekly' }",
                                        "{ days = 0, unit = 'calendar' }", "{ unit = 'calendar' }", NULL};
  for (const char *const *s = refused; *s; s++)
    if (due_of(L, *s, &days, &cal) == 0) fail_msg("due %s was taken", *s);
  lua_close(L);
}

/* kz_finding_read on the table that src returns: 0 or -1, why in *msg. */
static int read_of(lua_State *L, const char *src, struct kz_finding *f, struct kz_strbuf *why) {
  assert_int_equal(luaL_loadstring(L, src), LUA_OK);
  assert_int_equal(lua_pcall(L, 0, 1, 0), LUA_OK);
  return kz_finding_read(L, lua_gettop(L), f, why);
}

static void test_finding_read(void **state) {
  (void)state;
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  struct kz_finding f;
  struct kz_strbuf why = {0};
  assert_int_equal(read_of(L, "return { since = '2024-08-05', reason = '理由', key = 7, "
                           "due = { days = 2, unit = 'calendar' } }", &f, &why), 0);
  assert_string_equal(f.since, "2024-08-05");
  assert_string_equal(f.key, "7");
  assert_null(f.ward);
  assert_int_equal(f.has_due, 1);
  assert_int_equal(f.due_days, 2);
  lua_settop(L, 0);
  static const struct { const char *src, *why; } refused[] = {
    {"return { since = '2024-08-05', reason = 'x', key = 'a\\0one' }", "key holds a NUL"},
    {"return { since = '2024-08-05', reason = 'x\\0y' }", "reason holds a NUL"},
    {"return { since = '2024-08-05', reason = 'x', ward = 'chuo\\0x' }", "ward holds a NUL"},
    {"return { since = '2024-08-05', reason = '\\xff' }", "reason is not valid UTF-8"},
    {"return { since = '2024-08-05', reason = string.rep('x', 9000) }", "reason is 9000 bytes"},
    {"return { since = '2024-08-05', reason = 'x', key = 0/0 }", "key is NaN"},
    {"return { since = '2024-08-05', reason = 'x', subject = 1/0 }", "subject is infinite"},
    {"return { since = '2024-08-05', reason = 'x', due = 100000 }", "due must be"},
  };
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    if (read_of(L, refused[i].src, &f, &why) != -1) fail_msg("taken: %s", refused[i].src);
    if (!strstr(kz_strbuf_str(&why), refused[i].why))
      fail_msg("%s: '%s' not in '%s'", refused[i].src, refused[i].why, kz_strbuf_str(&why));
    lua_settop(L, 0);
  }
  kz_strbuf_free(&why);
  lua_close(L);
}

static void test_evidence_json(void **state) {
  (void)state;
  struct kz_strbuf b = {0}, why = {0};
  assert_int_equal(kz_finding_json_number(&b, 2.5, &why), 0);
  assert_string_equal(kz_strbuf_str(&b), "2.5");
  assert_int_equal(kz_finding_json_number(&b, NAN, &why), -1);
  assert_int_equal(kz_finding_json_number(&b, INFINITY, &why), -1);
  assert_int_equal(kz_finding_json_number(&b, -INFINITY, &why), -1);
  assert_non_null(strstr(kz_strbuf_str(&why), "-inf"));
  assert_string_equal(kz_strbuf_str(&b), "2.5");
  /* Past the cap: refused before anything is copied. */
  size_t n = KZ_FINDING_EVIDENCE_MAX;
  char *big = malloc(n);
  memset(big, 'x', n);
  size_t before = b.len;
  assert_int_equal(kz_finding_json_string(&b, big, n, &why), -1);
  assert_int_equal(b.len, before);
  assert_int_equal(kz_finding_json_string(&b, big, 1000, &why), 0);
  assert_int_equal(kz_finding_json_string(&b, "\xc3\x28", 2, &why), -1);
  free(big);
  kz_strbuf_free(&b);
  kz_strbuf_free(&why);
}

/* }====== */

/* {====== The circuit breaker, through real runs ====== */

static long long query_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("prepare: %s", sqlite3_errmsg(db));
  long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

/* Thirty households H01..H30 of one child each, in chuo. */
static sqlite3 *thirty_households(void) {
  sqlite3 *cases = kzt_cases_db(NULL);
  kzt_exec_sql(cases, "BEGIN");
  for (int i = 1; i <= 30; i++) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO households (id) VALUES ('H%02d');"
             "INSERT INTO persons (id, birth_on) VALUES ('C%02d','2023-01-10');"
             "INSERT INTO members (household_id, person_id, relation, start_on)"
             " VALUES ('H%02d','C%02d','child','2023-01-10');"
             "INSERT INTO residences (id, household_id, municipality, ward, start_on)"
             " VALUES ('R%02d','H%02d','sapporo','chuo','2023-01-10');", i, i, i, i, i, i);
    kzt_exec_sql(cases, sql);
  }
  kzt_exec_sql(cases, "COMMIT");
  return cases;
}

static int night(struct kz_engine *e, sqlite3 *cases, struct kz_tasks *ts, const char *as_of,
                 struct kz_run_stats *st, char **errtext) {
  size_t len = 0;
  FILE *errs = open_memstream(errtext, &len);
  struct kz_run_opts ro = {0};
  struct kz_diag d = {0};
  kz_day day;
  assert_int_equal(kz_date_parse(as_of, &day), 0);
  ro.errors = errs;
  int rc = kz_run(e, cases, ts, day, &ro, st, &d);
  kz_diag_print(&d, stderr);
  kz_diag_clear(&d);
  fclose(errs);
  return rc;
}

static int count_lines(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)); p++) n++;
  return n;
}

static void test_breaker(void **state) {
  (void)state;
  struct kz_engine e;
  struct kz_diag d = {0};
  struct kz_tasks *ts = NULL;
  sqlite3 *tdb = NULL;
  struct kz_run_stats st = {0};
  char *errtext = NULL;
  if (kz_engine_open(&e, "tests/rules/isolate", KZT_PROFILE, &d)) {
    kz_diag_print(&d, stderr);
    fail_msg("cannot load tests/rules/isolate");
  }
  e.prof.rule_error_limit = 5;
  e.prof.rule_budget_limit = 3;
  e.sb.budget = 200000;                       /* a quick loop */
  sqlite3 *cases = thirty_households();
  assert_int_equal(sqlite3_open(":memory:", &tdb), SQLITE_OK);
  assert_int_equal(kz_tasks_attach(&ts, tdb, &e.prof, &d), KZ_EXIT_OK);

  /* Night 1: errs is suspended after 6 households, loop after 3 budgets. */
  assert_int_equal(night(&e, cases, ts, "2024-08-05", &st, &errtext), KZ_EXIT_RULE_ERROR);
  assert_int_equal(st.households, 30);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'isolate.errs' "
                             "AND subject IS NOT NULL"), 6);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'isolate.errs' "
                             "AND subject IS NULL AND message LIKE 'rule suspended%6 households%'"), 1);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'isolate.loop' "
                             "AND subject IS NOT NULL AND message LIKE '%instruction budget%'"), 3);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'isolate.loop' "
                             "AND message LIKE 'rule suspended%3 times%'"), 1);
  assert_int_equal(query_int(tdb, "SELECT errors FROM runs"), 9);
  /* Messages stored escaped: no raw newline, no ESC. */
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE instr(message, char(10)) "
                             "OR instr(message, char(27))"), 0);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE message = "
                             "'boom\\nkizuki run: finished OK\\x1b[2J'"), 6);
  /* Told: three errors in full, the suspension, the closing line; no raw newline inside. */
  assert_int_equal(count_lines(errtext, "rule isolate.errs, subject"), 3);
  assert_int_equal(count_lines(errtext, "rule isolate.errs: rule suspended"), 1);
  assert_int_equal(count_lines(errtext, "rule isolate.errs: 6 errors in 6 households in all (suspended)"), 1);
  assert_int_equal(count_lines(errtext, "\nkizuki run: finished OK"), 0);
  assert_true(st.suspended[0] && st.suspended[3] && !st.suspended[1] && !st.suspended[2]);
  assert_int_equal(st.rule_errors[0], 6);
  assert_int_equal(st.nsuspended, 2);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM tasks WHERE status = 'open' AND "
                             "rule IN ('isolate.good', 'isolate.flaky')"), 60);
  free(errtext);
  kz_run_stats_free(&st);

  /* Night 2: flaky puts NaN in its evidence: its errors are its own, it is
  ** suspended, and all 30 of its tasks stay open, untouched. */
  assert_int_equal(night(&e, cases, ts, "2024-08-06", &st, &errtext), KZ_EXIT_RULE_ERROR);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'isolate.flaky' "
                             "AND message LIKE '%NaN%'"), 6);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM tasks WHERE rule = 'isolate.flaky' AND "
                             "status = 'open' AND last_seen_on = '2024-08-05'"), 30);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM tasks WHERE rule = 'isolate.good' AND "
                             "status = 'open' AND last_seen_on = '2024-08-06'"), 30);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM tasks WHERE status = 'cleared'"), 0);
  assert_true(st.suspended[1]);
  free(errtext);
  kz_run_stats_free(&st);

  kz_tasks_close(ts);
  sqlite3_close(tdb);
  sqlite3_close(cases);
  kz_engine_close(&e);
  kz_diag_clear(&d);
}

/* Under the limits, no rule is suspended: each error only keeps that
** household's tasks of the rule. */
static void test_no_breaker_under_limit(void **state) {
  (void)state;
  struct kz_engine e;
  struct kz_diag d = {0};
  struct kz_tasks *ts = NULL;
  sqlite3 *tdb = NULL;
  struct kz_run_stats st = {0};
  char *errtext = NULL;
  assert_int_equal(kz_engine_open(&e, "tests/rules/isolate", KZT_PROFILE, &d), 0);
  assert_int_equal(e.prof.rule_error_limit, 20);     /* the defaults of rules/kizuki.yaml */
  assert_int_equal(e.prof.rule_budget_limit, 3);
  e.prof.rule_error_limit = 30;
  e.prof.rule_budget_limit = 31;
  e.sb.budget = 200000;
  sqlite3 *cases = thirty_households();
  assert_int_equal(sqlite3_open(":memory:", &tdb), SQLITE_OK);
  assert_int_equal(kz_tasks_attach(&ts, tdb, &e.prof, &d), KZ_EXIT_OK);
  assert_int_equal(night(&e, cases, ts, "2024-08-05", &st, &errtext), KZ_EXIT_RULE_ERROR);
  assert_int_equal(st.nsuspended, 0);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'isolate.errs'"), 30);
  assert_int_equal(count_lines(errtext, "rule isolate.errs, subject"), 3);
  assert_int_equal(count_lines(errtext, "rule isolate.errs: 30 errors in 30 households in all;"), 1);
  free(errtext);
  kz_run_stats_free(&st);
  kz_tasks_close(ts);
  sqlite3_close(tdb);
  sqlite3_close(cases);
  kz_engine_close(&e);
}

/* }====== */

/* One severity check, shared by ruleset.c and the run: the same sentence. */
static void test_severity_check(void **state) {
  (void)state;
  struct kz_strbuf why = {0};
  assert_int_equal(kz_finding_severity("critical", &why), 0);
  assert_int_equal(kz_finding_severity("low", &why), 0);
  assert_int_equal(why.len, 0);
  assert_int_equal(kz_finding_severity("urgent", &why), -1);
  assert_string_equal(kz_strbuf_str(&why), "severity 'urgent' is not one of low, medium, high, critical");
  kz_strbuf_free(&why);
}

/* A finding completed from its rule, then checked for what a task needs. */
static void test_finding_complete(void **state) {
  (void)state;
  struct kz_profile prof;
  struct kz_diag d = {0};
  struct kz_strbuf why = {0};
  if (kz_profile_load(&prof, KZT_PROFILE, &d)) fail_msg("cannot load %s", KZT_PROFILE);
  const struct kz_finding_rule rule = {"C1", "high", "health_center", 5, 0};
  kz_day oct1;
  assert_int_equal(kz_date_parse("2024-10-01", &oct1), 0);

  struct kz_finding f = {.since = "2024-09-01", .reason = "理由"};
  assert_int_equal(kz_finding_complete(&f, &rule, oct1, &prof, &why), 0);
  assert_string_equal(f.subject, "C1");
  assert_string_equal(f.key, "C1");
  assert_string_equal(f.severity, "high");
  assert_string_equal(f.agency, "health_center");
  assert_int_equal(f.due_days, 5);
  assert_int_equal(f.due_calendar, 0);
  assert_int_equal(f.since_day, oct1 - 30);

  f = (struct kz_finding){.since = "2024-09-01", .reason = "r", .subject = "M1", .key = "K",
                          .severity = "low", .agency = "welfare", .has_due = 1, .due_days = 9,
                          .due_calendar = 1};
  assert_int_equal(kz_finding_complete(&f, &rule, oct1, &prof, &why), 0);
  assert_string_equal(f.subject, "M1");
  assert_string_equal(f.key, "K");
  assert_string_equal(f.severity, "low");
  assert_string_equal(f.agency, "welfare");
  assert_int_equal(f.due_days, 9);
  assert_int_equal(f.due_calendar, 1);

  static const struct { struct kz_finding f; const char *why; } bad[] = {
    {{.reason = "r"}, "finding needs since = a date (YYYY-MM-DD), got nothing"},
    {{.since = "2024-13-01", .reason = "r"}, "finding needs since = a date (YYYY-MM-DD), got 2024-13-01"},
    {{.since = "2024-10-02", .reason = "r"}, "finding's since 2024-10-02 is after the run date"},
    {{.since = "2024-10-01", .reason = ""}, "finding needs a reason (Japanese, for staff)"},
    {{.since = "2024-10-01", .reason = "r", .subject = ""}, "finding has no subject"},
    {{.since = "2024-10-01", .reason = "r", .severity = "urgent"},
     "finding's severity 'urgent' is not one of low, medium, high, critical"},
    {{.since = "2024-10-01", .reason = "r", .agency = "police"},
     "finding's agency 'police' is not an agency of the profile"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    f = bad[i].f;
    assert_int_equal(kz_finding_complete(&f, &rule, oct1, &prof, &why), -1);
    assert_string_equal(kz_strbuf_str(&why), bad[i].why);
    assert_non_null(f.subject);
  }
  kz_strbuf_free(&why);
  kz_profile_free(&prof);
}

/* Subject kinds: one table; a rule's subject is looked up in it. */
static void test_subject_table(void **state) {
  (void)state;
  char list[256];
  assert_int_equal(kz_subject_find("household"), KZ_SUBJECT_HOUSEHOLD);
  assert_null(kz_subjects[KZ_SUBJECT_HOUSEHOLD].produce);
  assert_true(kz_subject_find("child") > 0);
  assert_true(kz_subject_find("mother") > 0);
  assert_non_null(kz_subjects[kz_subject_find("child")].produce);
  assert_int_equal(kz_subject_find("pet"), -1);
  assert_int_equal(kz_subject_find(NULL), -1);
  assert_string_equal(kz_subject_list(list, sizeof list), "household, child, mother");
  assert_string_equal(kz_subject_list(list, 10), "household");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_utf8),
    cmocka_unit_test(test_clean_message),
    cmocka_unit_test(test_due_range),
    cmocka_unit_test(test_finding_read),
    cmocka_unit_test(test_evidence_json),
    cmocka_unit_test(test_severity_check),
    cmocka_unit_test(test_finding_complete),
    cmocka_unit_test(test_subject_table),
    cmocka_unit_test(test_breaker),
    cmocka_unit_test(test_no_breaker_under_limit),
  };
  return cmocka_run_group_tests_name("finding", tests, NULL, NULL);
}
