/*
** test_rule_lint.c — what `kizuki check` sees in a rule before it runs
** (engine/rule_lint.c) and the list a check returns (finding.c): dates not
** YYYY-MM-DD, full-width characters outside strings and comments, a missing
** comma or brace placed on its own line, the listing's names, and a plain
** table that would open nothing. Run from the repo root (luac5.4 needed for
** the listing part, as `make test` installs it).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "finding.h"
#include "rule_lint.h"
#include "sandbox.h"

/* Does some message of d contain text? */
static int has(const struct kz_diag *d, const char *text) {
  for (size_t i = 0; i < d->n; i++)
    if (d->msgs[i] && strstr(d->msgs[i], text)) return 1;
  return 0;
}

static void test_bad_date(void **state) {
  (void)state;
  char fix[16];
  assert_true(kz_lint_bad_date("2024/6/1", 8, fix));
  assert_string_equal(fix, "2024-06-01");
  assert_true(kz_lint_bad_date("2024-6-1", 8, fix));
  assert_string_equal(fix, "2024-06-01");
  assert_true(kz_lint_bad_date("2024.06.01", 10, fix));
  assert_false(kz_lint_bad_date("2024-06-01", 10, fix));     /* right as it is */
  assert_false(kz_lint_bad_date("2024/06-01", 10, fix));     /* not one date shape */
  assert_false(kz_lint_bad_date("2024/13/01", 10, fix));     /* no month 13: not a date */
  assert_false(kz_lint_bad_date("1/2/3", 5, fix));
  assert_false(kz_lint_bad_date("12345", 5, fix));
}

static void test_chars(void **state) {
  (void)state;
  struct kz_diag d = {0};
  /* in strings and comments Japanese is fine; in code it is not */
  const char *ok = "local s = \"全角　スペース（括弧）\" -- 全角（コメント）\n"
                   "--[[ 長い（コメント） ]] local t = [[（長い文字列）]]\n";
  assert_int_equal(kz_lint_chars("r.lua", ok, strlen(ok), &d), 0);
  const char *bad = "local a = 1\nif a > 0\xe3\x80\x80then a = kz.days\xef\xbc\x88x) end\n";
  assert_int_equal(kz_lint_chars("r.lua", bad, strlen(bad), &d), 2);
  assert_true(has(&d, "r.lua:2:9: full-width space (U+3000)"));
  assert_true(has(&d, "r.lua:2:26: full-width parenthesis (U+FF08)"));
  assert_true(has(&d, "type '(' instead"));
  kz_diag_clear(&d);
}

static void test_syntax(void **state) {
  (void)state;
  struct kz_diag d = {0};
  const char *src = "return kz.finding {\n  key = 1\n  reason = \"x\",\n}\n";
  kz_lint_syntax("r.lua", src, strlen(src),
                 "r.lua:3: '}' expected (to close '{' at line 1) near 'reason'", &d);
  assert_true(has(&d, "r.lua:2:10: missing ',' at the end of this line"));
  kz_diag_clear(&d);
  const char *src2 = "local f = kz.finding {\n  key = 1,\n  reason = \"x\"\n\nreturn f\n";
  kz_lint_syntax("r.lua", src2, strlen(src2),
                 "r.lua:5: '}' expected (to close '{' at line 1) near 'return'", &d);
  assert_true(has(&d, "r.lua:3:15: missing '}' at the end of this line"));
  kz_diag_clear(&d);
  /* anything else: Lua's own words */
  kz_lint_syntax("r.lua", src, strlen(src), "r.lua:1: unexpected symbol near '1'", &d);
  assert_string_equal(d.msgs[0], "r.lua:1: unexpected symbol near '1'");
  kz_diag_clear(&d);
}

static void test_listing(void **state) {
  (void)state;
  if (system("luac5.4 -v > /dev/null 2>&1") != 0) {
    kzt_missing("luac5.4", "Debian: apt-get install lua5.4 (tools/deps.sh test)");
    return;
  }
  char path[] = "/tmp/kizuki-lint-XXXXXX.lua";
  int fd = mkstemps(path, 4);
  assert_true(fd >= 0);
  const char *src =
    "rule { id = \"t\", check = function(c, hh, p)\n"
    "  local mine = { weight = 1 }\n"
    "  for _, k in ipairs(hh.checkups) do\n"
    "    if k.schedule_on >= \"2024/6/1\" and kz.todya and mine.weight then\n"
    "      local m = c.birth_on:match(\"x\")\n"
    "      return { key = k.id, reason = \"x\" }\n"
    "    end\n"
    "  end\n"
    "  local later = kz.today + 14\n"
    "  if later then return kz.finding { key = 1, reason = \"z\" } end\n"
    "  return kz.finding { since = kz.today, reason = \"y\" }\n"
    "end }\n";
  assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
  close(fd);
  struct kz_sandbox sb;
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  struct kz_lint_names names;
  assert_int_equal(kz_lint_names_build(&names, sb.L, NULL), 0);
  struct kz_diag d = {0}, warn = {0};
  assert_int_equal(kz_lint_listing(path, src, strlen(src), kz_sandbox_allowed_globals, &names,
                                   &d, &warn), 0);
  assert_true(has(&d, ":4: reads field 'schedule_on', which no case-record table or method has "
                  "(did you mean 'scheduled_on'?)"));
  assert_true(has(&d, ":4: the date \"2024/6/1\" is not written YYYY-MM-DD"));
  assert_true(has(&d, ":4: kz has no word 'todya' (did you mean 'kz.today'?)"));
  assert_true(has(&d, ":5: string.match: Lua patterns are not available"));
  assert_true(has(&d, ":6: a table with reason = ... that is not made by kz.finding"));
  assert_true(has(&d, ":9: arithmetic on a date"));
  assert_true(has(&d, ":10: kz.finding needs since"));
  assert_int_equal(d.n, 7);          /* mine.weight, kz.finding{since...}, kz.today: fine */
  assert_int_equal(warn.n, 0);
  kz_diag_clear(&d);
  kz_diag_clear(&warn);
  kz_lint_names_free(&names);
  kz_sandbox_close(&sb);
  unlink(path);
}

