/*
** test_task_store.c — the task lifecycle of DESIGN.md on the real profile:
** open, keep, clear, reopen, escalate up the ladder (routing included), done
** is final, stale triggers, due dates in business and calendar days, rule
** errors protect tasks, a second run is refused, rollback leaves nothing;
** the backlog (a stale trigger opens a backlog task, kept without escalating,
** cleared, reopened, promoted; never-backlog rules) and the migration of a
** version-1 task DB.
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
  long long n = kz_tasks_sweep(ts, NULL, NULL, NULL, &d);
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
  int due_days, calendar, never_backlog;
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
  in.never_backlog = o.never_backlog;
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

/* A trigger older than open_within_days opens a backlog task (no due date);
** at the limit a normal one. Nothing is dropped. */
static void test_stale_trigger(void **state) {
  (void)state;
  begin("2024-07-01");
  assert_int_equal(APPLY(.since = "2024-01-02"), KZ_OUT_BACKLOG);    /* 181 days */
  assert_int_equal(APPLY(.since = "2024-01-03", .key = "K2"), KZ_OUT_OPENED);   /* 180 days */
  commit();
  assert_string_equal(text("SELECT group_concat(key || ' ' || backlog || ' ' || coalesce(due_on, 'NULL') "
                           "|| ' ' || status || ' ' || level || ' ' || unit, ', ') "
                           "FROM (SELECT * FROM tasks ORDER BY id)"),
                      "K1 1 NULL open 0 chuo.health_center, K2 0 2024-07-16 open 0 chuo.health_center");
  assert_string_equal(text("SELECT group_concat(event || ' ' || coalesce(due_on, 'NULL'), ', ') "
                           "FROM (SELECT * FROM task_events ORDER BY id)"),
                      "opened NULL, opened 2024-07-16");   /* 7/15 is a holiday */
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

/* The sweep asks whether the run looked at a task's household or subject;
** a task it did not look at (its household missing from tonight's extract)
** is kept as it is, not cleared; one it did look at is cleared as ever. */
static int looked_only_h1(void *ctx, const char *household_id, const char *subject, const char *rule) {
  (void)subject; (void)rule;
  (*(int *)ctx)++;
  return strcmp(household_id, "H1") == 0;
}

static void test_sweep_keeps_what_was_not_looked_at(void **state) {
  (void)state;
  struct kz_diag d = {0};
  int asked = 0;
  begin("2024-05-07");
  assert_int_equal(APPLY(.since = "2024-05-01"), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2024-05-01", .subject = "C2", .household = "H2"), KZ_OUT_OPENED);
  commit();
  begin("2024-05-08");
  assert_int_equal(kz_tasks_sweep(ts, looked_only_h1, NULL, &asked, &d), 1);
  commit();
  assert_int_equal(asked, 2);
  assert_string_equal(text("SELECT group_concat(household_id || ' ' || status, ', ') "
                           "FROM (SELECT * FROM tasks ORDER BY id)"), "H1 cleared, H2 open");
  kz_diag_clear(&d);
}

/* A quarantined household (bad case data): every task of it is kept as it
** is by the sweep, whatever its rule; its issues go to run_issues; a NULL id
** keeps nothing (it would keep every task through NOT IN). The next run
** sweeps as ever. */
static void test_kept_household(void **state) {
  (void)state;
  begin("2024-05-07");
  assert_int_equal(APPLY(.since = "2024-05-01"), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2024-05-01", .rule = "r.b"), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2024-05-01", .subject = "C2", .household = "H2"), KZ_OUT_OPENED);
  commit();
  begin("2024-05-08");
  assert_int_equal(kz_tasks_keep_household(ts, "H1"), 0);
  assert_int_equal(kz_tasks_keep_household(ts, "H1"), 0);             /* twice: once */
  assert_int_equal(kz_tasks_keep_household(ts, NULL), 0);
  assert_int_equal(kz_tasks_record_issue(ts, "H1", "invalid", "households", "H1", "recorded_on",
                                         "2024-6-3", "is not a real date (YYYY-MM-DD)"), 0);
  assert_int_equal(kz_tasks_record_issue(ts, NULL, "quality", "households", NULL, NULL, NULL,
                                         "has no residence"), 0);
  assert_int_equal(sweep(), 1);
  commit();
  assert_string_equal(text("SELECT group_concat(rule || ' ' || subject || ' ' || status || ' ' || last_seen_on, ', ') "
                           "FROM (SELECT * FROM tasks ORDER BY id)"),
                      "r.a C1 open 2024-05-07, r.b C1 open 2024-05-07, r.a C2 cleared 2024-05-07");
  assert_string_equal(text("SELECT group_concat(run_id || '|' || coalesce(household_id, '-') || '|' || kind || '|' || "
                           "table_name || '|' || coalesce(column_name, '-') || '|' || coalesce(value, '-'), ', ') "
                           "FROM (SELECT * FROM run_issues ORDER BY id)"),
                      "2|H1|invalid|households|recorded_on|2024-6-3, 2|-|quality|households|-|-");
  begin("2024-05-09");
  assert_int_equal(sweep(), 2);
  commit();
}

/* {====== The backlog ====== */

/* A backlog task is kept run after run, months past any date, and never
** climbs the ladder; a normal task whose trigger grows old stays normal. */
static void test_backlog_kept_never_escalates(void **state) {
  (void)state;
  static const char *const runs[] = {"2024-07-01", "2024-07-02", "2024-08-01", "2024-12-02", "2025-06-02"};
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    begin(runs[i]);
    assert_int_equal(APPLY(.since = "2023-01-10", .due_days = 1), i ? KZ_OUT_KEPT : KZ_OUT_BACKLOG);
    assert_int_equal(APPLY(.since = "2024-06-28", .key = "N", .due_days = 1),
                     i == 0 ? KZ_OUT_OPENED : i == 1 ? KZ_OUT_KEPT : KZ_OUT_ESCALATED);
    assert_int_equal(sweep(), 0);
    commit();
  }
  assert_string_equal(text("SELECT level, unit, due_on, backlog, status, opened_on, last_seen_on "
                           "FROM tasks WHERE key = 'K1'"),
                      "0|chuo.health_center|NULL|1|open|2024-07-01|2025-06-02");
  assert_string_equal(text("SELECT count(*) FROM task_events WHERE task_id = 1"), "1");
  assert_string_equal(text("SELECT level, backlog FROM tasks WHERE key = 'N'"), "3|0");
}

