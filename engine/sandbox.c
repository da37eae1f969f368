/*
** sandbox.c — the Lua state rules run in: allow lists, read-only tables,
** memory cap and instruction budget.
**
** What a rule may touch is the allow list below, readable in one screen.
** Everything else of Lua's standard library is never loaded into the rules'
** environment: no io, os, package, require, debug, dofile, loadfile, print,
** string.dump, math.random (rules must be deterministic), and load only for
** text chunks. Shared tables (string, table, math, utf8, kz) reach rules as
** read-only proxies whose metatables are locked.
*/
#include "sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

/* {====== Allow lists ====== */

/* Base functions a rule may call. */
const char *const kz_sandbox_allowed_globals[] = {
  "assert", "error", "ipairs", "next", "pairs", "select", "tonumber",
  "tostring", "type", "rawequal", "rawlen", "rawget", "setmetatable",
  "getmetatable", "_VERSION",
  /* replaced by safe versions below */
  "load", "collectgarbage", "pcall", "xpcall",
  /* libraries, each read-only */
  "string", "table", "math", "utf8", "kz",
  NULL
};

/* Library members removed before the library is shared. */
static const char *const denied_members[][2] = {
  {"string", "dump"}, {"math", "random"}, {"math", "randomseed"},
  /* Lua patterns can backtrack for hours inside one C call, where no
  ** instruction budget reaches; rules compare dates, ids and kinds, and
  ** string.find searches plain text only (safe_find below). */
  {"string", "match"}, {"string", "gmatch"}, {"string", "gsub"},
  {NULL, NULL}
};

/* Names that exist in standard Lua but never in a rule's world (for `check`
** and for the tests that prove each is absent). */
const char *const kz_sandbox_denied_names[] = {
  "io", "os", "package", "require", "debug", "dofile", "loadfile", "print",
  "rawset", "loadstring", "coroutine", NULL
};

/* }====== */

#define HOOK_EVERY 1000  /* instructions between budget checks */
#define PROFILE_EVERY 50 /* ... when KZ_PROFILE samples where they go */

struct kz_sandbox *kz_sandbox_of(lua_State *L) {
  return *(struct kz_sandbox **)lua_getextraspace(L);
}

static void note_where(lua_State *L, struct kz_sandbox *sb, int from);

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  struct kz_sandbox *sb = ud;
  if (nsize == 0) {
    if (ptr) sb->mem_used -= osize;
    kz_pool_free(&sb->pool, ptr, osize);
    return NULL;
  }
  size_t old = ptr ? osize : 0;
  if (sb->capped && nsize > old && sb->mem_used + (nsize - old) > sb->mem_limit) {
    /* Lua raises memory errors without calling the message handler: note
    ** the rule's line here (reading the call stack does not allocate). */
    if (!sb->mem_hit && !sb->err_line) note_where(sb->L, sb, 0);
    sb->mem_hit = 1;
    return NULL;
  }
  void *p = kz_pool_realloc(&sb->pool, ptr, old, nsize);
  if (p) sb->mem_used = sb->mem_used - old + nsize;
  return p;
}

/* Record the innermost frame that runs in a file (a rule or kz.lua). */
static void note_where(lua_State *L, struct kz_sandbox *sb, int from) {
  lua_Debug ar;
  for (int level = from; lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sl", &ar)) break;
    if (ar.currentline > 0 && ar.source[0] == '@') {
      snprintf(sb->err_file, sizeof sb->err_file, "%s", ar.source + 1);
      sb->err_line = ar.currentline;
      /* Prefer a rule file over the kizuki library that it called. */
      if (strstr(ar.source, "=kz") == NULL && strcmp(ar.source, "@kz.lua") != 0) return;
    }
  }
}

