/*
** vocab.c — the C words of the rules' vocabulary (RULES.md "Words used
** below"): every hh:... question about a household that runs for every
** household of a night (children, sightings, involvement, missed checkups,
** risk events) and kz.active, kz.sees and kz.covered_since. Each word is
** defined here once, with the RULES.md sentence it implements above it; the
** list of every word (C and Lua) with its meaning is engine/vocab_words.c.
**
** What a word reads from the municipality profile (checkup_grace_days,
** risk_weights, the agency names) it gets from kz_vocab_bind; the day it
** defaults to is kz.today, set with its C copy by kz_vocab_set_today, the
** one place a run's day is given to rules and words. A long household
** (100k contacts) is answered from an index built on its first question
** (see "The household's index"), so its cost grows as n log n in its rows,
** never rows x rows. tests/e2e/vocab.sh checks every word against its
** pure-Lua reference (tests/rules/vocab/reference.lua) over generated
** cities. Everything here is built on the public Lua API and returns record
** views or fresh tables, so no rule can change what another sees.
*/
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "i18n.h"
#include "profile.h"
#include "router.h"
#include "sandbox.h"
#include "view.h"
#include "vocab.h"

/* Column positions, looked up once by name (records.c owns them). */
struct cols {
  int m_person, m_relation, m_start, m_end;
  int p_id, p_birth;
  int r_ward, r_start, r_end;
  int g_mother;
  int a_agency, a_start, a_end;
  int u_start, u_end;
  int c_person, c_agency, c_ward, c_occurred, c_seen;
  int k_child, k_scheduled, k_attended, k_kind;
  int a_id, u_primary, g_end, g_outcome, w_end, e_source, e_received;
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
  c->k_kind = COL(KZ_T_CHECKUPS, "kind");
  c->a_id = COL(KZ_T_ASSIGNMENTS, "id");
  c->u_primary = COL(KZ_T_COUNCIL, "primary_agency");
  c->g_end = COL(KZ_T_PREGNANCIES, "end_on");
  c->g_outcome = COL(KZ_T_PREGNANCIES, "outcome");
  c->w_end = COL(KZ_T_WELFARE, "end_on");
  c->e_source = COL(KZ_T_REPORTS, "source");
  c->e_received = COL(KZ_T_REPORTS, "received_on");
}

/* {====== The household's index ======
**
** A large household (a long history: 100k contacts, 20k checkups) must not
** cost contacts x checkups. On the first question asked of a household, its
** rows are indexed once: persons by id, memberships by person, checkups by
** child, contacts by agency, and its sightings by child (and agency). Every
** question is then a binary search and a walk over the rows it is about, so
** a household's work is O(n log n) in its rows. The index lives in the
** vocabulary's own scratch (one per Lua state, grown to the largest household
** and reused; freed with the state) and belongs to one household at a time. */

/* A sighting of a child (RULES.md "seen"): a contact with child_seen = 1
** (person NULL: it saw every child), or an attended checkup (the
** health_center saw the child on attended_on). */
struct sighting {
  const char *person;      /* NULL: every child of the household */
  const char *agency;
  const char *day;
  int rank;                /* on one day: 0 a checkup, 1 a contact (the last is a contact) */
  int table;
  size_t row;
};

/* A row of a table under the value of one of its columns. */
struct keyed {
  const char *key;
  size_t row;
};

enum { IX_PERSONS = 1, IX_MEMBERS = 2, IX_CHECKUPS = 4, IX_CONTACTS = 8, IX_SEEN = 16,
       IX_PREGNANCIES = 32 };

struct index {
  const struct kz_bundle *b;     /* the household it describes: b at gen, live */
  uint32_t gen, live;
  size_t nrows[KZ_NTABLES];
  unsigned built;                /* IX_* parts built for it so far */
  struct keyed *persons;         /* by id */
  struct keyed *members;         /* by person_id */
  struct keyed *checkups;        /* by child_id */
  struct keyed *contacts;        /* by agency */
  struct keyed *pregnancies;     /* by mother_id */
  struct sighting *seen;         /* by person, day */
  struct sighting *seen_kind;    /* by person, agency, day */
  size_t nseen;
  size_t cap_keyed[5], cap_seen;
};

/* }====== */


/* The vocabulary's upvalue: the columns and the index scratch. */
struct vocab {
  struct cols c;
  struct index ix;
  char today[KZ_DATE_LEN];       /* kz.today, as kz_vocab_set_today set it */
  kz_day today_day;
  lua_Integer grace;             /* the profile's checkup_grace_days (has_grace) */
  int has_grace;
  int weights_ref;               /* registry ref of the profile's risk_weights, or LUA_NOREF */
};

/* Registry key of the one struct vocab of a state (for kz_vocab_set_today). */
static const char K_VOCAB = 0;

/* What every vocabulary function starts from: the household's bundle, the
** columns, and the day asked about. */
struct ask {
  const struct kz_bundle *b;
  const struct cols *c;
  struct index *ix;              /* the household's index, built part by part */
  struct vocab *v;
  lua_State *L;                  /* errors (out of memory) are raised on it */
};

/* nargs: the method's arguments counting self; missing ones become nil so
** that every argument has its fixed stack slot. */
static struct ask begin(lua_State *L, int nargs) {
  struct ask a;
  lua_settop(L, nargs);
  struct vocab *v = lua_touserdata(L, lua_upvalueindex(2));
  a.b = kz_view_check_household(L, 1);
  a.c = &v->c;
  a.ix = &v->ix;
  a.v = v;
  a.L = L;
  return a;
}

#define V(a, t, i, col) kz_bundle_value((a)->b, (t), (i), (col))

/* The agency kinds RULES.md's words name (their names staff read are the
** profile's: kz.agency_name). "seen": an attended checkup is the
** health_center's sighting; "under support": family_consultation or
** child_guidance involved, or a council registration active. */
static const char HEALTH_CENTER[] = "health_center";
static const char FAMILY_CONSULTATION[] = "family_consultation";
static const char CHILD_GUIDANCE[] = "child_guidance";

static int eq(const char *x, const char *y) { return x && y && strcmp(x, y) == 0; }

/* {====== The household's index: building and asking ====== */

static int cmp_null(const char *x, const char *y) {
  if (!x || !y) return (x != NULL) - (y != NULL);
  return strcmp(x, y);
}

static int cmp_size(size_t x, size_t y) { return (x > y) - (x < y); }

static int keyed_cmp(const void *x, const void *y) {
  const struct keyed *a = x, *b = y;
  int c = cmp_null(a->key, b->key);
  return c ? c : cmp_size(a->row, b->row);
}

