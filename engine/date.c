/*
** date.c — civil dates <-> day numbers (Howard Hinnant's algorithms).
*/
#include "date.h"

#include <string.h>

kz_day kz_date_from_ymd(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void kz_date_to_ymd(kz_day z, int *y, int *m, int *d) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* The year, month and day of "YYYY-MM-DD" (exactly 10 bytes, a real day of
** a year >= 1000), or -1. */
static int split(const char *s, size_t n, int *y, int *m, int *d) {
  if (!s || n != 10 || s[4] != '-' || s[7] != '-') return -1;
#define DIGIT(i) ((unsigned)(unsigned char)s[i] - '0')   /* > 9: not a digit */
  unsigned y0 = DIGIT(0), y1 = DIGIT(1), y2 = DIGIT(2), y3 = DIGIT(3);
  unsigned m0 = DIGIT(5), m1 = DIGIT(6), d0 = DIGIT(8), d1 = DIGIT(9);
#undef DIGIT
  if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9) return -1;
  *y = (int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
  *m = (int)(m0 * 10 + m1);
  *d = (int)(d0 * 10 + d1);
  if (*y < 1000 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return -1;
  return 0;
}

int kz_date_parse_n(const char *s, size_t n, kz_day *out) {
  int y, m, d;
  if (split(s, n, &y, &m, &d)) return -1;
  *out = kz_date_from_ymd(y, m, d);
  return 0;
}

int kz_date_valid_n(const char *s, size_t n) {
  int y, m, d;
  return split(s, n, &y, &m, &d) == 0;
}

int kz_date_parse(const char *s, kz_day *out) {
  return s ? kz_date_parse_n(s, strlen(s), out) : -1;
}

char *kz_date_format(kz_day d, char buf[KZ_DATE_LEN]) {
  int y, m, dd;
  kz_date_to_ymd(d, &y, &m, &dd);
  y = y < 0 ? 0 : y % 10000;   /* keeps the text within its 10 characters */
  buf[0] = (char)('0' + y / 1000); buf[1] = (char)('0' + y / 100 % 10);
  buf[2] = (char)('0' + y / 10 % 10); buf[3] = (char)('0' + y % 10);
  buf[4] = '-'; buf[5] = (char)('0' + m / 10); buf[6] = (char)('0' + m % 10);
  buf[7] = '-'; buf[8] = (char)('0' + dd / 10); buf[9] = (char)('0' + dd % 10);
  buf[10] = '\0';
  return buf;
}

int kz_date_weekday(kz_day d) {
  return (int)((d % 7 + 7 + 4) % 7);  /* 1970-01-01 was a Thursday */
}

int kz_date_age(kz_day birth, kz_day at) {
  int by, bm, bd, ay, am, ad;
  kz_date_to_ymd(birth, &by, &bm, &bd);
  kz_date_to_ymd(at, &ay, &am, &ad);
  int age = ay - by;
  if (am < bm || (am == bm && ad < bd)) age--;
  return age;
}
