/*
** kzlib.c — opens the kizuki Lua library (kz.*) and holds its C words that
** are not about a household: dates as whole days (kz.days, kz.add_days,
** kz.age, kz.is_date, kz.later, kz.earlier), a rule's due
** (kz.business_days, kz.calendar_days) and the finding constructor
** (kz.finding, kz.is_finding). The household words are in engine/vocab.c,
** the Lua words in engine/kz.lua; the list of them all, with what each
** means, is engine/vocab_words.c. Built on the public Lua API alone.
*/
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "i18n.h"
#include "date.h"
#include "i18n.h"
#include "kizuki.h"
#include "sandbox.h"
#include "trace.h"
#include "view.h"
#include "vocab.h"

#define FINDING_MT "kz.finding"

/* Read a date argument: a YYYY-MM-DD string. */
static kz_day check_day(lua_State *L, int arg) {
  size_t n;
  const char *s = lua_tolstring(L, arg, &n);
  kz_day d;
  if (!s) luaL_argerror(L, arg, lua_isnil(L, arg) ? _("date expected, got nil") : _("date expected"));
  if (kz_date_parse_n(s, n, &d)) luaL_argerror(L, arg, lua_pushfstring(L, _("not a date: '%s'"), s));
  return d;
}

static void push_day(lua_State *L, kz_day d) {
  char buf[KZ_DATE_LEN];
  lua_pushstring(L, kz_date_format(d, buf));
}

/* kz.days(a, b): whole days from a to b (b - a). */
static int l_days(lua_State *L) {
  kz_day a = check_day(L, 1), b = check_day(L, 2);
  lua_pushinteger(L, (lua_Integer)b - a);
  return 1;
}

/* kz.add_days(d, n): the date n days after d (n may be negative). */
static int l_add_days(lua_State *L) {
  kz_day d = check_day(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  if (n > 1000000 || n < -1000000) return luaL_argerror(L, 2, _("too many days"));
  push_day(L, d + (kz_day)n);
  return 1;
}

/* kz.age(birth, at): whole years of age on day at. */
static int l_age(lua_State *L) {
  kz_day b = check_day(L, 1), at = check_day(L, 2);
  lua_pushinteger(L, kz_date_age(b, at));
  return 1;
}

/* kz.is_date(s): true when s is a real YYYY-MM-DD date. */
static int l_is_date(lua_State *L) {
  size_t n;
  kz_day d;
  const char *s = lua_tolstring(L, 1, &n);
  lua_pushboolean(L, s && lua_type(L, 1) == LUA_TSTRING && kz_date_parse_n(s, n, &d) == 0);
  return 1;
}

/* kz.later(a, b, ...) / kz.earlier(...): the latest / earliest of the dates
** given, ignoring nils; nil when all are nil. ISO dates order as strings. */
static int pick(lua_State *L, int later) {
  int n = lua_gettop(L), best = 0;
  for (int i = 1; i <= n; i++) {
    if (lua_isnil(L, i)) continue;
    check_day(L, i);
    if (!best || (later ? lua_compare(L, best, i, LUA_OPLT) : lua_compare(L, i, best, LUA_OPLT)))
      best = i;
  }
  if (best) lua_pushvalue(L, best);
  else lua_pushnil(L);
  return 1;
}
static int l_later(lua_State *L) { return pick(L, 1); }
static int l_earlier(lua_State *L) { return pick(L, 0); }

/* kz.business_days(n) / kz.calendar_days(n): a rule's `due`. */
static int due(lua_State *L, const char *unit) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0 && n <= 3650, 1, "days must be between 0 and 3650");
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, n);
  lua_setfield(L, -2, "days");
  lua_pushstring(L, unit);
  lua_setfield(L, -2, "unit");
  return 1;
}
static int l_business_days(lua_State *L) { return due(L, "business"); }
static int l_calendar_days(lua_State *L) { return due(L, "calendar"); }

/* kz.finding{ since=, reason=, key=, evidence=, ... }: mark a table as a
** finding, so a check may return one finding or a list of them. Only a table
** without a metatable is marked (or one already a finding): from C a
** metatable could be set on anything, a read-only library proxy included,
** and a rule may change only what it made. */
static int l_finding(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  if (lua_getmetatable(L, 1)) {
    luaL_getmetatable(L, FINDING_MT);
    if (!lua_rawequal(L, -1, -2))
      return luaL_argerror(L, 1, _("a new table expected (kz.finding{ ... }), not one with a metatable"));
    lua_settop(L, 1);
    return 1;
  }
  lua_pushliteral(L, "since");
  if (lua_rawget(L, 1) == LUA_TNIL)    /* said here: at the kz.finding line */
    return luaL_error(L, _("kz.finding needs since = the day it began (a date, YYYY-MM-DD)"));
  lua_settop(L, 1);
  luaL_setmetatable(L, FINDING_MT);
  return 1;
}

/* kz.is_finding(x) */
static int l_is_finding(lua_State *L) {
  int yes = 0;
  if (lua_istable(L, 1) && lua_getmetatable(L, 1)) {
    luaL_getmetatable(L, FINDING_MT);
    yes = lua_rawequal(L, -1, -2);
  }
  lua_pushboolean(L, yes);
  return 1;
}

static const luaL_Reg kz_funcs[] = {
  {"days", l_days}, {"add_days", l_add_days}, {"age", l_age}, {"is_date", l_is_date},
  {"later", l_later}, {"earlier", l_earlier},
  {"business_days", l_business_days}, {"calendar_days", l_calendar_days},
  {"finding", l_finding}, {"is_finding", l_is_finding},
  {"log", kz_trace_l_log},   /* trace_lua.c: a no-op unless traced or tested --verbose */

  {NULL, NULL}
};

/* Open the kz library: C functions, the record views, then kz.lua. */
int kz_luaopen_kz(lua_State *L) {
  luaL_newmetatable(L, FINDING_MT);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
  luaL_newlib(L, kz_funcs);
  lua_pushliteral(L, KZ_VERSION);
  lua_setfield(L, -2, "version");
  kz_view_init(L);
  kz_vocab_register(L, lua_gettop(L));
  if (luaL_loadbufferx(L, (const char *)engine_kz_lua, engine_kz_lua_len, "@kz.lua", "t") != LUA_OK)
    return lua_error(L);
  lua_pushvalue(L, -2);
  lua_call(L, 1, 0);
  return 1;
}
