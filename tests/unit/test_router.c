/*
** test_router.c — the router (engine/router.c) on its own, without Lua: a
** finding's ward and unit from the household's residences and assignments
** and the profile (rules/kizuki.yaml): the household's ward, a ward the
** profile does not know or none (the assignment's ward, else the kind's
** fallback_unit, with the reason line staff read), city-level kinds, a ward
** the finding names, unknown kinds. Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "bundle.h"
#include "router.h"
#include "strbuf.h"

/* Append a row of table t (values in column order, NULL for SQL NULL). */
static void add_row(struct kz_bundle *b, int t, const char *const *vals) {
  int lens[16] = {0};
  for (int c = 0; c < kz_tables[t].ncols; c++) lens[c] = vals[c] ? (int)strlen(vals[c]) : 0;
  assert_int_equal(kz_bundle_add_row(b, t, vals, lens), 0);
}

/* A residence of household H1 in ward (NULL: outside the city). */
static void residence(struct kz_bundle *b, const char *id, const char *ward, const char *start,
                      const char *end) {
  const char *v[] = {id, "H1", ward ? "sapporo" : "otaru", ward, start, end};
  add_row(b, KZ_T_RESIDENCES, v);
}

static void assignment(struct kz_bundle *b, const char *id, const char *agency, const char *ward,
                       const char *start, const char *end) {
  const char *v[] = {id, "H1", NULL, agency, ward, "S1", "lead", start, end};
  add_row(b, KZ_T_ASSIGNMENTS, v);
}

/* A fresh household bundle as of 2024-10-01. */
static void household(struct kz_bundle *b) {
  memset(b, 0, sizeof *b);
  kz_bundle_reset(b);
  b->household_id = "H1";
  memcpy(b->today, "2024-10-01", 11);
}

static void test_ward_found(void **state) {
  const struct kz_profile *p = *state;
  struct kz_bundle b;
  struct kz_route r;
  household(&b);
  residence(&b, "R1", "kita", "2020-01-01", "2023-04-01");
  residence(&b, "R2", "chuo", "2023-04-01", NULL);
  assert_int_equal(kz_router_route(p, &b, "health_center", NULL, &r), 0);
  assert_int_equal(r.how, KZ_ROUTE_HOME);
  assert_string_equal(r.ward, "chuo");
  assert_null(r.home);
  assert_string_equal(r.unit, "chuo.health_center");
  assert_false(kz_router_is_fallback(&r));
  kz_bundle_free(&b);
}

static void test_household_ward(void **state) {
  (void)state;
  struct kz_bundle b;
  household(&b);
  assert_null(kz_router_household_ward(&b, "2024-10-01"));        /* never lived in the city */
  residence(&b, "R1", "kita", "2020-01-01", "2023-04-01");
  residence(&b, "R2", NULL, "2023-04-01", NULL);                    /* moved out of the city */
  residence(&b, "R3", "chuo", "2025-01-01", NULL);                  /* not yet */
  assert_string_equal(kz_router_household_ward(&b, "2024-10-01"), "kita");
  assert_string_equal(kz_router_household_ward(&b, "2021-06-01"), "kita");
  assert_null(kz_router_household_ward(&b, "2019-12-31"));
  assert_string_equal(kz_router_household_ward(&b, "2025-02-01"), "chuo");
  kz_bundle_free(&b);
}

static void test_ward_missing_fallback(void **state) {
  const struct kz_profile *p = *state;
  struct kz_bundle b;
  struct kz_route r;
  struct kz_strbuf why = {0};
  household(&b);
  assignment(&b, "A1", "welfare", "kita", "2024-01-01", NULL);   /* another kind: not used */
  assert_int_equal(kz_router_route(p, &b, "health_center", NULL, &r), 0);
  assert_int_equal(r.how, KZ_ROUTE_FALLBACK);
  assert_null(r.ward);
  assert_null(r.home);
  assert_string_equal(r.unit, "city.health_center");
  assert_true(kz_router_is_fallback(&r));
  kz_strbuf_adds(&why, "理由");
  kz_router_reason_line(p, "health_center", &r, &why);
  assert_string_equal(kz_strbuf_str(&why),
                      "理由\n（世帯の住所の区が不明のため、既定の送付先 city.health_center に送付）");
  kz_strbuf_free(&why);
  kz_bundle_free(&b);
}

