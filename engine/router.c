/*
** router.c — where a finding's task goes: the household's ward (the C ward
** function, shared with hh:ward in vocab.c), the ward of its assignment when
** the profile does not know that ward, the fallback unit, and the line a
** fallback-routed task's reason gets. See router.h.
*/
#include "router.h"

#include <stdio.h>
#include <string.h>

/* Column positions of the rows routing reads (records.c owns them). */
static int col(int t, const char *name) { return kz_records_column(&kz_tables[t], name); }

static int active(const char *start, const char *end, const char *at) {
  return start && strcmp(start, at) <= 0 && (!end || strcmp(end, at) > 0);
}

const char *kz_router_household_ward(const struct kz_bundle *b, const char *at) {
  int ward = col(KZ_T_RESIDENCES, "ward"), start = col(KZ_T_RESIDENCES, "start_on");
  int end = col(KZ_T_RESIDENCES, "end_on");
  size_t n = b->rows[KZ_T_RESIDENCES].n;
  const char *w = NULL;
  for (size_t i = n; i-- > 0;)                 /* the last residence active on at */
    if (active(kz_bundle_value(b, KZ_T_RESIDENCES, i, start),
               kz_bundle_value(b, KZ_T_RESIDENCES, i, end), at)) {
      w = kz_bundle_value(b, KZ_T_RESIDENCES, i, ward);
      break;
    }
  for (size_t i = n; !w && i-- > 0;) {         /* outside the city: its last ward in it */
    const char *s = kz_bundle_value(b, KZ_T_RESIDENCES, i, start);
    if (s && strcmp(s, at) <= 0) w = kz_bundle_value(b, KZ_T_RESIDENCES, i, ward);
  }
  return w;
}

/* The ward of the household's assignment of agency kind `kind` active on
** its day (the earliest started whose ward the profile knows), or NULL. */
static const char *assignment_ward(const struct kz_profile *prof, const struct kz_bundle *b,
                                   const char *kind) {
  int agency = col(KZ_T_ASSIGNMENTS, "agency"), ward = col(KZ_T_ASSIGNMENTS, "ward");
  int start = col(KZ_T_ASSIGNMENTS, "start_on"), end = col(KZ_T_ASSIGNMENTS, "end_on");
  for (size_t i = 0; i < b->rows[KZ_T_ASSIGNMENTS].n; i++) {
    const char *a = kz_bundle_value(b, KZ_T_ASSIGNMENTS, i, agency);
    const char *w = kz_bundle_value(b, KZ_T_ASSIGNMENTS, i, ward);
    if (a && strcmp(a, kind) == 0 &&
        active(kz_bundle_value(b, KZ_T_ASSIGNMENTS, i, start),
               kz_bundle_value(b, KZ_T_ASSIGNMENTS, i, end), b->today) &&
        kz_profile_ward(prof, w))
      return w;
  }
  return NULL;
}

int kz_router_unit(const struct kz_profile *prof, const char *agency, const char *ward,
                   char *out, size_t outlen) {
  return kz_profile_unit(prof, agency, ward, out, outlen);
}

int kz_router_route(const struct kz_profile *prof, const struct kz_bundle *b, const char *agency,
                    const char *ward, struct kz_route *r) {
  const struct kz_agency *ag = kz_profile_agency(prof, agency);
  memset(r, 0, sizeof *r);
  r->ward = ward;
  /* The finding names the household's own ward (hh:ward()) and the profile
  ** does not know it (a ward code the PF has and the profile not yet): the
  ** household has no known ward, so the fallback routes it, never a rule
  ** error (DESIGN.md). Any other ward it names that the profile does not
  ** know stays the rule's error (a typo in the rule). */
  const char *home = ward && ag && !ag->city_level && !kz_profile_ward(prof, ward)
                     ? kz_router_household_ward(b, b->today) : NULL;
  int own_unknown = home && strcmp(home, ward) == 0;
  if ((ward && !own_unknown) || !ag) r->how = KZ_ROUTE_GIVEN;
  else if (ag->city_level) r->how = KZ_ROUTE_CITY;
  else {
    r->ward = own_unknown ? ward : kz_router_household_ward(b, b->today);
    r->how = KZ_ROUTE_HOME;
    if (!kz_profile_ward(prof, r->ward)) {
      r->home = r->ward;                      /* NULL, or a ward the profile does not know */
      r->ward = assignment_ward(prof, b, agency);
      r->how = r->ward ? KZ_ROUTE_ASSIGNMENT : KZ_ROUTE_FALLBACK;
    }
  }
  if (kz_router_unit(prof, agency, r->ward, r->unit, sizeof r->unit)) {
    r->unit[0] = '\0';
    return -1;
  }
  return 0;
}

int kz_router_is_fallback(const struct kz_route *r) {
  return r->how == KZ_ROUTE_ASSIGNMENT || r->how == KZ_ROUTE_FALLBACK;
}

void kz_router_reason_line(const struct kz_profile *prof, const char *agency,
                           const struct kz_route *r, struct kz_strbuf *out) {
  const struct kz_agency *ag = kz_profile_agency(prof, agency);
  if (r->home) kz_strbuf_addf(out, "\n（世帯の住所の区「%s」が%sの区にないため、", r->home, prof->city);
  else kz_strbuf_adds(out, "\n（世帯の住所の区が不明のため、");
  if (r->how == KZ_ROUTE_ASSIGNMENT)
    kz_strbuf_addf(out, "担当している%sの%sに送付）", kz_profile_ward(prof, r->ward)->name,
                   ag ? ag->name : agency);
  else
    kz_strbuf_addf(out, "既定の送付先 %s に送付）", r->unit);
}
