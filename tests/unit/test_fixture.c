/*
** test_fixture.c — the fixture loader: each kind of mistake is reported at
** file:line:col with a suggestion or the valid values; recorded_on defaults
** to the row's earliest date; `note:` is ignored; the enumerations of
** records.h match schema/cases.sql's CHECK constraints; kz_tasks_mark_done.
** Run from the repo root (it reads rules/kizuki.yaml).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "kizuki.h"
#include "records.h"
#include "task_store.h"

/* A small valid fixture; the error tests change one piece of it. */
static const char GOOD[] =
    "name: テスト\n"                                                                  /* 1 */
    "records:\n"                                                                      /* 2 */
    "  households: [{id: H1}]\n"                                                      /* 3 */
    "  persons:\n"                                                                    /* 4 */
    "    - {id: C1, birth_on: 2023-01-10, sex: F}\n"                                  /* 5 */
    "    - {id: M1, birth_on: 1990-04-01, note: 月のみ判明、日は仮定}\n"              /* 6 */
    "  members:\n"                                                                    /* 7 */
    "    - {household_id: H1, person_id: C1, relation: child, start_on: 2023-01-10}\n"/* 8 */
    "  checkups:\n"                                                                   /* 9 */
    "    - {id: K1, child_id: C1, kind: 18m, scheduled_on: 2024-07-16, attended_on: 2024-07-10}\n"
    "    - {id: K2, child_id: C1, kind: 36m, scheduled_on: 2026-01-16, recorded_on: 2025-12-01}\n"
    "runs:\n"                                                                         /* 12 */
    "  - as_of: 2024-07-30\n"                                                         /* 13 */
    "    open: [{rule: checkup.missed, subject: C1, level: 0, due_on: 2024-08-14}]\n" /* 14 */
    "  - as_of: 2024-08-02\n"                                                         /* 15 */
    "    done: [{rule: checkup.missed, subject: C1, key: K1, note: 訪問済み}]\n";    /* 16 */

/* Load GOOD with `from` replaced by `to` (NULL: GOOD as it is). */
static int try_load(struct kz_fixture *f, struct kz_diag *d, const char *from, const char *to) {
  char text[4096];
  snprintf(text, sizeof text, "%s", GOOD);
  if (from) {
    char *at = strstr(text, from);
    if (!at) fail_msg("edit target not found: %s", from);
    char rest[4096];
    snprintf(rest, sizeof rest, "%s", at + strlen(from));
    snprintf(at, sizeof text - (size_t)(at - text), "%s%s", to, rest);
  }
  return kz_fixture_load_string(f, "t.yaml", text, strlen(text), d);
}

/* Assert that some message of d contains every one of the (NULL-terminated)
** fragments. */
static void assert_diag(const struct kz_diag *d, ...) {
  for (size_t i = 0; i < d->n; i++) {
    va_list ap;
    va_start(ap, d);
    const char *frag;
    int all = 1;
    while ((frag = va_arg(ap, const char *)))
      if (!strstr(d->msgs[i], frag)) all = 0;
    va_end(ap);
    if (all) return;
  }
  for (size_t i = 0; i < d->n; i++) fprintf(stderr, "  got: %s\n", d->msgs[i]);
  fail_msg("no message has the expected fragments");
}

/* Expect the edit to fail to load with a message holding all fragments. */
#define EXPECT_ERROR(from, to, ...) do {                                 \
    struct kz_fixture f; struct kz_diag d = {0};                         \
    assert_int_equal(try_load(&f, &d, from, to), -1);                    \
    assert_diag(&d, __VA_ARGS__, (const char *)NULL);                    \
    kz_diag_clear(&d);                                                   \
  } while (0)

static void test_good_loads(void **state) {
  (void)state;
  struct kz_fixture f;
  struct kz_diag d = {0};
  int rc = try_load(&f, &d, NULL, NULL);
  kz_diag_print(&d, stderr);
  assert_int_equal(rc, 0);
  assert_string_equal(f.name, "テスト");
  assert_int_equal(f.nruns, 2);
  assert_true(f.runs[0].expect[KZ_FX_OPEN].given);
  assert_false(f.runs[0].expect[KZ_FX_OPENED].given);
  assert_int_equal(f.runs[0].expect[KZ_FX_OPEN].n, 1);
  const struct kz_fixture_task *t = &f.runs[0].expect[KZ_FX_OPEN].tasks[0];
  assert_string_equal(t->rule, "checkup.missed");
  assert_null(t->key);
  assert_null(t->unit);
  assert_int_equal(t->level, 0);
  assert_int_equal(t->due_on, kz_date_from_ymd(2024, 8, 14));
  assert_int_equal(t->line, 14);
  assert_int_equal(f.runs[1].ndone, 1);
  assert_string_equal(f.runs[1].done[0].key, "K1");
  assert_string_equal(f.runs[1].done[0].note, "訪問済み");
  kz_fixture_free(&f);
}

