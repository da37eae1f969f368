/*
** trace.c — the trace recorder: a bounded list of what one rule did (calls,
** record fields read, kz.log lines), and its text and JSON writers. Plain C,
** no Lua: the Lua side that feeds it is trace_lua.c.
*/
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

void kz_trace_init(struct kz_trace *tr, int calls, size_t max_events) {
  memset(tr, 0, sizeof *tr);
  tr->calls = calls;
  tr->max_events = max_events ? max_events : KZ_TRACE_MAX_EVENTS;
}

/* A copy of s cut to KZ_TRACE_TEXT_MAX bytes on a UTF-8 boundary, with "…"
** when cut. NULL for NULL (and on out-of-memory: *oom set). */
static char *copy_cut(const char *s, int *oom) {
  if (!s) return NULL;
  size_t n = strlen(s), keep = n;
  if (n > KZ_TRACE_TEXT_MAX) {
    keep = KZ_TRACE_TEXT_MAX;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
  }
  char *c = malloc(keep + 4);
  if (!c) {
    *oom = 1;
    return NULL;
  }
  memcpy(c, s, keep);
  if (keep < n) memcpy(c + keep, "\xe2\x80\xa6", 4);   /* … */
  else c[keep] = '\0';
  return c;
}

long kz_trace_add(struct kz_trace *tr, enum kz_trace_kind kind, const char *name,
                  const char *args, const char *result, const char *field, const char *file,
                  int line) {
  if (tr->n >= tr->max_events) {
    tr->dropped++;
    return -1;
  }
  if (tr->n == tr->cap) {
    size_t cap = tr->cap ? tr->cap * 2 : 64;
    if (cap > tr->max_events) cap = tr->max_events;
    struct kz_trace_event *v = realloc(tr->ev, cap * sizeof *v);
    if (!v) {
      tr->oom = 1;
      return -1;
    }
    tr->ev = v;
    tr->cap = cap;
  }
  struct kz_trace_event *e = &tr->ev[tr->n];
  memset(e, 0, sizeof *e);
  e->kind = kind;
  e->depth = tr->depth;
  e->line = line;
  e->name = copy_cut(name, &tr->oom);
  e->args = copy_cut(args, &tr->oom);
  e->result = copy_cut(result, &tr->oom);
  e->field = copy_cut(field, &tr->oom);
  e->file = copy_cut(file, &tr->oom);
  return (long)tr->n++;
}

void kz_trace_set_result(struct kz_trace *tr, long i, const char *result) {
  if (i < 0 || (size_t)i >= tr->n) return;
  free(tr->ev[i].result);
  tr->ev[i].result = copy_cut(result, &tr->oom);
}

void kz_trace_clear(struct kz_trace *tr) {
  for (size_t i = 0; i < tr->n; i++) {
    struct kz_trace_event *e = &tr->ev[i];
    free(e->name);
    free(e->args);
    free(e->result);
    free(e->field);
    free(e->file);
  }
  tr->n = 0;
  tr->dropped = 0;
  tr->depth = 0;
  tr->oom = 0;
}

