/*
** test_profile.c — the municipality profile: rules/kizuki.yaml loads with
** RULES.md's defaults; each kind of mistake is reported with file:line:col;
** routing and escalation units; parameter overrides. Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

#define PROFILE KZT_PROFILE

/* A small valid profile; the error tests change one line of it. */
static const char MINI[] =
    "city: テスト市\n"                                                          /* 1 */
    "municipality: test\n"                                                       /* 2 */
    "wards:\n"                                                                   /* 3 */
    "  - {code: chuo, name: 中央区, population: 100}\n"                          /* 4 */
    "  - {code: kita, name: 北区, population: 50}\n"                             /* 5 */
    "agencies:\n"                                                                /* 6 */
    "  - {kind: health_center, name: 保健センター, level: ward}\n"               /* 7 */
    "  - {kind: family_consultation, name: 家庭児童相談室, level: ward}\n"       /* 8 */
    "  - {kind: child_guidance, name: 児童相談所, level: city}\n"                /* 9 */
    "params:\n"                                                                  /* 10 */
    "  young_age: 20\n"                                                          /* 11 */
    "  risk_weights: {report: 3, move: 1}\n"                                     /* 12 */
    "ladder:\n"                                                                  /* 13 */
    "  due_days: 3\n"                                                            /* 14 */
    "  steps:\n"                                                                 /* 15 */
    "    health_center: [health_center.supervisor, family_consultation, child_guidance]\n"
    "    family_consultation: [family_consultation.supervisor, child_guidance]\n" /* 17 */
    "sandbox: {instructions: 1000, memory_mb: 16}\n"                             /* 18 */
    "calendar:\n"                                                                /* 19 */
    "  holidays:\n"                                                              /* 20 */
    "    2024-01-01: 元日\n";                                                    /* 21 */

/* One load of a variant of MINI: the file, its diagnostics, the result. */
struct trial {
  char path[64];
  struct kz_diag d;
  struct kz_profile p;
  int rc;
};

/* Write MINI with `from` replaced by `to` (each NULL-terminated pair in
** edits, in order; each must occur) and load it. */
static void try_profile(struct trial *t, const char *const *edits) {
  char text[4096];
  snprintf(text, sizeof text, "%s", MINI);
  for (size_t i = 0; edits && edits[i]; i += 2) {
    char *at = strstr(text, edits[i]);
    if (!at) fail_msg("edit target not found: %s", edits[i]);
    char rest[4096];
    snprintf(rest, sizeof rest, "%s", at + strlen(edits[i]));
    snprintf(at, sizeof text - (size_t)(at - text), "%s%s", edits[i + 1], rest);
  }
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "/tmp/kz_profile_XXXXXX.yaml");
  int fd = mkstemps(t->path, 5);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  t->rc = kz_profile_load(&t->p, t->path, &t->d);
}

static void end_trial(struct trial *t) {
  kz_profile_free(&t->p);
  kz_diag_clear(&t->d);
  unlink(t->path);
}

/* Assert that some message is "<path>:<where> <text>..." (where = "L:C:";
** columns count characters, as libyaml and editors do, not bytes). */
static void assert_diag(const struct trial *t, const char *where, const char *text) {
  char want[512];
  snprintf(want, sizeof want, "%s:%s %s", t->path, where, text);
  for (size_t i = 0; i < t->d.n; i++)
    if (t->d.msgs[i] && strncmp(t->d.msgs[i], want, strlen(want)) == 0) return;
  for (size_t i = 0; i < t->d.n; i++) print_message("  diag: %s\n", t->d.msgs[i]);
  fail_msg("no message starting \"%s\"", want);
}

/* {====== The real profile ====== */



