/*
** date.h — calendar dates as whole days.
**
** A kz_day is the number of days since 1970-01-01 (proleptic Gregorian), so
** date arithmetic is integer arithmetic. Text dates are strict ISO
** YYYY-MM-DD; anything else, including 2024-02-30, is rejected.
*/
#ifndef KZ_DATE_H
#define KZ_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t kz_day;

#define KZ_DATE_LEN 11           /* "YYYY-MM-DD" plus the NUL */
#define KZ_DAY_NONE INT32_MIN    /* "no date" where a kz_day is optional */

/* Parse exactly n bytes of s as YYYY-MM-DD (years 1000-9999). Returns 0 and
** stores the day, or -1 when s is not a real date. */
int kz_date_parse_n(const char *s, size_t n, kz_day *out);

/* 1 when s[0..n) is a date kz_date_parse_n accepts, else 0 (no day number
** is computed: for checking values in bulk). */
int kz_date_valid_n(const char *s, size_t n);

/* Parse a NUL-terminated string; as kz_date_parse_n. */
int kz_date_parse(const char *s, kz_day *out);

/* Write d as YYYY-MM-DD into buf (KZ_DATE_LEN bytes); returns buf. */
char *kz_date_format(kz_day d, char buf[KZ_DATE_LEN]);

/* Days from civil date; month 1-12, day 1-31 (not validated). */
kz_day kz_date_from_ymd(int y, int m, int d);

/* Civil date of a day. */
void kz_date_to_ymd(kz_day d, int *y, int *m, int *dd);

/* Day of week, 0 = Sunday … 6 = Saturday. */
int kz_date_weekday(kz_day d);

/* Whole years of age on day `at` of someone born on `birth` (the birthday
** itself counts; a 29 February birthday falls on 1 March in common years). */
int kz_date_age(kz_day birth, kz_day at);

#endif
