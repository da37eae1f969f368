/*
** yamltree.c — builds a kz_yaml_node tree from libyaml's event stream, and
** the typed readers every YAML loader (profile, fixtures) uses to turn
** scalars into values with file:line:col errors.
*/
#include "yamltree.h"
#include "i18n.h"
#include "suggest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* {====================== Building the tree ====================== */

struct builder {
  yaml_parser_t parser;
  const char *file;         /* name for messages (the doc's) */
  const char *text;         /* the input, to place reader errors */
  size_t len;
  struct kz_diag *d;
  int errors;               /* problems reported so far */
};

static void free_node(struct kz_yaml_node *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys) free_node(n->keys[i]);
    if (n->items) free_node(n->items[i]);
  }
  free(n->keys);
  free(n->items);
  free(n->text);
  free(n);
}

static void build_error(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void build_error(struct builder *b, const yaml_mark_t *m, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, _(fmt), ap);
  va_end(ap);
  kz_diag_add(b->d, b->file, m ? (int)m->line + 1 : 0, m ? (int)m->column + 1 : 0, "%s", msg);
  b->errors++;
}

/* Line and column (1-based) of byte offset off of the input: libyaml's reader
** errors (bad UTF-8, control characters) carry an offset but no mark. */
static yaml_mark_t mark_of_offset(const struct builder *b, size_t off) {
  yaml_mark_t m = {0, 0, 0};
  if (off > b->len) off = b->len;
  for (size_t i = 0; i < off; i++) {
    if (b->text[i] == '\n') { m.line++; m.column = 0; }
    else if (((unsigned char)b->text[i] & 0xC0) != 0x80) m.column++;  /* count characters */
  }
  m.index = off;
  return m;
}

/* The byte at mark (its line and column, in characters), or -1. */
static int char_at_mark(const struct builder *b, const yaml_mark_t *m) {
  size_t i = 0, line = 0, col = 0;
  for (; i < b->len && line < m->line; i++) line += b->text[i] == '\n';
  for (; i < b->len && b->text[i] != '\n'; i++) {
    if (((unsigned char)b->text[i] & 0xC0) == 0x80) continue;
    if (col++ == m->column) return (unsigned char)b->text[i];
  }
  return -1;
}

