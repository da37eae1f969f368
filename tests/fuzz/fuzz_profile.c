/*
** fuzz_profile.c — libFuzzer harness for the profile loader: any bytes
** either load as a profile or fail with at least one message; never a
** crash, a hang or a leak.
*/
#include <stdint.h>
#include <stdlib.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct kz_profile p;
  struct kz_diag d = {0};
  int rc = kz_profile_load_string(&p, "fuzz.yaml", (const char *)data, size, &d);
  if (rc == 0) {
    char unit[64];
    for (size_t i = 0; i < p.nagencies; i++)
      for (int level = 0; level < 5; level++)
        kz_profile_ladder_unit(&p, p.agencies[i].kind, p.nwards ? p.wards[0].code : NULL, level,
                               unit, sizeof unit);
    kz_profile_free(&p);
  } else if (d.n == 0) {
    abort();   /* a failure must say why */
  }
  kz_diag_clear(&d);
  return 0;
}
