/*
** test_task_out.c — the names staff read and the one writer of task rows:
** kz_staff_resolve turns codes and Japanese names (中央区, 中央区保健センター,
** 児童相談所) into codes and suggests the nearest for a typo; kz_taskq_utf8
** replaces bytes that are not UTF-8; the CSV dialect neutralises formula
** cells and writes Japanese names beside the codes; JSON is valid UTF-8.
** Run from the repo root (reads rules/kizuki.yaml).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "staff_names.h"
#include "task_out.h"
#include "task_query.h"

static void resolves(const struct kz_profile *p, enum kz_staff_kind k, const char *given,
                     const char *want) {
  char out[160];
  int rc = kz_staff_resolve(p, k, given, NULL, 0, out, sizeof out);
  if (rc != 0) fail_msg("'%s' not resolved (nearest '%s')", given, out);
  assert_string_equal(out, want);
}

static void test_resolve_units(void **state) {
  const struct kz_profile *p = *state;
  resolves(p, KZ_NAME_UNIT, "chuo.health_center", "chuo.health_center");
  resolves(p, KZ_NAME_UNIT, "中央区保健センター", "chuo.health_center");
  resolves(p, KZ_NAME_UNIT, "中央区 区保健センター", "chuo.health_center");
  resolves(p, KZ_NAME_UNIT, "中央区　区保健センター", "chuo.health_center");   /* U+3000 */
  resolves(p, KZ_NAME_UNIT, "中央区区保健センター（管理職）", "chuo.health_center.supervisor");
  resolves(p, KZ_NAME_UNIT, "児童相談所", "city.child_guidance");
  resolves(p, KZ_NAME_UNIT, "札幌市 児童相談所", "city.child_guidance");
  resolves(p, KZ_NAME_UNIT, "北区家庭児童相談室", "kita.family_consultation");
  resolves(p, KZ_NAME_WARD, "中央区", "chuo");
  resolves(p, KZ_NAME_WARD, "kita", "kita");
}

static void test_resolve_typos(void **state) {
  const struct kz_profile *p = *state;
  char out[160];
  assert_int_equal(kz_staff_resolve(p, KZ_NAME_UNIT, "chuo.health_centre", NULL, 0, out, sizeof out), -1);
  assert_string_equal(out, "chuo.health_center");
  assert_int_equal(kz_staff_resolve(p, KZ_NAME_WARD, "chuoo", NULL, 0, out, sizeof out), -1);
  assert_string_equal(out, "chuo");
  assert_int_equal(kz_staff_resolve(p, KZ_NAME_WARD, "nowhere-at-all-xyz", NULL, 0, out, sizeof out), -1);
  assert_string_equal(out, "");
  /* A unit only the task DB knows (another profile's) is accepted as a code. */
  const char *known[] = {"old.unit"};
  assert_int_equal(kz_staff_resolve(p, KZ_NAME_UNIT, "old.unit", known, 1, out, sizeof out), 0);
  /* Without a profile, codes of the task DB only; no crash with none. */
  assert_int_equal(kz_staff_resolve(NULL, KZ_NAME_UNIT, "x", NULL, 0, out, sizeof out), -1);
}

static void test_names(void **state) {
  const struct kz_profile *p = *state;
  struct kz_strbuf b = {0};
  kz_staff_unit_name(p, "chuo.health_center.supervisor", &b);
  assert_string_equal(kz_strbuf_str(&b), "中央区 区保健センター（管理職）");
  kz_strbuf_reset(&b);
  kz_staff_unit_name(NULL, "chuo.health_center", &b);
  assert_string_equal(kz_strbuf_str(&b), "chuo.health_center");
  kz_strbuf_free(&b);
  assert_string_equal(kz_staff_field_name("reports"), "通告");
  assert_string_equal(kz_staff_field_name("received_on"), "受理");
  assert_string_equal(kz_staff_ward_name(p, "chuo"), "中央区");
  assert_string_equal(kz_staff_agency_name(p, "child_guidance"), "児童相談所");
  assert_string_equal(kz_staff_status_name("done"), "完了");
}

