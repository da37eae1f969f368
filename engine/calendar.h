/*
** calendar.h — business days: Monday to Friday, not a holiday of the
** profile's calendar, and not 12/29 - 1/3 (the year-end closure).
*/
#ifndef KZ_CALENDAR_H
#define KZ_CALENDAR_H

#include <stddef.h>
#include "date.h"

struct kz_calendar {
  kz_day *holidays;   /* owned; sorted ascending, no duplicates */
  size_t n;
};

/* Add a holiday (keeps the array sorted; a duplicate is ignored).
** Returns 0, or -1 on out-of-memory. */
int kz_calendar_add(struct kz_calendar *c, kz_day holiday);

/* 1 when d is in the holiday list (weekends and year-end aside). */
int kz_calendar_is_holiday(const struct kz_calendar *c, kz_day d);

/* 1 when d falls in the year-end closure, 12/29 - 1/3. */
int kz_calendar_is_year_end(kz_day d);

/* 1 when d is a business day. */
int kz_calendar_is_business_day(const struct kz_calendar *c, kz_day d);

/* The day n business days after d (n >= 0; n = 0 returns d unchanged).
** Counting starts the day after d, so a task opened on a Friday with a due of
** 1 business day is due the next Monday (or the next business day).
** A negative n counts back the same way. */
kz_day kz_calendar_add_business_days(const struct kz_calendar *c, kz_day d, int n);

/* Number of business days in (from, to]; negative if to < from. */
int kz_calendar_business_days_between(const struct kz_calendar *c, kz_day from, kz_day to);

void kz_calendar_free(struct kz_calendar *c);

#endif