static int when_cmp(const struct sighting *a, const struct sighting *b) {
  int c = strcmp(a->day, b->day);
  if (!c) c = a->rank - b->rank;
  return c ? c : cmp_size(a->row, b->row);
}

static int seen_cmp(const void *x, const void *y) {
  const struct sighting *a = x, *b = y;
  int c = cmp_null(a->person, b->person);
  return c ? c : when_cmp(a, b);
}

static int seen_kind_cmp(const void *x, const void *y) {
  const struct sighting *a = x, *b = y;
  int c = cmp_null(a->person, b->person);
  if (!c) c = cmp_null(a->agency, b->agency);
  return c ? c : when_cmp(a, b);
}

/* Make *p hold n elements of size bytes (growing *cap). Returns 0 or -1. */
static int reserve(void **p, size_t *cap, size_t n, size_t size) {
  if (n <= *cap) return 0;
  size_t want = *cap ? *cap : 16;
  while (want < n) want *= 2;
  void *q = realloc(*p, want * size);
  if (!q) return -1;
  *p = q;
  *cap = want;
  return 0;
}

/* Rows of table t keyed by column col, sorted by (key, row). */
static int index_keyed(struct index *ix, int k, struct keyed **out, int t, int col) {
  const struct kz_bundle *b = ix->b;
  size_t n = b->rows[t].n;
  if (reserve((void **)out, &ix->cap_keyed[k], n, sizeof **out)) return -1;
  for (size_t i = 0; i < n; i++) {
    (*out)[i].key = kz_bundle_value(b, t, i, col);
    (*out)[i].row = i;
  }
  if (n > 1) qsort(*out, n, sizeof **out, keyed_cmp);     /* (an empty table: no array) */
  return 0;
}

static void add_sighting(struct index *ix, const char *person, const char *agency,
                         const char *day, int t, size_t row) {
  struct sighting *s = &ix->seen[ix->nseen++];
  s->person = person; s->agency = agency; s->day = day;
  s->rank = t == KZ_T_CHECKUPS ? 0 : 1;
  s->table = t; s->row = row;
}

/* Is b the household ix describes? (b, gen and live name one evaluation) */
static int index_fresh(const struct index *ix, const struct kz_bundle *b) {
  if (ix->b != b || ix->gen != b->gen || ix->live != b->live) return 0;
  for (int t = 0; t < KZ_NTABLES; t++)
    if (ix->nrows[t] != b->rows[t].n) return 0;
  return 1;
}

/* The sightings of the household, sorted twice (by person and day; by
** person, agency and day). Returns 0 or -1 (out of memory). */
static int index_sightings(struct index *ix, const struct cols *c) {
  const struct kz_bundle *b = ix->b;
  size_t ncontacts = b->rows[KZ_T_CONTACTS].n, ncheckups = b->rows[KZ_T_CHECKUPS].n;
  if (reserve((void **)&ix->seen, &ix->cap_seen, 2 * (ncontacts + ncheckups) + 1, sizeof *ix->seen))
    return -1;
  ix->nseen = 0;
  for (size_t i = 0; i < ncontacts; i++) {
    const char *seen = kz_bundle_value(b, KZ_T_CONTACTS, i, c->c_seen);
    const char *on = kz_bundle_value(b, KZ_T_CONTACTS, i, c->c_occurred);
    if (on && seen && seen[0] == '1' && seen[1] == '\0')
      add_sighting(ix, kz_bundle_value(b, KZ_T_CONTACTS, i, c->c_person),
                   kz_bundle_value(b, KZ_T_CONTACTS, i, c->c_agency), on, KZ_T_CONTACTS, i);
  }
  for (size_t i = 0; i < ncheckups; i++) {      /* attended_on after D is NULL (not yet) */
    const char *on = kz_bundle_value(b, KZ_T_CHECKUPS, i, c->k_attended);
    const char *child = kz_bundle_value(b, KZ_T_CHECKUPS, i, c->k_child);
    if (on && child) add_sighting(ix, child, HEALTH_CENTER, on, KZ_T_CHECKUPS, i);
  }
  size_t n = ix->nseen;
  qsort(ix->seen, n, sizeof *ix->seen, seen_cmp);
  ix->seen_kind = ix->seen + n;
  memcpy(ix->seen_kind, ix->seen, n * sizeof *ix->seen);
  qsort(ix->seen_kind, n, sizeof *ix->seen, seen_kind_cmp);
  return 0;
}

/* The index of the household asked about, with parts (IX_*) built on first
** use. Raises a Lua error when memory runs out. */
static const struct index *index_of(const struct ask *a, unsigned parts) {
  struct index *ix = a->ix;
  const struct kz_bundle *b = a->b;
  const struct cols *c = a->c;
  if (!index_fresh(ix, b)) {
    ix->b = b;
    ix->gen = b->gen;
    ix->live = b->live;
    for (int t = 0; t < KZ_NTABLES; t++) ix->nrows[t] = b->rows[t].n;
    ix->built = 0;
  }
  unsigned want = parts & ~ix->built;
  if (!want) return ix;
  int rc = 0;
  if (!rc && (want & IX_PERSONS)) rc = index_keyed(ix, 0, &ix->persons, KZ_T_PERSONS, c->p_id);
  if (!rc && (want & IX_MEMBERS)) rc = index_keyed(ix, 1, &ix->members, KZ_T_MEMBERS, c->m_person);
  if (!rc && (want & IX_CHECKUPS)) rc = index_keyed(ix, 2, &ix->checkups, KZ_T_CHECKUPS, c->k_child);
  if (!rc && (want & IX_CONTACTS)) rc = index_keyed(ix, 3, &ix->contacts, KZ_T_CONTACTS, c->c_agency);
  if (!rc && (want & IX_PREGNANCIES))
    rc = index_keyed(ix, 4, &ix->pregnancies, KZ_T_PREGNANCIES, c->g_mother);
  if (!rc && (want & IX_SEEN)) rc = index_sightings(ix, c);
  if (rc) {
    ix->b = NULL;                                /* never half-built */
    luaL_error(a->L, "not enough memory to index household %s", b->household_id);
  }
  ix->built |= want;
  return ix;
}

/* The rows of arr[0..n) whose key is key: [*lo, *hi). */
static void keyed_range(const struct keyed *arr, size_t n, const char *key, size_t *lo, size_t *hi) {
  size_t l = 0, h = n;
  while (l < h) {
    size_t m = l + (h - l) / 2;
    if (cmp_null(arr[m].key, key) < 0) l = m + 1; else h = m;
  }
  *lo = l;
  h = n;
  while (l < h) {
    size_t m = l + (h - l) / 2;
    if (cmp_null(arr[m].key, key) <= 0) l = m + 1; else h = m;
  }
  *hi = l;
}

