/*
** vocab.c — the hot half of the shared vocabulary of RULES.md, in C.
**
** Every rule asks a household the same questions — its children, who is
** involved, where it lives, when a child was last seen — many times a
** night. Answering them in Lua costs a metamethod call for every field of
** every record looked at; answering them here is a plain loop over the
** bundle's rows. The meaning is exactly that of the Lua definitions they
** replace (kept as comments in engine/kz.lua); fixtures pin it. Everything
** here is built on the public Lua API and returns record views or fresh
** tables, so no rule can change what another sees.
*/
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "view.h"

/* Column positions, looked up once by name (records.c owns them). */
struct cols {
  int m_person, m_relation, m_start, m_end;
  int p_id, p_birth;
  int r_ward, r_start, r_end;
  int g_mother;
  int a_agency, a_start, a_end;
  int u_start, u_end;
  int c_person, c_agency, c_ward, c_occurred, c_seen;
  int k_child, k_scheduled, k_attended;
};

#define COL(t, n) kz_records_column(&kz_tables[t], n)

static void find_cols(struct cols *c) {
  c->m_person = COL(KZ_T_MEMBERS, "person_id");
  c->m_relation = COL(KZ_T_MEMBERS, "relation");
  c->m_start = COL(KZ_T_MEMBERS, "start_on");
  c->m_end = COL(KZ_T_MEMBERS, "end_on");
  c->p_id = COL(KZ_T_PERSONS, "id");
  c->p_birth = COL(KZ_T_PERSONS, "birth_on");
  c->r_ward = COL(KZ_T_RESIDENCES, "ward");
  c->r_start = COL(KZ_T_RESIDENCES, "start_on");
  c->r_end = COL(KZ_T_RESIDENCES, "end_on");
  c->g_mother = COL(KZ_T_PREGNANCIES, "mother_id");
  c->a_agency = COL(KZ_T_ASSIGNMENTS, "agency");
  c->a_start = COL(KZ_T_ASSIGNMENTS, "start_on");
  c->a_end = COL(KZ_T_ASSIGNMENTS, "end_on");
  c->u_start = COL(KZ_T_COUNCIL, "start_on");
  c->u_end = COL(KZ_T_COUNCIL, "end_on");
  c->c_person = COL(KZ_T_CONTACTS, "person_id");
  c->c_agency = COL(KZ_T_CONTACTS, "agency");
  c->c_ward = COL(KZ_T_CONTACTS, "ward");
  c->c_occurred = COL(KZ_T_CONTACTS, "occurred_on");
  c->c_seen = COL(KZ_T_CONTACTS, "child_seen");
  c->k_child = COL(KZ_T_CHECKUPS, "child_id");
  c->k_scheduled = COL(KZ_T_CHECKUPS, "scheduled_on");
  c->k_attended = COL(KZ_T_CHECKUPS, "attended_on");
}

/* What every vocabulary function starts from: the household's bundle, the
** columns, and the day asked about. */
struct ask {
  const struct kz_bundle *b;
  const struct cols *c;
};

/* nargs: the method's arguments counting self; missing ones become nil so
** that every argument has its fixed stack slot. */
static struct ask begin(lua_State *L, int nargs) {
  struct ask a;
  lua_settop(L, nargs);
  a.b = kz_view_check_household(L, 1);
  a.c = lua_touserdata(L, lua_upvalueindex(2));
  return a;
}

#define V(a, t, i, col) kz_bundle_value((a)->b, (t), (i), (col))

static int eq(const char *x, const char *y) { return x && y && strcmp(x, y) == 0; }

/* An optional day argument (default kz.today); the string stays valid while
** it is on the stack. */
static const char *day_arg(lua_State *L, int arg) {
  if (lua_isnil(L, arg)) {
    lua_getfield(L, lua_upvalueindex(1), "today");
    lua_replace(L, arg);
  }
  return luaL_checkstring(L, arg);
}

static const char *opt_string(lua_State *L, int arg) {
  return lua_isnoneornil(L, arg) ? NULL : luaL_checkstring(L, arg);
}

/* start <= at and (end is nil or end > at) */
static int active(const char *start, const char *end, const char *at) {
  return start && strcmp(start, at) <= 0 && (!end || strcmp(end, at) > 0);
}

/* The first persons row with this id, or -1. */
static long person_row(const struct ask *a, const char *id) {
  for (size_t i = 0; id && i < a->b->rows[KZ_T_PERSONS].n; i++)
    if (eq(V(a, KZ_T_PERSONS, i, a->c->p_id), id)) return (long)i;
  return -1;
}

