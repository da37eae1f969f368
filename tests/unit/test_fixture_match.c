/*
** test_fixture_match.c — the fixture matcher on its own (no SQLite, no
** YAML): set equality whatever the order, only the given fields compared,
** `due_on: null`, the backlog field, a pairing a greedy match would miss,
** and the missing / unexpected messages in text and JSON.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture_match.h"

/* An expected task with nothing given. */
static struct kz_fixture_task want_any(int line) {
  struct kz_fixture_task e = {0};
  e.level = -1;
  e.backlog = -1;
  e.due_on = KZ_DAY_NONE;
  e.line = line;
  return e;
}

static char *dup(const char *s) { return s ? strdup(s) : NULL; }

/* Add a found task to s (every string copied; freed by kz_fixture_found_free). */
static void add_found(struct kz_fixture_found_set *s, const char *rule, const char *subject,
                      const char *key, const char *unit, int level, const char *due_on,
                      int backlog) {
  s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
  assert_non_null(s->v);
  struct kz_fixture_found *t = &s->v[s->n++];
  t->rule = dup(rule); t->subject = dup(subject); t->key = dup(key); t->unit = dup(unit);
  t->severity = dup("medium"); t->due_on = dup(due_on);
  t->level = level;
  t->backlog = backlog;
}

static kz_day day(const char *iso) {
  kz_day d = KZ_DAY_NONE;
  assert_int_equal(kz_date_parse(iso, &d), 0);
  return d;
}

/* Match want (n tasks) against got; check the counts. */
static void expect_counts(struct kz_fixture_task *tasks, size_t n,
                          const struct kz_fixture_found_set *got, size_t missing,
                          size_t unexpected) {
  struct kz_fixture_expect want = {1, tasks, n};
  struct kz_fixture_match m;
  assert_int_equal(kz_fixture_match(&want, got, &m), 0);
  assert_int_equal(m.missing, missing);
  assert_int_equal(m.unexpected, unexpected);
  kz_fixture_match_free(&m);
}

static void set_equality_ignores_order(void **state) {
  (void)state;
  struct kz_fixture_found_set got = {0};
  add_found(&got, "checkup.missed", "C1", "K1", "chuo.health_center", 0, "2024-08-14", 0);
  add_found(&got, "child.not_seen", "C2", "C2", "chuo.family_consultation", 1, "2024-08-20", 0);
  struct kz_fixture_task e[2] = {want_any(1), want_any(2)};
  e[0].rule = "child.not_seen"; e[0].subject = "C2";
  e[1].rule = "checkup.missed"; e[1].subject = "C1";
  expect_counts(e, 2, &got, 0, 0);
  expect_counts(e, 1, &got, 0, 1);                 /* one fewer expected: one unexpected */
  struct kz_fixture_found_set none = {0};
  expect_counts(e, 2, &none, 2, 0);                /* nothing found: both missing */
  expect_counts(NULL, 0, &none, 0, 0);             /* `open: []` and nothing open */
  kz_fixture_found_free(&got);
  assert_int_equal(got.n, 0);
}

static void only_given_fields_compared(void **state) {
  (void)state;
  struct kz_fixture_found_set got = {0};
  add_found(&got, "checkup.missed", "C1", "K1", "chuo.health_center", 2, "2024-08-14", 0);
  const struct kz_fixture_found *t = &got.v[0];
  struct kz_fixture_task e = want_any(1);
  assert_true(kz_fixture_task_matches(&e, t));     /* nothing given: anything matches */
  e.rule = "checkup.missed";
  assert_true(kz_fixture_task_matches(&e, t));
  e.unit = "kita.health_center";
  assert_false(kz_fixture_task_matches(&e, t));
  e.unit = "chuo.health_center";
  e.key = "K2";
  assert_false(kz_fixture_task_matches(&e, t));
  e.key = "K1";
  e.severity = "high";
  assert_false(kz_fixture_task_matches(&e, t));
  e.severity = "medium";
  e.level = 0;
  assert_false(kz_fixture_task_matches(&e, t));
  e.level = 2;
  assert_true(kz_fixture_task_matches(&e, t));
  e.due_on = day("2024-08-15");
  assert_false(kz_fixture_task_matches(&e, t));
  e.due_on = day("2024-08-14");
  assert_true(kz_fixture_task_matches(&e, t));
  kz_fixture_found_free(&got);
}

static void due_null_expects_no_due_date(void **state) {
  (void)state;
  struct kz_fixture_found_set got = {0};
  add_found(&got, "checkup.missed", "C1", "K1", "chuo.health_center", 0, NULL, 1);
  add_found(&got, "checkup.missed", "C2", "K2", "chuo.health_center", 0, "2024-08-14", 0);
  struct kz_fixture_task e = want_any(1);
  e.due_null = 1;
  assert_true(kz_fixture_task_matches(&e, &got.v[0]));
  assert_false(kz_fixture_task_matches(&e, &got.v[1]));
  e = want_any(1);
  e.due_on = day("2024-08-14");                    /* a date never matches no due date */
  assert_false(kz_fixture_task_matches(&e, &got.v[0]));
  assert_true(kz_fixture_task_matches(&e, &got.v[1]));
  kz_fixture_found_free(&got);
}

