/*
** suggest.c — nearest valid name by Levenshtein distance.
*/
#include "suggest.h"

#include <string.h>

/* Levenshtein distance of the first 64 bytes of a and b. */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64) la = 64;
  if (lb > 64) lb = 64;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = diag + cost;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* The nearest candidate and its distance. */
static const char *nearest(const char *word, const char *const *candidates, size_t n,
                           size_t *dist) {
  const char *best = NULL;
  size_t bestd = (size_t)-1;
  for (size_t i = 0; n ? i < n : candidates[i] != NULL; i++) {
    size_t d = distance(word, candidates[i]);
    if (!best || d < bestd) { bestd = d; best = candidates[i]; }
  }
  *dist = bestd;
  return best;
}

const char *kz_suggest_nearest(const char *word, const char *const *candidates, size_t n) {
  size_t d;
  return nearest(word, candidates, n, &d);
}

const char *kz_suggest(const char *word, const char *const *candidates, size_t n) {
  size_t d, len = strlen(word);
  const char *best = nearest(word, candidates, n, &d);
  size_t limit = len < 4 ? 1 : len < 8 ? 2 : 3;
  return d <= limit ? best : NULL;
}
