/*
** test_calendar.c — business days with the real holiday list: the calendar
** comes from rules/kizuki.yaml through kz_profile_load, so a wrong date in
** the profile fails here. Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdlib.h>

#include "calendar.h"
#include "profile.h"


static kz_day day(const char *s) {
  kz_day d = KZ_DAY_NONE;
  if (kz_date_parse(s, &d) != 0) fail_msg("bad date in test: %s", s);
  return d;
}

/* Assert that n business days after `from` is `to`. */
#define assert_after(cal, from, n, to)                                        \
  do {                                                                        \
    char got_[KZ_DATE_LEN];                                                   \
    kz_day g_ = kz_calendar_add_business_days((cal), day(from), (n));         \
    if (g_ != day(to))                                                        \
      fail_msg("%s + %d business days: expected %s, got %s", (from), (n),     \
               (to), kz_date_format(g_, got_));                               \
  } while (0)



static const struct kz_calendar *cal_of(void **state) {
  return &((struct kz_profile *)*state)->calendar;
}

static void test_weekends(void **state) {
  const struct kz_calendar *c = cal_of(state);
  assert_true(kz_calendar_is_business_day(c, day("2024-06-07")));    /* Friday */
  assert_false(kz_calendar_is_business_day(c, day("2024-06-08")));   /* Saturday */
  assert_false(kz_calendar_is_business_day(c, day("2024-06-09")));   /* Sunday */
  assert_after(c, "2024-06-07", 0, "2024-06-07");
  assert_after(c, "2024-06-07", 1, "2024-06-10");                    /* Friday -> Monday */
  assert_after(c, "2024-06-08", 1, "2024-06-10");                    /* from a Saturday */
  assert_after(c, "2024-06-10", 5, "2024-06-17");
  assert_after(c, "2024-06-10", 10, "2024-06-24");
  assert_int_equal(kz_calendar_business_days_between(c, day("2024-06-07"), day("2024-06-10")), 1);
  assert_int_equal(kz_calendar_business_days_between(c, day("2024-06-10"), day("2024-06-07")), -1);
  assert_int_equal(kz_calendar_business_days_between(c, day("2024-06-10"), day("2024-06-10")), 0);
}

static void test_golden_week(void **state) {
  const struct kz_calendar *c = cal_of(state);
  /* 2024: 4/29 Mon 昭和の日; 5/3 Fri - 5/6 Mon (5/6 振替休日). */
  assert_false(kz_calendar_is_business_day(c, day("2024-04-29")));
  assert_true(kz_calendar_is_business_day(c, day("2024-04-30")));
  assert_false(kz_calendar_is_business_day(c, day("2024-05-03")));
  assert_false(kz_calendar_is_business_day(c, day("2024-05-06")));   /* substitute holiday */
  assert_true(kz_calendar_is_holiday(c, day("2024-05-06")));
  assert_after(c, "2024-04-26", 1, "2024-04-30");
  assert_after(c, "2024-05-02", 1, "2024-05-07");
  assert_after(c, "2024-04-26", 5, "2024-05-08");
  assert_int_equal(kz_calendar_business_days_between(c, day("2024-04-26"), day("2024-05-07")), 4);
  assert_int_equal(kz_calendar_business_days_between(c, day("2024-05-07"), day("2024-04-26")), -4);
  assert_after(c, "2024-05-07", -1, "2024-05-02");                   /* counting back */
  /* 2019: ten days off around the enthronement (4/30 and 5/2 国民の休日). */
  assert_after(c, "2019-04-26", 1, "2019-05-07");
}

static void test_substitute_holidays(void **state) {
  const struct kz_calendar *c = cal_of(state);
  assert_false(kz_calendar_is_business_day(c, day("2024-02-12")));   /* 2/11 Sunday -> 2/12 */
  assert_after(c, "2024-02-09", 1, "2024-02-13");
  assert_false(kz_calendar_is_business_day(c, day("2024-09-23")));   /* 秋分の日 on Sunday */
  assert_false(kz_calendar_is_business_day(c, day("2024-11-04")));   /* 文化の日 on Sunday */
  assert_false(kz_calendar_is_business_day(c, day("2021-08-09")));   /* Olympic 山の日 8/8 Sunday */
  assert_false(kz_calendar_is_business_day(c, day("2018-12-24")));   /* 天皇誕生日 12/23 Sunday */
}