/* A backlog task whose finding goes away is cleared like any task; when it
** returns still stale it reopens in the backlog; when it returns fresh, as a
** normal task. */
static void test_backlog_clear_and_reopen(void **state) {
  (void)state;
  begin("2024-07-01");
  assert_int_equal(APPLY(.since = "2023-01-10"), KZ_OUT_BACKLOG);
  commit();
  begin("2024-07-02");
  assert_int_equal(sweep(), 1);
  commit();
  assert_string_equal(text("SELECT status, cleared_on, backlog, due_on FROM tasks"),
                      "cleared|2024-07-02|1|NULL");
  begin("2024-07-03");
  assert_int_equal(APPLY(.since = "2023-01-10"), KZ_OUT_BACKLOG);
  commit();
  assert_string_equal(text("SELECT status, cleared_on, backlog, due_on, opened_on FROM tasks"),
                      "open|NULL|1|NULL|2024-07-03");
  begin("2024-07-04");
  assert_int_equal(sweep(), 1);
  commit();
  begin("2024-07-05");                      /* a new trigger: it returns fresh */
  assert_int_equal(APPLY(.since = "2024-07-05", .due_days = 2), KZ_OUT_REOPENED);
  commit();
  assert_string_equal(text("SELECT count(*), status, backlog, due_on, since FROM tasks"),
                      "1|open|0|2024-07-09|2024-07-05");
  assert_string_equal(text("SELECT group_concat(on_date || ' ' || event || ' ' || coalesce(due_on, 'NULL'), ', ') "
                           "FROM (SELECT * FROM task_events ORDER BY id)"),
                      "2024-07-01 opened NULL, 2024-07-02 cleared NULL, 2024-07-03 reopened NULL, "
                      "2024-07-04 cleared NULL, 2024-07-05 reopened 2024-07-09");
}

