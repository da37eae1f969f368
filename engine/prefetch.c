/*
** prefetch.c — the loader on its own thread, a ring of bundles ahead of the
** rules (see prefetch.h).
**
** The thread fills slots in order; the caller takes them in the same order.
** Counters, not flags, say who owns what: slots [taken, filled) are full and
** waiting, [released, taken) is the caller's, the rest the thread's. Both
** sides sleep only when they must, and the caller wakes a full thread only
** once half the ring is free again, so neither side wakes the other for
** every household.
*/
#include "prefetch.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "loader.h"

struct kz_prefetch {
  struct kz_loader *ld;          /* the thread's while it runs */
  struct kz_bundle *ring;        /* the caller's; slots as below */
  int depth;
  int threaded;                  /* a thread was started */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t filled_cv;      /* a slot was filled, or the thread ended */
  pthread_cond_t freed_cv;       /* slots were released, or stop */
  /* Under mu: */
  unsigned long long filled, taken, released;   /* taken, released: written by the caller only */
  int end;                       /* 0 going on; 1 after the last; -1 error */
  int stop;                      /* the caller asks the thread to end */
  int caller_waits, thread_waits;
  struct kz_diag why;            /* the thread's error, read once end < 0 */
};

static struct kz_bundle *slot(struct kz_prefetch *p, unsigned long long i) {
  return &p->ring[i % (unsigned long long)p->depth];
}

static void *fill(void *arg) {
  struct kz_prefetch *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    while (!p->stop && p->filled - p->released == (unsigned long long)p->depth) {
      p->thread_waits = 1;
      pthread_cond_wait(&p->freed_cv, &p->mu);
    }
    p->thread_waits = 0;
    unsigned long long i = p->filled;
    int stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    if (stop) return NULL;

    int got = kz_loader_next(p->ld, slot(p, i), &p->why);

    pthread_mutex_lock(&p->mu);
    if (got == 1) p->filled++;
    else p->end = got == 0 ? 1 : -1;
    if (p->caller_waits) pthread_cond_signal(&p->filled_cv);
    pthread_mutex_unlock(&p->mu);
    if (got != 1) return NULL;
  }
}

int kz_prefetch_open(struct kz_prefetch **out, sqlite3 *cases, kz_day as_of,
                     struct kz_bundle *ring, int depth, int threaded, struct kz_diag *d) {
  return kz_prefetch_open_latest(out, cases, as_of, KZ_DAY_NONE, ring, depth, threaded, d);
}

int kz_prefetch_open_latest(struct kz_prefetch **out, sqlite3 *cases, kz_day as_of, kz_day latest,
                            struct kz_bundle *ring, int depth, int threaded, struct kz_diag *d) {
  struct kz_prefetch *p = calloc(1, sizeof *p);
  *out = NULL;
  if (!p) {
    kz_diag_add(d, NULL, 0, 0, "out of memory");
    return -1;
  }
  p->ring = ring;
  p->depth = depth > 0 ? depth : 1;
  if (kz_loader_open(&p->ld, cases, as_of, d)) {
    free(p);
    return -1;
  }
  kz_loader_set_latest(p->ld, latest);       /* before the thread starts: it owns ld then */
  if (threaded && p->depth > 1 && pthread_mutex_init(&p->mu, NULL) == 0) {
    if (pthread_cond_init(&p->filled_cv, NULL) == 0) {
      if (pthread_cond_init(&p->freed_cv, NULL) == 0) {
        /* Signals (SIGTERM, SIGINT) are the caller's to handle: the thread
        ** is started with them blocked. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        p->threaded = pthread_create(&p->thread, NULL, fill, p) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!p->threaded) pthread_cond_destroy(&p->freed_cv);
      }
      if (!p->threaded) pthread_cond_destroy(&p->filled_cv);
    }
    if (!p->threaded) pthread_mutex_destroy(&p->mu);
  }
  /* Without a thread (not asked, or it could not start), every household
  ** is read in kz_prefetch_next: the same sequence, one core. */
  *out = p;
  return 0;
}

/* Give the slot the caller holds back to the thread. */
static void release(struct kz_prefetch *p) {
  if (p->taken == p->released) return;   /* taken and released move only here */
  slot(p, p->taken - 1)->live = 0;
  if (!p->threaded) {
    p->released++;
    return;
  }
  pthread_mutex_lock(&p->mu);
  p->released++;
  if (p->thread_waits && p->filled - p->released <= (unsigned long long)p->depth / 2)
    pthread_cond_signal(&p->freed_cv);
  pthread_mutex_unlock(&p->mu);
}

int kz_prefetch_next(struct kz_prefetch *p, const struct kz_bundle **b, struct kz_diag *d) {
  release(p);
  if (!p->threaded) {
    if (p->end) return p->end < 0 ? -1 : 0;
    int got = kz_loader_next(p->ld, slot(p, p->taken), d);
    if (got != 1) {
      p->end = got == 0 ? 1 : -1;
      return got;
    }
    p->filled++;
  } else {
    pthread_mutex_lock(&p->mu);
    while (p->taken == p->filled && !p->end) {
      p->caller_waits = 1;
      pthread_cond_wait(&p->filled_cv, &p->mu);
    }
    p->caller_waits = 0;
    int end = p->taken == p->filled ? p->end : 0;
    pthread_mutex_unlock(&p->mu);
    if (end) {
      if (end < 0) {
        for (size_t i = 0; i < p->why.n; i++) kz_diag_add(d, NULL, 0, 0, "%s", p->why.msgs[i]);
        kz_diag_clear(&p->why);
      }
      return end < 0 ? -1 : 0;
    }
  }
  struct kz_bundle *s = slot(p, p->taken++);
  s->live = s->gen;
  *b = s;
  return 1;
}

void kz_prefetch_close(struct kz_prefetch *p) {
  if (!p) return;
  release(p);
  if (p->threaded) {
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->freed_cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->freed_cv);
    pthread_cond_destroy(&p->filled_cv);
    pthread_mutex_destroy(&p->mu);
  }
  kz_loader_close(p->ld);
  for (int i = 0; i < p->depth; i++) kz_bundle_retire(&p->ring[i]);
  kz_diag_clear(&p->why);
  free(p);
}