/* KZ_PROFILE=1: count where the instructions go, by source line (a sample
** every HOOK_EVERY instructions), for `kizuki run`'s profile on stderr. */
static void profile_sample(lua_State *L, struct kz_sandbox *sb) {
  lua_Debug ar;
  if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "Sl", &ar)) return;
  char key[300];
  lua_Debug up;
  int upline = 0;
  char upsrc[120] = "";
  if (lua_getstack(L, 1, &up) && lua_getinfo(L, "Sl", &up)) {
    upline = up.currentline;
    snprintf(upsrc, sizeof upsrc, "%s", up.short_src);
  }
  snprintf(key, sizeof key, "%s:%d (from %s:%d)", ar.short_src, ar.currentline, upsrc, upline);
  lua_rawgeti(L, LUA_REGISTRYINDEX, sb->profile_ref);
  lua_getfield(L, -1, key);
  lua_Integer n = lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_pushinteger(L, n + 1);
  lua_setfield(L, -2, key);
  lua_pop(L, 1);
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
  struct kz_sandbox *sb = kz_sandbox_of(L);
  (void)ar;
  if (sb->profile_ref) profile_sample(L, sb);
  sb->budget_left -= sb->profile_ref ? PROFILE_EVERY : HOOK_EVERY;
  if (sb->budget_left > 0) return;
  sb->budget_hit = 1;
  note_where(L, sb, 0);
  luaL_error(L, "instruction budget of %I exceeded (an endless loop?)", (lua_Integer)sb->budget);
}

static int message_handler(lua_State *L) {
  struct kz_sandbox *sb = kz_sandbox_of(L);
  if (!sb->err_line) note_where(L, sb, 1);
  if (!lua_isstring(L, 1)) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  return 1;
}

int kz_sandbox_call(struct kz_sandbox *sb, int nargs, int nresults) {
  lua_State *L = sb->L;
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, message_handler);
  lua_insert(L, base);
  sb->budget_left = sb->budget;
  sb->budget_hit = 0;
  sb->mem_hit = 0;
  sb->err_file[0] = '\0';
  sb->err_line = 0;
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, sb->profile_ref ? PROFILE_EVERY : HOOK_EVERY);
  sb->capped = 1;
  int status = lua_pcall(L, nargs, nresults, base);
  sb->capped = 0;
  lua_sethook(L, NULL, 0, 0);
  lua_remove(L, base);
  if (status != LUA_OK && sb->mem_hit) {   /* "not enough memory" says too little */
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT);
    lua_pushfstring(L, "memory cap of %d MiB reached (a table or string that grows without end?)",
                    (int)(sb->mem_limit >> 20));
  }
  return status;
}

/* {====== Safe replacements ====== */

/* load(chunk [, name [, mode [, env]]]): text chunks only; the environment
** defaults to the caller's rule environment, never the real globals. */
static int safe_load(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "=(load)");
  const char *mode = luaL_optstring(L, 3, "t");
  if (strcmp(mode, "t") != 0) return luaL_error(L, "load: only text chunks (mode \"t\") are allowed");
  if (len > 0 && s[0] == LUA_SIGNATURE[0]) return luaL_error(L, "load: binary chunks are not allowed");
  if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  /* The default environment is a fresh rule environment, never the caller's
  ** first upvalue: a kz.lua function that calls load for a rule has the real
  ** globals there. */
  if (!lua_isnoneornil(L, 4)) lua_pushvalue(L, 4);
  else kz_sandbox_push_env(kz_sandbox_of(L));
  if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  return 1;
}

/* pcall and xpcall that cannot catch the end of the instruction budget or the
** memory cap: `while true do pcall(loop) end` would otherwise never stop. */
static int finish_pcall(lua_State *L, int status, int extra) {
  if (status == LUA_OK) return lua_gettop(L) - extra;
  struct kz_sandbox *sb = kz_sandbox_of(L);
  if (sb->budget_hit || sb->mem_hit) return lua_error(L);   /* re-raise */
  lua_pushboolean(L, 0);
  lua_pushvalue(L, -2);
  return 2;
}

static int safe_pcall(lua_State *L) {
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return finish_pcall(L, lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0), 0);
}

static int safe_xpcall(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  return finish_pcall(L, lua_pcall(L, n - 2, LUA_MULTRET, 2), 2);
}

