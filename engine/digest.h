/*
** digest.h — a 64-bit FNV-1a digest, for rule versions and the rule-set
** digest recorded with every run (identity, not security).
*/
#ifndef KZ_DIGEST_H
#define KZ_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KZ_DIGEST_INIT 0xcbf29ce484222325ULL

static inline uint64_t kz_digest(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

/* Format h as 16 hex digits into buf (17 bytes). */
static inline char *kz_digest_hex(uint64_t h, char buf[17]) {
  snprintf(buf, 17, "%016llx", (unsigned long long)h);
  return buf;
}

#endif
