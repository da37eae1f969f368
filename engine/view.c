/*
** view.c — read-only Lua views of the household bundle (see view.h).
*/
#include "view.h"
#include "i18n.h"
#include "suggest.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

enum { V_HOUSEHOLD, V_LIST, V_RECORD };

struct view {
  const struct kz_bundle *b;
  uint32_t gen;
  int kind;        /* V_* */
  int table;       /* for lists and records */
  size_t row;      /* for records */
};

static const char *const MT[] = {"kz.view.household", "kz.view.list", "kz.view.record"};

/* The same metatables are also kept under these addresses in the registry:
** a lookup by light userdata is a plain hash probe, by name it is not. */
static const char MT_KEY[3] = {0, 0, 0};

static void push_mt(lua_State *L, int kind) { lua_rawgetp(L, LUA_REGISTRYINDEX, &MT_KEY[kind]); }

/* The view at idx if it is a live-or-stale view of kind, else NULL. */
static struct view *test_view(lua_State *L, int idx, int kind) {
  void *p = lua_touserdata(L, idx);
  if (!p || !lua_getmetatable(L, idx)) return NULL;
  push_mt(L, kind);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? p : NULL;
}

/* The view a metamethod was called on. Metatables are hidden from rules
** (__metatable = false), so a metamethod only ever receives its own kind of
** userdata as argument 1: no type check by name is needed on the hot path. */
static struct view *self_view(lua_State *L) {
  struct view *v = lua_touserdata(L, 1);
  if (v->b->live != v->gen)
    luaL_error(L, "a record of a household whose evaluation has ended was kept and used "
               "(keep ids and dates, not records, between households)");
  return v;
}

/* Every view of one household shares a cache table (its user value), so a
** record reached twice is one userdata, not two allocations. Keys: -(t+1)
** for the list of table t, t * 2^32 + row for a record. */
static void push_view(lua_State *L, const struct kz_bundle *b, int kind, int t, size_t row,
                      int cache) {
  lua_Integer key = kind == V_LIST ? -(lua_Integer)(t + 1)
                                   : (lua_Integer)t * ((lua_Integer)1 << 32) + (lua_Integer)row;
  if (cache && kind != V_HOUSEHOLD) {
    if (lua_rawgeti(L, cache, key) != LUA_TNIL) return;
    lua_pop(L, 1);
  }
  struct view *v = lua_newuserdatauv(L, sizeof *v, 1);
  v->b = b;
  v->gen = b->live;
  v->kind = kind;
  v->table = t;
  v->row = row;
  push_mt(L, kind);
  lua_setmetatable(L, -2);
  if (cache) {
    lua_pushvalue(L, cache);
    lua_setiuservalue(L, -2, 1);
    if (kind != V_HOUSEHOLD) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, cache, key);
    }
  }
}