static void test_sapporo(void **state) {
  const struct kz_profile *p = *state;
  assert_string_equal(p->path, PROFILE);
  assert_string_equal(p->city, "札幌市");
  assert_string_equal(p->municipality, "sapporo");
  assert_int_equal(p->nwards, 10);
  static const char *const codes[] = {"chuo", "kita", "higashi", "shiroishi", "atsubetsu",
                                      "toyohira", "kiyota", "minami", "nishi", "teine"};
  double total = 0;
  for (size_t i = 0; i < 10; i++) {
    assert_string_equal(p->wards[i].code, codes[i]);
    total += p->wards[i].population;
  }
  assert_true(total > 1.9e6 && total < 2.0e6);             /* Sapporo: about 1.96 million */
  assert_string_equal(kz_profile_ward(p, "kiyota")->name, "清田区");
  assert_null(kz_profile_ward(p, "city"));
  assert_null(kz_profile_ward(p, NULL));
  assert_int_equal(p->nagencies, 4);
  assert_false(kz_profile_agency(p, "health_center")->city_level);
  assert_false(kz_profile_agency(p, "welfare")->city_level);
  assert_true(kz_profile_agency(p, "child_guidance")->city_level);
  assert_string_equal(kz_profile_agency(p, "family_consultation")->name, "区家庭児童相談室");
  assert_null(kz_profile_agency(p, "police"));
  assert_int_equal(p->ladder_due_days, 3);
  assert_int_equal(p->nladders, 4);
  assert_int_equal(p->sandbox_instructions, 10000000);
  assert_int_equal(p->sandbox_memory, (size_t)256 << 20);
  assert_true(p->sandbox_seconds == 2);
  assert_true(p->calendar.n > 350);                        /* 2015-2035 */
}

static void test_params(void **state) {
  const struct kz_profile *p = *state;
  static const struct { const char *name; double value; } defaults[] = {
      {"checkup_grace_days", 14}, {"checkup_unreachable_days", 60}, {"young_age", 20},
      {"council_registration_days", 30}, {"assessment_initial_days", 30},
      {"assessment_max_age_days", 90}, {"withdrawn_days", 60}, {"risk_threshold", 5},
      {"open_within_days", 180}, {"assessment_after_event_days", 14},
      {"review_interval_days", 90}, {"handover_days", 7}, {"transfer_document_days", 14},
      {"not_seen_days", 90}, {"not_seen_days_high", 30}, {"risk_window_days", 180},
      {"risk_threshold_guidance", 8},
  };
  for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
    const struct kz_param *par = kz_profile_param(p, defaults[i].name);
    if (!par) fail_msg("missing param %s", defaults[i].name);
    assert_null(par->fields);
    assert_true(par->value == defaults[i].value);
    assert_true(par->line > 0);
  }
  const struct kz_param *w = kz_profile_param(p, "risk_weights");
  assert_non_null(w);
  assert_int_equal(w->nfields, 6);
  static const struct { const char *name; double value; } weights[] = {
      {"checkup_missed", 2}, {"welfare_ended", 2}, {"pregnancy_lost", 2},
      {"report", 3}, {"report_police", 4}, {"move", 1},
  };
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(w->fields[i].name, weights[i].name);
    assert_true(w->fields[i].value == weights[i].value);
  }
  assert_null(kz_profile_param(p, "no_such_param"));
}

static void test_set_param(void **state) {
  struct kz_profile *p = *state;
  assert_int_equal(kz_profile_set_param(p, "young_age", 18), 0);
  assert_true(kz_profile_param(p, "young_age")->value == 18);
  assert_int_equal(kz_profile_set_param(p, "risk_weights.report", 5), 0);
  assert_true(kz_profile_param(p, "risk_weights")->fields[3].value == 5);
  assert_int_equal(kz_profile_set_param(p, "risk_weights.nope", 1), -1);
  assert_int_equal(kz_profile_set_param(p, "risk_weights", 1), -1);  /* a map, not a number */
  assert_int_equal(kz_profile_set_param(p, "young_age.x", 1), -1);
  assert_int_equal(kz_profile_set_param(p, "no_such_param", 1), -1);
  assert_int_equal(kz_profile_set_param(p, "young_age", 20), 0);     /* restore */
  assert_int_equal(kz_profile_set_param(p, "risk_weights.report", 3), 0);
}