/* A check's list: a plain table with keys is an error, {} and lists are not;
** a list with a gap or another key is. */
static void test_list_len(void **state) {
  (void)state;
  lua_State *L = luaL_newstate();
  struct kz_strbuf why = {0};
  lua_Integer n = -1;
  assert_int_equal(luaL_dostring(L, "return { key = 'K1', reason = 'x' }"), LUA_OK);
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), -1);
  assert_non_null(strstr(kz_strbuf_str(&why), "plain table with reason"));
  assert_int_equal(luaL_dostring(L, "return { colour = 'red' }"), LUA_OK);
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), -1);
  assert_non_null(strstr(kz_strbuf_str(&why), "neither kz.finding"));
  assert_int_equal(luaL_dostring(L, "return {}"), LUA_OK);
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), 0);
  assert_int_equal(n, 0);
  assert_int_equal(luaL_dostring(L, "return { 1, 2, 3 }"), LUA_OK);
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), 0);
  assert_int_equal(n, 3);
  /* a gap: the length may stop before it; what is past it must not be lost */
  assert_int_equal(luaL_dostring(L, "local t = {} t[1] = 1 t[3] = 3 return t"), LUA_OK);
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), -1);
  assert_non_null(strstr(kz_strbuf_str(&why), "with a gap"));
  assert_int_equal(luaL_dostring(L, "local t = {} for i = 1, 40 do if i ~= 20 then t[i] = i end end "
                                    "return t"), LUA_OK);
  /* refused, or its length reaches past the gap (the run then meets the nil) */
  if (kz_finding_list_len(L, -1, &n, &why) == 0) assert_int_equal(n, 40);
  assert_int_equal(luaL_dostring(L, "return { 1, 2, extra = 3 }"), LUA_OK);
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), -1);
  assert_non_null(strstr(kz_strbuf_str(&why), "string key"));
  assert_int_equal(luaL_dostring(L, "return { 1, 2, nil }"), LUA_OK);   /* a trailing nil: no gap */
  assert_int_equal(kz_finding_list_len(L, -1, &n, &why), 0);
  assert_int_equal(n, 2);
  /* two findings for one task (subject and key): refused, naming them */
  luaL_openlibs(L);
  luaL_newmetatable(L, "kz.finding");
  lua_setglobal(L, "FMT");
  assert_int_equal(luaL_dostring(L, "local function f(t) return setmetatable(t, FMT) end "
                                    "return { f{key = 'C1'}, f{key = 'C2'}, f{key = 'C1'} }"), LUA_OK);
  assert_int_equal(kz_finding_list_same_task(L, -1, 3, "H1", &why), -1);
  assert_non_null(strstr(kz_strbuf_str(&why), "subject H1, key C1; item 3"));
  assert_int_equal(luaL_dostring(L, "local function f(t) return setmetatable(t, FMT) end "
                                    "return { f{}, f{subject = 'P1'}, f{subject = 'P2', key = 'P1'} }"),
                   LUA_OK);                     /* keys default to the subject: all different */
  assert_int_equal(kz_finding_list_same_task(L, -1, 3, "H1", &why), 0);
  assert_int_equal(luaL_dostring(L, "local function f(t) return setmetatable(t, FMT) end "
                                    "return { f{}, f{key = 'H1'} }"), LUA_OK);
  assert_int_equal(kz_finding_list_same_task(L, -1, 2, "H1", &why), -1);
  kz_strbuf_free(&why);
  lua_close(L);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_date),
    cmocka_unit_test(test_chars),
    cmocka_unit_test(test_syntax),
    cmocka_unit_test(test_listing),
    cmocka_unit_test(test_list_len),
  };
  return cmocka_run_group_tests_name("rule_lint", tests, NULL, NULL);
}