/* The sightings of person (NULL: of every child), by agency kind when kind
** is given: [*lo, *hi) of ix->seen or ix->seen_kind. */
static const struct sighting *seen_range(const struct index *ix, const char *person,
                                         const char *kind, size_t *lo, size_t *hi) {
  const struct sighting *s = kind ? ix->seen_kind : ix->seen;
  size_t l = 0, h = ix->nseen;
  for (int upper = 0; upper < 2; upper++) {
    size_t a = upper ? l : 0, z = ix->nseen;
    while (a < z) {
      size_t m = a + (z - a) / 2;
      int c = cmp_null(s[m].person, person);
      if (!c && kind) c = cmp_null(s[m].agency, kind);
      if (upper ? c <= 0 : c < 0) a = m + 1; else z = m;
    }
    if (upper) h = a; else l = a;
  }
  *lo = l;
  *hi = h;
  return s;
}

/* The earliest sighting of child id on or after from (by agency kind only,
** when given), or NULL. */
static const struct sighting *first_seen(const struct index *ix, const char *id, const char *from,
                                         const char *kind) {
  const struct sighting *best = NULL;
  for (int k = 0; k < 2; k++) {                  /* contacts that saw every child, then id */
    size_t lo, hi;
    const struct sighting *s = seen_range(ix, k ? id : NULL, kind, &lo, &hi);
    size_t l = lo, h = hi;
    while (l < h) {
      size_t m = l + (h - l) / 2;
      if (strcmp(s[m].day, from) < 0) l = m + 1; else h = m;
    }
    if (l < hi && (!best || when_cmp(&s[l], best) < 0)) best = &s[l];
  }
  return best;
}

/* The latest sighting of child id, or NULL. */
static const struct sighting *last_seen(const struct index *ix, const char *id) {
  const struct sighting *best = NULL;
  for (int k = 0; k < 2; k++) {
    size_t lo, hi;
    const struct sighting *s = seen_range(ix, k ? id : NULL, NULL, &lo, &hi);
    if (hi > lo && (!best || when_cmp(&s[hi - 1], best) > 0)) best = &s[hi - 1];
  }
  return best;
}

/* The first row among rows[lo, hi) of contacts (in bundle, that is date,
** order) that occurred on or after from, as an index into rows. */
static size_t contacts_from(const struct ask *a, const struct keyed *rows, size_t lo, size_t hi,
                            const char *from) {
  while (lo < hi) {
    size_t m = lo + (hi - lo) / 2;
    size_t r = rows ? rows[m].row : m;
    if (cmp_null(V(a, KZ_T_CONTACTS, r, a->c->c_occurred), from) < 0) lo = m + 1; else hi = m;
  }
  return lo;
}

/* }====== */

/* An optional day argument, default the run's day D (RULES.md "D: the
** run's as-of date"): kz.today, which kz_vocab_set_today sets together with
** the vocabulary's own copy (so that the C words need not look it up). The
** string stays valid while it is on the stack or the state lives. */
static const char *today_arg(lua_State *L, int arg) {
  if (lua_isnil(L, arg)) return ((struct vocab *)lua_touserdata(L, lua_upvalueindex(2)))->today;
  return luaL_checkstring(L, arg);
}

/* As today_arg, for a household's question. */
static const char *day_arg(lua_State *L, const struct ask *a, int arg) {
  return lua_isnil(L, arg) ? a->v->today : luaL_checkstring(L, arg);
}

/* The day at as a kz_day (the run's day is parsed once, when it is set). */
static int parse_day(const struct ask *a, const char *at, kz_day *out) {
  if (at == a->v->today) { *out = a->v->today_day; return 0; }
  return kz_date_parse(at, out);
}

/* {====== What the vocabulary reads from the profile ======
**
** kz_vocab_bind keeps checkup_grace_days and risk_weights in the state's
** struct vocab (the weights as a registry ref: never handed to a rule). */

/* checkup_grace_days of the profile (RULES.md "missed checkup"); raises an
** error naming it when the profile has none. */
static lua_Integer profile_grace(lua_State *L, const struct vocab *v) {
  if (!v->has_grace)
    luaL_error(L, "the profile has no whole-number param checkup_grace_days (rules/kizuki.yaml params:)");
  return v->grace;
}

/* }====== */

static const char *opt_string(lua_State *L, int arg) {
  return lua_isnoneornil(L, arg) ? NULL : luaL_checkstring(L, arg);
}

/* start <= at and (end is nil or end > at) */
static int active(const char *start, const char *end, const char *at) {
  return start && strcmp(start, at) <= 0 && (!end || strcmp(end, at) > 0);
}

/* The first persons row with this id, or -1. */
static long person_row(const struct ask *a, const char *id) {
  if (!id) return -1;
  const struct index *ix = index_of(a, IX_PERSONS);
  size_t lo, hi;
  keyed_range(ix->persons, a->b->rows[KZ_T_PERSONS].n, id, &lo, &hi);
  return lo < hi ? (long)ix->persons[lo].row : -1;
}

/* The first membership of id active on at, or -1. */
static long membership_row(const struct ask *a, const char *id, const char *at) {
  const struct cols *c = a->c;
  if (!id) return -1;
  const struct index *ix = index_of(a, IX_MEMBERS);
  size_t lo, hi;
  keyed_range(ix->members, a->b->rows[KZ_T_MEMBERS].n, id, &lo, &hi);
  for (size_t k = lo; k < hi; k++) {
    size_t i = ix->members[k].row;
    if (active(V(a, KZ_T_MEMBERS, i, c->m_start), V(a, KZ_T_MEMBERS, i, c->m_end), at))
      return (long)i;
  }
  return -1;
}

/* The id of the person record at idx: straight from the bundle for a view,
** else its `id` field (left on the stack). */
static const char *record_id(lua_State *L, const struct ask *a, int idx) {
  int t;
  size_t row;
  if (kz_view_locate(L, idx, a->b, &t, &row) && t == KZ_T_PERSONS) {
    const char *id = V(a, KZ_T_PERSONS, row, a->c->p_id);
    if (id) return id;
  }
  lua_getfield(L, idx, "id");
  return luaL_checkstring(L, -1);
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
  return push_row_or_nil(L, membership_row(&a, id, day_arg(L, &a, 3)), KZ_T_MEMBERS);
}