static int refuse(lua_State *L) {
  return luaL_error(L, "records are read-only (field '%s')",
                    lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

/* Raise "<what> has no field 'k' (did you mean 'x'?)": the candidates are
** the table names (for a household, t < 0) or the columns of table t, and
** the keys of the methods table at methods. */
static int unknown_field(lua_State *L, const char *what, int methods, int t) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
  if (!k) { lua_pushnil(L); return 1; }   /* a number or other key: plainly absent */
  const char *names[96];
  size_t n = 0;
  if (t < 0) {
    names[n++] = "id";
    for (int i = 0; i < KZ_NTABLES; i++) names[n++] = kz_tables[i].name;
  } else {
    for (int c = 0; c < kz_tables[t].ncols; c++) names[n++] = kz_tables[t].cols[c].name;
  }
  if (lua_istable(L, methods)) {
    lua_pushnil(L);
    while (n < 96 && lua_next(L, methods)) {
      if (lua_type(L, -2) == LUA_TSTRING) names[n++] = lua_tostring(L, -2);
      lua_pop(L, 1);
    }
  }
  const char *hint = kz_suggest(k, names, n);
  return luaL_error(L, _("%s has no field '%s'%s%s%s"), t < 0 ? what : lua_pushfstring(L, _("a %s record"), what),
                    k, hint ? _(" (did you mean '") : "", hint ? hint : "", hint ? _("'?)") : "");
}

/* {====== household ====== */

/* A household's metatable has __index = kz.Household, so `hh:children()`
** is a plain table lookup in the Lua VM. Only what kz.Household lacks — the
** record lists and `id` — reaches this function, as kz.Household's own
** __index: it answers for the household being evaluated (registry
** K_CURRENT). A household whose evaluation has ended has had its metatable
** swapped for a stale one, so it can never reach here and read another's
** data. Upvalue 1: the key map {id = -1, <table name> = table index}. */
static const char K_CURRENT = 0;     /* registry: the household userdata now */
static const char K_STALE = 0;       /* registry: the metatable of ended households */

static int hh_lists(lua_State *L) {
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER) {
    int t = (int)lua_tointeger(L, -1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_CURRENT);
    struct view *v = lua_touserdata(L, -1);
    if (!v || v->b->live != v->gen) return luaL_error(L, "no household is being evaluated");
    if (t < 0) {
      lua_pushstring(L, v->b->household_id);
      return 1;
    }
    lua_getiuservalue(L, -1, 1);
    push_view(L, v->b, V_LIST, t, 0, lua_gettop(L));
    return 1;
  }
  return unknown_field(L, "household", 1, -1);
}

static int hh_stale(lua_State *L) {
  return luaL_error(L, "a household whose evaluation has ended was kept and used "
                    "(keep ids and dates, not records, between households)");
}

static int hh_tostring(lua_State *L) {
  struct view *v = self_view(L);
  lua_pushfstring(L, "household %s", v->b->household_id);
  return 1;
}

/* }====== */

/* {====== list ====== */

static int list_index(lua_State *L) {
  struct view *v = self_view(L);
  int isnum;
  lua_Integer i = lua_tointegerx(L, 2, &isnum);
  if (!isnum || i < 1 || (size_t)i > v->b->rows[v->table].n) {
    lua_pushnil(L);
    return 1;
  }
  lua_getiuservalue(L, 1, 1);
  push_view(L, v->b, V_RECORD, v->table, (size_t)i - 1, lua_gettop(L));
  return 1;
}

static int list_len(lua_State *L) {
  struct view *v = self_view(L);
  lua_pushinteger(L, (lua_Integer)v->b->rows[v->table].n);
  return 1;
}

static int list_tostring(lua_State *L) {
  struct view *v = self_view(L);
  lua_pushfstring(L, "%s of household %s", kz_tables[v->table].name, v->b->household_id);
  return 1;
}

/* }====== */

/* {====== record ====== */

static void push_value(lua_State *L, const struct view *v, int col) {
  const char *s = kz_bundle_value(v->b, v->table, v->row, col);
  if (!s) lua_pushnil(L);
  else if (kz_tables[v->table].cols[col].role == KZ_COL_INT) lua_pushinteger(L, atoi(s));
  else lua_pushstring(L, s);
}

/* __index of a record: upvalue 1 the per-table column maps {name = col}
** indexed by table + 1, upvalue 2 the per-table method tables likewise,
** upvalue 3 the methods common to every record. */
static int rec_index(lua_State *L) {
  struct view *v = self_view(L);
  lua_settop(L, 2);
  lua_rawgeti(L, lua_upvalueindex(1), v->table + 1);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) == LUA_TNUMBER) {
    int col = (int)lua_tointeger(L, -1);
    if (col >= 0) push_value(L, v, col);
    else lua_pushstring(L, kz_tables[v->table].name);   /* _table */
    return 1;
  }
  lua_rawgeti(L, lua_upvalueindex(2), v->table + 1);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) != LUA_TNIL) return 1;
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(3)) != LUA_TNIL) return 1;
  /* A column of another table is simply absent here (generic helpers ask
  ** any record for start_on); any other name is a typo worth saying. */
  const char *k = lua_tostring(L, 2);
  for (int t = 0; k && t < KZ_NTABLES; t++)
    if (kz_records_column(&kz_tables[t], k) >= 0) { lua_pushnil(L); return 1; }
  lua_rawgeti(L, lua_upvalueindex(2), v->table + 1);
  return unknown_field(L, kz_tables[v->table].name, lua_gettop(L), v->table);
}