/* The value of one SQL query on the fixture's case DB, or "NULL". */
static void query(struct kz_fixture *f, const char *sql, char *out, size_t n) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->cases, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const unsigned char *s = sqlite3_column_text(st, 0);
  snprintf(out, n, "%s", s ? (const char *)s : "NULL");
  sqlite3_finalize(st);
}

static void test_recorded_on_default_and_note(void **state) {
  (void)state;
  struct kz_fixture f;
  struct kz_diag d = {0};
  char v[64];
  assert_int_equal(try_load(&f, &d, NULL, NULL), 0);
  /* The earliest date of the row: attended_on (07-10) before scheduled_on. */
  query(&f, "SELECT recorded_on FROM checkups WHERE id = 'K1'", v, sizeof v);
  assert_string_equal(v, "2024-07-10");
  /* Given explicitly: kept. */
  query(&f, "SELECT recorded_on FROM checkups WHERE id = 'K2'", v, sizeof v);
  assert_string_equal(v, "2025-12-01");
  /* No date at all: NULL, visible from the beginning. */
  query(&f, "SELECT recorded_on FROM households WHERE id = 'H1'", v, sizeof v);
  assert_string_equal(v, "NULL");
  query(&f, "SELECT recorded_on FROM persons WHERE id = 'C1'", v, sizeof v);
  assert_string_equal(v, "2023-01-10");
  /* note: accepted on any row, stored nowhere. */
  query(&f, "SELECT count(*) FROM persons", v, sizeof v);
  assert_string_equal(v, "2");
  query(&f, "SELECT count(*) FROM pragma_table_info('persons') WHERE name = 'note'", v, sizeof v);
  assert_string_equal(v, "0");
  kz_fixture_free(&f);
}

/* backlog: true|false and due_on: null (DESIGN.md "Fixture format"); not
** given, neither is compared. */
static void test_backlog_expectations(void **state) {
  (void)state;
  struct kz_fixture f;
  struct kz_diag d = {0};
  assert_int_equal(try_load(&f, &d, NULL, NULL), 0);
  const struct kz_fixture_task *t = &f.runs[0].expect[KZ_FX_OPEN].tasks[0];
  assert_int_equal(t->backlog, -1);
  assert_int_equal(t->due_null, 0);
  kz_fixture_free(&f);
  assert_int_equal(try_load(&f, &d, "level: 0, due_on: 2024-08-14", "level: 0, due_on: null, backlog: true"), 0);
  t = &f.runs[0].expect[KZ_FX_OPEN].tasks[0];
  assert_int_equal(t->backlog, 1);
  assert_int_equal(t->due_null, 1);
  assert_int_equal(t->due_on, KZ_DAY_NONE);
  kz_fixture_free(&f);
  assert_int_equal(try_load(&f, &d, "level: 0, due_on: 2024-08-14", "level: 0, due_on: ~, backlog: false"), 0);
  t = &f.runs[0].expect[KZ_FX_OPEN].tasks[0];
  assert_int_equal(t->backlog, 0);
  assert_int_equal(t->due_null, 1);
  kz_fixture_free(&f);
  kz_diag_clear(&d);
}

static void test_backlog_bad_values(void **state) {
  (void)state;
  EXPECT_ERROR("level: 0", "level: 0, backlog: maybe", "t.yaml:14:", "backlog");
  EXPECT_ERROR("level: 0", "level: 0, backlgo: true", "unknown key 'backlgo'", "did you mean 'backlog'");
}

