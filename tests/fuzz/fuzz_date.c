/*
** fuzz_date.c — libFuzzer harness for the date parser: any bytes either
** parse to a day that formats back to the same text, or are rejected, and
** kz_date_valid_n says the same as the parser.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kz_day d;
  int parsed = kz_date_parse_n((const char *)data, size, &d) == 0;
  if (parsed != kz_date_valid_n((const char *)data, size)) abort();  /* the two agree */
  if (parsed) {
    char buf[KZ_DATE_LEN];
    kz_date_format(d, buf);
    if (size != 10 || memcmp(buf, data, 10) != 0) abort();   /* round trip */
    int y, m, dd;
    kz_date_to_ymd(d, &y, &m, &dd);
    if (kz_date_from_ymd(y, m, dd) != d) abort();
    if (kz_date_weekday(d) < 0 || kz_date_weekday(d) > 6) abort();
  }
  return 0;
}