static void test_ward_unknown_assignment(void **state) {
  const struct kz_profile *p = *state;
  struct kz_bundle b;
  struct kz_route r;
  struct kz_strbuf why = {0};
  household(&b);
  residence(&b, "R1", "atlantis", "2020-01-01", NULL);
  assignment(&b, "A0", "health_center", "kita", "2019-01-01", "2024-01-01");    /* ended */
  assignment(&b, "A1", "health_center", "nowhere", "2023-01-01", NULL);        /* unknown ward */
  assignment(&b, "A2", "health_center", "higashi", "2023-06-01", NULL);
  assert_int_equal(kz_router_route(p, &b, "health_center", NULL, &r), 0);
  assert_int_equal(r.how, KZ_ROUTE_ASSIGNMENT);
  assert_string_equal(r.ward, "higashi");
  assert_string_equal(r.home, "atlantis");
  assert_string_equal(r.unit, "higashi.health_center");
  kz_router_reason_line(p, "health_center", &r, &why);
  assert_string_equal(kz_strbuf_str(&why),
                      "\n（世帯の住所の区「atlantis」が札幌市の区にないため、担当している東区の区保健センターに送付）");
  kz_strbuf_free(&why);
  kz_bundle_free(&b);
}

static void test_city_level(void **state) {
  const struct kz_profile *p = *state;
  struct kz_bundle b;
  struct kz_route r;
  household(&b);                                    /* no ward at all: no matter */
  assert_int_equal(kz_router_route(p, &b, "child_guidance", NULL, &r), 0);
  assert_int_equal(r.how, KZ_ROUTE_CITY);
  assert_null(r.ward);
  assert_string_equal(r.unit, "city.child_guidance");
  assert_false(kz_router_is_fallback(&r));
  kz_bundle_free(&b);
}

static void test_given_ward(void **state) {
  const struct kz_profile *p = *state;
  struct kz_bundle b;
  struct kz_route r;
  household(&b);
  residence(&b, "R1", "chuo", "2020-01-01", NULL);
  assert_int_equal(kz_router_route(p, &b, "family_consultation", "higashi", &r), 0);
  assert_int_equal(r.how, KZ_ROUTE_GIVEN);
  assert_string_equal(r.ward, "higashi");
  assert_string_equal(r.unit, "higashi.family_consultation");
  /* A ward the profile does not know, named by the rule: no unit (the store
  ** makes it the rule's error), never the fallback. */
  assert_int_equal(kz_router_route(p, &b, "family_consultation", "atlantis", &r), -1);
  assert_int_equal(r.how, KZ_ROUTE_GIVEN);
  assert_string_equal(r.unit, "");
  assert_false(kz_router_is_fallback(&r));
  kz_bundle_free(&b);
  /* The household's own ward (hh:ward()), which the profile does not know:
  ** the household has no known ward, so the fallback (DESIGN.md), not the
  ** rule's error. */
  household(&b);
  residence(&b, "R1", "atlantis", "2020-01-01", NULL);
  assert_int_equal(kz_router_route(p, &b, "family_consultation", "atlantis", &r), 0);
  assert_true(kz_router_is_fallback(&r));
  assert_string_equal(r.home, "atlantis");
  assert_string_equal(r.unit, "city.family_consultation");
  kz_bundle_free(&b);
}

static void test_unknown_kind(void **state) {
  const struct kz_profile *p = *state;
  struct kz_bundle b;
  struct kz_route r;
  char unit[64];
  household(&b);
  residence(&b, "R1", "chuo", "2020-01-01", NULL);
  assert_int_equal(kz_router_route(p, &b, "police", NULL, &r), -1);
  assert_string_equal(r.unit, "");
  assert_false(kz_router_is_fallback(&r));
  assert_int_equal(kz_router_unit(p, "police", "chuo", unit, sizeof unit), -1);
  assert_int_equal(kz_router_unit(p, NULL, "chuo", unit, sizeof unit), -1);
  kz_bundle_free(&b);
}

/* The router's unit is the first unit of the escalation ladder. */
static void test_ladder_first_unit(void **state) {
  const struct kz_profile *p = *state;
  char a[64], b[64];
  const char *kinds[] = {"health_center", "family_consultation", "welfare", "child_guidance"};
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
    for (size_t w = 0; w <= p->nwards; w++) {
      const char *ward = w < p->nwards ? p->wards[w].code : NULL;
      assert_int_equal(kz_router_unit(p, kinds[k], ward, a, sizeof a), 0);
      assert_int_equal(kz_profile_ladder_unit(p, kinds[k], ward, 0, b, sizeof b), 0);
      assert_string_equal(a, b);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ward_found),
    cmocka_unit_test(test_household_ward),
    cmocka_unit_test(test_ward_missing_fallback),
    cmocka_unit_test(test_ward_unknown_assignment),
    cmocka_unit_test(test_city_level),
    cmocka_unit_test(test_given_ward),
    cmocka_unit_test(test_unknown_kind),
    cmocka_unit_test(test_ladder_first_unit),
  };
  return cmocka_run_group_tests(tests, kzt_profile_setup, kzt_profile_teardown);
}
