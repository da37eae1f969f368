/*
** test_task_store.c — the task lifecycle of DESIGN.md on the real profile:
** open, keep, clear, reopen, escalate up the ladder (routing included), done
** is final, stale triggers, due dates in business and calendar days, rule
** errors protect tasks, a second run is refused, rollback leaves nothing.
** Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kizuki.h"
#include "profile.h"
#include "task_store.h"

#define PROFILE "rules/kizuki.yaml"

static struct kz_profile prof;
static sqlite3 *db;
static struct kz_tasks *ts;
static const char *const RULES[] = {"r.a", "r.b"};

static kz_day day(const char *s) {
  kz_day d;
  if (kz_date_parse(s, &d)) fail_msg("bad date %s", s);
  return d;
}

static void begin(const char *on) {
  struct kz_diag d = {0};
  int rc = kz_tasks_begin(ts, day(on), "digest", 2, RULES, &d);
  if (rc != KZ_EXIT_OK) { kz_diag_print(&d, stderr); fail_msg("begin %s: %d", on, rc); }
  kz_diag_clear(&d);
}

static long long sweep(void) {
  struct kz_diag d = {0};
  long long n = kz_tasks_sweep(ts, NULL, NULL, &d);
  kz_diag_print(&d, stderr);
  kz_diag_clear(&d);
  return n;
}

static void commit(void) {
  struct kz_diag d = {0};
  long long counts[KZ_NOUTCOMES] = {0};
  if (kz_tasks_commit(ts, 1, counts, 0, &d)) { kz_diag_print(&d, stderr); fail_msg("commit"); }
  kz_diag_clear(&d);
}

struct input_opts {
  const char *rule, *subject, *key, *household, *agency, *ward, *since;
  int due_days, calendar;
};

/* Apply one finding; returns the outcome, the unit in unit_out (may be NULL). */
static int apply_full(struct input_opts o, char *unit_out) {
  struct kz_task_input in = {0};
  in.rule = o.rule ? o.rule : "r.a";
  in.subject = o.subject ? o.subject : "C1";
  in.key = o.key ? o.key : "K1";
  in.household_id = o.household ? o.household : "H1";
  in.agency = o.agency ? o.agency : "health_center";
  in.ward = o.ward;
  in.severity = "medium";
  in.since = day(o.since);
  in.reason = "【テスト】理由";
  in.evidence = "[{\"table\":\"checkups\",\"id\":\"K1\"}]";
  in.rule_version = "v1";
  in.rule_file = "rules/x.lua";
  in.rule_line = 3;
  in.due_days = o.due_days;
  in.due_calendar = o.calendar;
  in.open_within_days = 180;
  enum kz_outcome out = KZ_NOUTCOMES;
  char unit[64] = "";
  struct kz_diag d = {0};
  int rc = kz_tasks_apply(ts, &in, &out, unit, &d);
  kz_diag_clear(&d);
  if (unit_out) strcpy(unit_out, unit);
  return rc < 0 ? rc : (int)out;
}

/* Defaults first, the test's fields after them (overriding is the point). */
#pragma GCC diagnostic ignored "-Woverride-init"
#define APPLY(...) apply_full((struct input_opts){.ward = "chuo", .due_days = 10, __VA_ARGS__}, NULL)

static char *text(const char *sql) {
  static char buf[4][512];
  static int next;
  char *out = buf[next++ & 3];
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  out[0] = '\0';
  for (int row = 0; sqlite3_step(st) == SQLITE_ROW; row++) {
    if (row) strncat(out, ";", 511 - strlen(out));
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      const char *v = (const char *)sqlite3_column_text(st, c);
      if (c) strncat(out, "|", 511 - strlen(out));
      strncat(out, v ? v : "NULL", 511 - strlen(out));
    }
  }
  sqlite3_finalize(st);
  return out;
}

static int setup(void **state) {
  (void)state;
  struct kz_diag d = {0};
  memset(&prof, 0, sizeof prof);
  if (kz_profile_load(&prof, PROFILE, &d)) { kz_diag_print(&d, stderr); return -1; }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return -1;
  if (kz_tasks_attach(&ts, db, &prof, &d) != KZ_EXIT_OK) { kz_diag_print(&d, stderr); return -1; }
  kz_diag_clear(&d);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  kz_tasks_close(ts);
  sqlite3_close(db);
  kz_profile_free(&prof);
  return 0;
}