static void test_utf8(void **state) {
  (void)state;
  struct kz_strbuf b = {0};
  const char in[] = "a\xFF" "b\xE4\xB8\xAD" "c\xE4\xB8" "d\xED\xA0\x80" "e\xC0\xAF";
  long long n = kz_taskq_utf8(&b, in, sizeof in - 1);
  /* FF; E4 B8 (cut short: 2); ED A0 80 (a surrogate: 3); C0 AF (overlong: 2) */
  assert_int_equal(n, 8);
  assert_string_equal(kz_strbuf_str(&b),
                      "a\xEF\xBF\xBD" "b中c\xEF\xBF\xBD\xEF\xBF\xBD" "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                      "e\xEF\xBF\xBD\xEF\xBF\xBD");
  kz_strbuf_free(&b);
}

/* Write one row in format through the writer; returns the text (free it). */
static char *write_one(const struct kz_profile *p, enum kz_out_format fmt, const struct kz_task_row *r,
                       long long *replaced) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  struct kz_task_out o = {0};
  o.f = f;
  o.format = fmt;
  o.prof = p;
  kz_task_out_begin(&o);
  assert_int_equal(kz_task_out_row(&o, r), 0);
  kz_task_out_end(&o);
  *replaced = o.replaced;
  kz_task_out_free(&o);
  fclose(f);
  return buf;
}

static const struct kz_task_row ROW = {
  .id = 7, .rule = "checkup.missed", .subject = "=HYPERLINK(\"x\")", .key = "+K1",
  .household_id = "@H1", .agency = "health_center", .ward = "chuo",
  .unit = "chuo.health_center.supervisor", .severity = "high", .status = "open", .level = 1,
  .due_on = "2024-10-01", .reason = "-bad \xFF byte", .evidence = "[{\"table\":\"reports\",\"id\":\"E\xFE\"}]",
  .evidence_ja = "通告 E（受理 2024-09-30）", .evidence_text = "reports E (received_on 2024-09-30)",
  .done_note = "\tnote", .overdue = 1,
};

static void test_csv(void **state) {
  long long replaced = 0;
  char *s = write_one(*state, KZ_OUT_CSV, &ROW, &replaced);
  assert_memory_equal(s, "\xEF\xBB\xBF" "ID,重大度,", strlen("\xEF\xBB\xBF" "ID,重大度,"));
  assert_non_null(strstr(s, "\r\n7,高,2024-10-01,超過,中央区 区保健センター（管理職）,"));
  assert_non_null(strstr(s, ",\"'=HYPERLINK(\"\"x\"\")\",\"'+K1\","));
  assert_non_null(strstr(s, ",\"'@H1\","));
  assert_non_null(strstr(s, ",\"'-bad \xEF\xBF\xBD byte\","));
  assert_non_null(strstr(s, ",\"'\tnote\","));
  assert_non_null(strstr(s, ",通告 E（受理 2024-09-30）,"));
  assert_non_null(strstr(s, ",中央区,区保健センター,"));
  assert_non_null(strstr(s, ",high,open,chuo.health_center.supervisor,checkup.missed,chuo,health_center,"));
  assert_int_equal(replaced, 1);
  free(s);
}

static void test_json(void **state) {
  long long replaced = 0;
  char *s = write_one(*state, KZ_OUT_JSON, &ROW, &replaced);
  assert_int_equal(replaced, 2);
  assert_null(strstr(s, "\xFF"));
  assert_null(strstr(s, "\xFE"));
  assert_non_null(strstr(s, "\"evidence\":[{\"table\":\"reports\",\"id\":\"E\xEF\xBF\xBD\"}]"));
  assert_non_null(strstr(s, "\"done_note\":\"\\tnote\""));
  assert_non_null(strstr(s, "\"overdue\":true"));
  /* SQLite agrees it is JSON */
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT json_valid(?1), json_array_length(?1)", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 1);
  assert_int_equal(sqlite3_column_int(st, 1), 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
  free(s);
}

static void test_formats(void **state) {
  (void)state;
  enum kz_out_format f;
  assert_int_equal(kz_task_out_parse_format("csv", "text,json,csv", &f), 0);
  assert_int_equal(f, KZ_OUT_CSV);
  assert_int_equal(kz_task_out_parse_format("json", "csv,jsonl", &f), -1);
  assert_int_equal(kz_task_out_parse_format("jsonl", "csv,jsonl", &f), 0);
  assert_int_equal(f, KZ_OUT_JSONL);
  assert_int_equal(kz_task_out_parse_format("jso", "text,json", &f), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_resolve_units),
      cmocka_unit_test(test_resolve_typos),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_formats),
  };
  return cmocka_run_group_tests(tests, kzt_profile_setup, kzt_profile_teardown);
}
