/*
** test_date.c — dates as day numbers: strict ISO parsing, formatting,
** weekdays and ages (including a 29 February birthday).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"

static kz_day day(const char *s) {
  kz_day d = KZ_DAY_NONE;
  assert_int_equal(kz_date_parse(s, &d), 0);
  return d;
}

static void test_parse_good(void **state) {
  (void)state;
  assert_int_equal(day("1970-01-01"), 0);
  assert_int_equal(day("1970-01-02"), 1);
  assert_int_equal(day("1969-12-31"), -1);
  assert_int_equal(day("2024-02-29"), kz_date_from_ymd(2024, 2, 29));   /* leap year */
  assert_int_equal(day("2000-02-29"), kz_date_from_ymd(2000, 2, 29));   /* 400-year leap */
  assert_int_equal(day("2024-12-31") - day("2024-01-01"), 365);
  assert_int_equal(day("2023-12-31") - day("2023-01-01"), 364);
  assert_int_equal(day("1000-01-01"), kz_date_from_ymd(1000, 1, 1));
  assert_int_equal(day("9999-12-31"), kz_date_from_ymd(9999, 12, 31));
  kz_day d;
  assert_int_equal(kz_date_parse_n("2024-05-03xyz", 10, &d), 0);       /* exactly n bytes */
  assert_int_equal(d, kz_date_from_ymd(2024, 5, 3));
}

static void test_parse_bad(void **state) {
  (void)state;
  static const char *const bad[] = {
      "2023-02-29",   /* not a leap year */
      "2024-02-30",   /* no such day */
      "1900-02-29",   /* century, not a leap year */
      "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
      "0999-01-01",   /* before year 1000 */
      "2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "20240101",
      "2024-01-01 ", " 2024-01-01", "2024-01-01T00", "2024-0a-01", "+024-01-01",
      "", "garbage", "----------", "2024-01-01\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    kz_day d = 12345;
    if (kz_date_parse(bad[i], &d) != -1) fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(d, 12345);                                          /* untouched */
    if (kz_date_valid_n(bad[i], strlen(bad[i]))) fail_msg("valid: \"%s\"", bad[i]);
  }
  kz_day d;
  assert_int_equal(kz_date_parse(NULL, &d), -1);
  assert_int_equal(kz_date_parse_n("2024-05-03", 9, &d), -1);
  assert_int_equal(kz_date_parse_n("2024-05", 7, &d), -1);
}

static void test_format_round_trip(void **state) {
  (void)state;
  char buf[KZ_DATE_LEN];
  assert_string_equal(kz_date_format(0, buf), "1970-01-01");
  assert_string_equal(kz_date_format(day("2024-02-29"), buf), "2024-02-29");
  assert_string_equal(kz_date_format(day("2024-02-28") + 1, buf), "2024-02-29");
  assert_string_equal(kz_date_format(day("2023-02-28") + 1, buf), "2023-03-01");
  assert_string_equal(kz_date_format(day("2024-12-31") + 1, buf), "2025-01-01");
  /* Every day of 1990-2040 survives format -> parse -> format. */
  for (kz_day d = day("1990-01-01"); d <= day("2040-12-31"); d++) {
    kz_day back;
    assert_int_equal(kz_date_parse(kz_date_format(d, buf), &back), 0);
    assert_int_equal(back, d);
    assert_true(kz_date_valid_n(buf, 10));
    int y, m, dd;
    kz_date_to_ymd(d, &y, &m, &dd);
    assert_int_equal(kz_date_from_ymd(y, m, dd), d);
  }
}

static void test_weekday(void **state) {
  (void)state;
  assert_int_equal(kz_date_weekday(day("1970-01-01")), 4);   /* Thursday */
  assert_int_equal(kz_date_weekday(day("1969-12-28")), 0);   /* Sunday, before the epoch */
  assert_int_equal(kz_date_weekday(day("2024-02-29")), 4);   /* Thursday */
  assert_int_equal(kz_date_weekday(day("2024-05-04")), 6);   /* Saturday */
  assert_int_equal(kz_date_weekday(day("2024-05-05")), 0);   /* Sunday */
  assert_int_equal(kz_date_weekday(day("2024-05-06")), 1);   /* Monday */
  assert_int_equal(kz_date_weekday(day("2019-06-05")), 3);   /* Wednesday */
}

static void test_age(void **state) {
  (void)state;
  kz_day b = day("2020-06-15");
  assert_int_equal(kz_date_age(b, b), 0);
  assert_int_equal(kz_date_age(b, day("2021-06-14")), 0);
  assert_int_equal(kz_date_age(b, day("2021-06-15")), 1);     /* the birthday counts */
  assert_int_equal(kz_date_age(b, day("2038-06-14")), 17);
  assert_int_equal(kz_date_age(b, day("2038-06-15")), 18);
  /* Born 29 February: a common year's birthday falls on 1 March. */
  kz_day leap = day("2004-02-29");
  assert_int_equal(kz_date_age(leap, day("2005-02-28")), 0);
  assert_int_equal(kz_date_age(leap, day("2005-03-01")), 1);
  assert_int_equal(kz_date_age(leap, day("2024-02-28")), 19);
  assert_int_equal(kz_date_age(leap, day("2024-02-29")), 20);
  assert_int_equal(kz_date_age(leap, day("2023-03-01")), 19);
  /* young_age: a mother born 2004-07-01 is under 20 until 2024-07-01. */
  assert_true(kz_date_age(day("2004-07-01"), day("2024-06-30")) < 20);
  assert_false(kz_date_age(day("2004-07-01"), day("2024-07-01")) < 20);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_good),
      cmocka_unit_test(test_parse_bad),
      cmocka_unit_test(test_format_round_trip),
      cmocka_unit_test(test_weekday),
      cmocka_unit_test(test_age),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