static void test_unknown_names(void **state) {
  (void)state;
  EXPECT_ERROR("records:\n", "recrods: {}\nrecords:\n", "t.yaml:2:1:", "unknown key 'recrods'",
               "did you mean 'records'");
  EXPECT_ERROR("  members:\n", "  member:\n", "t.yaml:7:3:", "unknown table 'member'",
               "did you mean 'members'");
  EXPECT_ERROR("birth_on: 1990-04-01", "birth_date: 1990-04-01", "t.yaml:6:16:",
               "unknown column 'birth_date'", "did you mean 'birth_on'");
  EXPECT_ERROR("level: 0", "levle: 0", "t.yaml:14:48:", "unknown key 'levle'",
               "did you mean 'level'");
}

static void test_bad_values(void **state) {
  (void)state;
  EXPECT_ERROR("kind: 18m", "kind: 18M", "t.yaml:10:36:", "checkups.kind: '18M'",
               "(4m, 10m, 18m, 36m)");
  EXPECT_ERROR("relation: child", "relation: kid", "t.yaml:8:51:", "'kid'",
               "child, mother, father, partner, guardian, other");
  EXPECT_ERROR("sex: F", "sex: female", "t.yaml:5:43:", "persons.sex", "(F, M, X)");
  EXPECT_ERROR("birth_on: 2023-01-10, sex", "birth_on: 2024-02-30, sex", "t.yaml:5:26:",
               "'2024-02-30' is not a valid date");
  /* The loader's contract too: an id with a control character. */
  EXPECT_ERROR("households: [{id: H1}]", "households: [{id: \"H\\t1\"}]", "t.yaml:3:",
               "households.id: value contains a control character", "");
  EXPECT_ERROR("as_of: 2024-07-30", "as_of: 2024-13-01", "t.yaml:13:12:", "as_of",
               "a date YYYY-MM-DD");
  EXPECT_ERROR("as_of: 2024-08-02", "as_of: 2024-07-01", "t.yaml:15:12:",
               "before the previous run's 2024-07-30");
}

static void test_rows(void **state) {
  (void)state;
  EXPECT_ERROR("kind: 36m, ", "", "t.yaml:11:7:", "missing required column 'kind'");
  EXPECT_ERROR("{id: M1,", "{id: C1,", "t.yaml:6:12:", "duplicate id 'C1' in persons",
               "first at line 5");
  EXPECT_ERROR("{household_id: H1, person_id: C1", "{household_id: H2, person_id: C1",
               "t.yaml:8:22:", "members.household_id: unknown household 'H2'",
               "did you mean 'H1'");
  EXPECT_ERROR("{id: K2, child_id: C1", "{id: K2, child_id: C7", "t.yaml:11:26:",
               "checkups.child_id: unknown person 'C7'", "did you mean 'C1'");
  /* A row rejected for its own mistake is reported once: the rows that
  ** refer to it do not add "unknown person" noise. */
  struct kz_fixture f;
  struct kz_diag d = {0};
  assert_int_equal(try_load(&f, &d, "sex: F", "sex: female"), -1);
  assert_int_equal(d.n, 1);
  kz_diag_clear(&d);
}

/* The shapes a row can take (load_row): integer columns read from an
** integer or a boolean and stored as integers; a row that is not a mapping,
** a required column set to null and a non-integer are each reported at
** their own line and column. */
static void test_row_shapes_and_integers(void **state) {
  (void)state;
  static const char *const pregnancies =
      "  pregnancies:\n"
      "    - {id: G1, mother_id: M1, specific: true}\n"
      "    - {id: G2, mother_id: M1, specific: 0, notified_on: 2023-05-01}\n"
      "runs:\n";
  {
    struct kz_fixture f;
    struct kz_diag d = {0};
    char v[64];
    assert_int_equal(try_load(&f, &d, "runs:\n", pregnancies), 0);
    query(&f, "SELECT typeof(specific) || ':' || specific FROM pregnancies WHERE id = 'G1'", v,
          sizeof v);
    assert_string_equal(v, "integer:1");
    query(&f, "SELECT specific || ' ' || recorded_on FROM pregnancies WHERE id = 'G2'", v, sizeof v);
    assert_string_equal(v, "0 2023-05-01");
    kz_fixture_free(&f);
  }
  EXPECT_ERROR("    - {id: M1, birth_on: 1990-04-01, note: 月のみ判明、日は仮定}\n",
               "    - [M1, 1990-04-01]\n", "t.yaml:6:7:",
               "a row of persons must be a mapping {column: value, ...}, got a sequence");
  EXPECT_ERROR("{id: K2, child_id: C1, kind: 36m", "{id: K2, child_id: C1, kind: ~",
               "t.yaml:11:36:", "checkups row: required column 'kind' may not be null");
  EXPECT_ERROR("runs:\n", "  pregnancies: [{id: G1, mother_id: M1, specific: maybe}]\nruns:\n",
               "t.yaml:12:", "pregnancies.specific: expected an integer, got 'maybe'");
  EXPECT_ERROR("runs:\n", "  pregnancies: [{id: G1, mother_id: M1, specific: 2}]\nruns:\n",
               "t.yaml:12:", "pregnancies.specific: '2' is not one of the valid values (0, 1)");
}

