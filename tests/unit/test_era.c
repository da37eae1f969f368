/*
** test_era.c — Japanese era dates: the 令和/平成 and 平成/昭和 boundaries,
** 元年, and dates before any era the table knows.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"
#include "era.h"

/* The era text of an ISO date; rc receives kz_era_format's result. */
static const char *era(const char *iso, char buf[KZ_ERA_LEN], int *rc) {
  kz_day d;
  assert_int_equal(kz_date_parse(iso, &d), 0);
  *rc = kz_era_format(d, buf, KZ_ERA_LEN);
  return buf;
}

#define assert_era(iso, want)                      \
  do {                                             \
    char b_[KZ_ERA_LEN];                           \
    int rc_;                                       \
    assert_string_equal(era(iso, b_, &rc_), want); \
    assert_int_equal(rc_, 0);                      \
  } while (0)

static void test_reiwa(void **state) {
  (void)state;
  assert_era("2024-07-16", "令和6年7月16日");
  assert_era("2020-01-01", "令和2年1月1日");
  assert_era("2024-10-01", "令和6年10月1日");
  assert_era("2099-12-31", "令和81年12月31日");
}

static void test_reiwa_heisei_boundary(void **state) {
  (void)state;
  assert_era("2019-04-30", "平成31年4月30日");
  assert_era("2019-05-01", "令和元年5月1日");
  assert_era("2019-12-31", "令和元年12月31日");   /* year 1 of 令和 all year long */
  assert_era("2019-01-01", "平成31年1月1日");
}

static void test_heisei_showa_boundary(void **state) {
  (void)state;
  assert_era("1989-01-07", "昭和64年1月7日");
  assert_era("1989-01-08", "平成元年1月8日");
  assert_era("1989-12-31", "平成元年12月31日");
  assert_era("1990-01-01", "平成2年1月1日");
  assert_era("2000-02-29", "平成12年2月29日");
}

static void test_older_eras(void **state) {
  (void)state;
  assert_era("1926-12-24", "大正15年12月24日");
  assert_era("1926-12-25", "昭和元年12月25日");
  assert_era("1912-07-30", "大正元年7月30日");
  char b[KZ_ERA_LEN];
  int rc;
  assert_string_equal(era("1912-07-29", b, &rc), "1912年7月29日");   /* 明治: not in the table */
  assert_int_equal(rc, -1);
}

static void test_small_buffer(void **state) {
  (void)state;
  char b[8];
  memset(b, 'x', sizeof b);
  kz_era_format(kz_date_from_ymd(2024, 7, 16), b, sizeof b);
  assert_true(memchr(b, '\0', sizeof b) != NULL);   /* truncated, still a string */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reiwa),
    cmocka_unit_test(test_reiwa_heisei_boundary),
    cmocka_unit_test(test_heisei_showa_boundary),
    cmocka_unit_test(test_older_eras),
    cmocka_unit_test(test_small_buffer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