/* Pull the next event; on a syntax error report libyaml's own words. */
static int next_event(struct builder *b, yaml_event_t *ev) {
  if (yaml_parser_parse(&b->parser, ev)) return 0;
  const yaml_parser_t *p = &b->parser;
  const char *problem = p->problem ? p->problem : "malformed YAML";
  if (p->error == YAML_MEMORY_ERROR) {
    build_error(b, NULL, "out of memory while parsing");
  } else if (p->error == YAML_READER_ERROR) {
    yaml_mark_t m = mark_of_offset(b, p->problem_offset);
    build_error(b, &m, "%s (byte 0x%02x at offset %zu)", problem,
                (unsigned)(p->problem_value & 0xff), p->problem_offset);
  } else if (char_at_mark(b, &p->problem_mark) == '\t') {
    build_error(b, &p->problem_mark, "a tab: YAML cannot be indented with tabs; indent with "
                "spaces");
  } else if (p->context) {
    build_error(b, &p->problem_mark, "%s (%s at line %d, column %d)", problem, p->context,
                (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
  } else {
    build_error(b, &p->problem_mark, "%s", problem);
  }
  return -1;
}

static struct kz_yaml_node *new_node(struct builder *b, enum kz_yaml_kind kind,
                                     const yaml_mark_t *m) {
  struct kz_yaml_node *n = calloc(1, sizeof *n);
  if (!n) { build_error(b, m, "out of memory"); return NULL; }
  n->kind = kind;
  n->file = b->file;
  n->line = (int)m->line + 1;
  n->col = (int)m->column + 1;
  return n;
}

/* Grow *arr (of *cap pointers) to hold one more; 0 or -1 on out-of-memory. */
static int reserve(struct kz_yaml_node ***arr, size_t n, size_t *cap) {
  if (n < *cap) return 0;
  size_t ncap = *cap ? *cap * 2 : 8;
  struct kz_yaml_node **a = realloc(*arr, ncap * sizeof *a);
  if (!a) return -1;
  *arr = a;
  *cap = ncap;
  return 0;
}

static int cmp_keys(const void *pa, const void *pb) {
  const struct kz_yaml_node *a = *(struct kz_yaml_node *const *)pa;
  const struct kz_yaml_node *b = *(struct kz_yaml_node *const *)pb;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  int c = memcmp(a->text, b->text, a->len);
  if (c) return c;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;  /* first occurrence first */
  return (a->col > b->col) - (a->col < b->col);
}

/* Report every key of mapping n that repeats an earlier one. Sorting keeps
** this O(n log n), so a mapping with a million keys cannot stall a load. */
static void check_duplicates(struct builder *b, const struct kz_yaml_node *n) {
  if (n->n < 2) return;
  struct kz_yaml_node **sorted = malloc(n->n * sizeof *sorted);
  if (!sorted) { build_error(b, NULL, "out of memory"); return; }
  memcpy(sorted, n->keys, n->n * sizeof *sorted);
  qsort(sorted, n->n, sizeof *sorted, cmp_keys);
  size_t first = 0;
  for (size_t i = 1; i < n->n; i++) {
    const struct kz_yaml_node *k0 = sorted[first], *k = sorted[i];
    if (k->len == k0->len && memcmp(k->text, k0->text, k->len) == 0) {
      yaml_mark_t m = {0, (size_t)k->line - 1, (size_t)k->col - 1};
      build_error(b, &m, "duplicate key '%.*s' (first at line %d)",
                  (int)(k->len > 80 ? 80 : k->len), k->text, k0->line);
    } else {
      first = i;
    }
  }
  free(sorted);
}

/* Build the node that event *ev starts; *ev is always deleted. Returns 0 with
** *out set, or -1 after reporting (a fatal problem: the caller stops). */
static int build_node(struct builder *b, yaml_event_t *ev, int depth,
                      struct kz_yaml_node **out) {
  int rc = 0;
  size_t cap = 0, kcap = 0;
  int is_map = ev->type == YAML_MAPPING_START_EVENT;
  struct kz_yaml_node *n = NULL;
  yaml_event_t sub;
  *out = NULL;

  switch (ev->type) {
  case YAML_ALIAS_EVENT:
    build_error(b, &ev->start_mark, "aliases are not supported (*%s)",
                (const char *)ev->data.alias.anchor);
    rc = -1;
    goto done;

  case YAML_SCALAR_EVENT:
    if (!(n = new_node(b, KZ_YAML_SCALAR, &ev->start_mark))) { rc = -1; goto done; }
    n->len = ev->data.scalar.length;
    n->text = malloc(n->len + 1);
    if (!n->text) { build_error(b, &ev->start_mark, "out of memory"); rc = -1; goto done; }
    memcpy(n->text, ev->data.scalar.value, n->len);
    n->text[n->len] = '\0';
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
    goto done;

  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT:
    break;

  default:
    build_error(b, &ev->start_mark, "unexpected YAML event");
    rc = -1;
    goto done;
  }

  if (depth > KZ_YAML_MAX_DEPTH) {
    build_error(b, &ev->start_mark, "nesting deeper than %d levels", KZ_YAML_MAX_DEPTH);
    rc = -1;
    goto done;
  }
  if (!(n = new_node(b, is_map ? KZ_YAML_MAPPING : KZ_YAML_SEQUENCE, &ev->start_mark))) {
    rc = -1;
    goto done;
  }
  for (;;) {
    if (next_event(b, &sub) < 0) { rc = -1; goto done; }
    if (sub.type == YAML_SEQUENCE_END_EVENT || sub.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&sub);
      break;
    }
    struct kz_yaml_node *key = NULL, *val = NULL;
    if (is_map) {
      if (sub.type == YAML_SEQUENCE_START_EVENT || sub.type == YAML_MAPPING_START_EVENT) {
        build_error(b, &sub.start_mark, "only scalar mapping keys are supported");
        yaml_event_delete(&sub);
        rc = -1;
        goto done;
      }
      if (build_node(b, &sub, depth + 1, &key) < 0) { rc = -1; goto done; }
      if (next_event(b, &sub) < 0) { free_node(key); rc = -1; goto done; }
    }
    if (build_node(b, &sub, depth + 1, &val) < 0) { free_node(key); rc = -1; goto done; }
    if (reserve(&n->items, n->n, &cap) < 0 || (is_map && reserve(&n->keys, n->n, &kcap) < 0)) {
      free_node(key);
      free_node(val);
      build_error(b, &ev->start_mark, "out of memory");
      rc = -1;
      goto done;
    }
    if (is_map) n->keys[n->n] = key;
    n->items[n->n++] = val;
  }
  if (is_map) check_duplicates(b, n);

done:
  yaml_event_delete(ev);
  if (rc == 0) *out = n;
  else free_node(n);
  return rc;
}

/* Parse the whole stream: at most one document, whose root becomes *root. */
static int build_stream(struct builder *b, struct kz_yaml_node **root) {
  int rc = -1;
  yaml_event_t ev;
  struct kz_yaml_node *n = NULL;
  *root = NULL;

  if (next_event(b, &ev) < 0) goto done;
  yaml_event_delete(&ev);                      /* STREAM-START */
  if (next_event(b, &ev) < 0) goto done;
  if (ev.type == YAML_STREAM_END_EVENT) {      /* no document at all */
    yaml_event_delete(&ev);
    rc = 0;
    goto done;
  }
  yaml_event_delete(&ev);                      /* DOCUMENT-START */
  if (next_event(b, &ev) < 0) goto done;
  if (build_node(b, &ev, 1, &n) < 0) goto done;
  if (next_event(b, &ev) < 0) goto done;
  yaml_event_delete(&ev);                      /* DOCUMENT-END */
  if (next_event(b, &ev) < 0) goto done;
  if (ev.type != YAML_STREAM_END_EVENT) {
    build_error(b, &ev.start_mark, "more than one document (a file holds one)");
    yaml_event_delete(&ev);
    goto done;
  }
  yaml_event_delete(&ev);
  if (n && n->kind == KZ_YAML_SCALAR && n->plain && n->len == 0) {
    free_node(n);                              /* "---" alone: an empty document */
    n = NULL;
  }
  rc = b->errors ? -1 : 0;

done:
  if (rc == 0) *root = n;
  else free_node(n);
  return rc;
}

int kz_yaml_load_string(const char *name, const char *text, size_t len,
                        struct kz_yaml_doc *doc, struct kz_diag *d) {
  int rc = -1;
  struct builder b;
  memset(doc, 0, sizeof *doc);
  memset(&b, 0, sizeof b);
  if (!name) name = "<string>";
  if (!(doc->file = strdup(name))) {
    kz_diag_add(d, name, 0, 0, "out of memory");
    return -1;
  }
  b.file = doc->file;
  b.text = text ? text : "";
  b.len = text ? len : 0;
  b.d = d;
  if (!yaml_parser_initialize(&b.parser)) {
    kz_diag_add(d, name, 0, 0, "out of memory");
    goto done;
  }
  yaml_parser_set_input_string(&b.parser, (const unsigned char *)b.text, b.len);
  rc = build_stream(&b, &doc->root);
  yaml_parser_delete(&b.parser);

done:
  if (rc != 0) kz_yaml_free(doc);
  return rc;
}

int kz_yaml_load_file(const char *path, struct kz_yaml_doc *doc, struct kz_diag *d) {
  int rc = -1;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  FILE *f = NULL;
  memset(doc, 0, sizeof *doc);

  if (!(f = fopen(path, "rb"))) {
    kz_diag_add(d, path, 0, 0, "cannot open: %s", strerror(errno));
    goto done;
  }
  for (;;) {                                   /* works for pipes as for files */
    if (len == cap) {
      if (cap >= KZ_YAML_MAX_BYTES) {
        kz_diag_add(d, path, 0, 0, "file larger than %u MiB", KZ_YAML_MAX_BYTES >> 20);
        goto done;
      }
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = realloc(buf, ncap);
      if (!nb) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    kz_diag_add(d, path, 0, 0, "cannot read: %s", strerror(errno));
    goto done;
  }
  rc = kz_yaml_load_string(path, buf, len, doc, d);

done:
  if (f) fclose(f);
  free(buf);
  return rc;
}

void kz_yaml_free(struct kz_yaml_doc *doc) {
  free_node(doc->root);
  free(doc->file);
  doc->root = NULL;
  doc->file = NULL;
}

/* }=============================================================== */

/* {====================== Reading the tree ====================== */

const struct kz_yaml_node *kz_yaml_map_get(const struct kz_yaml_node *map, const char *key) {
  if (!map || map->kind != KZ_YAML_MAPPING || !key) return NULL;
  size_t klen = strlen(key);
  for (size_t i = 0; i < map->n; i++)
    if (map->keys[i]->len == klen && memcmp(map->keys[i]->text, key, klen) == 0)
      return map->items[i];
  return NULL;
}

int kz_yaml_is_null(const struct kz_yaml_node *n) {
  if (!n) return 1;
  if (n->kind != KZ_YAML_SCALAR || !n->plain) return 0;
  return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
         strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *kz_yaml_kind_name(const struct kz_yaml_node *n) {
  if (kz_yaml_is_null(n)) return "null";
  switch (n->kind) {
  case KZ_YAML_SCALAR: return "scalar";
  case KZ_YAML_SEQUENCE: return "sequence";
  case KZ_YAML_MAPPING: return "mapping";
  }
  return "?";
}

void kz_yaml_error(struct kz_diag *d, const struct kz_yaml_node *n, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, _(fmt), ap);
  va_end(ap);
  if (n) kz_diag_add(d, n->file, n->line, n->col, "%s", msg);
  else kz_diag_add(d, NULL, 0, 0, "%s", msg);
}

/* What the reader found, for "expected X, got Y" messages. */
static const char *describe(const struct kz_yaml_node *n, char *buf, size_t size) {
  if (!n) return "nothing";
  if (kz_yaml_is_null(n)) return "null";
  if (n->kind == KZ_YAML_SEQUENCE) return "a sequence";
  if (n->kind == KZ_YAML_MAPPING) return "a mapping";
  int show = n->len > 40 ? 40 : (int)n->len;
  snprintf(buf, size, n->plain ? "'%.*s%s'" : "\"%.*s%s\"", show, n->text,
           n->len > 40 ? "..." : "");
  return buf;
}

static int type_error(const struct kz_yaml_node *n, const char *what, const char *expected,
                      struct kz_diag *d) {
  char buf[64];
  kz_yaml_error(d, n, "%s: expected %s, got %s", what ? what : "value", expected,
                describe(n, buf, sizeof buf));
  return -1;
}

static int is_plain_text(const struct kz_yaml_node *n) {
  return n && n->kind == KZ_YAML_SCALAR && n->plain && strlen(n->text) == n->len;
}

static size_t skip_digits(const char *s, size_t i) {
  while (s[i] >= '0' && s[i] <= '9') i++;
  return i;
}

int kz_yaml_as_int(const struct kz_yaml_node *n, const char *what, long long *out,
                   struct kz_diag *d) {
  if (!is_plain_text(n)) return type_error(n, what, "an integer", d);
  const char *s = n->text;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0, j = skip_digits(s, i);
  if (j == i || s[j] != '\0') return type_error(n, what, "an integer", d);
  errno = 0;
  long long v = strtoll(s, NULL, 10);
  if (errno == ERANGE) return type_error(n, what, "an integer in range", d);
  *out = v;
  return 0;
}

int kz_yaml_as_double(const struct kz_yaml_node *n, const char *what, double *out,
                      struct kz_diag *d) {
  if (!is_plain_text(n)) return type_error(n, what, "a number", d);
  const char *s = n->text;                    /* [-+]? (digits [. digits*] | . digits) [e[-+]digits] */
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0, j = skip_digits(s, i);
  int digits = j > i;
  if (s[j] == '.') {
    size_t k = skip_digits(s, j + 1);
    digits |= k > j + 1;
    j = k;
  }
  if (digits && (s[j] == 'e' || s[j] == 'E')) {
    size_t k = j + 1 + (s[j + 1] == '-' || s[j + 1] == '+');
    size_t e = skip_digits(s, k);
    j = e > k ? e : 0;                         /* "1e" is not a number */
    digits = e > k;
  }
  if (!digits || s[j] != '\0') return type_error(n, what, "a number", d);
  double v = strtod(s, NULL);
  if (!isfinite(v)) return type_error(n, what, "a finite number", d);
  *out = v;
  return 0;
}

int kz_yaml_as_string(const struct kz_yaml_node *n, const char *what, const char **out,
                      struct kz_diag *d) {
  if (!n || n->kind != KZ_YAML_SCALAR || kz_yaml_is_null(n))
    return type_error(n, what, "text", d);
  if (strlen(n->text) != n->len) {
    kz_yaml_error(d, n, "%s: text contains a NUL character", what ? what : "value");
    return -1;
  }
  *out = n->text;
  return 0;
}

int kz_yaml_as_date(const struct kz_yaml_node *n, const char *what, kz_day *out,
                    struct kz_diag *d) {
  kz_day day;
  if (!n || n->kind != KZ_YAML_SCALAR || kz_date_parse_n(n->text, n->len, &day) < 0)
    return type_error(n, what, "a date YYYY-MM-DD", d);
  *out = day;
  return 0;
}

int kz_yaml_as_bool(const struct kz_yaml_node *n, const char *what, int *out,
                    struct kz_diag *d) {
  static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
  if (is_plain_text(n))
    for (int i = 0; i < 3; i++) {
      if (strcmp(n->text, yes[i]) == 0) { *out = 1; return 0; }
      if (strcmp(n->text, no[i]) == 0) { *out = 0; return 0; }
    }
  return type_error(n, what, "true or false", d);
}

const char *kz_yaml_nearest(const char *word, const char *const *candidates) {
  return candidates ? kz_suggest_nearest(word, candidates, 0) : NULL;
}

int kz_yaml_check_keys(const struct kz_yaml_node *n, const char *what,
                       const char *const *allowed, struct kz_diag *d) {
  int rc = 0;
  if (!n || n->kind != KZ_YAML_MAPPING) return type_error(n, what, "a mapping", d);
  for (size_t i = 0; i < n->n; i++) {
    const struct kz_yaml_node *k = n->keys[i];
    size_t j;
    for (j = 0; allowed[j]; j++)
      if (strlen(allowed[j]) == k->len && memcmp(allowed[j], k->text, k->len) == 0) break;
    if (allowed[j]) continue;
    const char *near = kz_yaml_nearest(k->text, allowed);
    if (near)
      kz_yaml_error(d, k, "unknown key '%.*s' in %s (did you mean '%s'?)",
                    (int)(k->len > 60 ? 60 : k->len), k->text, what, near);
    else
      kz_yaml_error(d, k, "unknown key '%.*s' in %s (no keys are allowed here)",
                    (int)(k->len > 60 ? 60 : k->len), k->text, what);
    rc = -1;
  }
  return rc;
}

/* }=============================================================== */
