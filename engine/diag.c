/*
** diag.c — diagnostics: a growable list of "file:line:col: message" strings.
** The format of each message is the English msgid, translated here (GNU
** gettext, domain kizuki): `make po` extracts kz_diag_add's format strings.
*/
#include "diag.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void kz_diag_add(struct kz_diag *d, const char *file, int line, int col,
                 const char *fmt, ...) {
  char body[1024], head[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, _(fmt), ap);
  va_end(ap);
  if (file && line > 0 && col > 0)
    snprintf(head, sizeof head, "%s:%d:%d: ", file, line, col);
  else if (file && line > 0)
    snprintf(head, sizeof head, "%s:%d: ", file, line);
  else if (file)
    snprintf(head, sizeof head, "%s: ", file);
  else
    head[0] = '\0';
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 8;
    char **m = realloc(d->msgs, cap * sizeof *m);
    if (!m) { d->lost++; return; }  /* counted, though its text is gone */
    d->msgs = m;
    d->cap = cap;
  }
  size_t len = strlen(head) + strlen(body) + 1;
  char *s = malloc(len);
  if (s) snprintf(s, len, "%s%s", head, body);
  d->msgs[d->n++] = s;
}

void kz_diag_print(const struct kz_diag *d, FILE *f) {
  for (size_t i = 0; i < d->n; i++)
    fprintf(f, "%s\n", d->msgs[i] ? d->msgs[i] : _("(out of memory formatting a message)"));
  if (d->lost) fprintf(f, _("(%zu more messages lost: out of memory)\n"), d->lost);
}

void kz_diag_clear(struct kz_diag *d) {
  for (size_t i = 0; i < d->n; i++) free(d->msgs[i]);
  free(d->msgs);
  d->msgs = NULL;
  d->n = d->cap = d->lost = 0;
}