/* A backlog task whose finding turns fresh is promoted: backlog 0, level 0,
** routed afresh, due from that night, a 'promoted' event; then it lives as
** any normal task (it escalates when overdue). */
static void test_backlog_promote(void **state) {
  (void)state;
  begin("2024-07-01");
  assert_int_equal(APPLY(.since = "2023-01-10"), KZ_OUT_BACKLOG);
  commit();
  begin("2024-07-08");
  assert_int_equal(apply_full((struct input_opts){.ward = "kita", .since = "2024-07-06", .due_days = 1},
                              NULL), KZ_OUT_PROMOTED);
  assert_int_equal(sweep(), 0);
  commit();
  assert_string_equal(text("SELECT count(*), status, backlog, level, unit, ward, since, opened_on, due_on "
                           "FROM tasks"),
                      "1|open|0|0|kita.health_center|kita|2024-07-06|2024-07-08|2024-07-09");
  assert_string_equal(text("SELECT event, unit, level, due_on, run_id FROM task_events ORDER BY id DESC LIMIT 1"),
                      "promoted|kita.health_center|0|2024-07-09|2");
  begin("2024-07-08");                      /* the same date again: nothing changes */
  assert_int_equal(apply_full((struct input_opts){.ward = "kita", .since = "2024-07-06", .due_days = 1},
                              NULL), KZ_OUT_KEPT);
  commit();
  begin("2024-07-10");
  assert_int_equal(apply_full((struct input_opts){.ward = "kita", .since = "2024-07-06", .due_days = 1},
                              NULL), KZ_OUT_ESCALATED);
  commit();
  assert_string_equal(text("SELECT level, unit, backlog FROM tasks"), "1|kita.health_center.supervisor|0");
  assert_string_equal(text("SELECT count(*) FROM task_events"), "3");
}

/* A never-backlog rule (a child's safety now) opens a normal task however
** old its trigger; and promotes a backlog task it finds (e.g. one opened
** before the rule was marked). */
static void test_never_backlog(void **state) {
  (void)state;
  begin("2024-07-01");
  assert_int_equal(APPLY(.since = "2021-04-01", .never_backlog = 1, .due_days = 3), KZ_OUT_OPENED);
  assert_int_equal(APPLY(.since = "2021-04-01", .key = "K2"), KZ_OUT_BACKLOG);
  commit();
  assert_string_equal(text("SELECT group_concat(key || ' ' || backlog || ' ' || coalesce(due_on, 'NULL'), ', ') "
                           "FROM (SELECT * FROM tasks ORDER BY id)"), "K1 0 2024-07-04, K2 1 NULL");
  begin("2024-07-02");
  assert_int_equal(APPLY(.since = "2021-04-01", .never_backlog = 1, .due_days = 3), KZ_OUT_KEPT);
  assert_int_equal(APPLY(.since = "2021-04-01", .key = "K2", .never_backlog = 1, .due_days = 3),
                   KZ_OUT_PROMOTED);
  commit();
  assert_string_equal(text("SELECT backlog, due_on FROM tasks WHERE key = 'K2'"), "0|2024-07-05");
}