static void test_params_and_rules(void **state) {
  (void)state;
  struct kz_fixture f;
  struct kz_diag d = {0};
  struct kz_profile p;
  assert_int_equal(kz_profile_load(&p, "rules/kizuki.yaml", &d), 0);
  assert_int_equal(try_load(&f, &d, "records:\n",
                            "rules: [checkup.missed, chekup.missed]\n"
                            "params: {checkup_grace_day: 3, young_age: 18,"
                            " risk_weights: {reprot: 1, move: 2}}\nrecords:\n"), 0);
  assert_int_equal(f.nparams, 4);
  assert_int_equal(kz_fixture_apply_params(&f, &p, &d), -1);
  assert_diag(&d, "t.yaml:3:29:", "unknown parameter 'checkup_grace_day'",
              "did you mean 'checkup_grace_days'", (const char *)NULL);
  assert_diag(&d, "unknown parameter 'risk_weights.reprot'", "did you mean 'risk_weights.report'",
              (const char *)NULL);
  assert_int_equal(d.n, 2);
  assert_true(kz_profile_param(&p, "young_age")->value == 18);   /* the good ones applied */
  static const char *const ids[] = {"checkup.missed", "welfare.ended", NULL};
  kz_diag_clear(&d);
  assert_int_equal(kz_fixture_check_rules(&f, ids, &d), -1);
  assert_diag(&d, "t.yaml:2:25:", "no loaded rule is called 'chekup.missed'",
              "did you mean 'checkup.missed'", (const char *)NULL);
  assert_true(kz_fixture_in_scope(&f, "checkup.missed"));
  assert_false(kz_fixture_in_scope(&f, "welfare.ended"));
  kz_diag_clear(&d);
  kz_fixture_free(&f);
  kz_profile_free(&p);
}

/* {====== The enumerations of records.h against schema/cases.sql ====== */

/* Parse `CHECK (col IN ('a','b',...))` of the column defined on line into
** vals (a comma-joined list). Returns 1 when the line has one. */
static int parse_check(const char *line, char *col, size_t ncol, char *vals, size_t nvals) {
  const char *in = strstr(line, " IN (");
  if (!in || !strstr(line, "CHECK (")) return 0;
  const char *s = line;
  while (*s == ' ') s++;
  size_t k = 0;
  while (*s && *s != ' ' && k + 1 < ncol) col[k++] = *s++;
  col[k] = '\0';
  k = 0;
  for (const char *p = in + 5; *p && *p != ')' && k + 1 < nvals; p++)
    if (*p != '\'' && *p != ' ') vals[k++] = *p;
  vals[k] = '\0';
  return 1;
}

static void test_enumerations_match_schema(void **state) {
  (void)state;
  char *sql = strdup((const char *)schema_cases_sql);   /* strtok writes to it */
  assert_non_null(sql);
  const struct kz_table *table = NULL;
  int seen[KZ_NTABLES][KZ_MAX_COLUMNS] = {{0}};
  int checks = 0;
  for (char *line = strtok(sql, "\n"); line; line = strtok(NULL, "\n")) {
    char name[64], col[64], vals[256];
    if (sscanf(line, "CREATE TABLE %63s", name) == 1) {
      table = kz_records_table(name);
      assert_non_null(table);
      continue;
    }
    if (!table || !parse_check(line, col, sizeof col, vals, sizeof vals)) continue;
    if (strstr(line, "IS date(")) continue;
    int c = kz_records_column(table, col);
    if (c < 0) fail_msg("schema enumerates %s.%s, which records.h does not know", table->name, col);
    const char *const *v = table->cols[c].values;
    if (!v) fail_msg("%s.%s is an enumeration in the schema but has no values", table->name, col);
    char joined[256] = "";
    for (size_t i = 0; v[i]; i++) {
      strcat(joined, i ? "," : "");
      strcat(joined, v[i]);
    }
    if (strcmp(joined, vals) != 0)
      fail_msg("%s.%s: schema allows %s, records.h lists %s", table->name, col, vals, joined);
    seen[table - kz_tables][c] = 1;
    checks++;
  }
  /* And no descriptor lists values the schema does not enumerate. */
  for (int t = 0; t < KZ_NTABLES; t++)
    for (int c = 0; c < kz_tables[t].ncols; c++)
      if (kz_tables[t].cols[c].values && !seen[t][c])
        fail_msg("%s.%s has values but the schema has no CHECK ... IN for it", kz_tables[t].name,
                 kz_tables[t].cols[c].name);
  free(sql);
  assert_true(checks >= 15);
}

