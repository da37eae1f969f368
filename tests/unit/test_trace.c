/*
** test_trace.c — the trace recorder (engine/trace.c) and its Lua side
** (engine/trace_lua.c): bounded events, text cut on a character boundary,
** records read grouped by record, JSON members; kz.log a no-op without a
** recorder and bounded with one; vocabulary calls recorded once traced.
** Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "finding.h"
#include "sandbox.h"
#include "trace.h"

/* {====== The recorder ====== */

static void test_bounded(void **state) {
  (void)state;
  struct kz_trace tr;
  kz_trace_init(&tr, 1, 3);
  for (int i = 0; i < 10; i++) kz_trace_add(&tr, KZ_TRACE_LOG, NULL, NULL, "x", NULL, NULL, 0);
  assert_int_equal(tr.n, 3);
  assert_int_equal(tr.dropped, 7);
  kz_trace_clear(&tr);
  assert_int_equal(tr.n, 0);
  assert_int_equal(tr.dropped, 0);
  assert_int_equal(kz_trace_add(&tr, KZ_TRACE_CALL, "kz.days", "a", NULL, NULL, "r.lua", 3), 0);
  kz_trace_set_result(&tr, 0, "30");
  kz_trace_set_result(&tr, -1, "ignored");
  assert_string_equal(tr.ev[0].result, "30");
  assert_string_equal(tr.ev[0].file, "r.lua");
  kz_trace_free(&tr);
}

static void test_cut_on_character(void **state) {
  (void)state;
  struct kz_trace tr;
  char big[KZ_TRACE_TEXT_MAX * 2 + 1];
  for (size_t i = 0; i + 3 <= sizeof big - 1; i += 3) memcpy(big + i, "\xe3\x81\x82", 3);  /* あ */
  big[sizeof big - 1 - (sizeof big - 1) % 3] = '\0';
  kz_trace_init(&tr, 0, 0);
  assert_int_equal(tr.max_events, KZ_TRACE_MAX_EVENTS);
  kz_trace_add(&tr, KZ_TRACE_LOG, NULL, NULL, big, NULL, NULL, 0);
  const char *r = tr.ev[0].result;
  assert_true(strlen(r) <= KZ_TRACE_TEXT_MAX + 3);
  assert_true(kz_finding_utf8_valid(r, strlen(r)));
  assert_non_null(strstr(r, "\xe2\x80\xa6"));          /* … says it was cut */
  kz_trace_free(&tr);
}

static void test_text_groups_reads(void **state) {
  (void)state;
  struct kz_trace tr;
  char *buf = NULL;
  size_t n = 0;
  kz_trace_init(&tr, 1, 0);
  kz_trace_add(&tr, KZ_TRACE_CALL, "hh:children", "", "[persons C1]", NULL, "r.lua", 4);
  tr.depth = 1;
  kz_trace_add(&tr, KZ_TRACE_READ, "checkups", "K1", "\"2024-01-01\"", "scheduled_on", "r.lua", 5);
  tr.depth = 0;
  kz_trace_add(&tr, KZ_TRACE_READ, "checkups", "K2", "nil", "attended_on", "r.lua", 6);
  kz_trace_add(&tr, KZ_TRACE_READ, "checkups", "K1", "\"36m\"", "kind", "r.lua", 6);
  kz_trace_add(&tr, KZ_TRACE_READ, "checkups", "K1", "\"2024-01-01\"", "scheduled_on", "r.lua", 7);
  kz_trace_add(&tr, KZ_TRACE_CALL, "kz.days", "\"a\"", NULL, NULL, "r.lua", 8);   /* raised */
  kz_trace_add(&tr, KZ_TRACE_LOG, NULL, NULL, "hello", NULL, "r.lua", 9);
  FILE *f = open_memstream(&buf, &n);
  kz_trace_write_text(&tr, 0, tr.n, f);
  fclose(f);
  assert_non_null(strstr(buf, "r.lua:4  hh:children() → [persons C1]\n"));
  assert_non_null(strstr(buf, "kz.days(\"a\") → (raised an error)\n"));
  assert_non_null(strstr(buf, "r.lua:9  kz.log: hello\n"));
  /* one line per record, each field once, in the order first read */
  assert_non_null(strstr(buf, "    checkups K1: scheduled_on=\"2024-01-01\", kind=\"36m\"\n"));
  assert_non_null(strstr(buf, "    checkups K2: attended_on=nil\n"));
  free(buf);

  struct kz_strbuf j = {0};
  kz_strbuf_adds(&j, "{");
  kz_trace_write_json(&tr, 0, tr.n, &j);
  kz_strbuf_adds(&j, "}");
  assert_non_null(strstr(kz_strbuf_str(&j), "\"reads\":[{\"table\":\"checkups\",\"id\":\"K1\","
                                           "\"fields\":{\"scheduled_on\":\"\\\"2024-01-01\\\"\","
                                           "\"kind\":\"\\\"36m\\\"\"}}"));
  assert_non_null(strstr(kz_strbuf_str(&j), "\"logs\":[{\"text\":\"hello\",\"file\":\"r.lua\","
                                           "\"line\":9}]"));
  assert_non_null(strstr(kz_strbuf_str(&j), "\"name\":\"kz.days\",\"args\":\"\\\"a\\\"\","
                                           "\"result\":null"));
  kz_strbuf_free(&j);
  kz_trace_free(&tr);
}

