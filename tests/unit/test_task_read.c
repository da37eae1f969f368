/*
** test_task_read.c — the task DB module's reader and its severity table:
** open tasks in both orders, a run's events by kind, a night's timeline
** (staff's done first), rule outcomes, errors (per run and summarised),
** case-data issues, the last finished run, `kizuki done` by id; severity
** names, ranks, labels and the SQL rank function. Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuki.h"
#include "profile.h"
#include "severity.h"
#include "task_read.h"
#include "task_store.h"

static struct kz_profile prof;
static struct kz_tasks *ts;
static const char *const RULES[] = {"r.a", "r.b"};

static kz_day day(const char *s) {
  kz_day d;
  if (kz_date_parse(s, &d)) fail_msg("bad date %s", s);
  return d;
}

static void run_night(const char *on, const char *const *subjects, const char *since) {
  struct kz_diag d = {0};
  assert_int_equal(kz_tasks_begin(ts, day(on), "digest", 2, RULES, &d), KZ_EXIT_OK);
  for (size_t i = 0; subjects[i]; i++) {
    struct kz_task_input in = {
      .rule = i % 2 ? "r.b" : "r.a", .subject = subjects[i], .key = subjects[i],
      .household_id = "H1", .agency = "health_center", .ward = "chuo",
      .severity = i % 2 ? "critical" : "low", .since = day(since), .reason = "理由",
      .evidence = "[]", .rule_version = "v1", .due_days = 1, .open_within_days = 180};
    enum kz_outcome o;
    char unit[64];
    assert_int_equal(kz_tasks_apply(ts, &in, &o, unit, &d), 0);
  }
  assert_true(kz_tasks_sweep(ts, NULL, NULL, NULL, &d) >= 0);
  long long counts[KZ_NOUTCOMES] = {0};
  assert_int_equal(kz_tasks_commit(ts, 1, counts, 0, &d), 0);
  kz_diag_clear(&d);
}

static int setup(void **state) {
  (void)state;
  struct kz_diag d = {0};
  memset(&prof, 0, sizeof prof);
  if (kz_profile_load(&prof, "rules/kizuki.yaml", &d)) { kz_diag_print(&d, stderr); return -1; }
  if (kz_tasks_open(&ts, ":memory:", &prof, &d) != KZ_EXIT_OK) { kz_diag_print(&d, stderr); return -1; }
  kz_diag_clear(&d);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  kz_tasks_close(ts);
  kz_profile_free(&prof);
  return 0;
}

/* Collects "subject:unit:level:due:backlog[:event]" of each row, ", " apart. */
static char got[1024];
static int collect(void *ctx, const struct kz_task_row *r) {
  (void)ctx;
  size_t n = strlen(got);
  snprintf(got + n, sizeof got - n, "%s%s:%s:%d:%s:%d%s%s", n ? ", " : "", r->subject, r->unit,
           r->level, r->due_on ? r->due_on : "-", r->backlog, r->event ? ":" : "",
           r->event ? r->event : "");
  return 0;
}

static void test_reader(void **state) {
  (void)state;
  kz_day last;
  assert_int_equal(kz_tasks_last_run(ts, &last), 0);
  assert_int_equal(last, KZ_DAY_NONE);
  run_night("2024-07-01", (const char *const[]){"S2", "S1", "S3", NULL}, "2024-06-30");
  run_night("2024-07-03", (const char *const[]){"S2", "S1", NULL}, "2024-06-30");
  assert_int_equal(kz_tasks_last_run(ts, &last), 0);
  assert_int_equal(last, day("2024-07-03"));

  got[0] = '\0';   /* r.a: S2, r.b: S1, both past due and escalated; S3 (r.a) cleared */
  assert_int_equal(kz_tasks_each_open(ts, KZ_ORDER_KEY, collect, NULL), 0);
  assert_string_equal(got, "S2:chuo.health_center.supervisor:1:2024-07-08:0, "
                           "S1:chuo.health_center.supervisor:1:2024-07-08:0");
  got[0] = '\0';
  assert_int_equal(kz_tasks_each_run_event(ts, 2, KZ_EV_CLEARED | KZ_EV_ESCALATED, collect, NULL), 0);
  assert_string_equal(got, "S2:chuo.health_center.supervisor:1:2024-07-08:0:escalated, "
                           "S3:chuo.health_center:0:-:0:cleared, "
                           "S1:chuo.health_center.supervisor:1:2024-07-08:0:escalated");
  got[0] = '\0';
  assert_int_equal(kz_tasks_each_run_event(ts, 1, KZ_EV_OPENED, collect, NULL), 0);
  assert_string_equal(got, "S2:chuo.health_center:0:2024-07-02:0:opened, "
                           "S3:chuo.health_center:0:2024-07-02:0:opened, "
                           "S1:chuo.health_center:0:2024-07-02:0:opened");

  /* Staff close S1 between runs: `kizuki done` by id, in its own transaction. */
  struct kz_diag d = {0};
  struct kz_task_done closed = {0};
  assert_int_equal(kz_tasks_mark_done_id(ts, "t.db", 2, day("2024-07-04"), "seen", &closed, &d), KZ_EXIT_OK);
  assert_string_equal(closed.subject, "S1");
  assert_string_equal(closed.unit, "chuo.health_center.supervisor");
  free(closed.rule); free(closed.subject); free(closed.key); free(closed.unit);
  memset(&closed, 0, sizeof closed);
  assert_int_equal(kz_tasks_mark_done_id(ts, "t.db", 2, day("2024-07-04"), "again", &closed, &d), KZ_EXIT_USAGE);
  assert_int_equal(kz_tasks_mark_done_id(ts, "t.db", 99, day("2024-07-04"), "none", &closed, &d), KZ_EXIT_USAGE);
  assert_int_equal(kz_tasks_mark_done_id(ts, "t.db", 1, day("2024-06-01"), "early", &closed, &d), KZ_EXIT_USAGE);
  free(closed.rule); free(closed.subject); free(closed.key); free(closed.unit);
  assert_int_equal(d.n, 3);
  kz_diag_clear(&d);

  run_night("2024-07-05", (const char *const[]){"S2", "S1", NULL}, "2024-06-30");
  got[0] = '\0';   /* the night's timeline: staff's done of 07-04, then run 3 (nothing) */
  assert_int_equal(kz_tasks_each_night_event(ts, 3, "2024-07-04", collect, NULL), 0);
  assert_string_equal(got, "S1:chuo.health_center.supervisor:1:2024-07-08:0:done");
  got[0] = '\0';   /* opened order: by opened_on, then rule, subject, key */
  assert_int_equal(kz_tasks_each_open(ts, KZ_ORDER_OPENED, collect, NULL), 0);
  assert_string_equal(got, "S2:chuo.health_center.supervisor:1:2024-07-08:0");
}