/* The persons row of the next child on day at (day: the same as a kz_day),
** looking from membership *i on, or -1 when there is none; *i moves past
** it. hh:children() is these rows in order. */
static long next_child(const struct ask *a, const char *at, kz_day day, size_t *i) {
  const struct cols *c = a->c;
  while (*i < a->b->rows[KZ_T_MEMBERS].n) {
    size_t m = (*i)++;
    if (!eq(V(a, KZ_T_MEMBERS, m, c->m_relation), "child") ||
        !active(V(a, KZ_T_MEMBERS, m, c->m_start), V(a, KZ_T_MEMBERS, m, c->m_end), at))
      continue;
    long p = person_row(a, V(a, KZ_T_MEMBERS, m, c->m_person));
    if (p < 0) continue;
    const char *birth = V(a, KZ_T_PERSONS, (size_t)p, c->p_birth);
    kz_day born;
    if (birth && (strcmp(birth, at) > 0 || kz_date_parse(birth, &born) ||
                  kz_date_age(born, day) >= 18))
      continue;
    return p;
  }
  return -1;
}

/* hh:children(at): RULES.md "child: a person whose membership of the
** household has relation `child`, active at D, under 18 at D" — on day at
** (a child with no birth date counts). */
static int h_children(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, &a, 2);
  kz_day day;
  if (parse_day(&a, at, &day)) return luaL_argerror(L, 2, "not a date");
  lua_newtable(L);
  int out = lua_gettop(L);
  size_t i = 0;
  long p;
  while ((p = next_child(&a, at, day, &i)) >= 0) append(L, out, KZ_T_PERSONS, (size_t)p);
  return 1;
}

/* hh:mothers(): members active today who are the mother of a visible
** pregnancy, each once. */
static int h_mothers(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *today = day_arg(L, &a, 2);
  lua_newtable(L);
  int out = lua_gettop(L);
  size_t n = a.b->rows[KZ_T_PREGNANCIES].n;
  const struct keyed *by_mother = n ? index_of(&a, IX_PREGNANCIES)->pregnancies : NULL;
  for (size_t i = 0; i < n; i++) {
    const char *id = V(&a, KZ_T_PREGNANCIES, i, a.c->g_mother);
    size_t lo, hi;
    keyed_range(by_mother, n, id, &lo, &hi);
    if (by_mother[lo].row != i) continue;       /* her first pregnancy is the one that counts */
    if (membership_row(&a, id, today) < 0) continue;
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
  return push_row_or_nil(L, residence_row(&a, day_arg(L, &a, 2)), KZ_T_RESIDENCES);
}

/* hh:ward(at): RULES.md "ward of a household: from its residence active at
** D; if that residence is outside the city (ward NULL), the ward of its last
** residence in the city" (the last started by at). */
static int h_ward(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *ward = kz_router_household_ward(a.b, day_arg(L, &a, 2));   /* one definition, router.c */
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
  const char *kind = luaL_checkstring(L, 2), *at = day_arg(L, &a, 3);
  lua_newtable(L);
  int out = lua_gettop(L);
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n; i++)
    if (assignment_active(&a, i, kind, at)) append(L, out, KZ_T_ASSIGNMENTS, i);
  return 1;
}

/* hh:involved(kind, at): RULES.md "an agency kind is involved with a
** household when it has an assignment active at D" — the earliest-started
** assignment of kind active on at, or nil. */
static int h_involved(lua_State *L) {
  struct ask a = begin(L, 3);
  const char *kind = luaL_checkstring(L, 2), *at = day_arg(L, &a, 3);
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n; i++)
    if (assignment_active(&a, i, kind, at)) return push_row_or_nil(L, (long)i, KZ_T_ASSIGNMENTS);
  lua_pushnil(L);
  return 1;
}

/* hh:registration(at): the last council (要対協) registration active on at. */
static int h_registration(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, &a, 2);
  for (size_t i = a.b->rows[KZ_T_COUNCIL].n; i-- > 0;)
    if (active(V(&a, KZ_T_COUNCIL, i, a.c->u_start), V(&a, KZ_T_COUNCIL, i, a.c->u_end), at))
      return push_row_or_nil(L, (long)i, KZ_T_COUNCIL);
  lua_pushnil(L);
  return 1;
}

/* }====== */

/* {====== Contacts and sightings ====== */

/* The sighting s: its record (a contact or an attended checkup) and its
** day, or nil. */
static int push_sighting(lua_State *L, const struct sighting *s) {
  if (!s) { lua_pushnil(L); return 1; }
  kz_view_push_record(L, 1, s->table, s->row);
  lua_pushstring(L, s->day);
  return 2;
}

/* Has child id been seen on or after day from (by any agency)? */
static int seen_on_or_after(const struct ask *a, const char *id, const char *from) {
  const struct sighting *s = last_seen(index_of(a, IX_SEEN), id);
  return s && strcmp(s->day, from) >= 0;
}

/* kz.sees(contact, id): RULES.md "seen: child C is seen on day X by a
** contact with `child_seen = 1` on X whose person_id is NULL or C". */
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

/* hh:last_sighting(id): the latest sighting of child id (RULES.md "seen": a
** contact with child_seen = 1 for the child or every child, or a checkup the
** child attended) and its day; nil when the child was never seen. */
static int h_last_sighting(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *id = luaL_checkstring(L, 2);
  return push_sighting(L, last_seen(index_of(&a, IX_SEEN), id));
}

/* hh:seen_since(id, from, kind): the first sighting of child id on or after
** from, and its day (by agency kind only, when given: an attended checkup is
** the health_center's sighting, never child_guidance's). */
static int h_seen_since(lua_State *L) {
  struct ask a = begin(L, 4);
  const char *id = luaL_checkstring(L, 2), *from = luaL_checkstring(L, 3);
  const char *kind = opt_string(L, 4);
  return push_sighting(L, first_seen(index_of(&a, IX_SEEN), id, from, kind));
}

/* hh:contact_since(from, kind, ward): the first contact with the household
** on or after from (by agency kind and ward only, when given). */
static int h_contact_since(lua_State *L) {
  struct ask a = begin(L, 4);
  const char *from = luaL_checkstring(L, 2), *kind = opt_string(L, 3), *ward = opt_string(L, 4);
  const struct keyed *rows = NULL;             /* NULL: every contact, in bundle order */
  size_t lo = 0, hi = a.b->rows[KZ_T_CONTACTS].n;
  if (kind) {
    rows = index_of(&a, IX_CONTACTS)->contacts;
    keyed_range(rows, hi, kind, &lo, &hi);
  }
  for (size_t k = contacts_from(&a, rows, lo, hi, from); k < hi; k++) {
    size_t i = rows ? rows[k].row : k;
    if (!ward || eq(V(&a, KZ_T_CONTACTS, i, a.c->c_ward), ward))
      return push_row_or_nil(L, (long)i, KZ_T_CONTACTS);
  }
  lua_pushnil(L);
  return 1;
}