static void assert_unit(const struct kz_profile *p, const char *agency, const char *ward,
                        int level, const char *want) {
  char out[64];
  int rc = level < 0 ? kz_profile_unit(p, agency, ward, out, sizeof out)
                     : kz_profile_ladder_unit(p, agency, ward, level, out, sizeof out);
  if (rc != 0) fail_msg("%s/%s/%d: no unit, expected %s", agency, ward, level, want);
  if (strcmp(out, want) != 0) fail_msg("%s/%s/%d: got %s, expected %s", agency, ward, level, out, want);
}

static void test_routing(void **state) {
  const struct kz_profile *p = *state;
  char out[64];
  assert_unit(p, "health_center", "chuo", -1, "chuo.health_center");
  assert_unit(p, "welfare", "teine", -1, "teine.welfare");
  assert_unit(p, "child_guidance", NULL, -1, "city.child_guidance");
  assert_unit(p, "child_guidance", "nishi", -1, "city.child_guidance");
  assert_unit(p, "health_center", NULL, -1, "city.health_center");   /* no known ward: fallback */
  assert_unit(p, "family_consultation", NULL, -1, "city.family_consultation");
  assert_int_equal(kz_profile_unit(p, "health_center", "tokyo", out, sizeof out), -1);
  assert_int_equal(kz_profile_unit(p, "police", "chuo", out, sizeof out), -1);
  assert_int_equal(kz_profile_unit(p, NULL, "chuo", out, sizeof out), -1);
  assert_int_equal(kz_profile_unit(p, "health_center", "chuo", out, 18), -1);  /* too short */
  assert_int_equal(kz_profile_unit(p, "health_center", "chuo", out, 19), 0);
}

static void test_ladder_units(void **state) {
  const struct kz_profile *p = *state;
  static const char *const hc[] = {"chuo.health_center", "chuo.health_center.supervisor",
                                   "chuo.family_consultation", "city.child_guidance",
                                   "city.child_guidance"};
  for (int level = 0; level < 5; level++) assert_unit(p, "health_center", "chuo", level, hc[level]);
  assert_unit(p, "family_consultation", "kita", 0, "kita.family_consultation");
  assert_unit(p, "family_consultation", "kita", 1, "kita.family_consultation.supervisor");
  assert_unit(p, "family_consultation", "kita", 2, "city.child_guidance");
  assert_unit(p, "family_consultation", "kita", 9, "city.child_guidance");
  assert_unit(p, "welfare", "minami", 0, "minami.welfare");
  assert_unit(p, "welfare", "minami", 1, "minami.welfare.supervisor");
  assert_unit(p, "welfare", "minami", 2, "minami.family_consultation");
  assert_unit(p, "welfare", "minami", 5, "minami.family_consultation");
  assert_unit(p, "child_guidance", NULL, 0, "city.child_guidance");
  assert_unit(p, "child_guidance", NULL, 1, "city.child_guidance.supervisor");
  assert_unit(p, "child_guidance", "chuo", 7, "city.child_guidance.supervisor");
  char out[64];
  assert_int_equal(kz_profile_ladder_unit(p, "health_center", "chuo", -1, out, sizeof out), -1);
  /* a task routed by the fallback (no ward) climbs its ladder through the fallback units */
  static const char *const fb[] = {"city.health_center", "city.health_center.supervisor",
                                   "city.family_consultation", "city.child_guidance"};
  for (int level = 0; level < 4; level++) assert_unit(p, "health_center", NULL, level, fb[level]);
  assert_int_equal(kz_profile_ladder_unit(p, "health_center", "tokyo", 1, out, sizeof out), -1);
  assert_int_equal(kz_profile_ladder_unit(p, "health_center", NULL, 3, out, sizeof out), 0);
  assert_string_equal(out, "city.child_guidance");         /* a city unit needs no ward */
  assert_int_equal(kz_profile_ladder_unit(p, "police", "chuo", 1, out, sizeof out), -1);
  const struct kz_ladder *lad = kz_profile_ladder(p, "health_center");
  assert_non_null(lad);
  assert_int_equal(lad->nsteps, 3);
  assert_null(kz_profile_ladder(p, "police"));
}

