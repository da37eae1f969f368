/*
** strbuf.h — a growable byte buffer, with the JSON escaping kizuki needs to
** write evidence. The buffer owns its bytes; kz_strbuf_take hands them over.
*/
#ifndef KZ_STRBUF_H
#define KZ_STRBUF_H

#include <stddef.h>

struct kz_strbuf {
  char *p;        /* owned; always NUL-terminated once anything was added */
  size_t len, cap;
  int oom;        /* set when an append failed; the content is then truncated */
};

void kz_strbuf_add(struct kz_strbuf *b, const char *s, size_t n);
void kz_strbuf_adds(struct kz_strbuf *b, const char *s);
void kz_strbuf_addf(struct kz_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included. */
void kz_strbuf_add_json_string(struct kz_strbuf *b, const char *s, size_t n);
/* Append s as a JSON string, or null when s is NULL. */
void kz_strbuf_add_json(struct kz_strbuf *b, const char *s);
/* Append "key":value (preceded by a comma unless first), value as by
** kz_strbuf_add_json. */
void kz_strbuf_add_json_field(struct kz_strbuf *b, const char *key, const char *value, int first);
/* Empty the buffer, keeping its memory. */
void kz_strbuf_reset(struct kz_strbuf *b);
/* The content ("" when empty); owned by b. */
const char *kz_strbuf_str(const struct kz_strbuf *b);
/* Hand the content to the caller (who frees it) and empty b. */
char *kz_strbuf_take(struct kz_strbuf *b);
void kz_strbuf_free(struct kz_strbuf *b);

#endif
