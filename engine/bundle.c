/*
** bundle.c — the household bundle and the arena its strings live in.
*/
#include "bundle.h"

#include <stdlib.h>
#include <string.h>

/* {====== Arena ====== */

struct kz_arena_block {
  struct kz_arena_block *next;
  size_t used, cap;
  char data[];
};

#define ARENA_BLOCK 65536

/* n bytes of the arena, from its newest block or a new one; NULL on
** out-of-memory. */
static char *arena_take(struct kz_arena *a, size_t n) {
  struct kz_arena_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    struct kz_arena_block *nb = malloc(sizeof *nb + cap);
    if (!nb) return NULL;
    nb->next = b;
    nb->used = 0;
    nb->cap = cap;
    a->head = b = nb;
  }
  char *p = b->data + b->used;
  b->used += n;
  return p;
}

char *kz_arena_strdup(struct kz_arena *a, const char *s, size_t n) {
  char *p = arena_take(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void kz_arena_reset(struct kz_arena *a) {
  struct kz_arena_block *b = a->head;
  if (!b) return;
  while (b->next) {   /* keep only the oldest block, which is the smallest */
    struct kz_arena_block *next = b->next;
    free(b);
    b = next;
  }
  b->used = 0;
  a->head = b;
}

void kz_arena_free(struct kz_arena *a) {
  while (a->head) {
    struct kz_arena_block *next = a->head->next;
    free(a->head);
    a->head = next;
  }
}

/* }====== */

void kz_bundle_reset(struct kz_bundle *b) {
  for (int t = 0; t < KZ_NTABLES; t++) b->rows[t].n = 0;
  b->nissues = 0;
  b->quarantined = 0;
  b->phantom = 0;
  kz_arena_reset(&b->arena);
  b->household_id = NULL;
  if (++b->gen == 0) b->gen = 1;   /* 0 means "no household" to `live` */
}

int kz_bundle_add_row(struct kz_bundle *b, int t, const char *const *vals, const int *lens) {
  struct kz_rows *r = &b->rows[t];
  size_t nc = (size_t)kz_tables[t].ncols;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 8;
    const char **v = realloc(r->vals, cap * nc * sizeof *v);
    if (!v) return -1;
    r->vals = v;
    r->cap = cap;
  }
  const char **row = r->vals + r->n * nc;
  size_t bytes = 0;                    /* the row's strings go in one piece */
  for (size_t c = 0; c < nc; c++)
    if (vals[c]) bytes += (size_t)lens[c] + 1;
  char *p = bytes ? arena_take(&b->arena, bytes) : NULL;
  if (bytes && !p) return -1;
  for (size_t c = 0; c < nc; c++) {
    if (!vals[c]) { row[c] = NULL; continue; }
    memcpy(p, vals[c], (size_t)lens[c]);
    p[lens[c]] = '\0';
    row[c] = p;
    p += lens[c] + 1;
  }
  r->n++;
  return 0;
}

int kz_bundle_add_issue(struct kz_bundle *b, const struct kz_issue *is) {
  if (b->nissues == b->capissues) {
    size_t cap = b->capissues ? b->capissues * 2 : 8;
    struct kz_issue *v = realloc(b->issues, cap * sizeof *v);
    if (!v) return -1;
    b->issues = v;
    b->capissues = cap;
  }
  b->issues[b->nissues++] = *is;
  return 0;
}

int kz_bundle_has_id(const struct kz_bundle *b, int t, const char *id) {
  const struct kz_rows *r = &b->rows[t];
  size_t nc = (size_t)kz_tables[t].ncols;
  for (size_t i = 0; i < r->n; i++)
    if (r->vals[i * nc] && strcmp(r->vals[i * nc], id) == 0) return 1;
  return 0;
}

/* Compare two values where NULL sorts first. */
static int cmp_nullable(const char *a, const char *b) {
  if (!a || !b) return (a != NULL) - (b != NULL);
  return strcmp(a, b);
}

/* Is row x after row y (by key, then id)? */
static int row_after(const char *const *x, const char *const *y, int key, int id) {
  int c = key >= 0 ? cmp_nullable(x[key], y[key]) : 0;
  if (c == 0) c = cmp_nullable(x[id], y[id]);
  return c > 0;
}

/* Sort row blocks, stably: insertion sort for a few rows; for a long
** history a merge sort (O(n log n): a household with 100k contacts must not
** cost 100k^2), through a scratch copy. */
static void sort_rows(struct kz_rows *r, int ncols, int key, int id) {
  size_t nc = (size_t)ncols, n = r->n;
  const char **tmp = n > 32 ? malloc(n * nc * sizeof *tmp) : NULL;
  if (!tmp) {                        /* few rows (or no memory): in place */
    const char *row[KZ_MAX_COLUMNS];
    for (size_t i = 1; i < n; i++) {
      memcpy(row, r->vals + i * nc, nc * sizeof *row);
      size_t j = i;
      while (j > 0 && row_after(r->vals + (j - 1) * nc, row, key, id)) {
        memcpy(r->vals + j * nc, r->vals + (j - 1) * nc, nc * sizeof *row);
        j--;
      }
      memcpy(r->vals + j * nc, row, nc * sizeof *row);
    }
    return;
  }
  const char **src = r->vals, **dst = tmp;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid || j < hi) {
        size_t from = j >= hi || (i < mid && !row_after(src + i * nc, src + j * nc, key, id)) ? i++ : j++;
        memcpy(dst + k++ * nc, src + from * nc, nc * sizeof *dst);
      }
    }
    const char **t = src; src = dst; dst = t;
  }
  if (src != r->vals) memcpy(r->vals, src, n * nc * sizeof *src);
  free(tmp);
}

/* A person, pregnancy or checkup reached through two memberships of the
** same household is one record: after the sort its copies are side by side
** (same id, same values), and all but the first go. */
static void drop_repeats(struct kz_rows *r, int ncols, int id) {
  size_t nc = (size_t)ncols, n = 0;
  for (size_t i = 0; i < r->n; i++) {
    const char **row = r->vals + i * nc;
    if (n > 0 && row[id] && cmp_nullable(r->vals[(n - 1) * nc + id], row[id]) == 0) continue;
    if (n != i) memmove(r->vals + n * nc, row, nc * sizeof *row);
    n++;
  }
  r->n = n;
}

void kz_bundle_sort(struct kz_bundle *b) {
  for (int t = 0; t < KZ_NTABLES; t++) {
    const struct kz_table *td = &kz_tables[t];
    if (b->rows[t].n < 2) continue;
    int key = td->order_col ? kz_records_column(td, td->order_col) : -1;
    int id = kz_records_column(td, "id");
    if (id < 0) id = 1;   /* members: order by person_id after start_on */
    sort_rows(&b->rows[t], td->ncols, key, id);
    if (td->person_col) drop_repeats(&b->rows[t], td->ncols, id);
  }
}

void kz_bundle_free(struct kz_bundle *b) {
  for (int t = 0; t < KZ_NTABLES; t++) free(b->rows[t].vals);
  free(b->issues);
  kz_arena_free(&b->arena);
  memset(b, 0, sizeof *b);
}

void kz_bundle_retire(struct kz_bundle *b) {
  uint32_t gen = b->gen;
  kz_bundle_free(b);
  b->gen = gen + 1 ? gen + 1 : 1;
}