static int rec_eq(lua_State *L) {
  struct view *a = test_view(L, 1, V_RECORD);
  struct view *b = test_view(L, 2, V_RECORD);
  lua_pushboolean(L, a && b && a->b == b->b && a->gen == b->gen && a->table == b->table &&
                         a->row == b->row);
  return 1;
}

static int rec_tostring(lua_State *L) {
  struct view *v = self_view(L);
  const char *id = kz_bundle_value(v->b, v->table, v->row, 0);
  lua_pushfstring(L, "%s %s", kz_tables[v->table].name, id ? id : "?");
  return 1;
}

const char *kz_view_record_id(lua_State *L, int idx) {
  struct view *v = test_view(L, idx, V_RECORD);
  if (!v || v->b->live != v->gen) return NULL;
  int col = kz_records_column(&kz_tables[v->table], "id");
  if (col < 0) col = 1;   /* members: the person */
  return kz_bundle_value(v->b, v->table, v->row, col);
}

int kz_view_record_json(lua_State *L, int idx, struct kz_strbuf *out) {
  struct view *v = test_view(L, idx, V_RECORD);
  if (!v || v->b->live != v->gen) return 0;
  const struct kz_table *td = &kz_tables[v->table];
  kz_strbuf_adds(out, "{\"table\":");
  kz_strbuf_add_json_string(out, td->name, strlen(td->name));
  for (int c = 0; c < td->ncols; c++) {
    const char *val = kz_bundle_value(v->b, v->table, v->row, c);
    enum kz_col_role r = td->cols[c].role;
    int is_id = strcmp(td->cols[c].name, "id") == 0 || strstr(td->cols[c].name, "_id") != NULL;
    int is_date = r == KZ_COL_DATE || r == KZ_COL_END || r == KZ_COL_EVENT;
    if (!val || !(is_id || is_date)) continue;   /* ids and dates, nothing else */
    kz_strbuf_adds(out, ",");
    kz_strbuf_add_json_string(out, td->cols[c].name, strlen(td->cols[c].name));
    kz_strbuf_adds(out, ":");
    kz_strbuf_add_json_string(out, val, strlen(val));
  }
  kz_strbuf_adds(out, "}");
  return 1;
}

/* }====== */

const struct kz_bundle *kz_view_check_household(lua_State *L, int idx) {
  struct view *v = test_view(L, idx, V_HOUSEHOLD);
  if (!v && lua_getmetatable(L, idx)) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_STALE);
    if (lua_rawequal(L, -1, -2)) hh_stale(L);
    lua_pop(L, 2);
  }
  if (!v) luaL_typeerror(L, idx, "household");
  if (v->b->live != v->gen) luaL_error(L, "a household used after its evaluation ended");
  return v->b;
}

void kz_view_push_record(lua_State *L, int hh_idx, int t, size_t row) {
  struct view *v = lua_touserdata(L, hh_idx);
  lua_getiuservalue(L, hh_idx, 1);
  push_view(L, v->b, V_RECORD, t, row, lua_gettop(L));
  lua_remove(L, -2);
}

int kz_view_locate(lua_State *L, int idx, const struct kz_bundle *b, int *t, size_t *row) {
  struct view *v = test_view(L, idx, V_RECORD);
  if (!v || v->b != b || v->gen != b->live) return 0;
  *t = v->table;
  *row = v->row;
  return 1;
}

void kz_view_push_household(lua_State *L, const struct kz_bundle *b) {
  size_t rows = 0;
  for (int t = 0; t < KZ_NTABLES; t++) rows += b->rows[t].n;
  lua_createtable(L, 0, (int)(rows + KZ_NTABLES + 1));   /* the household's cache, sized once */
  push_view(L, b, V_HOUSEHOLD, -1, 0, lua_gettop(L));
  lua_remove(L, -2);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &K_CURRENT) == LUA_TUSERDATA) {   /* retire the last */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_STALE);
    lua_setmetatable(L, -2);
  }
  lua_pop(L, 1);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &K_CURRENT);
}