/* string.find(s, text [, init]): plain-text search only (no patterns). */
static int safe_find(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  lua_Integer init = luaL_optinteger(L, 3, 1);
  if (!lua_isnoneornil(L, 4) && !lua_toboolean(L, 4))
    return luaL_error(L, "string.find searches plain text only in rules (patterns are not available)");
  if (init < 0) init = (lua_Integer)ls + init + 1;
  if (init < 1) init = 1;
  if ((size_t)init > ls + 1) { luaL_pushfail(L); return 1; }
  for (size_t i = (size_t)init - 1; i + lp <= ls; i++)
    if (memcmp(s + i, p, lp) == 0) {
      lua_pushinteger(L, (lua_Integer)i + 1);
      lua_pushinteger(L, (lua_Integer)(i + lp));
      return 2;
    }
  luaL_pushfail(L);
  return 1;
}

static int safe_collectgarbage(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "count");
  if (strcmp(opt, "count") != 0)
    return luaL_error(L, "collectgarbage: only \"count\" is allowed in rules");
  lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
  return 1;
}

/* }====== */

static int refuse_write(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, "attempt to change read-only table (field '%s')", k);
}

static int proxy_next(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

/* pairs() over a proxy walks the table behind it. */
static int proxy_pairs(lua_State *L) {
  lua_pushcfunction(L, proxy_next);
  if (!lua_getmetatable(L, 1)) return luaL_error(L, "not a read-only table");
  lua_getfield(L, -1, "__index");
  lua_remove(L, -2);
  lua_pushnil(L);
  return 3;
}

/* A copy of the table at idx whose nested tables are read-only proxies of
** their own copies (depth-limited): what a rule reaches through it, it cannot
** change. */
static void push_deep_view(lua_State *L, int idx, int depth) {
  lua_newtable(L);
  int view = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -1) == LUA_TTABLE && depth < 4) {
      push_deep_view(L, lua_gettop(L), depth + 1);
      kz_sandbox_push_readonly(L, lua_gettop(L));
      lua_remove(L, -2);
      lua_remove(L, -2);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, view);
  }
}

static int proxy_len(lua_State *L) {
  if (!lua_getmetatable(L, 1)) return 0;
  lua_getfield(L, -1, "__index");
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
  return 1;
}

void kz_sandbox_push_readonly(lua_State *L, int idx) {
  lua_newtable(L);                    /* proxy */
  lua_createtable(L, 0, 6);           /* its metatable */
  lua_pushcfunction(L, proxy_len);
  lua_setfield(L, -2, "__len");
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, proxy_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

static int kz_unknown_field(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, "kz has no field '%s'", k);
}

/* The base table: every allowed global, read-only libraries. Stored in the
** registry under "kz.base". Expects the real globals filled by luaL_openlibs
** and kz loaded under global "kz". */
static void build_base(lua_State *L) {
  lua_newtable(L);
  int base = lua_gettop(L);
  for (int i = 0; denied_members[i][0]; i++) {
    lua_getglobal(L, denied_members[i][0]);
    lua_pushnil(L);
    lua_setfield(L, -2, denied_members[i][1]);
    lua_pop(L, 1);
  }
  lua_getglobal(L, "string");
  lua_pushcfunction(L, safe_find);
  lua_setfield(L, -2, "find");
  lua_pop(L, 1);
  for (const char *const *n = kz_sandbox_allowed_globals; *n; n++) {
    lua_getglobal(L, *n);
    if (strcmp(*n, "kz") == 0) {       /* kz has nested tables: a deep view */
      push_deep_view(L, lua_gettop(L), 0);
      lua_createtable(L, 0, 1);        /* kz.todya is a typo, not nil */
      lua_pushcfunction(L, kz_unknown_field);
      lua_setfield(L, -2, "__index");
      lua_setmetatable(L, -2);
      lua_pushvalue(L, -1);
      lua_setfield(L, LUA_REGISTRYINDEX, "kz.view");
      lua_remove(L, -2);
    }
    if (lua_type(L, -1) == LUA_TTABLE) {
      kz_sandbox_push_readonly(L, lua_gettop(L));
      lua_remove(L, -2);
    }
    lua_setfield(L, base, *n);
  }
  lua_pushcfunction(L, safe_load);
  lua_setfield(L, base, "load");
  lua_pushcfunction(L, safe_collectgarbage);
  lua_setfield(L, base, "collectgarbage");
  lua_pushcfunction(L, safe_pcall);
  lua_setfield(L, base, "pcall");
  lua_pushcfunction(L, safe_xpcall);
  lua_setfield(L, base, "xpcall");
  lua_pushvalue(L, base);
  lua_setfield(L, base, "_G");
  /* Strings index the read-only string library, and their metatable is
  ** hidden from rules. */
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, base, "string");
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
  lua_setfield(L, LUA_REGISTRYINDEX, "kz.base");
}