/* Staff closed a backlog task: it stays done for its episode (a since up to
** the day it was done); a since after that day is another episode (the
** condition went away and came back): reopened, level 0, a due date. */
static void test_backlog_done_stays_done(void **state) {
  (void)state;
  begin("2024-07-01");
  assert_int_equal(APPLY(.since = "2023-01-10"), KZ_OUT_BACKLOG);
  commit();
  struct kz_diag d = {0};
  assert_int_equal(kz_tasks_mark_done(ts, "r.a", "C1", "K1", day("2024-07-02"), "reviewed", &d), 0);
  kz_diag_clear(&d);
  assert_string_equal(text("SELECT event, due_on FROM task_events ORDER BY id DESC LIMIT 1"), "done|NULL");
  begin("2024-07-03");
  assert_int_equal(APPLY(.since = "2023-01-10"), KZ_OUT_DONE);
  assert_int_equal(APPLY(.since = "2024-07-02"), KZ_OUT_DONE);
  assert_int_equal(sweep(), 0);
  commit();
  assert_string_equal(text("SELECT status, backlog, due_on FROM tasks"), "done|1|NULL");
  begin("2024-07-04");
  assert_int_equal(APPLY(.since = "2024-07-03"), KZ_OUT_REOPENED);
  commit();
  assert_string_equal(text("SELECT status, backlog, level, done_on IS NULL FROM tasks"), "open|0|0|1");
}

/* The run's record holds the backlog counts it was given. */
static void test_backlog_counts_recorded(void **state) {
  (void)state;
  struct kz_diag d = {0};
  long long counts[KZ_NOUTCOMES] = {0};
  counts[KZ_OUT_OPENED] = 5;
  counts[KZ_OUT_BACKLOG] = 3;
  counts[KZ_OUT_PROMOTED] = 2;
  begin("2024-07-01");
  assert_int_equal(kz_tasks_commit(ts, 1, counts, 0, &d), 0);
  kz_diag_clear(&d);
  assert_string_equal(text("SELECT opened, backlog, promoted FROM runs"), "5|3|2");
  assert_string_equal(kz_outcome_names[KZ_OUT_BACKLOG], "backlog");
  assert_string_equal(kz_outcome_names[KZ_OUT_PROMOTED], "promoted");
  assert_string_equal(kz_outcome_names[KZ_OUT_DONE], "done");
}

/* }====== */

/* {====== Migration from schema version 1 ====== */