/* }====== */

/* {====== Mistakes ====== */

static void test_mini_loads(void **state) {
  (void)state;
  struct trial t;
  try_profile(&t, NULL);
  for (size_t i = 0; i < t.d.n; i++) print_message("  diag: %s\n", t.d.msgs[i]);
  assert_int_equal(t.rc, 0);
  assert_int_equal(t.p.nwards, 2);
  assert_int_equal(t.p.calendar.n, 1);
  assert_int_equal(t.p.sandbox_memory, (size_t)16 << 20);
  end_trial(&t);
}

static void test_unknown_keys(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {
      "ladder:", "ladders:",
      "{instructions: 1000", "{instruction: 1000",
      "{code: kita, name", "{code: kita, nmae",
      NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "13:1:", "unknown key 'ladders' in the profile (did you mean 'ladder'?)");
  assert_diag(&t, "18:11:", "unknown key 'instruction' in sandbox (did you mean 'instructions'?)");
  assert_diag(&t, "5:18:", "unknown key 'nmae' in wards[2] (did you mean 'name'?)");
  assert_diag(&t, "5:5:", "wards[2]: missing key 'name'");
  assert_null(t.p.wards);                                  /* freed on failure */
  end_trial(&t);
}

/* sandbox.seconds_per_call: a wall clock per rule call, more than 0. */
static void test_sandbox_seconds(void **state) {
  (void)state;
  struct trial t;
  try_profile(&t, (const char *const[]){"memory_mb: 16}", "memory_mb: 16, seconds_per_call: 0.5}", NULL});
  assert_int_equal(t.rc, 0);
  assert_true(t.p.sandbox_seconds == 0.5);
  end_trial(&t);
  try_profile(&t, NULL);
  assert_true(t.p.sandbox_seconds == 2);                   /* the default */
  end_trial(&t);
  try_profile(&t, (const char *const[]){"memory_mb: 16}", "memory_mb: 16, seconds_per_call: 0}", NULL});
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "18:64:", "sandbox.seconds_per_call: must be more than 0 and at most 86400");
  end_trial(&t);
}

static void test_wrong_types(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {
      "young_age: 20", "young_age: [20]",
      "due_days: 3", "due_days: three",
      "report: 3", "report: \"3\"",
      "memory_mb: 16", "memory_mb: 1.5",
      "city: テスト市", "city: {name: x}",
      NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "11:14:", "params.young_age: expected a number, got a sequence");
  assert_diag(&t, "14:13:", "ladder.due_days: expected an integer, got 'three'");
  assert_diag(&t, "12:26:", "params.risk_weights.report: expected a number, got \"3\"");
  assert_diag(&t, "18:42:", "sandbox.memory_mb: expected an integer, got '1.5'");
  assert_diag(&t, "1:7:", "city: expected text, got a mapping");
  assert_true(t.d.n == 5);                                 /* all of them, nothing else */
  end_trial(&t);
}

