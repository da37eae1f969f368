/*
** strbuf.c — growable byte buffer and JSON string escaping.
*/
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct kz_strbuf *b, size_t extra) {
  if (b->oom) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) { b->oom = 1; return -1; }
  b->p = p;
  b->cap = cap;
  return 0;
}

void kz_strbuf_add(struct kz_strbuf *b, const char *s, size_t n) {
  if (grow(b, n)) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void kz_strbuf_adds(struct kz_strbuf *b, const char *s) { kz_strbuf_add(b, s, strlen(s)); }

void kz_strbuf_addf(struct kz_strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void kz_strbuf_add_json_string(struct kz_strbuf *b, const char *s, size_t n) {
  kz_strbuf_add(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': kz_strbuf_add(b, "\\\"", 2); break;
      case '\\': kz_strbuf_add(b, "\\\\", 2); break;
      case '\n': kz_strbuf_add(b, "\\n", 2); break;
      case '\r': kz_strbuf_add(b, "\\r", 2); break;
      case '\t': kz_strbuf_add(b, "\\t", 2); break;
      default:
        if (c < 0x20) kz_strbuf_addf(b, "\\u%04x", c);
        else kz_strbuf_add(b, (const char *)&s[i], 1);
    }
  }
  kz_strbuf_add(b, "\"", 1);
}

void kz_strbuf_add_json(struct kz_strbuf *b, const char *s) {
  if (s) kz_strbuf_add_json_string(b, s, strlen(s));
  else kz_strbuf_adds(b, "null");
}

void kz_strbuf_add_json_field(struct kz_strbuf *b, const char *key, const char *value, int first) {
  if (!first) kz_strbuf_adds(b, ",");
  kz_strbuf_add_json_string(b, key, strlen(key));
  kz_strbuf_adds(b, ":");
  kz_strbuf_add_json(b, value);
}

void kz_strbuf_reset(struct kz_strbuf *b) {
  b->len = 0;
  b->oom = 0;
  if (b->p) b->p[0] = '\0';
}

const char *kz_strbuf_str(const struct kz_strbuf *b) { return b->p ? b->p : ""; }

char *kz_strbuf_take(struct kz_strbuf *b) {
  char *p = b->p ? b->p : calloc(1, 1);
  b->p = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
  return p;
}

void kz_strbuf_free(struct kz_strbuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}
