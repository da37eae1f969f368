/*
** pool.c — size-class allocator for the Lua state (see pool.h).
*/
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#define GRAIN 16
#define SMALL (GRAIN * KZ_POOL_CLASSES)
#define CHUNK (256 * 1024)

struct kz_pool_chunk {
  struct kz_pool_chunk *next;
  _Alignas(16) char data[];
};

static int class_of(size_t n) { return (int)((n + GRAIN - 1) / GRAIN) - 1; }

static void *small_alloc(struct kz_pool *p, int c) {
  void *b = p->free[c];
  if (b) {
    p->free[c] = *(void **)b;
    return b;
  }
  size_t size = (size_t)(c + 1) * GRAIN;
  if (p->left < size) {
    struct kz_pool_chunk *ch = malloc(sizeof *ch + CHUNK);
    if (!ch) return NULL;
    ch->next = p->chunks;
    p->chunks = ch;
    p->cur = ch->data;
    p->left = CHUNK;
  }
  b = p->cur;
  p->cur += size;
  p->left -= size;
  return b;
}

static void small_free(struct kz_pool *p, void *b, int c) {
  *(void **)b = p->free[c];
  p->free[c] = b;
}

void *kz_pool_realloc(struct kz_pool *p, void *ptr, size_t osize, size_t nsize) {
  if (!ptr) osize = 0;
  if (nsize <= SMALL) {
    int nc = class_of(nsize);
    if (ptr && osize <= SMALL && class_of(osize) == nc) return ptr;   /* same class */
    void *b = small_alloc(p, nc);
    if (!b) return NULL;
    if (ptr) {
      memcpy(b, ptr, osize < nsize ? osize : nsize);
      kz_pool_free(p, ptr, osize);
    }
    return b;
  }
  if (!ptr || osize > SMALL) return realloc(ptr, nsize);
  void *b = malloc(nsize);                                          /* small -> large */
  if (!b) return NULL;
  memcpy(b, ptr, osize);
  small_free(p, ptr, class_of(osize));
  return b;
}

void kz_pool_free(struct kz_pool *p, void *ptr, size_t osize) {
  if (!ptr) return;
  if (osize <= SMALL) small_free(p, ptr, class_of(osize ? osize : 1));
  else free(ptr);
}

void kz_pool_destroy(struct kz_pool *p) {
  while (p->chunks) {
    struct kz_pool_chunk *next = p->chunks->next;
    free(p->chunks);
    p->chunks = next;
  }
  memset(p, 0, sizeof *p);
}
