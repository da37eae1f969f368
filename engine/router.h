/*
** router.h — the router: the stage of DESIGN.md that takes a finding's
** agency kind and ward, the household it was found in and the profile, and
** says which ward and unit its task goes to. The one place routing is
** decided: the run asks it for each finding, and the task store asks it for
** the unit a new or returning task opens in (the first unit of the
** escalation ladder; the ladder's later steps are profile.h's). Plain C over
** the household's bundle: no Lua.
*/
#ifndef KZ_ROUTER_H
#define KZ_ROUTER_H

#include <stddef.h>
#include "bundle.h"
#include "profile.h"
#include "strbuf.h"

/* How a finding was routed. */
enum kz_route_how {
  KZ_ROUTE_GIVEN,        /* the finding named its ward (or none, and names no ward-level kind) */
  KZ_ROUTE_CITY,         /* a city-level kind: one unit for the city */
  KZ_ROUTE_HOME,         /* ward-level: the household's ward */
  KZ_ROUTE_ASSIGNMENT,   /* ... no known ward: the ward of its own assignment of that kind */
  KZ_ROUTE_FALLBACK      /* ... no known ward and no such assignment: the kind's fallback_unit */
};

/* Where one finding goes. Strings point into the bundle, the profile or the
** finding (not owned). */
struct kz_route {
  enum kz_route_how how;
  const char *ward;      /* the task's ward (tasks.ward); NULL: none */
  const char *home;      /* ASSIGNMENT, FALLBACK: the household's own ward, NULL when it
                         ** has none (else a ward the profile does not know) */
  char unit[64];         /* the unit at level 0; "" when it cannot be routed (an
                         ** unknown kind, or a ward the profile does not know) */
};

/* The household's ward on day at (YYYY-MM-DD), as RULES.md defines it (and
** hh:ward(at) answers rules): the ward of its last residence active on at;
** when that is outside the city (ward NULL), the ward of its last residence
** in the city started by at. NULL when it never lived in the city. The
** string is the bundle's. */
const char *kz_router_household_ward(const struct kz_bundle *b, const char *at);

/* Route a finding of agency kind `agency` naming ward `ward` (NULL: it names
** none) found in household b on b->today. A finding that names its ward goes
** there (when it names the household's own ward and the profile does not
** know it, as if it named none: the household has no known ward); one of a
** city-level kind to the city; one of a ward-level kind to
** the household's ward, and when the profile does not know that ward
** (DESIGN.md: never dropped, never a rule error) to the ward of the
** household's own assignment of that kind active that day (the earliest
** started the profile knows), else to the kind's fallback_unit. Fills *r;
** returns 0, or -1 when no unit can be named (r->unit ""; the task store
** makes that the rule's error when it needs the unit). */
int kz_router_route(const struct kz_profile *prof, const struct kz_bundle *b, const char *agency,
                    const char *ward, struct kz_route *r);

/* 1 when r was routed without a known ward of the household (ASSIGNMENT,
** FALLBACK): a data issue, which the task's reason must say. */
int kz_router_is_fallback(const struct kz_route *r);

/* Append to out the line a fallback-routed task's reason ends with (for
** staff, in Japanese): why it went where it went. */
void kz_router_reason_line(const struct kz_profile *prof, const char *agency,
                           const struct kz_route *r, struct kz_strbuf *out);

/* The unit a task of agency kind `agency` in ward `ward` (NULL: no known
** ward) opens in: the first unit of its escalation ladder,
** "<ward>.<kind>", "city.<kind>" or the kind's fallback_unit, written to out.
** Returns 0, or -1 as kz_profile_unit. */
int kz_router_unit(const struct kz_profile *prof, const char *agency, const char *ward,
                   char *out, size_t outlen);

#endif