/* hh:last_contact(kind): the latest contact (by agency kind, when given). */
static int h_last_contact(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *kind = opt_string(L, 2);
  size_t n = a.b->rows[KZ_T_CONTACTS].n, lo = 0, hi = n;
  if (!kind) return push_row_or_nil(L, (long)n - 1, KZ_T_CONTACTS);
  const struct keyed *rows = index_of(&a, IX_CONTACTS)->contacts;
  keyed_range(rows, n, kind, &lo, &hi);
  return push_row_or_nil(L, hi > lo ? (long)rows[hi - 1].row : -1, KZ_T_CONTACTS);
}

/* }====== */

/* {====== Checkups ====== */

/* Is checkup row i (of child) missed on day now? RULES.md "missed checkup":
** a checkup with scheduled_on + checkup_grace_days <= D, not attended by D,
** and C not seen by any agency on or after scheduled_on. The one test of it:
** hh:missed_checkups and hh:risk_events both ask here. */
static int missed(const struct ask *a, const char *child, size_t i, lua_Integer grace, kz_day now) {
  const char *sched = V(a, KZ_T_CHECKUPS, i, a->c->k_scheduled);
  kz_day day;
  return !V(a, KZ_T_CHECKUPS, i, a->c->k_attended) && sched && !kz_date_parse(sched, &day) &&
         now - day >= grace && !seen_on_or_after(a, child, sched);
}

/* hh:missed_checkups(child, grace): RULES.md "missed checkup" — checkups of
** child with scheduled_on + grace <= today (grace: default the profile's
** checkup_grace_days), not attended, and the child not seen by any agency on
** or after scheduled_on (attending a later checkup is being seen); in bundle
** (scheduled_on) order. */
static int h_missed_checkups(lua_State *L) {
  struct ask a = begin(L, 4);
  const char *child = record_id(L, &a, 2);
  lua_Integer grace = lua_isnil(L, 3) ? profile_grace(L, a.v) : luaL_checkinteger(L, 3);
  const char *today = day_arg(L, &a, 4);
  kz_day now;
  if (parse_day(&a, today, &now)) return luaL_error(L, _("kz.today is not a date"));
  lua_newtable(L);
  int out = lua_gettop(L);
  size_t lo, hi;
  const struct keyed *rows = index_of(&a, IX_CHECKUPS)->checkups;
  keyed_range(rows, a.b->rows[KZ_T_CHECKUPS].n, child, &lo, &hi);
  for (size_t k = lo; k < hi; k++)
    if (missed(&a, child, rows[k].row, grace, now)) append(L, out, KZ_T_CHECKUPS, rows[k].row);
  return 1;
}

/* }====== */


/* {====== Spans of involvement ====== */

struct span { const char *start, *end; };

static int span_cmp(const void *x, const void *y) {
  const struct span *a = x, *b = y;
  return strcmp(a->start, b->start);
}

/* The first day of the unbroken stretch of spans (sorted by start) that
** covers at, or NULL: spans that overlap or follow on join (kz.covered_since
** in kz.lua says the same for any list of periods). */
static const char *covered_since(const struct span *sp, size_t n, const char *at) {
  const char *s = NULL, *e = NULL;
  for (size_t i = 0; i < n; i++) {
    const char *rs = sp[i].start;
    if (!rs || strcmp(rs, at) > 0) continue;
    if (!s || (e && strcmp(rs, e) > 0)) {
      s = rs;
      e = sp[i].end;
    } else if (e) {
      e = sp[i].end ? (strcmp(sp[i].end, e) > 0 ? sp[i].end : e) : NULL;
    }
  }
  return s && (!e || strcmp(e, at) > 0) ? s : NULL;
}

#define MAX_SPANS 256   /* a household's assignments and registrations */

static int in_kinds(lua_State *L, int kinds, const char *agency) {
  if (!agency) return 0;
  if (lua_type(L, kinds) == LUA_TSTRING) return strcmp(lua_tostring(L, kinds), agency) == 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, kinds);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, kinds, i);
    int yes = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), agency) == 0;
    lua_pop(L, 1);
    if (yes) return 1;
  }
  return 0;
}

static int push_day_or_nil(lua_State *L, const char *day) {
  if (day) lua_pushstring(L, day);
  else lua_pushnil(L);
  return 1;
}

/* hh:involved_since(kinds, at): RULES.md "it has been involved *since* the
** first day of the unbroken run of its assignments (hand-overs between staff
** or wards that follow on do not restart it)" — for any of kinds (a kind or
** a list), still going on at; nil when none is involved then. */
static int h_involved_since(lua_State *L) {
  struct ask a = begin(L, 3);
  if (!lua_isstring(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  const char *at = day_arg(L, &a, 3);
  struct span sp[MAX_SPANS];
  size_t n = 0;
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n && n < MAX_SPANS; i++)
    if (in_kinds(L, 2, V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_agency))) {
      sp[n].start = V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_start);
      sp[n++].end = V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_end);
    }
  return push_day_or_nil(L, covered_since(sp, n, at));     /* rows are in start order */
}

/* hh:supported_since(at): the first day of the unbroken support
** (family_consultation or child_guidance involved, or a council
** registration active) still going on at, or nil. */
static int h_supported_since(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, &a, 2);
  struct span sp[MAX_SPANS];
  size_t n = 0;
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n && n < MAX_SPANS; i++) {
    const char *ag = V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_agency);
    if (eq(ag, FAMILY_CONSULTATION) || eq(ag, CHILD_GUIDANCE)) {
      sp[n].start = V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_start);
      sp[n++].end = V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_end);
    }
  }
  for (size_t i = 0; i < a.b->rows[KZ_T_COUNCIL].n && n < MAX_SPANS; i++) {
    sp[n].start = V(&a, KZ_T_COUNCIL, i, a.c->u_start);
    sp[n++].end = V(&a, KZ_T_COUNCIL, i, a.c->u_end);
  }
  if (n == 0) { lua_pushnil(L); return 1; }
  for (size_t i = 0; i < n; i++)
    if (!sp[i].start) sp[i].start = "";      /* sorts first, never covers */
  qsort(sp, n, sizeof *sp, span_cmp);
  for (size_t i = 0; i < n; i++)
    if (!sp[i].start[0]) sp[i].start = NULL;
  return push_day_or_nil(L, covered_since(sp, n, at));
}

/* hh:last_ended(kind): the assignment of kind that ended last (by today), or
** nil: when that agency last stepped away or lost a staff member. */
static int h_last_ended(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *kind = luaL_checkstring(L, 2);
  long last = -1;
  for (size_t i = 0; i < a.b->rows[KZ_T_ASSIGNMENTS].n; i++) {
    const char *end = V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_end);
    if (eq(V(&a, KZ_T_ASSIGNMENTS, i, a.c->a_agency), kind) && end &&
        (last < 0 || strcmp(end, V(&a, KZ_T_ASSIGNMENTS, (size_t)last, a.c->a_end)) >= 0))
      last = (long)i;
  }
  return push_row_or_nil(L, last, KZ_T_ASSIGNMENTS);
}