/* schema/tasks.sql as it was at version 1 (before the backlog). */
static const char V1_SCHEMA[] =
  "PRAGMA user_version = 1;\n"
  "CREATE TABLE IF NOT EXISTS runs (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  as_of         TEXT NOT NULL,\n"
  "  started_at    TEXT NOT NULL,        -- wall clock, UTC\n"
  "  finished_at   TEXT,\n"
  "  rules_digest  TEXT NOT NULL,        -- sha-like digest of the rule files and profile\n"
  "  rules_count   INTEGER NOT NULL,\n"
  "  households    INTEGER NOT NULL DEFAULT 0,\n"
  "  opened        INTEGER NOT NULL DEFAULT 0,\n"
  "  kept          INTEGER NOT NULL DEFAULT 0,\n"
  "  cleared       INTEGER NOT NULL DEFAULT 0,\n"
  "  escalated     INTEGER NOT NULL DEFAULT 0,\n"
  "  reopened      INTEGER NOT NULL DEFAULT 0,\n"
  "  errors        INTEGER NOT NULL DEFAULT 0\n"
  ") STRICT;\n"
  "CREATE TABLE IF NOT EXISTS tasks (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  rule          TEXT NOT NULL,\n"
  "  subject       TEXT NOT NULL,        -- household or person id\n"
  "  key           TEXT NOT NULL,        -- tells episodes apart\n"
  "  household_id  TEXT NOT NULL,        -- the household whose bundle found it\n"
  "  agency        TEXT NOT NULL,        -- agency kind the task was routed to\n"
  "  ward          TEXT,                 -- ward used for routing (NULL: city level)\n"
  "  unit          TEXT NOT NULL,        -- current unit (climbs the ladder)\n"
  "  severity      TEXT NOT NULL CHECK (severity IN ('low','medium','high','critical')),\n"
  "  level         INTEGER NOT NULL DEFAULT 0,\n"
  "  status        TEXT NOT NULL CHECK (status IN ('open','cleared','done')),\n"
  "  since         TEXT,                 -- the day the trigger happened\n"
  "  opened_on     TEXT NOT NULL,\n"
  "  due_on        TEXT NOT NULL,\n"
  "  last_seen_on  TEXT NOT NULL,\n"
  "  cleared_on    TEXT,\n"
  "  done_on       TEXT,\n"
  "  done_note     TEXT,\n"
  "  reason        TEXT NOT NULL,        -- Japanese, for staff\n"
  "  evidence      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),\n"
  "  rule_version  TEXT NOT NULL,        -- digest of the rule file that made it\n"
  "  rule_file     TEXT,\n"
  "  rule_line     INTEGER,\n"
  "  UNIQUE (rule, subject, key)\n"
  ") STRICT;\n"
  "CREATE INDEX IF NOT EXISTS tasks_open ON tasks(status, last_seen_on);\n"
  "CREATE INDEX IF NOT EXISTS tasks_unit ON tasks(unit, status);\n"
  "CREATE TABLE IF NOT EXISTS task_events (\n"
  "  id        INTEGER PRIMARY KEY,\n"
  "  task_id   INTEGER NOT NULL REFERENCES tasks(id),\n"
  "  run_id    INTEGER REFERENCES runs(id),\n"
  "  on_date   TEXT NOT NULL,\n"
  "  event     TEXT NOT NULL CHECK (event IN ('opened','reopened','escalated','cleared','done')),\n"
  "  unit      TEXT NOT NULL,\n"
  "  level     INTEGER NOT NULL,\n"
  "  due_on    TEXT,\n"
  "  note      TEXT\n"
  ") STRICT;\n"
  "CREATE INDEX IF NOT EXISTS task_events_by_task ON task_events(task_id);\n"
  "CREATE INDEX IF NOT EXISTS task_events_by_run ON task_events(run_id);\n"
  "CREATE TABLE IF NOT EXISTS run_errors (\n"
  "  id        INTEGER PRIMARY KEY,\n"
  "  run_id    INTEGER NOT NULL REFERENCES runs(id),\n"
  "  rule      TEXT NOT NULL,\n"
  "  file      TEXT,\n"
  "  line      INTEGER,\n"
  "  subject   TEXT,\n"
  "  message   TEXT NOT NULL\n"
  ") STRICT;\n"
;