/* The first membership of id active on at, or -1. */
static long membership_row(const struct ask *a, const char *id, const char *at) {
  const struct cols *c = a->c;
  for (size_t i = 0; id && i < a->b->rows[KZ_T_MEMBERS].n; i++)
    if (eq(V(a, KZ_T_MEMBERS, i, c->m_person), id) &&
        active(V(a, KZ_T_MEMBERS, i, c->m_start), V(a, KZ_T_MEMBERS, i, c->m_end), at))
      return (long)i;
  return -1;
}

static int push_row_or_nil(lua_State *L, long row, int t) {
  if (row < 0) lua_pushnil(L);
  else kz_view_push_record(L, 1, t, (size_t)row);
  return 1;
}

/* Append the record (t, row) to the table at idx. */
static void append(lua_State *L, int idx, int t, size_t row) {
  kz_view_push_record(L, 1, t, row);
  lua_rawseti(L, idx, (lua_Integer)lua_rawlen(L, idx) + 1);
}

/* {====== People ====== */

/* hh:person(id): the person record, or nil. */
static int h_person(lua_State *L) {
  struct ask a = begin(L, 2);
  return push_row_or_nil(L, person_row(&a, luaL_checkstring(L, 2)), KZ_T_PERSONS);
}

/* hh:membership(id, at): the active membership of person id, or nil. */
static int h_membership(lua_State *L) {
  struct ask a = begin(L, 3);
  const char *id = luaL_checkstring(L, 2);
  return push_row_or_nil(L, membership_row(&a, id, day_arg(L, 3)), KZ_T_MEMBERS);
}

/* hh:children(at): persons with an active `child` membership, under 18 on
** at (a child with no birth date counts). */
static int h_children(lua_State *L) {
  struct ask a = begin(L, 2);
  const struct cols *c = a.c;
  const char *at = day_arg(L, 2);
  kz_day day;
  if (kz_date_parse(at, &day)) return luaL_argerror(L, 2, "not a date");
  lua_newtable(L);
  int out = lua_gettop(L);
  for (size_t i = 0; i < a.b->rows[KZ_T_MEMBERS].n; i++) {
    if (!eq(V(&a, KZ_T_MEMBERS, i, c->m_relation), "child") ||
        !active(V(&a, KZ_T_MEMBERS, i, c->m_start), V(&a, KZ_T_MEMBERS, i, c->m_end), at))
      continue;
    long p = person_row(&a, V(&a, KZ_T_MEMBERS, i, c->m_person));
    if (p < 0) continue;
    const char *birth = V(&a, KZ_T_PERSONS, (size_t)p, c->p_birth);
    kz_day born;
    if (birth && (strcmp(birth, at) > 0 || kz_date_parse(birth, &born) ||
                  kz_date_age(born, day) >= 18))
      continue;
    append(L, out, KZ_T_PERSONS, (size_t)p);
  }
  return 1;
}

/* hh:mothers(): members active today who are the mother of a visible
** pregnancy, each once. */
static int h_mothers(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *today = day_arg(L, 2);
  lua_newtable(L);
  int out = lua_gettop(L);
  size_t n = a.b->rows[KZ_T_PREGNANCIES].n;
  for (size_t i = 0; i < n; i++) {
    const char *id = V(&a, KZ_T_PREGNANCIES, i, a.c->g_mother);
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = eq(V(&a, KZ_T_PREGNANCIES, j, a.c->g_mother), id);
    if (seen || membership_row(&a, id, today) < 0) continue;
    long p = person_row(&a, id);
    if (p >= 0) append(L, out, KZ_T_PERSONS, (size_t)p);
  }
  return 1;
}

/* }====== */

/* {====== Where the household lives ====== */

static long residence_row(const struct ask *a, const char *at) {
  for (size_t i = a->b->rows[KZ_T_RESIDENCES].n; i-- > 0;)
    if (active(V(a, KZ_T_RESIDENCES, i, a->c->r_start), V(a, KZ_T_RESIDENCES, i, a->c->r_end), at))
      return (long)i;
  return -1;
}

/* hh:residence(at): the last residence active on at, or nil. */
static int h_residence(lua_State *L) {
  struct ask a = begin(L, 2);
  return push_row_or_nil(L, residence_row(&a, day_arg(L, 2)), KZ_T_RESIDENCES);
}

/* hh:ward(at): the ward of the active residence; when that is outside the
** city (ward nil), the ward of the last residence in the city started by at. */
static int h_ward(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, 2);
  long r = residence_row(&a, at);
  const char *ward = r >= 0 ? V(&a, KZ_T_RESIDENCES, (size_t)r, a.c->r_ward) : NULL;
  for (size_t i = a.b->rows[KZ_T_RESIDENCES].n; !ward && i-- > 0;) {
    const char *start = V(&a, KZ_T_RESIDENCES, i, a.c->r_start);
    if (start && strcmp(start, at) <= 0) ward = V(&a, KZ_T_RESIDENCES, i, a.c->r_ward);
  }
  if (ward) lua_pushstring(L, ward);
  else lua_pushnil(L);
  return 1;
}