static void test_special_years(void **state) {
  const struct kz_calendar *c = cal_of(state);
  static const char *const holidays[] = {
      "2019-04-30", "2019-05-01", "2019-05-02", "2019-10-22",   /* enthronement */
      "2020-07-23", "2020-07-24", "2020-08-10",                 /* Olympics 2020 */
      "2021-07-22", "2021-07-23", "2021-08-08", "2021-08-09",   /* Olympics 2021 */
      "2016-08-11", "2017-12-23", "2020-02-24", "2023-02-23",   /* 山の日, 天皇誕生日 */
      "2015-09-22", "2026-09-22", "2032-09-21",                 /* 国民の休日 */
      "2024-03-20", "2024-09-22", "2035-03-21", "2035-09-24",   /* equinoxes */
  };
  static const char *const workdays[] = {
      "2015-08-11",   /* before 山の日 existed */
      "2019-12-23",   /* no 天皇誕生日 in 2019 */
      "2020-10-12",   /* スポーツの日 moved to 7/24 */
      "2021-10-11",   /* ... and to 7/23 */
      "2020-07-20",   /* 海の日 moved to 7/23 */
      "2021-08-11",   /* 山の日 moved to 8/8 */
      "2024-12-23",   /* 天皇誕生日 is 2/23 now */
  };
  for (size_t i = 0; i < sizeof holidays / sizeof *holidays; i++)
    if (!kz_calendar_is_holiday(c, day(holidays[i]))) fail_msg("%s is not a holiday", holidays[i]);
  for (size_t i = 0; i < sizeof workdays / sizeof *workdays; i++)
    if (!kz_calendar_is_business_day(c, day(workdays[i])))
      fail_msg("%s is not a business day", workdays[i]);
  /* Every year of 2015-2035 has its holidays (10+ on weekdays, year-end aside). */
  for (int y = 2015; y <= 2035; y++) {
    int n = kz_calendar_business_days_between(c, kz_date_from_ymd(y, 1, 4),
                                              kz_date_from_ymd(y, 12, 28));
    int weekdays = 0;
    for (kz_day d = kz_date_from_ymd(y, 1, 5); d <= kz_date_from_ymd(y, 12, 28); d++)
      weekdays += kz_date_weekday(d) != 0 && kz_date_weekday(d) != 6;
    if (weekdays - n < 10) fail_msg("%d: only %d weekday holidays", y, weekdays - n);
  }
}

static void test_year_end(void **state) {
  const struct kz_calendar *c = cal_of(state);
  /* 12/27 Fri + 1: 12/28-29 weekend, 12/30-1/3 closed, 1/4-5 weekend. */
  assert_after(c, "2024-12-27", 1, "2025-01-06");
  assert_true(kz_calendar_is_year_end(day("2024-12-29")));
  assert_true(kz_calendar_is_year_end(day("2025-01-03")));
  assert_false(kz_calendar_is_year_end(day("2025-01-04")));
  assert_false(kz_calendar_is_year_end(day("2024-12-28")));
  assert_false(kz_calendar_is_business_day(c, day("2025-01-02")));   /* a Thursday */
  assert_after(c, "2025-12-26", 1, "2026-01-05");
  /* The closure holds without any holiday list too. */
  struct kz_calendar empty = {0};
  assert_false(kz_calendar_is_business_day(&empty, day("2023-12-29")));
  assert_after(&empty, "2023-12-28", 1, "2024-01-04");
  assert_true(kz_calendar_is_business_day(&empty, day("2024-05-06")));
}

static void test_every_day(void **state) {
  const struct kz_calendar *c = cal_of(state);
  /* From any day, +1 lands on a business day with nothing in between. */
  for (kz_day d = day("2015-01-01"); d <= day("2035-12-31"); d++) {
    kz_day next = kz_calendar_add_business_days(c, d, 1);
    assert_true(next > d && next - d <= 11);   /* 2019-04-26 -> 05-07 is the longest */
    assert_true(kz_calendar_is_business_day(c, next));
    assert_int_equal(kz_calendar_business_days_between(c, d, next), 1);
    assert_int_equal(kz_calendar_business_days_between(c, d, next - 1), 0);
  }
}

static void test_add_keeps_order(void **state) {
  (void)state;
  struct kz_calendar c = {0};
  kz_day days[] = {50, 10, 30, 10, 40, 20, 30, 0, 60};
  for (int round = 0; round < 20; round++)                 /* grow past several capacities */
    for (size_t i = 0; i < sizeof days / sizeof *days; i++)
      assert_int_equal(kz_calendar_add(&c, days[i] + round * 100), 0);
  assert_int_equal(c.n, 7 * 20);
  for (size_t i = 1; i < c.n; i++) assert_true(c.holidays[i - 1] < c.holidays[i]);
  assert_true(kz_calendar_is_holiday(&c, 1930));
  assert_false(kz_calendar_is_holiday(&c, 1935));
  kz_calendar_free(&c);
  assert_null(c.holidays);
  assert_int_equal(c.n, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_weekends),
      cmocka_unit_test(test_golden_week),
      cmocka_unit_test(test_substitute_holidays),
      cmocka_unit_test(test_special_years),
      cmocka_unit_test(test_year_end),
      cmocka_unit_test(test_every_day),
      cmocka_unit_test(test_add_keeps_order),
  };
  return cmocka_run_group_tests(tests, kzt_profile_setup, kzt_profile_teardown);
}
