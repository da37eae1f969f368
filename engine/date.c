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

int kz_date_parse_n(const char *s, size_t n, kz_day *out) {
  if (!s || n != 10 || s[4] != '-' || s[7] != '-') return -1;
  static const int digits[] = {0, 1, 2, 3, 5, 6, 8, 9};
  for (size_t i = 0; i < sizeof digits / sizeof *digits; i++)
    if (s[digits[i]] < '0' || s[digits[i]] > '9') return -1;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return -1;
  *out = kz_date_from_ymd(y, m, d);
  return 0;
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