void kz_trace_free(struct kz_trace *tr) {
  kz_trace_clear(tr);
  free(tr->ev);
  tr->ev = NULL;
  tr->cap = 0;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* The first read event in [from, i) of the same record as event i, or i. */
static size_t first_read_of(const struct kz_trace *tr, size_t from, size_t i) {
  const struct kz_trace_event *e = &tr->ev[i];
  for (size_t j = from; j < i; j++) {
    const struct kz_trace_event *o = &tr->ev[j];
    if (o->kind == KZ_TRACE_READ && strcmp(or_empty(o->name), or_empty(e->name)) == 0 &&
        strcmp(or_empty(o->args), or_empty(e->args)) == 0)
      return j;
  }
  return i;
}

/* Was field of event i already read from its record in [first, i)? */
static int field_seen(const struct kz_trace *tr, size_t first, size_t i) {
  const struct kz_trace_event *e = &tr->ev[i];
  for (size_t j = first; j < i; j++) {
    const struct kz_trace_event *o = &tr->ev[j];
    if (o->kind == KZ_TRACE_READ && strcmp(or_empty(o->name), or_empty(e->name)) == 0 &&
        strcmp(or_empty(o->args), or_empty(e->args)) == 0 &&
        strcmp(or_empty(o->field), or_empty(e->field)) == 0)
      return 1;
  }
  return 0;
}

void kz_trace_write_text(const struct kz_trace *tr, size_t from, size_t to, FILE *f) {
  if (to > tr->n) to = tr->n;
  int any = 0;
  for (size_t i = from; i < to; i++) {
    const struct kz_trace_event *e = &tr->ev[i];
    if (e->kind == KZ_TRACE_READ) continue;
    if (!any++) fprintf(f, "  %s\n", _("calls (vocabulary words, in order):"));
    fprintf(f, "    %*s", e->depth * 2, "");
    if (e->file) fprintf(f, "%s:%d  ", e->file, e->line);
    if (e->kind == KZ_TRACE_LOG)
      fprintf(f, "kz.log: %s\n", or_empty(e->result));
    else
      fprintf(f, "%s(%s) → %s\n", or_empty(e->name), or_empty(e->args),
              e->result ? e->result : _("(raised an error)"));
  }
  any = 0;
  for (size_t i = from; i < to; i++) {
    const struct kz_trace_event *e = &tr->ev[i];
    if (e->kind != KZ_TRACE_READ || first_read_of(tr, from, i) != i) continue;
    if (!any++) fprintf(f, "  %s\n", _("records read (table id: fields read):"));
    fprintf(f, "    %s %s:", or_empty(e->name), or_empty(e->args));
    int nf = 0;
    for (size_t j = i; j < to; j++) {
      const struct kz_trace_event *o = &tr->ev[j];
      if (o->kind != KZ_TRACE_READ || first_read_of(tr, from, j) != i || field_seen(tr, i, j))
        continue;
      fprintf(f, "%s %s=%s", nf++ ? "," : "", or_empty(o->field), or_empty(o->result));
    }
    fputc('\n', f);
  }
}

void kz_trace_write_json(const struct kz_trace *tr, size_t from, size_t to, struct kz_strbuf *out) {
  if (to > tr->n) to = tr->n;
  int n = 0;
  kz_strbuf_adds(out, "\"calls\":[");
  for (size_t i = from; i < to; i++) {
    const struct kz_trace_event *e = &tr->ev[i];
    if (e->kind != KZ_TRACE_CALL) continue;
    kz_strbuf_addf(out, "%s{\"depth\":%d,\"name\":", n++ ? "," : "", e->depth);
    kz_strbuf_add_json(out, e->name);
    kz_strbuf_adds(out, ",\"args\":");
    kz_strbuf_add_json(out, e->args);
    kz_strbuf_adds(out, ",\"result\":");
    kz_strbuf_add_json(out, e->result);
    kz_strbuf_adds(out, ",\"file\":");
    kz_strbuf_add_json(out, e->file);
    kz_strbuf_addf(out, ",\"line\":%d}", e->line);
  }
  kz_strbuf_adds(out, "],\"reads\":[");
  n = 0;
  for (size_t i = from; i < to; i++) {
    const struct kz_trace_event *e = &tr->ev[i];
    if (e->kind != KZ_TRACE_READ || first_read_of(tr, from, i) != i) continue;
    kz_strbuf_adds(out, n++ ? ",{\"table\":" : "{\"table\":");
    kz_strbuf_add_json(out, e->name);
    kz_strbuf_adds(out, ",\"id\":");
    kz_strbuf_add_json(out, e->args);
    kz_strbuf_adds(out, ",\"fields\":{");
    int nf = 0;
    for (size_t j = i; j < to; j++) {
      const struct kz_trace_event *o = &tr->ev[j];
      if (o->kind != KZ_TRACE_READ || first_read_of(tr, from, j) != i || field_seen(tr, i, j))
        continue;
      if (nf++) kz_strbuf_adds(out, ",");
      kz_strbuf_add_json(out, or_empty(o->field));
      kz_strbuf_adds(out, ":");
      kz_strbuf_add_json(out, o->result);
    }
    kz_strbuf_adds(out, "}}");
  }
  kz_strbuf_adds(out, "],\"logs\":[");
  n = 0;
  for (size_t i = from; i < to; i++) {
    const struct kz_trace_event *e = &tr->ev[i];
    if (e->kind != KZ_TRACE_LOG) continue;
    kz_strbuf_adds(out, n++ ? ",{\"text\":" : "{\"text\":");
    kz_strbuf_add_json(out, e->result);
    kz_strbuf_adds(out, ",\"file\":");
    kz_strbuf_add_json(out, e->file);
    kz_strbuf_addf(out, ",\"line\":%d}", e->line);
  }
  kz_strbuf_adds(out, "]");
}