/* Open: opened_on D, due in business days (past the Golden Week holidays),
** level 0, unit by ward; an 'opened' event. */
static void test_open(void **state) {
  (void)state;
  begin("2024-04-26");                         /* a Friday; 4/29 and 5/3-5/6 are holidays */
  assert_int_equal(APPLY(.since = "2024-04-20"), KZ_OUT_OPENED);
  commit();
  assert_string_equal(text("SELECT rule, subject, key, household_id, unit, severity, level, status, "
                           "since, opened_on, due_on, last_seen_on, cleared_on FROM tasks"),
                      "r.a|C1|K1|H1|chuo.health_center|medium|0|open|2024-04-20|2024-04-26|"
                      "2024-05-15|2024-04-26|NULL");
  assert_string_equal(text("SELECT reason, rule_version, rule_file, rule_line, evidence FROM tasks"),
                      "【テスト】理由|v1|rules/x.lua|3|[{\"table\":\"checkups\",\"id\":\"K1\"}]");
  assert_string_equal(text("SELECT task_id, run_id, on_date, event, unit, level, due_on FROM task_events"),
                      "1|1|2024-04-26|opened|chuo.health_center|0|2024-05-15");
  assert_string_equal(text("SELECT id, as_of, rules_digest, rules_count FROM runs"), "1|2024-04-26|digest|2");
}

/* Keep: last_seen_on moves, nothing else; never a second row, even twice in
** one run or twice on one date. */
static void test_keep(void **state) {
  (void)state;
  begin("2024-04-26");
  assert_int_equal(APPLY(.since = "2024-04-20"), KZ_OUT_OPENED);
  commit();
  begin("2024-04-30");
  assert_int_equal(APPLY(.since = "2024-04-20"), KZ_OUT_KEPT);
  assert_int_equal(APPLY(.since = "2024-04-20"), KZ_OUT_KEPT);
  assert_int_equal(sweep(), 0);
  commit();
  begin("2024-04-30");
  assert_int_equal(APPLY(.since = "2024-04-20"), KZ_OUT_KEPT);
  assert_int_equal(sweep(), 0);
  commit();
  assert_string_equal(text("SELECT count(*), opened_on, due_on, last_seen_on, level, status FROM tasks"),
                      "1|2024-04-26|2024-05-15|2024-04-30|0|open");
  assert_string_equal(text("SELECT count(*) FROM task_events"), "1");
}

/* Clear, then the finding returns: reopened at level 0, routed afresh (the
** household moved to kita meanwhile), with a new due date. */
static void test_clear_and_reopen(void **state) {
  (void)state;
  begin("2024-06-03");
  assert_int_equal(APPLY(.since = "2024-06-01", .due_days = 1), KZ_OUT_OPENED);
  commit();
  begin("2024-06-05");                      /* past due 06-04: one step up */
  assert_int_equal(APPLY(.since = "2024-06-01", .due_days = 1), KZ_OUT_ESCALATED);
  commit();
  assert_string_equal(text("SELECT level, unit FROM tasks"), "1|chuo.health_center.supervisor");
  begin("2024-06-06");
  assert_int_equal(sweep(), 1);
  commit();
  assert_string_equal(text("SELECT status, cleared_on, level, unit FROM tasks"),
                      "cleared|2024-06-06|1|chuo.health_center.supervisor");
  begin("2024-06-07");                      /* a cleared task is not cleared again */
  assert_int_equal(sweep(), 0);
  commit();
  begin("2024-06-10");
  assert_int_equal(apply_full((struct input_opts){.ward = "kita", .since = "2024-06-09", .due_days = 2},
                              NULL), KZ_OUT_REOPENED);
  assert_int_equal(sweep(), 0);
  commit();
  assert_string_equal(text("SELECT count(*), status, level, unit, ward, since, opened_on, due_on, "
                           "last_seen_on, cleared_on FROM tasks"),
                      "1|open|0|kita.health_center|kita|2024-06-09|2024-06-10|2024-06-12|2024-06-10|NULL");
  assert_string_equal(text("SELECT group_concat(on_date || ' ' || event || ' ' || unit || ' ' || level, ', ') "
                           "FROM (SELECT * FROM task_events ORDER BY id)"),
                      "2024-06-03 opened chuo.health_center 0, "
                      "2024-06-05 escalated chuo.health_center.supervisor 1, "
                      "2024-06-06 cleared chuo.health_center.supervisor 1, "
                      "2024-06-10 reopened kita.health_center 0");
}