static int env_unknown(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, "unknown name '%s' (not part of the rule sandbox)", k);
}

static int env_refuse(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, "rules may not set global '%s' (use local)", k);
}

void kz_sandbox_push_env(struct kz_sandbox *sb) {
  lua_State *L = sb->L;
  lua_newtable(L);
  int env = lua_gettop(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "kz.base");
  lua_pushnil(L);
  while (lua_next(L, -2)) {          /* copy: known names are plain hits */
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, env);
  }
  lua_pop(L, 1);
  lua_pushvalue(L, env);
  lua_setfield(L, env, "_G");
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, env_unknown);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, env_refuse);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, env);
}

int kz_luaopen_kz(lua_State *L);  /* kzlib.c */

void kz_sandbox_set(struct kz_sandbox *sb, const char *name) {
  lua_State *L = sb->L;                /* value on top of the stack */
  lua_getglobal(L, "kz");
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, name);
  lua_getfield(L, LUA_REGISTRYINDEX, "kz.view");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, name);
  lua_pop(L, 3);
}

static int open_all(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "kz", kz_luaopen_kz, 1);
  lua_pop(L, 1);
  build_base(L);
  return 0;
}

int kz_sandbox_open(struct kz_sandbox *sb, long long instructions, size_t memory) {
  memset(sb, 0, sizeof *sb);
  sb->mem_limit = memory;
  sb->budget = instructions;
  sb->L = lua_newstate(capped_alloc, sb);
  if (!sb->L) return -1;
  *(struct kz_sandbox **)lua_getextraspace(sb->L) = sb;
  if (getenv("KZ_PROFILE")) {
    lua_newtable(sb->L);
    sb->profile_ref = luaL_ref(sb->L, LUA_REGISTRYINDEX);
  }
  /* A run makes many small objects that die with their household: the
  ** generational collector handles those with less work. */
  lua_gc(sb->L, LUA_GCGEN, 0, 0);
  lua_pushcfunction(sb->L, open_all);
  if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
    lua_close(sb->L);
    sb->L = NULL;
    return -1;
  }
  return 0;
}

void kz_sandbox_print_profile(struct kz_sandbox *sb, FILE *f) {
  lua_State *L = sb->L;
  if (!sb->profile_ref) return;
  struct { char key[300]; long long n; } top[30];
  int ntop = 0;
  long long total = 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, sb->profile_ref);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    long long n = lua_tointeger(L, -1);
    total += n;
    int i = ntop < 30 ? ntop++ : 29;
    if (ntop == 30 && i == 29 && top[29].n >= n) { lua_pop(L, 1); continue; }
    for (; i > 0 && top[i - 1].n < n; i--) top[i] = top[i - 1];
    snprintf(top[i].key, sizeof top[i].key, "%s", lua_tostring(L, -2));
    top[i].n = n;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  fprintf(f, "profile: %lld samples, one every %d Lua instructions\n", total, PROFILE_EVERY);
  for (int i = 0; i < ntop; i++)
    fprintf(f, "%6.2f%%  %s\n", total ? 100.0 * top[i].n / total : 0, top[i].key);
}

void kz_sandbox_close(struct kz_sandbox *sb) {
  if (sb->L) lua_close(sb->L);
  kz_pool_destroy(&sb->pool);
  sb->L = NULL;
}