/* Finish the metatable on the top of the stack: writes refused, tostr as
** __tostring, and hidden from rules (__metatable = false). */
static void lock_mt(lua_State *L, lua_CFunction tostr) {
  lua_pushcfunction(L, refuse);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, tostr);
  lua_setfield(L, -2, "__tostring");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
}

/* Create the metatable of kind with __index = index closing over nup values
** on the top of the stack (popped). */
static void new_mt(lua_State *L, int kind, lua_CFunction index, int nup,
                   lua_CFunction len, lua_CFunction tostr) {
  luaL_newmetatable(L, MT[kind]);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &MT_KEY[kind]);
  lua_insert(L, -1 - nup);
  lua_pushcclosure(L, index, nup);
  lua_setfield(L, -2, "__index");
  if (len) {
    lua_pushcfunction(L, len);
    lua_setfield(L, -2, "__len");
  }
  if (kind == V_RECORD) {
    lua_pushcfunction(L, rec_eq);
    lua_setfield(L, -2, "__eq");
  }
  lock_mt(L, tostr);
  lua_pop(L, 1);
}

void kz_view_init(lua_State *L) {
  int kz = lua_gettop(L);
  /* kz.Household and kz.Record[<table>], kz.Record.common: filled by kz.lua */
  lua_newtable(L);
  lua_setfield(L, kz, "Household");
  lua_newtable(L);
  int rm = lua_gettop(L);
  for (int t = 0; t < KZ_NTABLES; t++) {
    lua_newtable(L);
    lua_setfield(L, rm, kz_tables[t].name);
  }
  lua_newtable(L);
  lua_setfield(L, rm, "common");
  lua_setfield(L, kz, "Record");

  /* household: __index is kz.Household itself, whose own __index serves
  ** the record lists and id of the household being evaluated */
  lua_getfield(L, kz, "Household");
  int hm = lua_gettop(L);
  lua_createtable(L, 0, 1);
  lua_createtable(L, 0, KZ_NTABLES + 1);
  lua_pushinteger(L, -1);
  lua_setfield(L, -2, "id");
  for (int t = 0; t < KZ_NTABLES; t++) {
    lua_pushinteger(L, t);
    lua_setfield(L, -2, kz_tables[t].name);
  }
  lua_pushcclosure(L, hh_lists, 1);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, hm);
  luaL_newmetatable(L, MT[V_HOUSEHOLD]);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &MT_KEY[V_HOUSEHOLD]);
  lua_pushvalue(L, hm);
  lua_setfield(L, -2, "__index");
  lock_mt(L, hh_tostring);
  lua_pop(L, 1);
  lua_createtable(L, 0, 4);                       /* ended households */
  lua_pushcfunction(L, hh_stale);
  lua_setfield(L, -2, "__index");
  lock_mt(L, hh_stale);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &K_STALE);
  lua_pop(L, 1);                                  /* kz.Household */

  /* list */
  new_mt(L, V_LIST, list_index, 0, list_len, list_tostring);

  /* record: column maps, method tables, common methods */
  lua_createtable(L, KZ_NTABLES, 0);
  for (int t = 0; t < KZ_NTABLES; t++) {
    lua_createtable(L, 0, kz_tables[t].ncols + 1);
    for (int c = 0; c < kz_tables[t].ncols; c++) {
      lua_pushinteger(L, c);
      lua_setfield(L, -2, kz_tables[t].cols[c].name);
    }
    lua_pushinteger(L, -1);
    lua_setfield(L, -2, "_table");
    lua_rawseti(L, -2, t + 1);
  }
  lua_createtable(L, KZ_NTABLES, 0);
  lua_getfield(L, kz, "Record");
  for (int t = 0; t < KZ_NTABLES; t++) {
    lua_getfield(L, -1, kz_tables[t].name);
    lua_rawseti(L, -3, t + 1);
  }
  lua_getfield(L, -1, "common");
  lua_remove(L, -2);
  new_mt(L, V_RECORD, rec_index, 3, NULL, rec_tostring);
}