static int involved_row(const struct ask *a, const char *kind, const char *at) {
  for (size_t i = 0; i < a->b->rows[KZ_T_ASSIGNMENTS].n; i++)
    if (assignment_active(a, i, kind, at)) return 1;
  return 0;
}

static long registration_row(const struct ask *a, const char *at) {
  for (size_t i = a->b->rows[KZ_T_COUNCIL].n; i-- > 0;)
    if (active(V(a, KZ_T_COUNCIL, i, a->c->u_start), V(a, KZ_T_COUNCIL, i, a->c->u_end), at))
      return (long)i;
  return -1;
}

/* hh:under_support(at): family_consultation or child_guidance involved, or a
** council registration active. */
static int h_under_support(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, &a, 2);
  lua_pushboolean(L, involved_row(&a, FAMILY_CONSULTATION, at) ||
                     involved_row(&a, CHILD_GUIDANCE, at) || registration_row(&a, at) >= 0);
  return 1;
}

/* hh:primary_agency(at): the council's primary agency, else
** family_consultation, else child_guidance (when involved), else nil. */
static int h_primary_agency(lua_State *L) {
  struct ask a = begin(L, 2);
  const char *at = day_arg(L, &a, 2);
  long r = registration_row(&a, at);
  const char *primary = r >= 0 ? V(&a, KZ_T_COUNCIL, (size_t)r, a.c->u_primary) : NULL;
  if (!primary && involved_row(&a, FAMILY_CONSULTATION, at)) primary = FAMILY_CONSULTATION;
  if (!primary && involved_row(&a, CHILD_GUIDANCE, at)) primary = CHILD_GUIDANCE;
  return push_day_or_nil(L, primary);
}

/* }====== */

/* {====== Moves and risk events ====== */

/* Each residence whose ward differs from the one before it (both started by
** today): calls fn(prev_row, row) in order. */
static void each_move(const struct ask *a, const char *today,
                      void (*fn)(lua_State *, const struct ask *, size_t, size_t, void *),
                      lua_State *L, void *ctx) {
  long prev = -1;
  for (size_t i = 0; i < a->b->rows[KZ_T_RESIDENCES].n; i++) {
    const char *start = V(a, KZ_T_RESIDENCES, i, a->c->r_start);
    if (!start || strcmp(start, today) > 0) continue;
    if (prev >= 0) {
      const char *pw = V(a, KZ_T_RESIDENCES, (size_t)prev, a->c->r_ward);
      const char *w = V(a, KZ_T_RESIDENCES, i, a->c->r_ward);
      if (pw && !eq(pw, w)) fn(L, a, (size_t)prev, i, ctx);
    }
    prev = (long)i;
  }
}

static void push_move(lua_State *L, const struct ask *a, size_t from, size_t to, void *ctx) {
  int out = *(int *)ctx;
  lua_createtable(L, 0, 4);
  lua_pushstring(L, V(a, KZ_T_RESIDENCES, to, a->c->r_start));
  lua_setfield(L, -2, "on");
  kz_view_push_record(L, 1, KZ_T_RESIDENCES, from);
  lua_setfield(L, -2, "from");
  kz_view_push_record(L, 1, KZ_T_RESIDENCES, to);
  lua_setfield(L, -2, "to");
  lua_pushboolean(L, V(a, KZ_T_RESIDENCES, to, a->c->r_ward) == NULL);
  lua_setfield(L, -2, "out");
  lua_rawseti(L, out, (lua_Integer)lua_rawlen(L, out) + 1);
}

/* hh:moves(): RULES.md (risk events) "a move to another ward or out of the
** city (start_on of the new residence)" — each one started by today, as { on = start_on, from = residence, to = residence, out = true
** when the new residence is outside the city }. */
static int h_moves(lua_State *L) {
  struct ask a = begin(L, 1);
  lua_pushnil(L);
  const char *today = day_arg(L, &a, 2);
  lua_newtable(L);
  int out = lua_gettop(L);
  each_move(&a, today, push_move, L, &out);
  return 1;
}

struct event {
  const char *kind, *on;
  int table;
  size_t row;
  const char *label;
  size_t seq;                    /* insertion order: ties keep it */
};

struct events {
  struct event *ev;              /* cap of them: on the C stack, or scratch userdata */
  size_t n, cap;
  const char *from, *today;
};

static void add_event(struct events *e, const char *kind, const char *on, int t, size_t row,
                      const char *label) {
  if (!on || strcmp(on, e->from) < 0 || strcmp(on, e->today) > 0 || e->n == e->cap) return;
  struct event *x = &e->ev[e->n];
  x->kind = kind; x->on = on; x->table = t; x->row = row; x->label = label; x->seq = e->n;
  e->n++;
}

static void move_event(lua_State *L, const struct ask *a, size_t from, size_t to, void *ctx) {
  (void)L; (void)from;
  add_event(ctx, "move", V(a, KZ_T_RESIDENCES, to, a->c->r_start), KZ_T_RESIDENCES, to,
            V(a, KZ_T_RESIDENCES, to, a->c->r_ward) ? "区間転居" : "市外転出");
}