/* quarantine_max_share: 0.01 unless set; a share from 0 to 1. */
static void test_quarantine_max_share(void **state) {
  (void)state;
  struct trial t;
  try_profile(&t, NULL);
  assert_int_equal(t.rc, 0);
  assert_true(t.p.quarantine_max_share == 0.01);
  end_trial(&t);
  static const char *const set[] = {"sandbox: {", "quarantine_max_share: 0.05\nsandbox: {", NULL};
  try_profile(&t, set);
  assert_int_equal(t.rc, 0);
  assert_true(t.p.quarantine_max_share == 0.05);
  end_trial(&t);
  static const char *const big[] = {"sandbox: {", "quarantine_max_share: 2\nsandbox: {", NULL};
  try_profile(&t, big);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "18:23:", "quarantine_max_share: must be a share from 0 to 1");
  end_trial(&t);
  static const char *const text[] = {"sandbox: {", "quarantine_max_share: lots\nsandbox: {", NULL};
  try_profile(&t, text);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "18:23:", "quarantine_max_share: expected a number");
  end_trial(&t);
}

static void test_ladder_unknown_agency(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {
      "supervisor, family_consultation, child", "supervisor, family_consult, child",
      "    family_consultation: [", "    welfare: [",
      NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "16:47:", "ladder.steps.health_center: step 2 'family_consult': unknown agency "
                            "kind 'family_consult' (did you mean 'family_consultation'?)");
  assert_diag(&t, "17:5:", "ladder.steps: unknown agency kind 'welfare'");
  end_trial(&t);
}

static void test_ladder_loops(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {
      "family_consultation, child_guidance]", "family_consultation, health_center]",
      "family_consultation.supervisor, child_guidance]",
      "family_consultation.supervisor, child_guidance, family_consultation.supervisor]",
      NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "16:68:", "ladder.steps.health_center: step 3 'health_center' returns to the "
                            "ladder's own agency (a loop)");
  assert_diag(&t, "17:75:", "ladder.steps.family_consultation: step 3 "
                            "'family_consultation.supervisor' repeats step 1 (a loop)");
  end_trial(&t);

  static const char *const bad_suffix[] = {"[health_center.supervisor,", "[health_center.boss,", NULL};
  try_profile(&t, bad_suffix);
  assert_diag(&t, "16:21:", "ladder.steps.health_center: step 1 'health_center.boss': expected "
                            "<agency kind> or <agency kind>.supervisor");
  end_trial(&t);
}

/* fallback_unit: a unit per ward-level kind; unknown kinds, city-level kinds
** and names that are not units are refused. */
static void test_fallback_unit(void **state) {
  (void)state;
  struct trial t;
  static const char *const good[] = {"sandbox:", "fallback_unit: {health_center: chuo.health_center}\nsandbox:", NULL};
  try_profile(&t, good);
  assert_int_equal(t.rc, 0);
  assert_unit(&t.p, "health_center", NULL, -1, "chuo.health_center");
  assert_unit(&t.p, "health_center", NULL, 1, "chuo.health_center.supervisor");
  assert_unit(&t.p, "family_consultation", NULL, -1, "city.family_consultation");   /* default */
  assert_unit(&t.p, "health_center", "kita", -1, "kita.health_center");             /* a ward: as ever */
  end_trial(&t);

  static const char *const bad[] = {"sandbox:", "fallback_unit:\n  health_centre: city.x\n"
                                    "  child_guidance: city.y\n  family_consultation: City Hall\n"
                                    "sandbox:", NULL};
  try_profile(&t, bad);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "19:3:", "fallback_unit: unknown agency kind 'health_centre' (did you mean 'health_center'?)");
  assert_diag(&t, "20:3:", "fallback_unit.child_guidance: 'child_guidance' is a city-level kind");
  assert_diag(&t, "21:24:", "fallback_unit.family_consultation: 'City Hall' is not a unit name");
  end_trial(&t);
}