/* One ladder step per run past due, the unit following the health_center
** ladder, the level still rising at the top. */
static void test_escalate_ladder(void **state) {
  (void)state;
  static const char *const runs[][3] = {
    /* date, unit after, due after (3 business days) */
    {"2024-07-01", "chuo.health_center", "2024-07-02"},
    {"2024-07-02", "chuo.health_center", "2024-07-02"},            /* due today: not yet */
    {"2024-07-03", "chuo.health_center.supervisor", "2024-07-08"},
    {"2024-07-08", "chuo.health_center.supervisor", "2024-07-08"},
    {"2024-07-09", "chuo.family_consultation", "2024-07-12"},
    {"2024-10-01", "city.child_guidance", "2024-10-04"},           /* months late: one step only */
    {"2024-10-07", "city.child_guidance", "2024-10-10"},           /* top: stays, level rises */
    {"2024-10-11", "city.child_guidance", "2024-10-17"},           /* 10-14 is a holiday */
  };
  static const int levels[] = {0, 0, 1, 1, 2, 3, 4, 5};
  static const int outcomes[] = {KZ_OUT_OPENED, KZ_OUT_KEPT, KZ_OUT_ESCALATED, KZ_OUT_KEPT,
                                 KZ_OUT_ESCALATED, KZ_OUT_ESCALATED, KZ_OUT_ESCALATED, KZ_OUT_ESCALATED};
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    char unit[64], want[128];
    begin(runs[i][0]);
    int o = apply_full((struct input_opts){.ward = "chuo", .since = "2024-07-01", .due_days = 1}, unit);
    if (o != outcomes[i]) fail_msg("run %s: outcome %d, expected %d", runs[i][0], o, outcomes[i]);
    assert_string_equal(unit, runs[i][1]);
    commit();
    snprintf(want, sizeof want, "%d|%s|%s|open|2024-07-01", levels[i], runs[i][1], runs[i][2]);
    assert_string_equal(text("SELECT level, unit, due_on, status, opened_on FROM tasks"), want);
  }
  assert_string_equal(text("SELECT group_concat(event || ' ' || level || ' ' || unit || ' ' || due_on, ', ') "
                           "FROM (SELECT * FROM task_events ORDER BY id)"),
                      "opened 0 chuo.health_center 2024-07-02, "
                      "escalated 1 chuo.health_center.supervisor 2024-07-08, "
                      "escalated 2 chuo.family_consultation 2024-07-12, "
                      "escalated 3 city.child_guidance 2024-10-04, "
                      "escalated 4 city.child_guidance 2024-10-10, "
                      "escalated 5 city.child_guidance 2024-10-17");
}

/* Staff closed it: never reopened, never cleared, for the same episode. */
static void test_done_is_final(void **state) {
  (void)state;
  begin("2024-05-07");
  assert_int_equal(APPLY(.since = "2024-05-01"), KZ_OUT_OPENED);
  commit();
  assert_int_equal(sqlite3_exec(db, "UPDATE tasks SET status = 'done', done_on = '2024-05-08'", NULL, NULL,
                                NULL), SQLITE_OK);
  begin("2024-05-09");
  assert_int_equal(APPLY(.since = "2024-05-01"), KZ_OUT_DONE);
  assert_int_equal(sweep(), 0);
  commit();
  begin("2024-05-10");
  assert_int_equal(sweep(), 0);
  commit();
  begin("2024-05-13");
  assert_int_equal(APPLY(.since = "2024-05-01"), KZ_OUT_DONE);
  commit();
  assert_string_equal(text("SELECT count(*), status, last_seen_on, level FROM tasks"), "1|done|2024-05-07|0");
  /* Another episode (another key) of the same rule and subject opens. */
  begin("2024-05-14");
  assert_int_equal(APPLY(.since = "2024-05-13", .key = "K2"), KZ_OUT_OPENED);
  commit();
  assert_string_equal(text("SELECT count(*) FROM task_events"), "2");
}

/* A trigger older than open_within_days opens nothing; at the limit it does. */
static void test_stale_trigger(void **state) {
  (void)state;
  begin("2024-07-01");
  assert_int_equal(APPLY(.since = "2024-01-02"), KZ_OUT_STALE);     /* 181 days */
  assert_string_equal(text("SELECT count(*) FROM tasks"), "0");
  assert_int_equal(APPLY(.since = "2024-01-03", .key = "K2"), KZ_OUT_OPENED);   /* 180 days */
  commit();
  assert_string_equal(text("SELECT count(*), key FROM tasks"), "1|K2");
}

