/*
** trace_lua.c — the Lua side of the trace: kz.log, and the wrappers that
** record a rule's vocabulary calls and record reads into the recorder
** attached to its sandbox (trace.h).
**
** Nothing here is installed in a nightly run: kz.log finds no recorder and
** returns at once, and the wrappers are put on the kz copies and the view
** metatables only by kz_sandbox_trace with a recorder that records calls
** (`kizuki trace`). Every wrapper runs the word it wraps unchanged; with no
** recorder attached it only passes the call through. Describing a value runs
** no rule code (a view's __tostring is the engine's, called protected).
*/
#include "trace.h"

#include <lauxlib.h>
#include <string.h>

#include "finding.h"
#include "sandbox.h"
#include "view.h"

#define DESCRIBE_STRING_MAX 80   /* bytes of a string argument shown */
#define DESCRIBE_ITEMS 3         /* items of a list shown */

static struct kz_trace *recorder(lua_State *L) {
  return kz_sandbox_of(L)->trace;
}

/* Where the call was made from: the first frame from level 1 up that runs
** in a file (a rule file or kz.lua). */
static void caller(lua_State *L, char *file, size_t n, int *line) {
  lua_Debug ar;
  file[0] = '\0';
  *line = 0;
  for (int level = 1; lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sl", &ar)) break;
    if (ar.currentline > 0 && ar.source[0] == '@') {
      snprintf(file, n, "%s", ar.source + 1);
      *line = ar.currentline;
      return;
    }
  }
}

static int tostring_view(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}

static void describe_string(lua_State *L, int idx, struct kz_strbuf *out) {
  size_t n;
  const char *s = lua_tolstring(L, idx, &n);
  kz_strbuf_adds(out, "\"");
  kz_finding_clean_message(out, s, n, DESCRIBE_STRING_MAX);
  kz_strbuf_adds(out, "\"");
}

static void describe(lua_State *L, int idx, struct kz_strbuf *out, int depth);

static void describe_table(lua_State *L, int idx, struct kz_strbuf *out, int depth) {
  if (lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, "kz.finding");
    int finding = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (finding) {
      kz_strbuf_adds(out, "kz.finding{");
      static const char *const keys[] = {"key", "since", "severity", NULL};
      int k = 0;
      for (const char *const *f = keys; *f; f++) {
        lua_pushstring(L, *f);
        if (lua_rawget(L, idx) != LUA_TNIL) {
          kz_strbuf_addf(out, "%s%s=", k++ ? ", " : "", *f);
          describe(L, lua_gettop(L), out, depth + 1);
        }
        lua_pop(L, 1);
      }
      kz_strbuf_adds(out, "}");
      return;
    }
  }
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
  if (n > 0) {
    kz_strbuf_adds(out, "[");
    for (lua_Integer i = 1; i <= n && i <= DESCRIBE_ITEMS; i++) {
      if (i > 1) kz_strbuf_adds(out, ", ");
      lua_rawgeti(L, idx, i);
      describe(L, lua_gettop(L), out, depth + 1);
      lua_pop(L, 1);
    }
    if (n > DESCRIBE_ITEMS) kz_strbuf_addf(out, ", … (%lld in all)", (long long)n);
    kz_strbuf_adds(out, "]");
    return;
  }
  /* A map: its first few string keys and their values (next() runs no code). */
  int k = 0;
  kz_strbuf_adds(out, "{");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (k < DESCRIBE_ITEMS && lua_type(L, -2) == LUA_TSTRING) {
      size_t kn;
      const char *key = lua_tolstring(L, -2, &kn);
      kz_strbuf_adds(out, k ? ", " : "");
      kz_finding_clean_message(out, key, kn, 40);
      kz_strbuf_adds(out, "=");
      describe(L, lua_gettop(L), out, depth + 1);
    } else if (k == DESCRIBE_ITEMS) {
      kz_strbuf_adds(out, ", …");
    }
    k++;
    lua_pop(L, 1);
    if (k > DESCRIBE_ITEMS) {
      lua_pop(L, 1);
      break;
    }
  }
  kz_strbuf_adds(out, "}");
}

