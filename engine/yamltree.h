/*
** yamltree.h — YAML text -> an owned tree of scalars, sequences and mappings,
** built on libyaml's event parser. Every node remembers where it started
** (file:line:col, 1-based), so loaders built on it (the profile, fixtures)
** can point a supervisor at the exact place of a mistake.
**
** Limits, chosen so that no input can crash, hang or exhaust the engine:
** one document per file; aliases are rejected ("aliases are not supported");
** nesting deeper than KZ_YAML_MAX_DEPTH is rejected; keys are scalars and
** unique within their mapping.
*/
#ifndef KZ_YAMLTREE_H
#define KZ_YAMLTREE_H

#include <stddef.h>
#include "date.h"
#include "diag.h"

#define KZ_YAML_MAX_DEPTH 64           /* collections nested inside collections */
#define KZ_YAML_MAX_BYTES (64u << 20)  /* largest file kz_yaml_load_file reads */

enum kz_yaml_kind { KZ_YAML_SCALAR, KZ_YAML_SEQUENCE, KZ_YAML_MAPPING };

struct kz_yaml_node {
  enum kz_yaml_kind kind;
  const char *file;              /* borrowed from the kz_yaml_doc */
  int line, col;                 /* start mark, 1-based */
  /* KZ_YAML_SCALAR */
  char *text;                    /* owned, NUL-terminated; may hold inner NULs */
  size_t len;                    /* bytes of text, without the final NUL */
  int plain;                     /* 1 when unquoted and untagged: `~`, `null` and
                                 ** `` (empty) are then null, `5` is a number */
  /* KZ_YAML_SEQUENCE: items[0..n); KZ_YAML_MAPPING: keys[i] -> items[i] */
  struct kz_yaml_node **keys;    /* owned; scalar nodes, in document order */
  struct kz_yaml_node **items;   /* owned */
  size_t n;
};

struct kz_yaml_doc {
  char *file;                    /* owned; the name used in messages */
  struct kz_yaml_node *root;     /* owned; NULL for an empty document */
};

/* Read and parse the file at path into *doc (zeroed first). Every problem is
** added to d as "path:line:col: message". Returns 0, or -1 with *doc empty
** (nothing to free, though kz_yaml_free is harmless). */
int kz_yaml_load_file(const char *path, struct kz_yaml_doc *doc, struct kz_diag *d);

/* Parse len bytes of text (no NUL needed) as if read from a file called
** name (used in messages; may be NULL for "<string>"). As kz_yaml_load_file. */
int kz_yaml_load_string(const char *name, const char *text, size_t len,
                        struct kz_yaml_doc *doc, struct kz_diag *d);

/* Free the tree and the name; *doc is left zeroed and may be reused. */
void kz_yaml_free(struct kz_yaml_doc *doc);

/* The value stored under key in mapping map, or NULL when map is NULL, not a
** mapping, or has no such key. Borrowed from the document. */
const struct kz_yaml_node *kz_yaml_map_get(const struct kz_yaml_node *map, const char *key);

/* 1 when n is absent (NULL) or a plain `~`, `null`, `Null`, `NULL` or empty
** scalar; 0 otherwise (a quoted "null" is text, not null). */
int kz_yaml_is_null(const struct kz_yaml_node *n);

/* "scalar", "sequence", "mapping", or "null" for a null node: for messages. */
const char *kz_yaml_kind_name(const struct kz_yaml_node *n);

/* Add a message at n's position (file:line:col); n may be NULL. */
void kz_yaml_error(struct kz_diag *d, const struct kz_yaml_node *n,
                   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Typed scalar readers. Each stores the value and returns 0, or adds
** "file:line:col: <what>: expected ..., got ..." to d and returns -1 (the
** output is then untouched). `what` names the setting for the message, e.g.
** "params.young_age".
**   as_int:    a plain decimal integer, e.g. -3, 14 (no quotes, no 0x, no _)
**   as_double: a plain decimal number, e.g. 2, 0.5, 1e6 (no inf or nan)
**   as_string: any scalar that is not null and holds no NUL byte; the text is
**              borrowed from the document
**   as_date:   a YYYY-MM-DD date that exists (quoted or not), see date.h
**   as_bool:   a plain true/false (also True/TRUE/False/FALSE) */
int kz_yaml_as_int(const struct kz_yaml_node *n, const char *what,
                   long long *out, struct kz_diag *d);
int kz_yaml_as_double(const struct kz_yaml_node *n, const char *what,
                      double *out, struct kz_diag *d);
int kz_yaml_as_string(const struct kz_yaml_node *n, const char *what,
                      const char **out, struct kz_diag *d);
int kz_yaml_as_date(const struct kz_yaml_node *n, const char *what,
                    kz_day *out, struct kz_diag *d);
int kz_yaml_as_bool(const struct kz_yaml_node *n, const char *what,
                    int *out, struct kz_diag *d);

/* Check that n is a mapping (else report "<what>: expected a mapping, got X"
** and return -1) whose keys are all among allowed (a NULL-terminated list);
** each other key is reported as "unknown key 'k' in <what> (did you mean
** 'nearest'?)". Returns 0 when all is well, else -1 after reporting all. */
int kz_yaml_check_keys(const struct kz_yaml_node *n, const char *what,
                       const char *const *allowed, struct kz_diag *d);

/* The candidate closest to word by edit distance (ties: the earlier one), or
** NULL when candidates is empty. candidates is NULL-terminated. */
const char *kz_yaml_nearest(const char *word, const char *const *candidates);

#endif