/* }====== */

/* {====== Agencies ====== */

static int assignment_active(const struct ask *a, size_t i, const char *kind, const char *at) {
  return eq(V(a, KZ_T_ASSIGNMENTS, i, a->c->a_agency), kind) &&
         active(V(a, KZ_T_ASSIGNMENTS, i, a->c->a_start), V(a, KZ_T_ASSIGNMENTS, i, a->c->a_end), at);
}

/* hh:assignments_of(kind, at): the assignments of kind active on at. */
static int h_assignments_of(lua_State *L) {
  struct ask a = begin(L, 3);
  const char *kind = luaL_checkstring(L, 2), *at = day_arg(L, 3);
  lua_newtable(L);
  int out = lua_gettop(L);
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n; i++)
    if (assignment_active(&a, i, kind, at)) append(L, out, KZ_T_ASSIGNMENTS, i);
  return 1;
}

/* hh:involved(kind, at): the earliest-started assignment of kind active on
** at, or nil: the kind is "involved" with the household. */
static int h_involved(lua_State *L) {
  struct ask a = begin(L, 3);
  const char *kind = luaL_checkstring(L, 2), *at = day_arg(L, 3);
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n; i++)
    if (assignment_active(&a, i, kind, at)) return push_row_or_nil(L, (long)i, KZ_T_ASSIGNMENTS);
  lua_pushnil(L);
  return 1;
}

/* hh:registration(at): the last council (要対協) registration active on at. */
static int h_registration(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, 2);
  for (size_t i = a.b->rows[KZ_T_COUNCIL].n; i-- > 0;)
    if (active(V(&a, KZ_T_COUNCIL, i, a.c->u_start), V(&a, KZ_T_COUNCIL, i, a.c->u_end), at))
      return push_row_or_nil(L, (long)i, KZ_T_COUNCIL);
  lua_pushnil(L);
  return 1;
}

/* }====== */

/* {====== Contacts and sightings ====== */

/* Does contact i see child id? (child_seen = 1 and person_id nil or id) */
static int sees(const struct ask *a, size_t i, const char *id) {
  const char *seen = V(a, KZ_T_CONTACTS, i, a->c->c_seen);
  const char *person = V(a, KZ_T_CONTACTS, i, a->c->c_person);
  return seen && seen[0] == '1' && seen[1] == '\0' && (!person || eq(person, id));
}

static long seen_since_row(const struct ask *a, const char *id, const char *from,
                           const char *kind) {
  for (size_t i = 0; i < a->b->rows[KZ_T_CONTACTS].n; i++) {
    const char *on = V(a, KZ_T_CONTACTS, i, a->c->c_occurred);
    if (on && strcmp(on, from) >= 0 && sees(a, i, id) &&
        (!kind || eq(V(a, KZ_T_CONTACTS, i, a->c->c_agency), kind)))
      return (long)i;
  }
  return -1;
}

/* kz.sees(contact, id) */
static int k_sees(lua_State *L) {
  lua_settop(L, 2);
  lua_getfield(L, 1, "child_seen");
  lua_getfield(L, 1, "person_id");
  const char *id = luaL_checkstring(L, 2);
  int yes = lua_tointeger(L, 3) == 1 && (lua_isnil(L, 4) || (lua_isstring(L, 4) &&
                                                              strcmp(lua_tostring(L, 4), id) == 0));
  lua_pushboolean(L, yes);
  return 1;
}

/* hh:last_sighting(id): the latest contact that saw child id, or nil. */
static int h_last_sighting(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *id = luaL_checkstring(L, 2);
  for (size_t i = a.b->rows[KZ_T_CONTACTS].n; i-- > 0;)
    if (sees(&a, i, id)) return push_row_or_nil(L, (long)i, KZ_T_CONTACTS);
  lua_pushnil(L);
  return 1;
}

/* hh:seen_since(id, from, kind): the first contact on or after from that saw
** child id (by agency kind only, when given). */
static int h_seen_since(lua_State *L) {
  struct ask a = begin(L, 4);
  const char *id = luaL_checkstring(L, 2), *from = luaL_checkstring(L, 3);
  return push_row_or_nil(L, seen_since_row(&a, id, from, opt_string(L, 4)), KZ_T_CONTACTS);
}