static int event_cmp(const void *x, const void *y) {
  const struct event *a = x, *b = y;
  int c = strcmp(a->on, b->on);
  if (!c) c = strcmp(a->kind, b->kind);
  return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Room for one event per row that can be one: most households have few, on
** the C stack (few, nfew of them); a long history gets scratch userdata
** (collected with the call). */
static void events_room(lua_State *L, const struct ask *a, struct events *e,
                        struct event *few, size_t nfew) {
  size_t rows = a->b->rows[KZ_T_CHECKUPS].n + a->b->rows[KZ_T_WELFARE].n +
                a->b->rows[KZ_T_PREGNANCIES].n + a->b->rows[KZ_T_REPORTS].n +
                a->b->rows[KZ_T_RESIDENCES].n;
  e->ev = few;
  e->n = 0;
  e->cap = nfew;
  if (rows > e->cap) {
    e->ev = lua_newuserdatauv(L, rows * sizeof *e->ev, 0);
    e->cap = rows;
  }
}

/* Missed checkups of the children (as hh:children() and hh:missed_checkups()). */
static void checkup_events(const struct ask *a, struct events *e, kz_day now, lua_Integer grace) {
  const struct cols *c = a->c;
  size_t ci = 0;
  long p;
  while ((p = next_child(a, e->today, now, &ci)) >= 0) {
    const char *child = V(a, KZ_T_PERSONS, (size_t)p, c->p_id);
    size_t lo = 0, hi = 0;
    const struct keyed *by_child = index_of(a, IX_CHECKUPS)->checkups;
    if (child) keyed_range(by_child, a->b->rows[KZ_T_CHECKUPS].n, child, &lo, &hi);
    for (size_t k = lo; k < hi; k++)
      if (missed(a, child, by_child[k].row, grace, now))
        add_event(e, "checkup_missed", V(a, KZ_T_CHECKUPS, by_child[k].row, c->k_scheduled),
                  KZ_T_CHECKUPS, by_child[k].row, NULL);
  }
}

/* Welfare periods ending, pregnancies of a member ending without a birth,
** reports, and moves. */
static void record_events(lua_State *L, const struct ask *a, struct events *e) {
  const struct cols *c = a->c;
  for (size_t i = 0; i < a->b->rows[KZ_T_WELFARE].n; i++)
    add_event(e, "welfare_ended", V(a, KZ_T_WELFARE, i, c->w_end), KZ_T_WELFARE, i, "生活保護終了");
  for (size_t i = 0; i < a->b->rows[KZ_T_PREGNANCIES].n; i++) {
    const char *end = V(a, KZ_T_PREGNANCIES, i, c->g_end), *out = V(a, KZ_T_PREGNANCIES, i, c->g_outcome);
    if (end && out && !eq(out, "birth") &&
        membership_row(a, V(a, KZ_T_PREGNANCIES, i, c->g_mother), e->today) >= 0)
      add_event(e, "pregnancy_lost", end, KZ_T_PREGNANCIES, i, "妊娠が継続しなかった");
  }
  for (size_t i = 0; i < a->b->rows[KZ_T_REPORTS].n; i++) {
    int police = eq(V(a, KZ_T_REPORTS, i, c->e_source), "police");
    add_event(e, police ? "report_police" : "report", V(a, KZ_T_REPORTS, i, c->e_received),
              KZ_T_REPORTS, i, police ? "警察からの情報" : "関係機関からの情報");
  }
  each_move(a, e->today, move_event, L, e);
}

/* Push an event's known_on: a missed checkup counts grace days after
** scheduled_on; any other event from its day. */
static void push_known_on(lua_State *L, const struct event *x, lua_Integer grace) {
  if (x->table == KZ_T_CHECKUPS) {
    kz_day sched;
    char buf[KZ_DATE_LEN];
    if (kz_date_parse(x->on, &sched)) lua_pushstring(L, x->on);
    else lua_pushstring(L, kz_date_format(sched + (kz_day)grace, buf));
  } else {
    lua_pushstring(L, x->on);
  }
}

/* Push an event's label: its own, or "<checkup name>未受診" from the
** checkup names table at names. */
static void push_event_label(lua_State *L, const struct ask *a, const struct event *x, int names) {
  if (x->label) {
    lua_pushstring(L, x->label);
    return;
  }
  const char *kind = V(a, KZ_T_CHECKUPS, x->row, a->c->k_kind);
  lua_getfield(L, names, kind ? kind : "");
  if (!lua_isstring(L, -1)) { lua_pop(L, 1); lua_pushstring(L, kind ? kind : "?"); }
  lua_pushliteral(L, "未受診");
  lua_concat(L, 2);
}

/* Push { kind, on, record, weight, known_on, label } for x; its weight from
** the table at weights. */
static void push_event(lua_State *L, const struct ask *a, const struct event *x, int weights,
                       int names, lua_Integer grace) {
  lua_createtable(L, 0, 6);
  lua_pushstring(L, x->kind);
  lua_setfield(L, -2, "kind");
  lua_pushstring(L, x->on);
  lua_setfield(L, -2, "on");
  kz_view_push_record(L, 1, x->table, x->row);
  lua_setfield(L, -2, "record");
  lua_getfield(L, weights, x->kind);
  lua_setfield(L, -2, "weight");
  push_known_on(L, x, grace);
  lua_setfield(L, -2, "known_on");
  push_event_label(L, a, x, names);
  lua_setfield(L, -2, "label");
}

/* hh:risk_events(from): RULES.md "risk events of a household: a missed
** checkup of its child (dated scheduled_on), a welfare period ending
** (end_on), a pregnancy of a member ending without a birth (end_on), a report
** about it (received_on), a move to another ward or out of the city
** (start_on of the new residence)" — those on or after from and by today, in
** date order. Each is { kind, on, known_on, record, weight, label }: weight
** from the profile's risk_weights (nil for a kind it does not weigh);
** known_on the day the event counts from (a missed checkup: scheduled_on +
** the profile's checkup_grace_days; any other: on). */
static int h_risk_events(lua_State *L) {
  if (lua_istable(L, 2))
    return luaL_error(L, "hh:risk_events(from) takes no params table: the grace and the weights "
                      "come from the profile (rules/kizuki.yaml)");
  struct ask a = begin(L, 2);
  struct event few[64];
  struct events events = {0}, *e = &events;
  events_room(L, &a, e, few, sizeof few / sizeof *few);
  e->from = luaL_checkstring(L, 2);
  lua_pushnil(L);
  e->today = day_arg(L, &a, lua_gettop(L));
  kz_day now;
  if (parse_day(&a, e->today, &now)) return luaL_error(L, _("kz.today is not a date"));
  lua_Integer grace = profile_grace(L, a.v);
  if (a.v->weights_ref == LUA_NOREF || a.v->weights_ref == LUA_REFNIL ||
      lua_rawgeti(L, LUA_REGISTRYINDEX, a.v->weights_ref) != LUA_TTABLE)
    return luaL_error(L, "the profile has no map param risk_weights (rules/kizuki.yaml params:)");
  int weights = lua_gettop(L);
  lua_getfield(L, lua_upvalueindex(1), "checkup_name");
  int names = lua_gettop(L);

  checkup_events(&a, e, now, grace);
  record_events(L, &a, e);
  qsort(e->ev, e->n, sizeof *e->ev, event_cmp);

  lua_createtable(L, (int)e->n, 0);
  int out = lua_gettop(L);
  for (size_t i = 0; i < e->n; i++) {
    push_event(L, &a, &e->ev[i], weights, names, grace);
    lua_rawseti(L, out, (lua_Integer)i + 1);
  }
  return 1;
}

/* }====== */

/* kz.active(rec, at): RULES.md "active at D: `start_on` ≤ D and (`end_on`
** is NULL or `end_on` > D)", on day at (default today). */
static int k_active(lua_State *L) {
  lua_settop(L, 2);
  const char *at = today_arg(L, 2);
  lua_getfield(L, 1, "start_on");
  lua_getfield(L, 1, "end_on");
  const char *s = lua_tostring(L, -2), *e = lua_tostring(L, -1);
  lua_pushboolean(L, active(s, e, at));
  return 1;
}

/* kz.covered_since(periods, at): RULES.md "involved ... since the first day
** of the unbroken run of its assignments (hand-overs between staff or wards
** that follow on do not restart it)", for any list of periods (records with
** start_on / end_on, in start_on order): the first day of the unbroken
** stretch that covers at (default today), or nil. The same covered_since
** answers hh:involved_since and hh:supported_since. */
static int k_covered_since(lua_State *L) {
  lua_settop(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  const char *at = today_arg(L, 2);
  size_t n = (size_t)luaL_len(L, 1);
  struct span few[64], *sp = few;
  if (n > sizeof few / sizeof *few) sp = lua_newuserdatauv(L, n * sizeof *sp, 0);
  luaL_checkstack(L, (int)(2 * n < 1000000 ? 2 * n : 1000000), "too many periods");
  for (size_t i = 0; i < n; i++) {     /* the dates stay on the stack while used */
    lua_geti(L, 1, (lua_Integer)i + 1);
    int r = lua_gettop(L);
    lua_getfield(L, r, "start_on");
    lua_getfield(L, r, "end_on");
    lua_remove(L, r);
    sp[i].start = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    sp[i].end = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  }
  const char *since = covered_since(sp, n, at);
  return push_day_or_nil(L, since);
}

static const luaL_Reg household_methods[] = {
  {"person", h_person}, {"membership", h_membership}, {"children", h_children},
  {"mothers", h_mothers}, {"residence", h_residence}, {"ward", h_ward},
  {"assignments_of", h_assignments_of}, {"involved", h_involved},
  {"registration", h_registration}, {"last_sighting", h_last_sighting},
  {"seen_since", h_seen_since}, {"contact_since", h_contact_since},
  {"last_contact", h_last_contact}, {"missed_checkups", h_missed_checkups},
  {"involved_since", h_involved_since}, {"supported_since", h_supported_since},
  {"last_ended", h_last_ended}, {"under_support", h_under_support},
  {"primary_agency", h_primary_agency}, {"moves", h_moves}, {"risk_events", h_risk_events},
  {NULL, NULL}
};

static const luaL_Reg kz_functions[] = {
  {"active", k_active}, {"sees", k_sees}, {"covered_since", k_covered_since}, {NULL, NULL}
};

/* The index scratch goes with the Lua state. */
static int vocab_gc(lua_State *L) {
  struct vocab *v = lua_touserdata(L, 1);
  free(v->ix.persons);
  free(v->ix.members);
  free(v->ix.checkups);
  free(v->ix.contacts);
  free(v->ix.pregnancies);
  free(v->ix.seen);
  memset(&v->ix, 0, sizeof v->ix);
  return 0;
}

/* Push a fresh vocabulary upvalue: the columns, an empty index, and a
** metatable (no __metatable access from rules: it is never handed out) that
** frees the index with the state. */
static void new_vocab(lua_State *L) {
  struct vocab *v = lua_newuserdatauv(L, sizeof *v, 0);
  memset(v, 0, sizeof *v);
  find_cols(&v->c);
  memcpy(v->today, "1970-01-01", sizeof v->today);   /* until a run sets it */
  v->weights_ref = LUA_NOREF;                          /* until kz_vocab_bind */
  kz_date_parse(v->today, &v->today_day);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, vocab_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
}

void kz_vocab_register(lua_State *L, int kz_idx) {
  kz_idx = lua_absindex(L, kz_idx);
  new_vocab(L);                                 /* one for the state */
  int v = lua_gettop(L);
  lua_pushvalue(L, v);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &K_VOCAB);
  lua_pushstring(L, ((struct vocab *)lua_touserdata(L, v))->today);
  lua_setfield(L, kz_idx, "today");
  lua_getfield(L, kz_idx, "Household");
  lua_pushvalue(L, kz_idx);
  lua_pushvalue(L, v);
  luaL_setfuncs(L, household_methods, 2);
  lua_pop(L, 1);
  lua_pushvalue(L, kz_idx);                     /* the table set into */
  lua_pushvalue(L, kz_idx);                     /* upvalues: kz, the vocab */
  lua_pushvalue(L, v);
  luaL_setfuncs(L, kz_functions, 2);
  lua_settop(L, v - 1);
}

void kz_vocab_set_today(struct kz_sandbox *sb, kz_day day) {
  lua_State *L = sb->L;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &K_VOCAB);
  struct vocab *v = lua_touserdata(L, -1);
  lua_pop(L, 1);
  kz_date_format(day, v->today);
  v->today_day = day;
  lua_pushstring(L, v->today);
  kz_sandbox_set(sb, "today");
}