static void test_calendar_due(void **state) {
  (void)state;
  begin("2024-04-26");
  assert_int_equal(apply_full((struct input_opts){.ward = "chuo", .since = "2024-04-26", .due_days = 5,
                                                  .calendar = 1}, NULL), KZ_OUT_OPENED);
  assert_int_equal(apply_full((struct input_opts){.ward = "chuo", .since = "2024-04-26", .due_days = 0,
                                                  .key = "K0"}, NULL), KZ_OUT_OPENED);
  commit();
  assert_string_equal(text("SELECT group_concat(key || ' ' || due_on, ', ') FROM (SELECT * FROM tasks ORDER BY id)"),
                      "K1 2024-05-01, K0 2024-04-26");
}

/* City-level agencies route to city.<kind>; a ward-level one with no known
** ward goes to the profile's fallback unit; an unknown ward or agency cannot
** be routed (the rule's problem: -2). */
static void test_routing(void **state) {
  (void)state;
  char unit[64];
  begin("2024-04-26");
  assert_int_equal(apply_full((struct input_opts){.agency = "child_guidance", .ward = "kita",
                                                  .since = "2024-04-26", .due_days = 1}, unit), KZ_OUT_OPENED);
  assert_string_equal(unit, "city.child_guidance");
  assert_int_equal(apply_full((struct input_opts){.agency = "welfare", .ward = "minami", .key = "W",
                                                  .since = "2024-04-26", .due_days = 1}, unit), KZ_OUT_OPENED);
  assert_string_equal(unit, "minami.welfare");
  assert_int_equal(apply_full((struct input_opts){.ward = NULL, .key = "X", .since = "2024-04-26",
                                                  .due_days = 1}, unit), KZ_OUT_OPENED);
  assert_string_equal(unit, "city.health_center");   /* no known ward: the profile's fallback */
  assert_int_equal(apply_full((struct input_opts){.ward = "atlantis", .key = "Y", .since = "2024-04-26",
                                                  .due_days = 1}, unit), -2);
  assert_int_equal(apply_full((struct input_opts){.agency = "police", .ward = "chuo", .key = "Z",
                                                  .since = "2024-04-26", .due_days = 1}, unit), -2);
  commit();
  assert_string_equal(text("SELECT count(*) FROM tasks"), "3");
  /* The welfare ladder: welfare.supervisor, then family_consultation. */
  begin("2024-05-01");                      /* due 04-30 (04-29 is a holiday) */
  apply_full((struct input_opts){.agency = "welfare", .ward = "minami", .key = "W", .since = "2024-04-26",
                                 .due_days = 1}, unit);
  assert_string_equal(unit, "minami.welfare.supervisor");
  commit();
  begin("2024-05-09");                      /* due 05-08 */
  apply_full((struct input_opts){.agency = "welfare", .ward = "minami", .key = "W", .since = "2024-04-26",
                                 .due_days = 1}, unit);
  assert_string_equal(unit, "minami.family_consultation");
  commit();
}

/* A rule that erred on a household: its tasks there are neither kept nor
** cleared; its tasks elsewhere and other rules' tasks there are swept as usual;
** tasks of rules not loaded in this run are left alone. */
static void test_errored_household_protected(void **state) {
  (void)state;
  begin("2024-05-07");
  assert_int_equal(APPLY(.since = "2024-05-01"), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2024-05-01", .subject = "C2", .household = "H2"), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2024-05-01", .rule = "r.b"), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2024-05-01", .rule = "r.old"), KZ_OUT_OPENED);
  commit();
  begin("2024-05-08");
  assert_int_equal(kz_tasks_record_error(ts, "r.a", "H1", "C1", "rules/x.lua", 3, "boom"), 0);
  assert_int_equal(sweep(), 2);
  commit();
  assert_string_equal(text("SELECT group_concat(rule || ' ' || subject || ' ' || status || ' ' || last_seen_on, ', ') "
                           "FROM (SELECT * FROM tasks ORDER BY id)"),
                      "r.a C1 open 2024-05-07, r.a C2 cleared 2024-05-07, r.b C1 cleared 2024-05-07, "
                      "r.old C1 open 2024-05-07");
  assert_string_equal(text("SELECT run_id, rule, file, line, subject, message FROM run_errors"),
                      "2|r.a|rules/x.lua|3|C1|boom");
  /* The error does not carry over: the next run sweeps it. */
  begin("2024-05-09");
  assert_int_equal(sweep(), 1);
  commit();
}

/* {====== Runs: one at a time, all or nothing ====== */