/* hh:contact_since(from, kind, ward): the first contact with the household
** on or after from (by agency kind and ward only, when given). */
static int h_contact_since(lua_State *L) {
  struct ask a = begin(L, 4);
  const char *from = luaL_checkstring(L, 2), *kind = opt_string(L, 3), *ward = opt_string(L, 4);
  for (size_t i = 0; i < a.b->rows[KZ_T_CONTACTS].n; i++) {
    const char *on = V(&a, KZ_T_CONTACTS, i, a.c->c_occurred);
    if (on && strcmp(on, from) >= 0 &&
        (!kind || eq(V(&a, KZ_T_CONTACTS, i, a.c->c_agency), kind)) &&
        (!ward || eq(V(&a, KZ_T_CONTACTS, i, a.c->c_ward), ward)))
      return push_row_or_nil(L, (long)i, KZ_T_CONTACTS);
  }
  lua_pushnil(L);
  return 1;
}

/* hh:last_contact(kind): the latest contact (by agency kind, when given). */
static int h_last_contact(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *kind = opt_string(L, 2);
  for (size_t i = a.b->rows[KZ_T_CONTACTS].n; i-- > 0;)
    if (!kind || eq(V(&a, KZ_T_CONTACTS, i, a.c->c_agency), kind))
      return push_row_or_nil(L, (long)i, KZ_T_CONTACTS);
  lua_pushnil(L);
  return 1;
}

/* }====== */

/* {====== Checkups ====== */

/* hh:missed_checkups(child, grace): checkups of child with scheduled_on +
** grace <= today, not attended, and the child not seen by any agency on or
** after scheduled_on; in bundle (scheduled_on) order. */
static int h_missed_checkups(lua_State *L) {
  struct ask a = begin(L, 4);
  lua_getfield(L, 2, "id");
  const char *child = luaL_checkstring(L, -1);
  lua_Integer grace = luaL_checkinteger(L, 3);
  const char *today = day_arg(L, 4);
  kz_day now;
  if (kz_date_parse(today, &now)) return luaL_error(L, "kz.today is not a date");
  lua_newtable(L);
  int out = lua_gettop(L);
  for (size_t i = 0; i < a.b->rows[KZ_T_CHECKUPS].n; i++) {
    const char *sched = V(&a, KZ_T_CHECKUPS, i, a.c->k_scheduled);
    kz_day day;
    if (!eq(V(&a, KZ_T_CHECKUPS, i, a.c->k_child), child) ||
        V(&a, KZ_T_CHECKUPS, i, a.c->k_attended) || !sched || kz_date_parse(sched, &day) ||
        now - day < grace || seen_since_row(&a, child, sched, NULL) >= 0)
      continue;
    append(L, out, KZ_T_CHECKUPS, i);
  }
  return 1;
}

/* }====== */

/* kz.active(rec, at): start_on <= at and (end_on nil or end_on > at). */
static int k_active(lua_State *L) {
  lua_settop(L, 2);
  const char *at = day_arg(L, 2);
  lua_getfield(L, 1, "start_on");
  lua_getfield(L, 1, "end_on");
  const char *s = lua_tostring(L, -2), *e = lua_tostring(L, -1);
  lua_pushboolean(L, active(s, e, at));
  return 1;
}

static const luaL_Reg household_methods[] = {
  {"person", h_person}, {"membership", h_membership}, {"children", h_children},
  {"mothers", h_mothers}, {"residence", h_residence}, {"ward", h_ward},
  {"assignments_of", h_assignments_of}, {"involved", h_involved},
  {"registration", h_registration}, {"last_sighting", h_last_sighting},
  {"seen_since", h_seen_since}, {"contact_since", h_contact_since},
  {"last_contact", h_last_contact}, {"missed_checkups", h_missed_checkups},
  {NULL, NULL}
};

static const luaL_Reg kz_functions[] = {
  {"active", k_active}, {"sees", k_sees}, {NULL, NULL}
};

/* Register the vocabulary: methods into kz.Household, functions into kz.
** Expects kz (with Household) at index kz_idx. */
void kz_vocab_register(lua_State *L, int kz_idx) {
  kz_idx = lua_absindex(L, kz_idx);
  lua_getfield(L, kz_idx, "Household");
  lua_pushvalue(L, kz_idx);
  struct cols *c = lua_newuserdatauv(L, sizeof *c, 0);
  find_cols(c);
  luaL_setfuncs(L, household_methods, 2);
  lua_pop(L, 1);
  lua_pushvalue(L, kz_idx);
  c = lua_newuserdatauv(L, sizeof *c, 0);
  find_cols(c);
  lua_pushvalue(L, kz_idx);
  lua_insert(L, -3);
  luaL_setfuncs(L, kz_functions, 2);
  lua_pop(L, 1);
}
