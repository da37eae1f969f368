/*
** era.h — dates in the Japanese era (和暦) for staff-facing output:
** 令和6年7月16日. Staff read dates this way on forms and letters; reports
** show both the ISO date and this one.
*/
#ifndef KZ_ERA_H
#define KZ_ERA_H

#include <stddef.h>
#include "date.h"

#define KZ_ERA_LEN 32   /* room for "令和99年12月31日" and the NUL */

/* Write day d as "<era><year>年<month>月<day>日" into buf (n bytes, at least
** KZ_ERA_LEN): 令和 from 2019-05-01, 平成 1989-01-08 .. 2019-04-30, 昭和
** 1926-12-25 .. 1989-01-07, 大正 1912-07-30 .. 1926-12-24; the first year of
** an era is 元年 (令和元年5月1日). Returns 0, or -1 when d is before 大正
** (buf then holds the Gregorian "1900年1月1日"). */
int kz_era_format(kz_day d, char *buf, size_t n);

#endif
