/*
** test_vocab.c — the vocabulary's one list (engine/vocab_words.c) and the
** library agree: every kz.NAME, hh:NAME and record method a rule can reach
** is listed once, and every listed word exists; kz.agency_name is the
** profile's, sealed, and follows a rebind; the Markdown the doc is made of
** lists every word. Run from the repo root (reads rules/kizuki.yaml).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <lauxlib.h>
#include <string.h>

#include "testutil.h"
#include "sandbox.h"
#include "strbuf.h"
#include "vocab.h"

/* The listed word called name, or NULL. */
static const struct kz_vocab_word *word(const char *name) {
  for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++)
    if (strcmp(w->name, name) == 0) return w;
  return NULL;
}

static int in_names(const char *name) {
  for (const char *const *n = kz_vocab_names(); *n; n++)
    if (strcmp(*n, name) == 0) return 1;
  return 0;
}

static void open_bound(struct kz_sandbox *sb, struct kz_profile *p) {
  struct kz_diag d = {0};
  assert_int_equal(kz_sandbox_open(sb, 100000000, 64u << 20), 0);
  if (kz_profile_load(p, KZT_PROFILE, &d)) fail_msg("cannot load %s", KZT_PROFILE);
  kz_diag_clear(&d);
  assert_int_equal(kz_vocab_bind(sb, p), 0);
}

/* Every key of the real kz is a listed kz. word and in kz_vocab_names(), and
** every listed kz. word is a key of kz. */
static void test_every_kz_word_listed(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_profile p;
  open_bound(&sb, &p);
  lua_State *L = sb.L;
  lua_getglobal(L, "kz");
  lua_pushnil(L);
  int n = 0;
  while (lua_next(L, -2)) {
    char full[128];
    snprintf(full, sizeof full, "kz.%s", lua_tostring(L, -2));
    if (!word(full)) fail_msg("%s is in the library but not in engine/vocab_words.c", full);
    if (!in_names(lua_tostring(L, -2))) fail_msg("%s is missing from kz_vocab_names()", full);
    lua_pop(L, 1);
    n++;
  }
  for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++) {
    if (strncmp(w->name, "kz.", 3) != 0) continue;
    if (lua_getfield(L, -1, w->name + 3) == LUA_TNIL) fail_msg("%s is listed but not in the library", w->name);
    lua_pop(L, 1);
  }
  for (const char *const *nm = kz_vocab_names(); *nm; nm++) {
    if (lua_getfield(L, -1, *nm) == LUA_TNIL) fail_msg("kz_vocab_names() has %s, kz has not", *nm);
    lua_pop(L, 1);
  }
  assert_true(n > 20);
  kz_profile_free(&p);
  kz_sandbox_close(&sb);
}

/* Every hh: method and record method is listed, and every listed one exists. */
static void test_every_method_listed(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_profile p;
  open_bound(&sb, &p);
  lua_State *L = sb.L;
  lua_getglobal(L, "kz");
  lua_getfield(L, -1, "Household");
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    char full[128];
    snprintf(full, sizeof full, "hh:%s", lua_tostring(L, -2));
    if (lua_type(L, -1) == LUA_TFUNCTION && !word(full))
      fail_msg("%s is in the library but not in engine/vocab_words.c", full);
    lua_pop(L, 1);
  }
  for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++) {
    if (strncmp(w->name, "hh:", 3) != 0) continue;
    if (lua_getfield(L, -1, w->name + 3) != LUA_TFUNCTION) fail_msg("%s is listed but not a method", w->name);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_getfield(L, -1, "Record");              /* kz.Record[table] = methods */
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    const char *table = lua_tostring(L, -2);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      char full[128];
      snprintf(full, sizeof full, "%s:%s", strcmp(table, "persons") == 0 ? "person" : table,
               lua_tostring(L, -2));
      if (!word(full)) fail_msg("record method %s is not in engine/vocab_words.c", full);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  assert_non_null(word("person:age"));
  kz_profile_free(&p);
  kz_sandbox_close(&sb);
}

/* Each word is listed once, with a signature, a place and both meanings. */
static void test_words_complete(void **state) {
  (void)state;
  for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++) {
    for (const struct kz_vocab_word *x = w + 1; x->name; x++)
      if (strcmp(w->name, x->name) == 0) fail_msg("%s is listed twice", w->name);
    if (!w->signature || !w->where || !w->ja || !w->en || !*w->ja || !*w->en)
      fail_msg("%s lacks a signature, a place or a meaning", w->name);
  }
  struct kz_strbuf b = {0};
  assert_int_equal(kz_vocab_markdown(&b), 0);
  for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++)
    if (!strstr(kz_strbuf_str(&b), w->ja)) fail_msg("the Markdown lacks %s", w->name);
  kz_strbuf_free(&b);
}