int kz_vocab_bind(struct kz_sandbox *sb, const struct kz_profile *prof) {
  lua_State *L = sb->L;
  int top = lua_gettop(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &K_VOCAB);
  struct vocab *v = lua_touserdata(L, -1);
  lua_pop(L, 1);
  const struct kz_param *grace = kz_profile_param(prof, "checkup_grace_days");
  v->has_grace = grace && !grace->fields && grace->value == (lua_Number)(lua_Integer)grace->value;
  v->grace = v->has_grace ? (lua_Integer)grace->value : 0;
  luaL_unref(L, LUA_REGISTRYINDEX, v->weights_ref);
  v->weights_ref = LUA_NOREF;
  const struct kz_param *w = kz_profile_param(prof, "risk_weights");
  if (w && w->fields) {
    lua_createtable(L, 0, (int)w->nfields);
    for (size_t i = 0; i < w->nfields; i++) {   /* as p.risk_weights (ruleset.c push_param) */
      lua_Number x = w->fields[i].value;
      if (x == (lua_Number)(lua_Integer)x) lua_pushinteger(L, (lua_Integer)x);
      else lua_pushnumber(L, x);
      lua_setfield(L, -2, w->fields[i].name);
    }
    v->weights_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }

  lua_createtable(L, 0, (int)prof->nagencies);   /* kz.agency_name: kind -> name */
  for (size_t i = 0; i < prof->nagencies; i++) {
    lua_pushstring(L, prof->agencies[i].name);
    lua_setfield(L, -2, prof->agencies[i].kind);
  }
  kz_sandbox_set(sb, "agency_name");            /* sealed for every rule file */

  lua_createtable(L, 0, (int)prof->nwards);      /* kz.ward_name: code -> name (中央区) */
  for (size_t i = 0; i < prof->nwards; i++) {
    lua_pushstring(L, prof->wards[i].name);
    lua_setfield(L, -2, prof->wards[i].code);
  }
  kz_sandbox_set(sb, "ward_name");
  lua_settop(L, top);
  return 0;
}