static void describe(lua_State *L, int idx, struct kz_strbuf *out, int depth) {
  idx = lua_absindex(L, idx);
  if (!lua_checkstack(L, 4)) {
    kz_strbuf_adds(out, "…");
    return;
  }
  switch (lua_type(L, idx)) {
    case LUA_TNIL: kz_strbuf_adds(out, "nil"); break;
    case LUA_TBOOLEAN: kz_strbuf_adds(out, lua_toboolean(L, idx) ? "true" : "false"); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) kz_strbuf_addf(out, "%lld", (long long)lua_tointeger(L, idx));
      else kz_strbuf_addf(out, "%.14g", (double)lua_tonumber(L, idx));
      break;
    case LUA_TSTRING: describe_string(L, idx, out); break;
    case LUA_TTABLE:
      if (depth >= 2) kz_strbuf_adds(out, "{…}");
      else describe_table(L, idx, out, depth);
      break;
    case LUA_TUSERDATA: {     /* a household, list or record view: the engine's __tostring */
      lua_pushcfunction(L, tostring_view);
      lua_pushvalue(L, idx);
      if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        kz_finding_clean_message(out, s, n, DESCRIBE_STRING_MAX);
      } else {
        kz_strbuf_adds(out, "(a view no longer usable)");
      }
      lua_pop(L, 1);
      break;
    }
    default: kz_strbuf_adds(out, luaL_typename(L, idx)); break;
  }
}

void kz_trace_describe(lua_State *L, int idx, struct kz_strbuf *out) {
  describe(L, idx, out, 0);
}

/* Describe the values at [from, to] into out, comma separated. */
static void describe_range(lua_State *L, int from, int to, struct kz_strbuf *out) {
  for (int i = from; i <= to && out->len < KZ_TRACE_TEXT_MAX; i++) {
    if (i > from) kz_strbuf_adds(out, ", ");
    describe(L, i, out, 0);
  }
}

int kz_trace_l_log(lua_State *L) {
  struct kz_trace *tr = recorder(L);
  if (!tr) return 0;                     /* a nightly run: nothing, at once */
  int n = lua_gettop(L);
  if (tr->n >= tr->max_events) {        /* a loop of kz.log: counted, not kept */
    tr->dropped++;
    kz_sandbox_charge(L, 1);
    return 0;
  }
  struct kz_strbuf text = {0};
  for (int i = 1; i <= n && text.len < KZ_TRACE_TEXT_MAX; i++) {
    if (i > 1) kz_strbuf_adds(&text, " ");
    if (lua_type(L, i) == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, i, &len);
      kz_finding_clean_message(&text, s, len, KZ_TRACE_TEXT_MAX);
    } else {
      describe(L, i, &text, 0);
    }
  }
  char file[256];
  int line;
  caller(L, file, sizeof file, &line);
  kz_trace_add(tr, KZ_TRACE_LOG, NULL, NULL, kz_strbuf_str(&text), NULL, file[0] ? file : NULL,
               line);
  size_t cost = 8 + text.len / 32;
  kz_strbuf_free(&text);
  kz_sandbox_charge(L, cost);            /* after the free: it may raise */
  return 0;
}

