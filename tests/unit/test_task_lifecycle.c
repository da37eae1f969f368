/*
** test_task_lifecycle.c — every transition of the task lifecycle decision,
** on plain structs (no SQLite): open, keep, escalate, reopen, clear; backlog
** open, keep, promote, reopen-stale; never-backlog; done stays done for its
** episode and reopens for a later one.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "task_lifecycle.h"

static kz_day day(const char *s) {
  kz_day d = KZ_DAY_NONE;
  assert_int_equal(kz_date_parse(s, &d), 0);
  return d;
}

#define TODAY day("2024-07-10")

/* A finding whose trigger is `age` days old, with open_within_days 180. */
static struct kz_lc_finding finding(int age, int never_backlog) {
  struct kz_lc_finding f = {TODAY - age, 180, never_backlog};
  return f;
}

static struct kz_lc_task task(enum kz_task_status status, int backlog, const char *due,
                              const char *seen) {
  struct kz_lc_task t = {status, backlog, due ? day(due) : KZ_DAY_NONE, day(seen), KZ_DAY_NONE};
  return t;
}

static void decides(const struct kz_lc_task *t, const struct kz_lc_finding *f,
                    enum kz_lc_action action, int backlog) {
  struct kz_lc_decision dec = kz_lifecycle_decide(t, f, TODAY);
  assert_int_equal(dec.action, action);
  assert_int_equal(dec.backlog, backlog);
}

static void test_open(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(3, 0);
  decides(NULL, &f, KZ_LC_OPEN, 0);
  f = finding(180, 0);                         /* exactly open_within_days: still fresh */
  decides(NULL, &f, KZ_LC_OPEN, 0);
}

static void test_nothing_without_either(void **state) {
  (void)state;
  decides(NULL, NULL, KZ_LC_NOTHING, 0);
}

static void test_keep_and_seen(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(3, 0);
  struct kz_lc_task t = task(KZ_TASK_OPEN, 0, "2024-07-12", "2024-07-09");
  decides(&t, &f, KZ_LC_KEEP, 0);
  t = task(KZ_TASK_OPEN, 0, "2024-07-10", "2024-07-09");   /* due today: not yet overdue */
  decides(&t, &f, KZ_LC_KEEP, 0);
  t = task(KZ_TASK_OPEN, 0, "2024-07-01", "2024-07-10");   /* this run saw it already */
  decides(&t, &f, KZ_LC_SEEN, 0);
}

static void test_escalate(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(3, 0);
  struct kz_lc_task t = task(KZ_TASK_OPEN, 0, "2024-07-09", "2024-07-09");
  decides(&t, &f, KZ_LC_ESCALATE, 0);
  f = finding(400, 0);                         /* an open normal task escalates however old */
  decides(&t, &f, KZ_LC_ESCALATE, 0);
}

static void test_reopen(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(1, 0);
  struct kz_lc_task t = task(KZ_TASK_CLEARED, 0, "2024-06-01", "2024-06-01");
  decides(&t, &f, KZ_LC_REOPEN, 0);
  t = task(KZ_TASK_CLEARED, 1, NULL, "2024-06-01");        /* a cleared backlog task, fresh now */
  decides(&t, &f, KZ_LC_REOPEN, 0);
}

static void test_clear(void **state) {
  (void)state;
  struct kz_lc_task t = task(KZ_TASK_OPEN, 0, "2024-07-20", "2024-07-09");
  decides(&t, NULL, KZ_LC_CLEAR, 0);
  t = task(KZ_TASK_OPEN, 1, NULL, "2024-07-09");           /* a backlog task clears too */
  decides(&t, NULL, KZ_LC_CLEAR, 0);
  t = task(KZ_TASK_CLEARED, 0, "2024-07-20", "2024-07-01"); /* already cleared: nothing */
  decides(&t, NULL, KZ_LC_NOTHING, 0);
}

static void test_backlog_open_keep(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(181, 0);
  decides(NULL, &f, KZ_LC_OPEN, 1);
  struct kz_lc_task t = task(KZ_TASK_OPEN, 1, NULL, "2024-07-09");
  decides(&t, &f, KZ_LC_KEEP, 0);              /* kept, never escalated */
  t = task(KZ_TASK_OPEN, 1, NULL, "2024-07-10");
  decides(&t, &f, KZ_LC_SEEN, 0);
}

static void test_backlog_promote(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(2, 0);      /* a new trigger made since recent */
  struct kz_lc_task t = task(KZ_TASK_OPEN, 1, NULL, "2024-07-09");
  decides(&t, &f, KZ_LC_PROMOTE, 0);
  t = task(KZ_TASK_OPEN, 1, NULL, "2024-07-10");           /* even when seen tonight */
  decides(&t, &f, KZ_LC_PROMOTE, 0);
}

static void test_backlog_reopen_stale(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(365, 0);
  struct kz_lc_task t = task(KZ_TASK_CLEARED, 0, "2024-03-01", "2024-03-01");
  decides(&t, &f, KZ_LC_REOPEN, 1);
  t = task(KZ_TASK_CLEARED, 1, NULL, "2024-03-01");
  decides(&t, &f, KZ_LC_REOPEN, 1);
}

static void test_never_backlog(void **state) {
  (void)state;
  struct kz_lc_finding f = finding(1000, 1);
  assert_int_equal(kz_lifecycle_stale(&f, TODAY), 0);
  decides(NULL, &f, KZ_LC_OPEN, 0);
  struct kz_lc_task t = task(KZ_TASK_CLEARED, 0, "2024-03-01", "2024-03-01");
  decides(&t, &f, KZ_LC_REOPEN, 0);
  t = task(KZ_TASK_OPEN, 1, NULL, "2024-07-09");  /* a backlog task of a rule now never-backlog */
  decides(&t, &f, KZ_LC_PROMOTE, 0);
  f = finding(1000, 0);
  assert_int_equal(kz_lifecycle_stale(&f, TODAY), 1);
}