static void backlog_field(void **state) {
  (void)state;
  struct kz_fixture_found_set got = {0};
  add_found(&got, "checkup.missed", "C1", "K1", "chuo.health_center", 0, NULL, 1);
  struct kz_fixture_task e = want_any(1);
  assert_true(kz_fixture_task_matches(&e, &got.v[0]));    /* not given */
  e.backlog = 1;
  assert_true(kz_fixture_task_matches(&e, &got.v[0]));
  e.backlog = 0;
  assert_false(kz_fixture_task_matches(&e, &got.v[0]));
  got.v[0].backlog = 0;
  assert_true(kz_fixture_task_matches(&e, &got.v[0]));
  kz_fixture_found_free(&got);
}

/* A greedy first-fit would give S1 to the loose expectation and leave the
** specific one unmatched; the matcher moves the earlier pair. */
static void pairs_a_greedy_match_would_miss(void **state) {
  (void)state;
  struct kz_fixture_found_set got = {0};
  add_found(&got, "r", "S1", "k", "u", 0, NULL, 0);
  add_found(&got, "r", "S2", "k", "u", 0, NULL, 0);
  struct kz_fixture_task e[2] = {want_any(1), want_any(2)};
  e[0].rule = "r";
  e[1].rule = "r"; e[1].subject = "S1";
  expect_counts(e, 2, &got, 0, 0);
  /* Two expectations that both want S1: one is missing, S2 unexpected. */
  e[0].subject = "S1";
  expect_counts(e, 2, &got, 1, 1);
  kz_fixture_found_free(&got);
}

static void reports_missing_and_unexpected(void **state) {
  (void)state;
  struct kz_fixture_found_set got = {0};
  add_found(&got, "checkup.missed", "C1", "K1", "chuo.health_center", 0, "2024-08-14", 0);
  add_found(&got, "child.not_seen", "C2", "C2", "chuo.family_consultation", 1, NULL, 1);
  struct kz_fixture_task e[2] = {want_any(7), want_any(9)};
  e[0].rule = "checkup.missed"; e[0].subject = "C1";
  e[1].rule = "checkup.missed"; e[1].subject = "C9"; e[1].due_null = 1; e[1].backlog = 1;
  struct kz_fixture_expect want = {1, e, 2};
  struct kz_fixture_failures r = {0};

  assert_int_equal(kz_fixture_compare(&r, "f.yaml", KZ_FX_OPEN, &want, &got), 1);
  assert_int_equal(r.n, 1);
  const char *text = kz_strbuf_str(&r.text);
  assert_non_null(strstr(text, "    open: 2 expected, 2 found; 1 missing; 1 unexpected\n"));
  assert_non_null(strstr(text, "      missing:    {rule: checkup.missed, subject: C9, "
                               "due_on: null, backlog: true}  (expected at f.yaml:9)\n"));
  assert_non_null(strstr(text, "      unexpected: {rule: child.not_seen, subject: C2, key: C2, "
                               "unit: chuo.family_consultation, severity: medium, level: 1, "
                               "due_on: null, backlog: true}\n"));
  assert_null(strstr(text, "C1"));                 /* the matched task is not told */
  assert_string_equal(kz_strbuf_str(&r.json),
      "{\"kind\":\"mismatch\",\"set\":\"open\",\"missing\":[{\"rule\":\"checkup.missed\","
      "\"subject\":\"C9\",\"key\":null,\"unit\":null,\"severity\":null,\"level\":null,"
      "\"due_on\":null,\"backlog\":true,\"file\":\"f.yaml\",\"line\":9}],\"unexpected\":"
      "[{\"rule\":\"child.not_seen\",\"subject\":\"C2\",\"key\":\"C2\",\"unit\":"
      "\"chuo.family_consultation\",\"severity\":\"medium\",\"level\":1,\"due_on\":null,"
      "\"backlog\":true}]}");

  /* Equal sets add nothing. */
  e[1].subject = "C2"; e[1].rule = "child.not_seen";
  assert_int_equal(kz_fixture_compare(&r, "f.yaml", KZ_FX_OPENED, &want, &got), 0);
  assert_int_equal(r.n, 1);
  kz_fixture_failures_free(&r);
  kz_fixture_found_free(&got);
}

static void failure_messages_are_json_escaped(void **state) {
  (void)state;
  struct kz_fixture_failures r = {0};
  kz_fixture_fail(&r, "rule error", "a.lua:3: \"x\"\nboom");
  kz_fixture_fail(&r, "done", "f.yaml:4: no task");
  assert_int_equal(r.n, 2);
  assert_string_equal(kz_strbuf_str(&r.text),
                      "    rule error: a.lua:3: \"x\"\nboom\n    done: f.yaml:4: no task\n");
  assert_string_equal(kz_strbuf_str(&r.json),
                      "{\"kind\":\"rule error\",\"message\":\"a.lua:3: \\\"x\\\"\\nboom\"},"
                      "{\"kind\":\"done\",\"message\":\"f.yaml:4: no task\"}");
  kz_fixture_failures_free(&r);
  assert_int_equal(r.n, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(set_equality_ignores_order),
    cmocka_unit_test(only_given_fields_compared),
    cmocka_unit_test(due_null_expects_no_due_date),
    cmocka_unit_test(backlog_field),
    cmocka_unit_test(pairs_a_greedy_match_would_miss),
    cmocka_unit_test(reports_missing_and_unexpected),
    cmocka_unit_test(failure_messages_are_json_escaped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
