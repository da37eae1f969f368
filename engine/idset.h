/*
** idset.h — a set of ids (byte strings), for what a run has seen: the
** households it evaluated and the people in them, asked by the sweep
** before it clears a task ("was this task's household looked at tonight?").
*/
#ifndef KZ_IDSET_H
#define KZ_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

struct kz_idset {
  const char **slots;        /* owned array of cap slots; the strings are in arena */
  size_t n, cap;
  struct kz_arena arena;     /* owned: copies of the ids */
};

/* Add the n bytes at s (a copy is kept). Returns 0, or -1 out of memory. */
int kz_idset_add(struct kz_idset *set, const char *s, size_t n);

/* Is the NUL-terminated s in the set? */
int kz_idset_has(const struct kz_idset *set, const char *s);

/* Forget every id, keeping the memory for reuse. */
void kz_idset_clear(struct kz_idset *set);

void kz_idset_free(struct kz_idset *set);

#endif
