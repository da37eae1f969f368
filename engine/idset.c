/*
** idset.c — a set of ids: open addressing over FNV-1a digests, the strings
** copied into the set's own arena (ids outlive the bundle they came from).
*/
#include "idset.h"

#include <stdlib.h>
#include <string.h>

#include "digest.h"

static size_t slot_of(const struct kz_idset *set, const char *s, size_t n) {
  size_t i = (size_t)kz_digest(KZ_DIGEST_INIT, s, n) & (set->cap - 1);
  while (set->slots[i] && (strlen(set->slots[i]) != n || memcmp(set->slots[i], s, n) != 0))
    i = (i + 1) & (set->cap - 1);
  return i;
}

static int grow(struct kz_idset *set) {
  size_t cap = set->cap ? set->cap * 2 : 1024;
  const char **old = set->slots;
  size_t oldcap = set->cap;
  set->slots = calloc(cap, sizeof *set->slots);
  if (!set->slots) { set->slots = old; return -1; }
  set->cap = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i]) set->slots[slot_of(set, old[i], strlen(old[i]))] = old[i];
  free(old);
  return 0;
}

int kz_idset_add(struct kz_idset *set, const char *s, size_t n) {
  if ((set->n + 1) * 2 > set->cap && grow(set)) return -1;   /* at most half full */
  size_t i = slot_of(set, s, n);
  if (set->slots[i]) return 0;
  char *copy = kz_arena_strdup(&set->arena, s, n);
  if (!copy) return -1;
  set->slots[i] = copy;
  set->n++;
  return 0;
}

int kz_idset_has(const struct kz_idset *set, const char *s) {
  return set->cap && s && set->slots[slot_of(set, s, strlen(s))] != NULL;
}

void kz_idset_clear(struct kz_idset *set) {
  if (set->slots) memset(set->slots, 0, set->cap * sizeof *set->slots);
  set->n = 0;
  kz_arena_reset(&set->arena);
}

void kz_idset_free(struct kz_idset *set) {
  free(set->slots);
  kz_arena_free(&set->arena);
  memset(set, 0, sizeof *set);
}
