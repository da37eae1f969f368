/*
** era.c — Gregorian day -> Japanese era (和暦) text. The table of eras is
** the one fact here; each era starts on the day its emperor acceded.
*/
#include "era.h"

#include <stdio.h>

struct era {
  const char *name;
  int y, m, d;          /* first day of the era */
};

/* Newest first: the first era that started on or before d is d's era. */
static const struct era eras[] = {
  {"令和", 2019, 5, 1},
  {"平成", 1989, 1, 8},
  {"昭和", 1926, 12, 25},
  {"大正", 1912, 7, 30},
};

int kz_era_format(kz_day d, char *buf, size_t n) {
  int y, m, dd;
  kz_date_to_ymd(d, &y, &m, &dd);
  for (size_t i = 0; i < sizeof eras / sizeof *eras; i++) {
    const struct era *e = &eras[i];
    if (d < kz_date_from_ymd(e->y, e->m, e->d)) continue;
    int year = y - e->y + 1;
    if (year == 1) snprintf(buf, n, "%s元年%d月%d日", e->name, m, dd);
    else snprintf(buf, n, "%s%d年%d月%d日", e->name, year, m, dd);
    return 0;
  }
  snprintf(buf, n, "%d年%d月%d日", y, m, dd);
  return -1;
}
