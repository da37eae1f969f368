/*
** view.c — read-only Lua views of the household bundle (see view.h).
*/
#include "view.h"

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

static struct view *check_view(lua_State *L, int idx, int kind) {
  struct view *v = luaL_checkudata(L, idx, MT[kind]);
  if (v->b->gen != v->gen)
    luaL_error(L, "a %s of household %s was kept after its evaluation ended",
               kind == V_RECORD ? "record" : "view", "(gone)");
  return v;
}

static struct view *push_view(lua_State *L, const struct kz_bundle *b, int kind, int t, size_t row) {
  struct view *v = lua_newuserdatauv(L, sizeof *v, 0);
  v->b = b;
  v->gen = b->gen;
  v->kind = kind;
  v->table = t;
  v->row = row;
  luaL_setmetatable(L, MT[kind]);
  return v;
}

static int refuse(lua_State *L) {
  return luaL_error(L, "records are read-only (field '%s')",
                    lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

/* Look up key (at 2) in the method table given as upvalue 1 (and, for
** records, in its [table] sub-table). */
static int method(lua_State *L, const char *table) {
  lua_pushvalue(L, lua_upvalueindex(1));
  if (table) {
    if (lua_getfield(L, -1, table) != LUA_TTABLE) return 0;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

/* {====== household ====== */

static int hh_index(lua_State *L) {
  struct view *v = check_view(L, 1, V_HOUSEHOLD);
  const char *k = lua_tostring(L, 2);
  if (k && strcmp(k, "id") == 0) {
    lua_pushstring(L, v->b->household_id);
    return 1;
  }
  if (k) {
    const struct kz_table *td = kz_records_table(k);
    if (td) {
      push_view(L, v->b, V_LIST, (int)(td - kz_tables), 0);
      return 1;
    }
  }
  if (method(L, NULL)) return 1;
  lua_pushnil(L);
  return 1;
}

static int hh_tostring(lua_State *L) {
  struct view *v = check_view(L, 1, V_HOUSEHOLD);
  lua_pushfstring(L, "household %s", v->b->household_id);
  return 1;
}

/* }====== */

/* {====== list ====== */

static int list_index(lua_State *L) {
  struct view *v = check_view(L, 1, V_LIST);
  lua_Integer i = lua_tointeger(L, 2);
  if (!lua_isinteger(L, 2) || i < 1 || (size_t)i > v->b->rows[v->table].n) {
    lua_pushnil(L);
    return 1;
  }
  push_view(L, v->b, V_RECORD, v->table, (size_t)i - 1);
  return 1;
}

static int list_len(lua_State *L) {
  struct view *v = check_view(L, 1, V_LIST);
  lua_pushinteger(L, (lua_Integer)v->b->rows[v->table].n);
  return 1;
}

static int list_tostring(lua_State *L) {
  struct view *v = check_view(L, 1, V_LIST);
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

static int rec_index(lua_State *L) {
  struct view *v = check_view(L, 1, V_RECORD);
  const struct kz_table *td = &kz_tables[v->table];
  const char *k = lua_tostring(L, 2);
  if (k) {
    int col = kz_records_column(td, k);
    if (col >= 0) {
      push_value(L, v, col);
      return 1;
    }
    if (strcmp(k, "_table") == 0) {
      lua_pushstring(L, td->name);
      return 1;
    }
  }
  if (method(L, td->name) && !lua_isnil(L, -1)) return 1;
  lua_settop(L, 2);
  if (method(L, "common")) return 1;
  lua_pushnil(L);
  return 1;
}

static int rec_eq(lua_State *L) {
  struct view *a = luaL_testudata(L, 1, MT[V_RECORD]);
  struct view *b = luaL_testudata(L, 2, MT[V_RECORD]);
  lua_pushboolean(L, a && b && a->b == b->b && a->gen == b->gen && a->table == b->table &&
                         a->row == b->row);
  return 1;
}

static int rec_tostring(lua_State *L) {
  struct view *v = check_view(L, 1, V_RECORD);
  const char *id = kz_bundle_value(v->b, v->table, v->row, 0);
  lua_pushfstring(L, "%s %s", kz_tables[v->table].name, id ? id : "?");
  return 1;
}

const char *kz_view_record_id(lua_State *L, int idx) {
  struct view *v = luaL_testudata(L, idx, MT[V_RECORD]);
  if (!v || v->b->gen != v->gen) return NULL;
  int col = kz_records_column(&kz_tables[v->table], "id");
  if (col < 0) col = 1;   /* members: the person */
  return kz_bundle_value(v->b, v->table, v->row, col);
}

int kz_view_record_json(lua_State *L, int idx, struct kz_strbuf *out) {
  struct view *v = luaL_testudata(L, idx, MT[V_RECORD]);
  if (!v || v->b->gen != v->gen) return 0;
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

void kz_view_push_household(lua_State *L, const struct kz_bundle *b) {
  push_view(L, b, V_HOUSEHOLD, -1, 0);
}

static void new_mt(lua_State *L, int kind, lua_CFunction index, int methods_idx,
                   lua_CFunction len, lua_CFunction tostr) {
  luaL_newmetatable(L, MT[kind]);
  if (methods_idx) {
    lua_pushvalue(L, methods_idx);
    lua_pushcclosure(L, index, 1);
  } else {
    lua_pushcfunction(L, index);
  }
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse);
  lua_setfield(L, -2, "__newindex");
  if (len) {
    lua_pushcfunction(L, len);
    lua_setfield(L, -2, "__len");
  }
  lua_pushcfunction(L, tostr);
  lua_setfield(L, -2, "__tostring");
  if (kind == V_RECORD) {
    lua_pushcfunction(L, rec_eq);
    lua_setfield(L, -2, "__eq");
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

void kz_view_init(lua_State *L) {
  int kz = lua_gettop(L);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, kz, "Household");
  int hm = lua_gettop(L);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, kz, "Record");
  int rm = lua_gettop(L);
  for (int t = 0; t < KZ_NTABLES; t++) {
    lua_newtable(L);
    lua_setfield(L, rm, kz_tables[t].name);
  }
  lua_newtable(L);
  lua_setfield(L, rm, "common");
  new_mt(L, V_HOUSEHOLD, hh_index, hm, NULL, hh_tostring);
  new_mt(L, V_LIST, list_index, 0, list_len, list_tostring);
  new_mt(L, V_RECORD, rec_index, rm, NULL, rec_tostring);
  lua_pop(L, 2);
}