/* A version-1 DB as a v1 kizuki left it: two runs, three tasks (open,
** cleared, done), their events and a rule error. */
static const char V1_DATA[] =
  "INSERT INTO runs VALUES (1, '2024-06-03', '2024-06-03T01:00:00Z', '2024-06-03T01:01:00Z', 'd1', 18,"
  " 100, 3, 0, 0, 0, 0, 1);"
  "INSERT INTO runs VALUES (2, '2024-06-05', '2024-06-05T01:00:00Z', '2024-06-05T01:01:00Z', 'd1', 18,"
  " 100, 0, 1, 1, 1, 0, 0);"
  "INSERT INTO tasks VALUES (7, 'r.a', 'C1', 'K1', 'H1', 'health_center', 'chuo', "
  " 'chuo.health_center.supervisor', 'medium', 1, 'open', '2024-06-01', '2024-06-03', '2024-06-10',"
  " '2024-06-05', NULL, NULL, NULL, '理由', '[{\"table\":\"checkups\",\"id\":\"K1\"}]', 'v1',"
  " 'rules/x.lua', 3);"
  "INSERT INTO tasks VALUES (9, 'r.b', 'H2', 'H2', 'H2', 'welfare', 'kita', 'kita.welfare', 'high', 0,"
  " 'cleared', '2024-05-30', '2024-06-03', '2024-06-10', '2024-06-03', '2024-06-05', NULL, NULL, '理由2',"
  " '[]', 'v1', NULL, NULL);"
  "INSERT INTO tasks VALUES (12, 'r.a', 'C3', 'K3', 'H3', 'health_center', 'minami',"
  " 'minami.health_center', 'low', 0, 'done', '2024-06-02', '2024-06-03', '2024-06-17', '2024-06-03',"
  " NULL, '2024-06-04', 'seen', '理由3', '[]', 'v1', NULL, NULL);"
  "INSERT INTO task_events VALUES (1, 7, 1, '2024-06-03', 'opened', 'chuo.health_center', 0, '2024-06-04', NULL);"
  "INSERT INTO task_events VALUES (2, 9, 1, '2024-06-03', 'opened', 'kita.welfare', 0, '2024-06-10', NULL);"
  "INSERT INTO task_events VALUES (3, 12, 1, '2024-06-03', 'opened', 'minami.health_center', 0, '2024-06-17', NULL);"
  "INSERT INTO task_events VALUES (4, 12, NULL, '2024-06-04', 'done', 'minami.health_center', 0, '2024-06-17', 'seen');"
  "INSERT INTO task_events VALUES (5, 7, 2, '2024-06-05', 'escalated', 'chuo.health_center.supervisor', 1, '2024-06-10', NULL);"
  "INSERT INTO task_events VALUES (6, 9, 2, '2024-06-05', 'cleared', 'kita.welfare', 0, NULL, NULL);"
  "INSERT INTO run_errors VALUES (1, 1, 'r.b', 'rules/y.lua', 4, 'H5', 'boom');";

static const char DUMP_V1_TABLES[] =
  "SELECT group_concat(x, ';') FROM (SELECT id || ',' || rule || ',' || subject || ',' || key || ',' || "
  "unit || ',' || level || ',' || status || ',' || due_on || ',' || coalesce(cleared_on, '-') || ',' || "
  "coalesce(done_note, '-') || ',' || evidence AS x FROM tasks ORDER BY id)";

