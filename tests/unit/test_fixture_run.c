/*
** test_fixture_run.c — runs over in-memory databases: kz_fixture_check tells
** each run's outcome and the coverage hooks; kz_fxrun_days steps every N
** days with the last day always run. Run from the repo root (it loads
** rules/ and rules/kizuki.yaml).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fixture_run.h"
#include "kizuki.h"

/* One 18-month checkup missed, seen by two runs; %s is the unit the second
** run expects. */
static const char FIXTURE[] =
    "name: t\n"
    "rules: [checkup.missed]\n"
    "records:\n"
    "  households: [{id: H1}]\n"
    "  persons:    [{id: C1, birth_on: 2023-01-10, sex: F}]\n"
    "  members:    [{household_id: H1, person_id: C1, relation: child, start_on: 2023-01-10}]\n"
    "  residences: [{id: R1, household_id: H1, municipality: sapporo, ward: chuo, start_on: 2023-01-10}]\n"
    "  checkups:   [{id: K1, child_id: C1, kind: 18m, scheduled_on: 2024-07-16}]\n"
    "runs:\n"
    "  - as_of: 2024-07-20\n"
    "    open: []\n"
    "  - as_of: 2024-07-30\n"
    "    opened: [{rule: checkup.missed, subject: C1, unit: %s}]\n";

struct seen {
  int runs, failed_runs, loaded, fired_opened, fired_cleared;
  char json[2048];
};

static void on_run(void *arg, size_t i, const struct kz_fixture_run *run,
                   const struct kz_fixture_failures *r) {
  struct seen *s = arg;
  (void)run;
  assert_int_equal(i, (size_t)s->runs);
  s->runs++;
  if (r->n) {
    s->failed_runs++;
    snprintf(s->json, sizeof s->json, "%s", kz_strbuf_str(&r->json));
  }
}

static void on_loaded(void *arg, const char *rule) { (void)rule; ((struct seen *)arg)->loaded++; }

static void on_fired(void *arg, const char *rule, int cleared) {
  struct seen *s = arg;
  assert_string_equal(rule, "checkup.missed");     /* only rules in the fixture's scope */
  if (cleared) s->fired_cleared++;
  else s->fired_opened++;
}

static void check(const char *unit, struct seen *s) {
  char text[4096];
  struct kz_fixture f;
  struct kz_diag problems = {0}, setup = {0};
  struct kz_fixture_check_hooks hooks = {on_run, on_loaded, on_fired, s, NULL};
  snprintf(text, sizeof text, FIXTURE, unit);
  memset(s, 0, sizeof *s);
  assert_int_equal(kz_fixture_load_string(&f, "t.yaml", text, strlen(text), &problems), 0);
  assert_int_equal(kz_fixture_check(&f, "rules", "rules/kizuki.yaml", &hooks, &problems, &setup),
                   KZ_EXIT_OK);
  assert_int_equal(problems.n, 0);
  assert_int_equal(setup.n, 0);
  kz_fixture_free(&f);
}

static void a_passing_fixture(void **state) {
  (void)state;
  struct seen s;
  check("chuo.health_center", &s);
  assert_int_equal(s.runs, 2);
  assert_int_equal(s.failed_runs, 0);
  assert_true(s.loaded > 1);                       /* every loaded rule, not just the scope */
  assert_int_equal(s.fired_opened, 1);
  assert_int_equal(s.fired_cleared, 0);
}

static void a_failing_fixture(void **state) {
  (void)state;
  struct seen s;
  check("kita.health_center", &s);
  assert_int_equal(s.runs, 2);
  assert_int_equal(s.failed_runs, 1);
  assert_non_null(strstr(s.json, "\"kind\":\"mismatch\",\"set\":\"opened\""));
  assert_non_null(strstr(s.json, "\"unit\":\"kita.health_center\""));
  assert_non_null(strstr(s.json, "\"line\":13"));
  assert_int_equal(s.fired_opened, 0);             /* coverage counts passing fixtures only */
}

static void bad_rules_folder(void **state) {
  (void)state;
  struct kz_fixture f;
  struct kz_diag problems = {0}, setup = {0};
  struct seen s = {0};
  struct kz_fixture_check_hooks hooks = {on_run, NULL, NULL, &s, NULL};
  char text[4096];
  snprintf(text, sizeof text, FIXTURE, "x");
  assert_int_equal(kz_fixture_load_string(&f, "t.yaml", text, strlen(text), &problems), 0);
  assert_int_equal(kz_fixture_check(&f, "no-such-rules", "no-such-rules/kizuki.yaml", &hooks,
                                    &problems, &setup), KZ_EXIT_USAGE);
  assert_true(setup.n > 0);
  assert_int_equal(s.runs, 0);
  kz_diag_clear(&setup);
  kz_fixture_free(&f);
}

static void count_night(void *arg, struct kz_fxrun *s, kz_day day, int rc,
                        const struct kz_run_stats *st) {
  kz_day *days = arg;
  (void)s; (void)rc; (void)st;
  days[++days[0]] = day;
}

static void days_every_n_with_the_last(void **state) {
  (void)state;
  char text[4096];
  struct kz_fixture f;
  struct kz_fxrun s;
  struct kz_diag d = {0};
  kz_day days[16] = {0}, from, to, failed = KZ_DAY_NONE;
  struct kz_run_opts ro = {0};
  snprintf(text, sizeof text, FIXTURE, "x");
  assert_int_equal(kz_fixture_load_string(&f, "t.yaml", text, strlen(text), &d), 0);
  assert_int_equal(kz_fxrun_open(&s, "rules", "rules/kizuki.yaml", &d), KZ_EXIT_OK);
  assert_int_equal(kz_fxrun_use_fixture(&s, &f, 0, &d), 0);
  assert_int_equal(kz_fxrun_start(&s, &d), KZ_EXIT_OK);
  kz_date_parse("2024-07-20", &from);
  kz_date_parse("2024-07-30", &to);
  assert_int_equal(kz_fxrun_days(&s, from, to, 4, &ro, count_night, NULL, days, &failed, &d),
                   KZ_EXIT_OK);
  assert_int_equal(days[0], 4);                    /* 20, 24, 28 and the last day, 30 */
  assert_int_equal(days[1], from);
  assert_int_equal(days[3], from + 8);
  assert_int_equal(days[4], to);
  kz_fxrun_close(&s);
  kz_fixture_free(&f);
  kz_diag_clear(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_passing_fixture),
    cmocka_unit_test(a_failing_fixture),
    cmocka_unit_test(bad_rules_folder),
    cmocka_unit_test(days_every_n_with_the_last),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