static char *dump(sqlite3 *d) {
  sqlite3_stmt *t = NULL;
  size_t len = 0;
  char *out = NULL;
  FILE *f = open_memstream(&out, &len);
  sqlite3_prepare_v2(d, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &t, NULL);
  while (sqlite3_step(t) == SQLITE_ROW) {
    char sql[256];
    sqlite3_stmt *r = NULL;
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1", sqlite3_column_text(t, 0));
    fprintf(f, "== %s\n", sqlite3_column_text(t, 0));
    sqlite3_prepare_v2(d, sql, -1, &r, NULL);
    while (sqlite3_step(r) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(r); c++) {
        const char *v = (const char *)sqlite3_column_text(r, c);
        fprintf(f, "%s%s", c ? "|" : "", v ? v : "NULL");
      }
      fputc('\n', f);
    }
    sqlite3_finalize(r);
  }
  sqlite3_finalize(t);
  fclose(f);
  return out;
}

static void test_rollback_leaves_nothing(void **state) {
  (void)state;
  begin("2024-06-03");
  APPLY(.since = "2024-06-01", .due_days = 1);
  APPLY(.since = "2024-06-01", .subject = "C2", .household = "H2");
  commit();
  char *before = dump(db);
  begin("2024-06-10");
  assert_int_equal(APPLY(.since = "2024-06-01", .due_days = 1), KZ_OUT_ESCALATED);
  assert_int_equal(APPLY(.since = "2024-06-09", .key = "NEW"), KZ_OUT_OPENED);
  kz_tasks_record_error(ts, "r.b", "H1", "C1", NULL, 0, "x");
  assert_int_equal(sweep(), 1);
  kz_tasks_rollback(ts);
  char *after = dump(db);
  assert_string_equal(after, before);
  assert_non_null(strstr(before, "== tasks"));
  free(before);
  free(after);
  /* And the store works after it. */
  begin("2024-06-10");
  assert_int_equal(APPLY(.since = "2024-06-01", .due_days = 1), KZ_OUT_ESCALATED);
  commit();
}

static void test_second_run_busy(void **state) {
  (void)state;
  char dir[] = "/tmp/kz_busy_XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/tasks.db", dir);
  struct kz_tasks *a = NULL, *b = NULL, *c = NULL;
  struct kz_diag d = {0};
  assert_int_equal(kz_tasks_open(&a, path, &prof, &d), KZ_EXIT_OK);
  assert_int_equal(kz_tasks_open(&b, path, &prof, &d), KZ_EXIT_OK);
  assert_int_equal(kz_tasks_begin(a, day("2024-06-03"), "x", 2, RULES, &d), KZ_EXIT_OK);
  /* Another run on an open connection, and one that starts while a runs. */
  assert_int_equal(kz_tasks_begin(b, day("2024-06-03"), "x", 2, RULES, &d), KZ_EXIT_BUSY);
  int rc = kz_tasks_open(&c, path, &prof, &d);
  if (rc == KZ_EXIT_OK) {
    assert_int_equal(kz_tasks_begin(c, day("2024-06-03"), "x", 2, RULES, &d), KZ_EXIT_BUSY);
    kz_tasks_close(c);
  } else {
    assert_int_equal(rc, KZ_EXIT_BUSY);
  }
  assert_true(d.n >= 1);
  assert_non_null(strstr(d.msgs[0], "in use by another kizuki run"));
  long long counts[KZ_NOUTCOMES] = {0};
  assert_int_equal(kz_tasks_commit(a, 0, counts, 0, &d), 0);
  /* Once a is done, b may run. */
  assert_int_equal(kz_tasks_begin(b, day("2024-06-04"), "x", 2, RULES, &d), KZ_EXIT_OK);
  assert_int_equal(kz_tasks_commit(b, 0, counts, 0, &d), 0);
  kz_tasks_close(a);
  kz_tasks_close(b);
  kz_diag_clear(&d);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

/* }====== */

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_open, setup, teardown),
    cmocka_unit_test_setup_teardown(test_keep, setup, teardown),
    cmocka_unit_test_setup_teardown(test_clear_and_reopen, setup, teardown),
    cmocka_unit_test_setup_teardown(test_escalate_ladder, setup, teardown),
    cmocka_unit_test_setup_teardown(test_done_is_final, setup, teardown),
    cmocka_unit_test_setup_teardown(test_stale_trigger, setup, teardown),
    cmocka_unit_test_setup_teardown(test_calendar_due, setup, teardown),
    cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errored_household_protected, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_second_run_busy, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