/* }====== */

static void test_mark_done(void **state) {
  (void)state;
  struct kz_profile p;
  struct kz_diag d = {0};
  struct kz_tasks *ts = NULL;
  sqlite3 *db = NULL;   /* the test's own handle on the store's DB, to look inside */
  assert_int_equal(kz_profile_load(&p, "rules/kizuki.yaml", &d), 0);
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(kz_tasks_attach(&ts, db, &p, &d), KZ_EXIT_OK);
  kz_day day = kz_date_from_ymd(2024, 7, 30);
  assert_int_equal(kz_tasks_begin(ts, day, "digest", 0, NULL, &d), KZ_EXIT_OK);
  struct kz_task_input in = {
    .rule = "checkup.missed", .subject = "C1", .key = "K1", .household_id = "H1",
    .agency = "health_center", .ward = "chuo", .severity = "medium", .since = day - 14,
    .reason = "理由", .evidence = "[]", .rule_version = "v", .due_days = 10,
    .open_within_days = 180};
  enum kz_outcome o;
  char unit[64];
  assert_int_equal(kz_tasks_apply(ts, &in, &o, unit, &d), 0);
  assert_int_equal(o, KZ_OUT_OPENED);
  long long counts[KZ_NOUTCOMES] = {0};
  assert_int_equal(kz_tasks_commit(ts, 1, counts, 0, &d), 0);

  assert_int_equal(kz_tasks_mark_done(ts, "checkup.missed", "C1", "K1", day + 3, "訪問済み", &d), 0);
  assert_int_equal(kz_tasks_mark_done(ts, "checkup.missed", "C1", "K1", day + 4, NULL, &d), 1);
  assert_int_equal(kz_tasks_mark_done(ts, "checkup.missed", "C9", "K1", day + 4, NULL, &d), 1);
  assert_int_equal(d.n, 2);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
      "SELECT status, done_on, done_note, (SELECT count(*) FROM task_events e WHERE "
      "e.task_id = t.id AND e.event = 'done' AND e.note = '訪問済み' AND e.unit = "
      "'chuo.health_center') FROM tasks t", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "done");
  assert_string_equal((const char *)sqlite3_column_text(st, 1), "2024-08-02");
  assert_string_equal((const char *)sqlite3_column_text(st, 2), "訪問済み");
  assert_int_equal(sqlite3_column_int(st, 3), 1);
  sqlite3_finalize(st);

  /* A done task is not reopened by its finding. */
  assert_int_equal(kz_tasks_begin(ts, day + 5, "digest", 0, NULL, &d), KZ_EXIT_OK);
  assert_int_equal(kz_tasks_apply(ts, &in, &o, unit, &d), 0);
  assert_int_equal(o, KZ_OUT_DONE);
  assert_int_equal(kz_tasks_commit(ts, 1, counts, 0, &d), 0);
  kz_tasks_close(ts);
  sqlite3_close(db);
  kz_profile_free(&p);
  kz_diag_clear(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_good_loads),
    cmocka_unit_test(test_recorded_on_default_and_note),
    cmocka_unit_test(test_backlog_expectations),
    cmocka_unit_test(test_backlog_bad_values),
    cmocka_unit_test(test_unknown_names),
    cmocka_unit_test(test_bad_values),
    cmocka_unit_test(test_rows),
    cmocka_unit_test(test_row_shapes_and_integers),
    cmocka_unit_test(test_params_and_rules),
    cmocka_unit_test(test_enumerations_match_schema),
    cmocka_unit_test(test_mark_done),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