/* Push src compiled as a rule file of sb (its own environment, as the
** rule loader gives one). */
static void load_rule_file(struct kz_sandbox *sb, const char *src) {
  assert_int_equal(luaL_loadbufferx(sb->L, src, strlen(src), "@t.lua", "t"), LUA_OK);
  kz_sandbox_push_env(sb);
  lua_setupvalue(sb->L, -2, 1);
}

/* kz.agency_name is the profile's (not a name written in code), a rule cannot
** change it, and a rebind with other names reaches a rule file loaded
** before it. */
static void test_agency_name_from_profile(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_profile p;
  open_bound(&sb, &p);
  lua_State *L = sb.L;
  const char *src =
    "local ok = pcall(function() kz.agency_name.welfare = 'x' end)\n"
    "local ok2 = pcall(setmetatable, kz.agency_name, {})\n"
    "return (ok or ok2) and 'writable' or kz.agency_name.family_consultation .. '|' .. kz.agency_name.welfare\n";
  load_rule_file(&sb, src);
  lua_pushvalue(L, -1);
  if (kz_sandbox_call(&sb, 0, 1) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  const struct kz_agency *fc = kz_profile_agency(&p, "family_consultation");
  const struct kz_agency *wf = kz_profile_agency(&p, "welfare");
  char want[256];
  snprintf(want, sizeof want, "%s|%s", fc->name, wf->name);
  assert_string_equal(lua_tostring(L, -1), want);
  assert_string_equal(fc->name, "区家庭児童相談室");   /* rules/kizuki.yaml, not code */
  lua_pop(L, 1);

  free(wf->name);                                     /* another city's names */
  ((struct kz_agency *)wf)->name = strdup("生活福祉課");
  assert_int_equal(kz_vocab_bind(&sb, &p), 0);
  if (kz_sandbox_call(&sb, 0, 1) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  snprintf(want, sizeof want, "%s|生活福祉課", fc->name);
  assert_string_equal(lua_tostring(L, -1), want);
  lua_pop(L, 1);
  kz_profile_free(&p);
  kz_sandbox_close(&sb);
}

/* kz.ward_name: the profile's ward names by code, sealed; nil for a ward
** the profile does not know (rules fall back to the code). */
static void test_ward_name_from_profile(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_profile p;
  open_bound(&sb, &p);
  lua_State *L = sb.L;
  const char *src =
    "local ok = pcall(function() kz.ward_name.chuo = 'x' end)\n"
    "local ok2 = pcall(setmetatable, kz.ward_name, {})\n"
    "return (ok or ok2) and 'writable' or kz.ward_name.chuo .. '|' .. tostring(kz.ward_name.atlantis)\n";
  load_rule_file(&sb, src);
  if (kz_sandbox_call(&sb, 0, 1) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  assert_string_equal(lua_tostring(L, -1), "中央区|nil");
  lua_pop(L, 1);
  kz_profile_free(&p);
  kz_sandbox_close(&sb);
}

/* kz_vocab_set_today sets kz.today for every rule file and the day the C
** words default to, at once. */
static void test_one_today(void **state) {
  (void)state;
  struct kz_sandbox sb;
  struct kz_profile p;
  open_bound(&sb, &p);
  lua_State *L = sb.L;
  const char *src =
    "return kz.today .. ' ' .. tostring(kz.active({ start_on = kz.today })) .. ' '\n"
    "  .. tostring(kz.active({ start_on = '2024-10-02' })) .. ' '\n"
    "  .. tostring(kz.covered_since({ { start_on = '2024-09-01', end_on = '2024-10-01' },\n"
    "                                 { start_on = '2024-10-01' } }))\n";
  load_rule_file(&sb, src);
  kz_day d;
  assert_int_equal(kz_date_parse("2024-10-01", &d), 0);
  kz_vocab_set_today(&sb, d);
  lua_pushvalue(L, -1);
  if (kz_sandbox_call(&sb, 0, 1) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  assert_string_equal(lua_tostring(L, -1), "2024-10-01 true false 2024-09-01");
  lua_pop(L, 1);
  kz_vocab_set_today(&sb, d + 1);
  if (kz_sandbox_call(&sb, 0, 1) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  assert_string_equal(lua_tostring(L, -1), "2024-10-02 true true 2024-09-01");
  lua_pop(L, 1);
  kz_profile_free(&p);
  kz_sandbox_close(&sb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_kz_word_listed),
    cmocka_unit_test(test_every_method_listed),
    cmocka_unit_test(test_words_complete),
    cmocka_unit_test(test_agency_name_from_profile),
    cmocka_unit_test(test_ward_name_from_profile),
    cmocka_unit_test(test_one_today),
  };
  return cmocka_run_group_tests_name("vocab", tests, NULL, NULL);
}