/* }====== */

/* {====== kz.log and traced words ====== */

/* Run src as a rule file's chunk in sb; returns the Lua status. */
static int run_src(struct kz_sandbox *sb, const char *src, int traced, struct kz_trace *tr) {
  lua_State *L = sb->L;
  assert_int_equal(luaL_loadbufferx(L, src, strlen(src), "@rule.lua", "t"), LUA_OK);
  kz_sandbox_push_env(sb);
  lua_setupvalue(L, -2, 1);
  if (traced) kz_sandbox_trace(sb, tr);
  int status = kz_sandbox_call(sb, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  return status;
}

static void test_log_without_recorder(void **state) {
  (void)state;
  struct kz_sandbox sb;
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  assert_null(sb.trace);
  /* a nightly run: nothing kept, no error, and a loop of it ends at the budget */
  assert_int_equal(run_src(&sb, "kz.log('a', 1, nil, {})", 0, NULL), LUA_OK);
  assert_int_not_equal(run_src(&sb, "while true do kz.log(string.rep('x', 100)) end", 0, NULL),
                       LUA_OK);
  assert_true(sb.budget_hit);
  /* kz.log cannot be replaced by a rule */
  assert_int_not_equal(run_src(&sb, "kz.log = nil", 0, NULL), LUA_OK);
  kz_sandbox_close(&sb);
}

static void test_log_with_recorder(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_trace tr;
  kz_trace_init(&tr, 0, 5);
  assert_int_equal(kz_sandbox_open(&sb, 10000000, 64u << 20), 0);
  assert_int_equal(run_src(&sb, "kz.log('seen', 3, nil, true, {1, 2})\n"
                                "kz.log('bad\\1byte', kz.days('2024-01-01', '2024-01-31'))", 1, &tr),
                   LUA_OK);
  assert_int_equal(tr.n, 2);
  assert_int_equal(tr.ev[0].kind, KZ_TRACE_LOG);
  assert_string_equal(tr.ev[0].result, "seen 3 nil true [1, 2]");
  assert_string_equal(tr.ev[0].file, "rule.lua");
  assert_int_equal(tr.ev[0].line, 1);
  assert_string_equal(tr.ev[1].result, "bad\\x01byte 30");   /* control bytes escaped */
  /* log only: the words are not wrapped, so kz.days was not recorded */
  /* a flood is counted, not kept */
  assert_int_equal(run_src(&sb, "for i = 1, 1000 do kz.log(i) end", 1, &tr), LUA_OK);
  assert_int_equal(tr.n, 5);
  assert_int_equal(tr.dropped, 997);
  kz_sandbox_trace(&sb, NULL);
  kz_sandbox_close(&sb);
  kz_trace_free(&tr);
}

static void test_calls_traced(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_trace tr;
  kz_trace_init(&tr, 1, 0);
  assert_int_equal(kz_sandbox_open(&sb, 10000000, 64u << 20), 0);
  assert_int_equal(run_src(&sb, "local d = kz.days('2024-01-01', kz.add_days('2024-01-01', 30))\n"
                                "kz.log('d', d)", 1, &tr), LUA_OK);
  assert_int_equal(tr.n, 3);
  assert_string_equal(tr.ev[0].name, "kz.add_days");
  assert_string_equal(tr.ev[0].args, "\"2024-01-01\", 30");
  assert_string_equal(tr.ev[0].result, "\"2024-01-31\"");
  assert_string_equal(tr.ev[1].name, "kz.days");
  assert_string_equal(tr.ev[1].result, "30");
  assert_int_equal(tr.ev[1].line, 1);
  assert_int_equal(tr.ev[2].kind, KZ_TRACE_LOG);
  /* an error in a word: the call is kept without a result, the error goes on */
  kz_trace_clear(&tr);
  assert_int_not_equal(run_src(&sb, "return kz.days('2024/1/1', '2024-01-02')", 1, &tr), LUA_OK);
  assert_int_equal(tr.n, 1);
  assert_null(tr.ev[0].result);
  /* detached: the wrappers pass calls through, nothing is recorded */
  kz_sandbox_trace(&sb, NULL);
  kz_trace_clear(&tr);
  assert_int_equal(run_src(&sb, "assert(kz.days('2024-01-01', '2024-01-02') == 1)", 0, NULL),
                   LUA_OK);
  assert_int_equal(tr.n, 0);
  kz_sandbox_close(&sb);
  kz_trace_free(&tr);
}

/* }====== */

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bounded),
    cmocka_unit_test(test_cut_on_character),
    cmocka_unit_test(test_text_groups_reads),
    cmocka_unit_test(test_log_without_recorder),
    cmocka_unit_test(test_log_with_recorder),
    cmocka_unit_test(test_calls_traced),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