/* The columns of table t: name, type, notnull, default, pk, one per row. */
static char *columns(sqlite3 *d, const char *t) {
  static char buf[2][2048];
  static int next;
  char *out = buf[next++ & 1], sql[128];
  sqlite3_stmt *st = NULL;
  snprintf(sql, sizeof sql, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('%s')", t);
  out[0] = '\0';
  if (sqlite3_prepare_v2(d, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(d));
  while (sqlite3_step(st) == SQLITE_ROW)
    for (int c = 0; c < 5; c++) {
      const char *v = (const char *)sqlite3_column_text(st, c);
      strncat(out, v ? v : "NULL", 2047 - strlen(out));
      strncat(out, c == 4 ? "\n" : "|", 2047 - strlen(out));
    }
  sqlite3_finalize(st);
  return out;
}

/* Open a version-1 DB with this code: version 2, every row and id kept, the
** new columns in place (the same tables as a fresh DB), and a run works on
** it: the open task escalates on, a stale trigger opens a backlog task, a
** promotion may be recorded. */
static void test_migrate_v1(void **state) {
  (void)state;
  sqlite3 *old = NULL;
  struct kz_tasks *mts = NULL;
  struct kz_diag d = {0};
  assert_int_equal(sqlite3_open(":memory:", &old), SQLITE_OK);
  assert_int_equal(sqlite3_exec(old, V1_SCHEMA, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(old, V1_DATA, NULL, NULL, NULL), SQLITE_OK);
  sqlite3 *keep = db;
  db = old;                                 /* text() reads the old DB */
  char before[512];
  snprintf(before, sizeof before, "%s", text(DUMP_V1_TABLES));
  assert_string_equal(text("PRAGMA user_version"), "1");

  int rc = kz_tasks_attach(&mts, old, &prof, &d);
  if (rc != KZ_EXIT_OK) kz_diag_print(&d, stderr);
  assert_int_equal(rc, KZ_EXIT_OK);
  assert_string_equal(text("PRAGMA user_version"), "2");
  assert_string_equal(text(DUMP_V1_TABLES), before);
  assert_string_equal(text("SELECT group_concat(id || ' ' || backlog, ', ') FROM tasks"), "7 0, 9 0, 12 0");
  assert_string_equal(text("SELECT group_concat(id || ' ' || task_id || ' ' || coalesce(run_id, '-') || ' ' || event "
                           "|| ' ' || coalesce(due_on, '-') || ' ' || coalesce(note, '-'), ', ') "
                           "FROM (SELECT * FROM task_events ORDER BY id)"),
                      "1 7 1 opened 2024-06-04 -, 2 9 1 opened 2024-06-10 -, 3 12 1 opened 2024-06-17 -, "
                      "4 12 - done 2024-06-17 seen, 5 7 2 escalated 2024-06-10 -, 6 9 2 cleared - -");
  assert_string_equal(text("SELECT group_concat(id || ' ' || opened || ' ' || errors || ' ' || backlog || ' ' || "
                           "promoted, ', ') FROM runs"), "1 3 1 0 0, 2 0 0 0 0");
  assert_string_equal(text("SELECT * FROM run_errors"), "1|1|r.b|rules/y.lua|4|H5|boom");
  assert_string_equal(text("SELECT count(*) FROM pragma_foreign_key_check"), "0");
  assert_string_equal(text("PRAGMA foreign_keys"), "1");
  assert_string_equal(text("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master "
                           "WHERE name LIKE 'new_%' OR type = 'index' ORDER BY name)"),
                      "run_issues_by_run sqlite_autoindex_tasks_1 task_events_by_run task_events_by_task tasks_open "
                      "tasks_unit");
  /* The same tables as a fresh DB, column for column. */
  for (int i = 0; i < 3; i++) {
    static const char *const tables[] = {"runs", "tasks", "task_events"};
    char *migrated = columns(old, tables[i]);
    assert_string_equal(migrated, columns(keep, tables[i]));
  }
  /* A run on it: the open task escalates on, a stale one goes to the backlog,
  ** the cleared one returns fresh; a backlog task with a due date is refused. */
  struct kz_tasks *fresh = ts;
  ts = mts;
  begin("2024-06-11");
  assert_int_equal(APPLY(.since = "2024-06-01"), KZ_OUT_ESCALATED);
  assert_int_equal(APPLY(.since = "2023-06-01", .key = "OLD"), KZ_OUT_BACKLOG);
  assert_int_equal(APPLY(.rule = "r.b", .subject = "H2", .key = "H2", .household = "H2", .agency = "welfare",
                         .ward = "kita", .since = "2024-06-11"), KZ_OUT_REOPENED);
  assert_int_equal(APPLY(.subject = "C3", .key = "K3", .since = "2024-06-02"), KZ_OUT_DONE);
  assert_int_equal(sweep(), 0);
  commit();
  assert_string_equal(text("SELECT group_concat(id || ' ' || status || ' ' || level || ' ' || backlog || ' ' || "
                           "coalesce(due_on, 'NULL'), ', ') FROM (SELECT * FROM tasks ORDER BY id)"),
                      "7 open 2 0 2024-06-14, 9 open 0 0 2024-06-25, 12 done 0 0 2024-06-17, 13 open 0 1 NULL");
  assert_int_equal(sqlite3_exec(old, "UPDATE tasks SET due_on = '2024-07-01' WHERE id = 13", NULL, NULL, NULL),
                   SQLITE_CONSTRAINT);
  assert_int_equal(sqlite3_exec(old, "INSERT INTO task_events (task_id, on_date, event, unit, level) "
                                "VALUES (7, '2024-06-12', 'promoted', 'x', 0)", NULL, NULL, NULL), SQLITE_OK);
  ts = fresh;
  db = keep;
  kz_tasks_close(mts);
  /* Opening it again changes nothing (already version 2). */
  assert_int_equal(kz_tasks_attach(&mts, old, &prof, &d), KZ_EXIT_OK);
  kz_tasks_close(mts);
  db = old;
  assert_string_equal(text("SELECT count(*), max(id) FROM tasks"), "4|13");
  db = keep;
  sqlite3_close(old);
  kz_diag_clear(&d);
}

/* A file DB in WAL mode, as `kizuki run` keeps it; a failed migration (a
** broken row) leaves it at version 1 as it was; a DB from a newer kizuki is
** refused, not touched. */
static void test_migrate_file_and_refusals(void **state) {
  (void)state;
  char dir[] = "/tmp/kz_mig_XXXXXX", path[64], cmd[128];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/tasks.db", dir);
  sqlite3 *f = NULL;
  struct kz_tasks *m = NULL;
  struct kz_diag d = {0};
  assert_int_equal(sqlite3_open(path, &f), SQLITE_OK);
  assert_int_equal(sqlite3_exec(f, V1_SCHEMA, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(f, V1_DATA, NULL, NULL, NULL), SQLITE_OK);
  /* A backlog-like row the v2 CHECK refuses cannot exist in v1, so break the
  ** copy another way: a task_event whose event v2 also allows, but a tasks
  ** row whose evidence is no longer valid JSON. */
  assert_int_equal(sqlite3_exec(f, "PRAGMA ignore_check_constraints = ON; "
                                "UPDATE tasks SET evidence = '[' WHERE id = 9; "
                                "PRAGMA ignore_check_constraints = OFF", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(kz_tasks_open(&m, path, &prof, &d), KZ_EXIT_TASKS);
  assert_true(d.n >= 1);
  assert_non_null(strstr(d.msgs[0], "cannot migrate it from schema version 1 to 2"));
  kz_diag_clear(&d);
  sqlite3 *keep = db;
  db = f;
  assert_string_equal(text("PRAGMA user_version"), "1");
  assert_string_equal(text("SELECT count(*) FROM tasks"), "3");
  assert_string_equal(text("SELECT count(*) FROM pragma_table_info('tasks') WHERE name = 'backlog'"), "0");
  /* Repaired, it migrates. */
  assert_int_equal(sqlite3_exec(f, "UPDATE tasks SET evidence = '[]' WHERE id = 9", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(kz_tasks_open(&m, path, &prof, &d), KZ_EXIT_OK);
  kz_tasks_close(m);
  assert_string_equal(text("PRAGMA user_version"), "2");
  assert_string_equal(text("SELECT group_concat(id, ' ') FROM tasks"), "7 9 12");
  /* A newer kizuki's DB. */
  assert_int_equal(sqlite3_exec(f, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(kz_tasks_open(&m, path, &prof, &d), KZ_EXIT_TASKS);
  assert_true(d.n >= 1);
  assert_non_null(strstr(d.msgs[0], "schema version is 3, newer than this kizuki's (2)"));
  assert_string_equal(text("PRAGMA user_version"), "3");
  db = keep;
  kz_diag_clear(&d);
  sqlite3_close(f);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

/* }====== */

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
    cmocka_unit_test_setup_teardown(test_kept_household, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sweep_keeps_what_was_not_looked_at, setup, teardown),
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
    cmocka_unit_test_setup_teardown(test_backlog_kept_never_escalates, setup, teardown),
    cmocka_unit_test_setup_teardown(test_backlog_clear_and_reopen, setup, teardown),
    cmocka_unit_test_setup_teardown(test_backlog_promote, setup, teardown),
    cmocka_unit_test_setup_teardown(test_never_backlog, setup, teardown),
    cmocka_unit_test_setup_teardown(test_backlog_done_stays_done, setup, teardown),
    cmocka_unit_test_setup_teardown(test_backlog_counts_recorded, setup, teardown),
    cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
    cmocka_unit_test_setup_teardown(test_migrate_file_and_refusals, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
