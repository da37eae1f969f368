/*
** calendar.c — business days over a sorted holiday list. The holidays come
** from the profile (rules/kizuki.yaml `calendar:`); weekends and the
** year-end closure (12/29 - 1/3) are the same everywhere and live here.
*/
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

/* Index of the first holiday >= d (n when none). */
static size_t lower_bound(const struct kz_calendar *c, kz_day d) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->holidays[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The array's capacity is implied by n: 16 at first, then the next power of
** two, so the struct needs no capacity field. */
static int grow(struct kz_calendar *c) {
  size_t want;
  if (c->n == 0) want = 16;
  else if (c->n >= 16 && (c->n & (c->n - 1)) == 0) want = c->n * 2;
  else return 0;
  kz_day *h = realloc(c->holidays, want * sizeof *h);
  if (!h) return -1;
  c->holidays = h;
  return 0;
}

int kz_calendar_add(struct kz_calendar *c, kz_day holiday) {
  size_t i = lower_bound(c, holiday);
  if (i < c->n && c->holidays[i] == holiday) return 0;
  if (grow(c) < 0) return -1;
  memmove(c->holidays + i + 1, c->holidays + i, (c->n - i) * sizeof *c->holidays);
  c->holidays[i] = holiday;
  c->n++;
  return 0;
}

int kz_calendar_is_holiday(const struct kz_calendar *c, kz_day d) {
  size_t i = lower_bound(c, d);
  return i < c->n && c->holidays[i] == d;
}

int kz_calendar_is_year_end(kz_day d) {
  int y, m, dd;
  kz_date_to_ymd(d, &y, &m, &dd);
  return (m == 12 && dd >= 29) || (m == 1 && dd <= 3);
}

int kz_calendar_is_business_day(const struct kz_calendar *c, kz_day d) {
  int wd = kz_date_weekday(d);
  if (wd == 0 || wd == 6) return 0;
  if (kz_calendar_is_year_end(d)) return 0;
  return !kz_calendar_is_holiday(c, d);
}

kz_day kz_calendar_add_business_days(const struct kz_calendar *c, kz_day d, int n) {
  int step = n < 0 ? -1 : 1;
  for (long long left = n < 0 ? -(long long)n : n; left > 0;) {
    d += step;
    if (kz_calendar_is_business_day(c, d)) left--;
  }
  return d;
}

int kz_calendar_business_days_between(const struct kz_calendar *c, kz_day from, kz_day to) {
  int sign = 1, count = 0;
  if (to < from) {
    kz_day t = from;
    from = to;
    to = t;
    sign = -1;
  }
  for (kz_day d = from + 1; d <= to; d++) count += kz_calendar_is_business_day(c, d);
  return sign * count;
}

void kz_calendar_free(struct kz_calendar *c) {
  free(c->holidays);
  c->holidays = NULL;
  c->n = 0;
}