static void test_bad_holiday(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {"    2024-01-01: 元日\n",
                                      "    2023-02-29: 元日\n    2024-13-01: x\n"
                                      "    2024-05-03: ~\n    2024-05-04: みどりの日\n", NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "21:5:", "calendar.holidays: expected a date YYYY-MM-DD, got '2023-02-29'");
  assert_diag(&t, "22:5:", "calendar.holidays: expected a date YYYY-MM-DD, got '2024-13-01'");
  assert_diag(&t, "23:17:", "calendar.holidays.2024-05-03: expected text, got null");
  assert_int_equal(t.d.n, 3);
  end_trial(&t);

  static const char *const dup[] = {"    2024-01-01: 元日\n", "    2024-01-01: 元日\n    2024-01-01: 元日\n", NULL};
  try_profile(&t, dup);
  assert_diag(&t, "22:5:", "duplicate key '2024-01-01' (first at line 21)");
  end_trial(&t);
}

static void test_malformed_yaml(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {"name: 北区, population: 50}", "name: 北区, population: 50", NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_true(t.d.n >= 1);
  char want[128];
  snprintf(want, sizeof want, "%s:6:", t.path);             /* libyaml notices at the next line */
  assert_non_null(strstr(t.d.msgs[0], want));
  assert_non_null(strstr(t.d.msgs[0], "while parsing a flow mapping"));
  end_trial(&t);

  static const char *const tabs[] = {"  young_age: 20", "\tyoung_age: 20", NULL};
  try_profile(&t, tabs);
  assert_int_equal(t.rc, -1);
  snprintf(want, sizeof want, "%s:11:", t.path);
  assert_non_null(strstr(t.d.msgs[0], want));
  end_trial(&t);
}

static void test_missing_and_misc(void **state) {
  (void)state;
  struct trial t;
  static const char *const edits[] = {
      "city: テスト市\n", "",
      "{code: chuo,", "{code: city,",
      "{code: kita,", "{code: Kita,",
      "level: city}", "level: town}",
      NULL};
  try_profile(&t, edits);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "1:1:", "the profile: missing key 'city'");
  assert_diag(&t, "3:12:", "wards[1].code: 'city' is reserved");
  assert_diag(&t, "4:12:", "wards[2].code: 'Kita' must be lower-case");
  assert_diag(&t, "8:48:", "agencies[3].level: expected ward or city, got 'town' (did you mean 'ward'?)");
  end_trial(&t);

  struct kz_profile p;
  struct kz_diag d = {0};
  assert_int_equal(kz_profile_load(&p, "no/such/kizuki.yaml", &d), -1);
  assert_int_equal(d.n, 1);
  assert_non_null(strstr(d.msgs[0], "no/such/kizuki.yaml: cannot open"));
  kz_diag_clear(&d);

  static const char *const empty[] = {MINI, "# nothing\n", NULL};
  try_profile(&t, empty);
  assert_int_equal(t.rc, -1);
  assert_diag(&t, "", "the profile is empty");
  end_trial(&t);
}

/* }====== */

int main(void) {
  const struct CMUnitTest real[] = {
      cmocka_unit_test(test_sapporo),
      cmocka_unit_test(test_params),
      cmocka_unit_test(test_set_param),
      cmocka_unit_test(test_routing),
      cmocka_unit_test(test_ladder_units),
  };
  const struct CMUnitTest mistakes[] = {
      cmocka_unit_test(test_mini_loads),
      cmocka_unit_test(test_unknown_keys),
      cmocka_unit_test(test_wrong_types),
      cmocka_unit_test(test_quarantine_max_share),
      cmocka_unit_test(test_sandbox_seconds),
      cmocka_unit_test(test_ladder_unknown_agency),
      cmocka_unit_test(test_ladder_loops),
      cmocka_unit_test(test_bad_holiday),
      cmocka_unit_test(test_fallback_unit),
      cmocka_unit_test(test_malformed_yaml),
      cmocka_unit_test(test_missing_and_misc),
  };
  int failed = cmocka_run_group_tests_name("rules/kizuki.yaml", real, kzt_profile_setup, kzt_profile_teardown);
  failed += cmocka_run_group_tests_name("mistakes", mistakes, NULL, NULL);
  return failed;
}
