/*
** suggest.h — "did you mean": the nearest of a list of valid names.
*/
#ifndef KZ_SUGGEST_H
#define KZ_SUGGEST_H

#include <stddef.h>

/* The candidate (NULL-terminated list, or n entries when n > 0) closest to
** word by edit distance, if close enough to be a likely typo; else NULL. */
const char *kz_suggest(const char *word, const char *const *candidates, size_t n);

/* The candidate nearest to word by edit distance, however far (ties: the
** earlier one); NULL when there are no candidates. */
const char *kz_suggest_nearest(const char *word, const char *const *candidates, size_t n);

#endif