static int count_errors(void *ctx, const struct kz_run_error_row *e) {
  char *out = ctx;
  size_t n = strlen(out);
  snprintf(out + n, 256 - n, "%s%s:%d:%s:%s:%s:%d:%s", n ? ", " : "", e->file, e->line, e->rule,
           e->subject, e->message, e->days, e->first ? e->first : "-");
  return 0;
}

static int list_issue(void *ctx, const struct kz_run_issue_row *e) {
  char *out = ctx;
  size_t n = strlen(out);
  snprintf(out + n, 256 - n, "%s%s %s %s %s %s %s", n ? ", " : "", e->household_id, e->table,
           e->row_id, e->column, e->value, e->why);
  return 0;
}

static void test_errors_and_issues(void **state) {
  (void)state;
  struct kz_diag d = {0};
  for (int night = 0; night < 2; night++) {
    assert_int_equal(kz_tasks_begin(ts, day(night ? "2024-07-09" : "2024-07-08"), "digest", 2, RULES, &d),
                     KZ_EXIT_OK);
    assert_int_equal(kz_tasks_record_error(ts, "r.a", "H1", NULL, NULL, 0, "boom"), 0);
    assert_int_equal(kz_tasks_record_issue(ts, NULL, "invalid", "persons", "P1", NULL, NULL, "bad"), 0);
    long long counts[KZ_NOUTCOMES] = {0};
    assert_int_equal(kz_tasks_commit(ts, 1, counts, 1, &d), 0);
  }
  long long run = kz_tasks_run_id(ts);
  char out[256] = "";
  assert_int_equal(kz_tasks_each_error(ts, run, count_errors, out), 0);
  assert_string_equal(out, "?:0:r.a:-:boom:1:-");
  out[0] = '\0';
  assert_int_equal(kz_tasks_each_error_summary(ts, count_errors, out), 0);
  assert_string_equal(out, "?:0:r.a:-:boom:2:2024-07-08");
  out[0] = '\0';
  assert_int_equal(kz_tasks_each_issue(ts, run, "invalid", list_issue, out), 0);
  assert_string_equal(out, "- persons P1 - NULL bad");
  out[0] = '\0';
  assert_int_equal(kz_tasks_each_issue(ts, run, "quality", list_issue, out), 0);
  assert_string_equal(out, "");
  kz_diag_clear(&d);
}

static void test_severity_table(void **state) {
  (void)state;
  static const char *const names[] = {"critical", "high", "medium", "low"};
  static const char *const ja[] = {"緊急", "高", "中", "低"};
  for (int i = 0; i < KZ_NSEVERITIES; i++) {
    assert_string_equal(kz_severities[i].name, names[i]);
    assert_int_equal(kz_severities[i].rank, i);
    assert_ptr_equal(kz_severity_find(names[i]), &kz_severities[i]);
    assert_int_equal(kz_severity_rank(names[i]), i);
    assert_string_equal(kz_severity_ja(names[i]), ja[i]);
  }
  assert_null(kz_severity_find("urgent"));
  assert_null(kz_severity_find(NULL));
  assert_int_equal(kz_severity_rank("urgent"), KZ_NSEVERITIES - 1);
  assert_string_equal(kz_severity_ja("urgent"), "urgent");
  assert_string_equal(kz_severity_ja(NULL), "");
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(kz_severity_sql_register(db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(s, ' ') FROM (SELECT column1 AS s FROM "
      "(VALUES ('low'), ('critical'), ('medium'), ('high')) ORDER BY kz_severity_rank(s))", -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "critical high medium low");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reader),
      cmocka_unit_test(test_errors_and_issues),
      cmocka_unit_test(test_severity_table),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