/* The wrapper of a vocabulary word: upvalue 1 the word, upvalue 2 its name,
** upvalue 3 true for a method (argument 1, the household or record, is not
** shown). */
static int traced_call(lua_State *L) {
  struct kz_trace *tr = recorder(L);
  int n = lua_gettop(L);
  long ev = -1;
  if (tr && tr->calls) {
    struct kz_strbuf args = {0};
    describe_range(L, lua_toboolean(L, lua_upvalueindex(3)) ? 2 : 1, n, &args);
    char file[256];
    int line;
    caller(L, file, sizeof file, &line);
    ev = kz_trace_add(tr, KZ_TRACE_CALL, lua_tostring(L, lua_upvalueindex(2)),
                      kz_strbuf_str(&args), NULL, NULL, file[0] ? file : NULL, line);
    kz_strbuf_free(&args);
    tr->depth++;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);         /* an error leaves the event without a result */
  int nres = lua_gettop(L);
  if (tr && tr->calls) {
    tr->depth--;
    struct kz_strbuf res = {0};
    if (nres == 0) kz_strbuf_adds(&res, "(nothing)");
    describe_range(L, 1, nres, &res);
    kz_trace_set_result(tr, ev, kz_strbuf_str(&res));
    kz_strbuf_free(&res);
  }
  return nres;
}

/* Replace the function on the top of the stack by its traced wrapper. */
static void wrap_top(lua_State *L, const char *name, int method) {
  lua_pushstring(L, name);
  lua_pushboolean(L, method);
  lua_pushcclosure(L, traced_call, 3);
}

void kz_trace_wrap_kz(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION &&
        strcmp(lua_tostring(L, -2), "log") != 0) {
      char name[128];
      snprintf(name, sizeof name, "kz.%s", lua_tostring(L, -2));
      wrap_top(L, name, 0);            /* key, wrapper */
      lua_pushvalue(L, -2);
      lua_insert(L, -2);               /* key, key, wrapper */
      lua_rawset(L, idx);              /* an existing key: next() goes on */
    } else {
      lua_pop(L, 1);
    }
  }
}

/* The household's __index: upvalue 1 the original (kz.Household). Methods
** come back wrapped; record lists and id as they are. */
static int traced_household_index(lua_State *L) {
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 2);
  lua_gettable(L, -2);
  struct kz_trace *tr = recorder(L);
  if (tr && tr->calls && lua_type(L, -1) == LUA_TFUNCTION && lua_type(L, 2) == LUA_TSTRING) {
    char name[128];
    snprintf(name, sizeof name, "hh:%s", lua_tostring(L, 2));
    wrap_top(L, name, 1);
  }
  return 1;
}

/* A record's __index: upvalue 1 the original (view.c's). A field read is
** recorded with its record; a method comes back wrapped. */
static int traced_record_index(lua_State *L) {
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  struct kz_trace *tr = recorder(L);
  if (!tr || !tr->calls || lua_type(L, 2) != LUA_TSTRING) return 1;
  int val = lua_gettop(L);
  const char *key = lua_tostring(L, 2);
  if (strcmp(key, "_table") == 0) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));      /* its table's name */
  lua_pushvalue(L, 1);
  lua_pushliteral(L, "_table");
  lua_call(L, 2, 1);
  const char *table = lua_tostring(L, -1);
  char name[128];
  snprintf(name, sizeof name, "%s", table ? table : "record");
  lua_pop(L, 1);
  if (lua_type(L, val) == LUA_TFUNCTION) {
    char mname[200];
    snprintf(mname, sizeof mname, "%s:%s", name, key);
    wrap_top(L, mname, 1);
    return 1;
  }
  struct kz_strbuf v = {0};
  describe(L, val, &v, 1);
  char file[256];
  int line;
  caller(L, file, sizeof file, &line);
  kz_trace_add(tr, KZ_TRACE_READ, name, kz_view_record_id(L, 1), kz_strbuf_str(&v), key,
               file[0] ? file : NULL, line);
  kz_strbuf_free(&v);
  lua_settop(L, val);
  return 1;
}

/* Replace field __index of the metatable registered as tname by f with the
** old value as its upvalue. */
static void wrap_index(lua_State *L, const char *tname, lua_CFunction f) {
  luaL_getmetatable(L, tname);
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "__index");
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}

void kz_trace_wrap_views(lua_State *L) {
  wrap_index(L, "kz.view.household", traced_household_index);
  wrap_index(L, "kz.view.record", traced_record_index);
}