static void test_done_stays_done(void **state) {
  (void)state;
  struct kz_lc_finding fresh = finding(1, 0), stale = finding(400, 0), safety = finding(1, 1);
  struct kz_lc_task t = task(KZ_TASK_DONE, 0, "2024-07-01", "2024-07-01");
  decides(&t, &fresh, KZ_LC_DONE, 0);
  decides(&t, &stale, KZ_LC_DONE, 0);
  decides(&t, &safety, KZ_LC_DONE, 0);
  decides(&t, NULL, KZ_LC_NOTHING, 0);
  t = task(KZ_TASK_DONE, 1, NULL, "2024-07-01");
  decides(&t, &fresh, KZ_LC_DONE, 0);
  /* Done on a recorded day: the same episode (since on or before it) stays done. */
  t = task(KZ_TASK_DONE, 0, "2024-07-01", "2024-07-01");
  t.done_on = day("2024-07-05");
  struct kz_lc_finding same = finding(5, 0), before = finding(20, 0);   /* since 07-05, 06-20 */
  decides(&t, &same, KZ_LC_DONE, 0);
  decides(&t, &before, KZ_LC_DONE, 0);
  decides(&t, &stale, KZ_LC_DONE, 0);
  decides(&t, NULL, KZ_LC_NOTHING, 0);
}

/* A done task whose finding's since is after the day it was done: another
** episode (the condition went away and came back): it reopens, in the
** backlog when that trigger is stale, never when never_backlog. */
static void test_done_reopens_later_episode(void **state) {
  (void)state;
  struct kz_lc_task t = task(KZ_TASK_DONE, 0, "2024-07-01", "2024-07-01");
  t.done_on = day("2024-07-05");
  struct kz_lc_finding next_day = finding(4, 0), safety = finding(1, 1);   /* since 07-06, 07-09 */
  decides(&t, &next_day, KZ_LC_REOPEN, 0);
  decides(&t, &safety, KZ_LC_REOPEN, 0);
  t = task(KZ_TASK_DONE, 1, NULL, "2023-01-01");           /* a backlog task done long ago */
  t.done_on = day("2023-01-02");
  struct kz_lc_finding stale = finding(400, 0), stale_safety = finding(400, 1);  /* since 2023-06-06 */
  decides(&t, &stale, KZ_LC_REOPEN, 1);
  decides(&t, &stale_safety, KZ_LC_REOPEN, 0);
  decides(&t, NULL, KZ_LC_NOTHING, 0);
}

/* Overdue, the one definition: open, not backlog, due before the day judged
** on; the day the lifecycle escalates is exactly the day a reader first
** calls the task overdue. */
static void test_overdue(void **state) {
  (void)state;
  kz_day due = day("2024-07-09");
  assert_int_equal(kz_task_overdue(1, 0, due, TODAY), 1);
  assert_int_equal(kz_task_overdue(1, 0, due, due), 0);          /* due today: not yet */
  assert_int_equal(kz_task_overdue(1, 0, due, due - 1), 0);
  assert_int_equal(kz_task_overdue(0, 0, due, TODAY), 0);        /* cleared or done */
  assert_int_equal(kz_task_overdue(1, 1, due, TODAY), 0);        /* backlog: never */
  assert_int_equal(kz_task_overdue(1, 0, KZ_DAY_NONE, TODAY), 0);
  assert_int_equal(kz_task_overdue(1, 0, due, KZ_DAY_NONE), 0);
  assert_int_equal(kz_task_overdue_text("open", 0, "2024-07-09", TODAY), 1);
  assert_int_equal(kz_task_overdue_text("open", 0, "2024-07-10", TODAY), 0);
  assert_int_equal(kz_task_overdue_text("done", 0, "2024-07-09", TODAY), 0);
  assert_int_equal(kz_task_overdue_text("open", 1, "2024-07-09", TODAY), 0);
  assert_int_equal(kz_task_overdue_text("open", 0, NULL, TODAY), 0);
  assert_int_equal(kz_task_overdue_text("open", 0, "2024-7-9", TODAY), 0);
  assert_int_equal(kz_task_overdue_text(NULL, 0, "2024-07-09", TODAY), 0);
  /* The lifecycle escalates an open task exactly when it is overdue. */
  for (int k = -2; k <= 2; k++) {
    struct kz_lc_task t = task(KZ_TASK_OPEN, 0, "2024-07-10", "2024-07-01");
    t.due_on += k;
    struct kz_lc_finding f = finding(3, 0);
    struct kz_lc_decision dec = kz_lifecycle_decide(&t, &f, TODAY);
    assert_int_equal(dec.action == KZ_LC_ESCALATE, kz_task_overdue(1, 0, t.due_on, TODAY));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open),
      cmocka_unit_test(test_nothing_without_either),
      cmocka_unit_test(test_keep_and_seen),
      cmocka_unit_test(test_escalate),
      cmocka_unit_test(test_reopen),
      cmocka_unit_test(test_clear),
      cmocka_unit_test(test_backlog_open_keep),
      cmocka_unit_test(test_backlog_promote),
      cmocka_unit_test(test_backlog_reopen_stale),
      cmocka_unit_test(test_never_backlog),
      cmocka_unit_test(test_done_stays_done),
      cmocka_unit_test(test_done_reopens_later_episode),
      cmocka_unit_test(test_overdue),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
