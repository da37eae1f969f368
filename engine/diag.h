/*
** diag.h — diagnostics: a list of messages, each naming where it happened.
**
** Every loader (profile, rules, fixtures) reports into a kz_diag so that a
** supervisor sees every problem at once, each as "file:line:col: message",
** the way a compiler does. The list owns its strings.
*/
#ifndef KZ_DIAG_H
#define KZ_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct kz_diag {
  char **msgs;        /* owned; each "file:line: message" */
  size_t n, cap;
  size_t lost;        /* messages that could not be kept (out of memory) */
};

/* Append a message formatted like printf; file may be NULL, line/col 0 when
** unknown. fmt is an English msgid, translated here (po/ja.po): pass a
** literal, and keep arguments in order (translations may use %1$s). Never fails loudly: on out-of-memory the message is dropped and
** counted in lost. */
void kz_diag_add(struct kz_diag *d, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Print every message, one a line, to f. */
void kz_diag_print(const struct kz_diag *d, FILE *f);

/* Free every message; the struct may be reused. */
void kz_diag_clear(struct kz_diag *d);

#endif
