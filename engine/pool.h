/*
** pool.h — a size-class allocator for the Lua state's many small blocks.
**
** Lua tells its allocator the old size of every block it frees or resizes,
** so blocks need no header: freed small blocks go on a free list of their
** size class and are reused by the next household. Larger blocks go to
** malloc. Memory is returned to the system when the pool is destroyed.
*/
#ifndef KZ_POOL_H
#define KZ_POOL_H

#include <stddef.h>

#define KZ_POOL_CLASSES 16        /* 16, 32, ... 256 bytes */

struct kz_pool_chunk;

struct kz_pool {
  void *free[KZ_POOL_CLASSES];    /* free lists, one per size class */
  struct kz_pool_chunk *chunks;   /* owned: where small blocks are carved from */
  char *cur;                      /* carving position in the newest chunk */
  size_t left;                    /* bytes left there */
};

/* realloc for a block of osize bytes (ptr may be NULL: osize is then 0) to
** nsize > 0 bytes. NULL when out of memory (ptr is then untouched). */
void *kz_pool_realloc(struct kz_pool *p, void *ptr, size_t osize, size_t nsize);

/* Free a block of osize bytes (ptr may be NULL). */
void kz_pool_free(struct kz_pool *p, void *ptr, size_t osize);

/* Release every chunk. */
void kz_pool_destroy(struct kz_pool *p);

#endif
