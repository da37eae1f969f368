/*
** ruleset.c — loading rule files and reading their metadata.
**
** Each rules/<name>.lua file runs once, in its own environment (sandbox.c), with
** one extra global: rule{...}. rule() checks the metadata against the
** profile and keeps the check function in the registry; nothing is
** evaluated until a run.
*/
#include "ruleset.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "i18n.h"
#include "finding.h"
#include "records.h"
#include "rule_lint.h"
#include "severity.h"
#include "suggest.h"
#include "vocab.h"


static const char *const meta_keys[] = {
  "id", "title", "label", "description", "subject", "agency", "severity", "due",
  "open_within_days", "backlog", "params", "needs", "check", NULL
};


#define OPEN_WITHIN_MAX 3650    /* a rule's open_within_days: at most ten years */

struct load_ctx {
  struct kz_ruleset *rs;
  const struct kz_profile *prof;
  struct kz_diag *d;
  const char *file;
  const char *version;
};

static char *dupstr(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

static int in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0) return 1;
  return 0;
}

/* A string field of the metadata table at idx; NULL (with a diagnostic when
** required) if absent or not a string. */
static const char *meta_string(lua_State *L, int idx, const char *key, int required,
                               struct load_ctx *c, int line) {
  int t = lua_getfield(L, idx, key);
  const char *s = NULL;
  if (t == LUA_TSTRING) s = lua_tostring(L, -1);
  else if (t != LUA_TNIL)
    kz_diag_add(c->d, c->file, line, 0, "rule field '%s' must be a string, not a %s", key,
                lua_typename(L, t));
  else if (required)
    kz_diag_add(c->d, c->file, line, 0, "rule is missing '%s'", key);
  lua_pop(L, 1);   /* the string stays alive: it is referenced by the table */
  return s;
}

static void free_rule(struct kz_rule *r, lua_State *L) {
  free(r->id); free(r->title); free(r->label); free(r->description);
  free(r->agency); free(r->severity); free(r->file);
  for (size_t i = 0; i < r->nparams; i++) free(r->params[i]);
  free(r->params);
  if (L) {
    luaL_unref(L, LUA_REGISTRYINDEX, r->check_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, r->params_ref);
  }
  memset(r, 0, sizeof *r);
}

/* {====== rule{...}: one helper per metadata field ====== */

/* The loading context set by the file loader; NULL outside loading. */
static struct load_ctx *loading_ctx(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "kz.loading");
  struct load_ctx *c = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return c;
}

/* Every key of the metadata table must be a known field. */
static void check_fields(lua_State *L, struct load_ctx *c, int line) {
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!k || !in_list(k, meta_keys)) {
      const char *hint = k ? kz_suggest(k, meta_keys, 0) : NULL;
      kz_diag_add(c->d, c->file, line, 0, "unknown rule field '%s'%s%s%s", k ? k : "?",
                  hint ? _(" (did you mean '") : "", hint ? hint : "", hint ? _("'?)") : "");
    }
  }
}

/* id, title, label and description; the id must be well formed and new.
** Returns the id (alive while the table is), or NULL. */
static const char *read_names(lua_State *L, struct load_ctx *c, int line, struct kz_rule *r) {
  const char *id = meta_string(L, 1, "id", 1, c, line);
  r->id = dupstr(id);
  r->title = dupstr(meta_string(L, 1, "title", 1, c, line));
  r->label = dupstr(meta_string(L, 1, "label", 1, c, line));
  r->description = dupstr(meta_string(L, 1, "description", 0, c, line));
  if (!id) return NULL;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.')) {
      kz_diag_add(c->d, c->file, line, 0, "rule id '%s' may use only a-z, 0-9, '_' and '.'", id);
      break;
    }
  const struct kz_rule *dup = kz_ruleset_find(c->rs, id);
  if (dup)
    kz_diag_add(c->d, c->file, line, 0, "duplicate rule id '%s' (first defined at %s:%d)", id,
                dup->file, dup->line);
  return id;
}

static void read_subject(lua_State *L, struct load_ctx *c, int line, const char *rid,
                         struct kz_rule *r) {
  const char *subject = meta_string(L, 1, "subject", 1, c, line);
  r->subject = KZ_SUBJECT_HOUSEHOLD;
  if (!subject) return;
  char kinds[256];
  r->subject = kz_subject_find(subject);
  if (r->subject < 0) {
    r->subject = KZ_SUBJECT_HOUSEHOLD;
    kz_diag_add(c->d, c->file, line, 0, "rule %s: subject '%s' is not one of %s", rid, subject,
                kz_subject_list(kinds, sizeof kinds));
  }
}

static void read_agency(lua_State *L, struct load_ctx *c, int line, const char *rid,
                        struct kz_rule *r) {
  const char *agency = meta_string(L, 1, "agency", 1, c, line);
  if (agency && !kz_profile_agency(c->prof, agency))
    kz_diag_add(c->d, c->file, line, 0, "rule %s: unknown agency '%s' (not in the profile's agencies)",
                rid, agency);
  r->agency = dupstr(agency);
}

/* severity and due: the same checks as a finding's own at run time (finding.c). */
static void read_severity_due(lua_State *L, struct load_ctx *c, int line, const char *rid,
                              struct kz_rule *r) {
  const char *sev = meta_string(L, 1, "severity", 1, c, line);
  struct kz_strbuf why = {0};
  if (sev && kz_finding_severity(sev, &why))
    kz_diag_add(c->d, c->file, line, 0, "rule %s: %s", rid, kz_strbuf_str(&why));
  r->severity = dupstr(sev);
  kz_strbuf_reset(&why);
  int t = lua_getfield(L, 1, "due");
  if (t == LUA_TNIL)
    kz_diag_add(c->d, c->file, line, 0, "rule %s: due must be a number of business days or "
                "kz.calendar_days(n), from %d to %d", rid, KZ_DUE_MIN, KZ_DUE_MAX);
  else if (kz_finding_due(L, lua_gettop(L), &r->due_days, &r->due_calendar, &why))
    kz_diag_add(c->d, c->file, line, 0, "rule %s: %s", rid, kz_strbuf_str(&why));
  kz_strbuf_free(&why);
  lua_pop(L, 1);
}

/* open_within_days, and backlog = false: never backlog (RULES.md); true, or
** absent, is the default. */
static void read_backlog(lua_State *L, struct load_ctx *c, int line, const char *rid,
                         struct kz_rule *r) {
  int t = lua_getfield(L, 1, "open_within_days");
  if (t == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
      lua_tointeger(L, -1) <= OPEN_WITHIN_MAX)
    r->open_within_days = (int)lua_tointeger(L, -1);
  else if (t != LUA_TNIL)
    kz_diag_add(c->d, c->file, line, 0, "rule %s: open_within_days must be a whole number of "
                "days from 1 to %d", rid, OPEN_WITHIN_MAX);
  lua_pop(L, 1);

  t = lua_getfield(L, 1, "backlog");
  if (t == LUA_TBOOLEAN)
    r->never_backlog = !lua_toboolean(L, -1);
  else if (t != LUA_TNIL)
    kz_diag_add(c->d, c->file, line, 0, "rule %s: backlog must be true or false (false: a stale "
                "trigger still opens a normal task)", rid);
  lua_pop(L, 1);
}

/* params = { "name", ... }: each declared under params: in the profile. */
static void read_params(lua_State *L, struct load_ctx *c, int line, const char *rid,
                        struct kz_rule *r) {
  int t = lua_getfield(L, 1, "params");
  if (t == LUA_TTABLE) {
    size_t n = lua_rawlen(L, -1);
    r->params = calloc(n ? n : 1, sizeof *r->params);
    for (size_t i = 1; r->params && i <= n; i++) {
      if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TSTRING) {
        kz_diag_add(c->d, c->file, line, 0, "rule %s: params must be a list of names", rid);
      } else {
        const char *pn = lua_tostring(L, -1);
        if (!kz_profile_param(c->prof, pn))
          kz_diag_add(c->d, c->file, line, 0,
                      "rule %s: unknown param '%s' (not under params: in %s)", rid, pn,
                      c->prof->path ? c->prof->path : "the profile");
        r->params[r->nparams++] = dupstr(pn);
      }
      lua_pop(L, 1);
    }
  } else if (t != LUA_TNIL) {
    kz_diag_add(c->d, c->file, line, 0, "rule %s: params must be a list of names", rid);
  }
  lua_pop(L, 1);
}

/* One entry of needs, the string on top of the stack: its table's bit in
** r->needs, or a diagnostic naming the nearest table. */
static void read_need(lua_State *L, struct load_ctx *c, int line, const char *rid,
                      const char *const *names, struct kz_rule *r) {
  const char *tn = lua_tostring(L, -1);
  int k = 0;
  while (k < KZ_NTABLES && strcmp(tn, names[k]) != 0) k++;
  if (k < KZ_NTABLES) {
    r->needs |= (uint32_t)1 << k;
    return;
  }
  const char *hint = kz_suggest(tn, names, KZ_NTABLES);
  kz_diag_add(c->d, c->file, line, 0, "rule %s: needs '%s', which is not a table of the "
              "case records%s%s%s", rid, tn, hint ? _(" (did you mean '") : "",
              hint ? hint : "", hint ? _("'?)") : "");
}

/* needs = { "welfare", ... }: the tables without whose records the rule
** can find nothing; the run skips it in households that lack one. */
static void read_needs(lua_State *L, struct load_ctx *c, int line, const char *rid,
                       struct kz_rule *r) {
  int t = lua_getfield(L, 1, "needs");
  if (t == LUA_TTABLE) {
    const char *names[KZ_NTABLES + 1];
    for (int i = 0; i < KZ_NTABLES; i++) names[i] = kz_tables[i].name;
    names[KZ_NTABLES] = NULL;
    size_t n = lua_rawlen(L, -1);
    for (size_t i = 1; i <= n; i++) {
      if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TSTRING)
        kz_diag_add(c->d, c->file, line, 0, "rule %s: needs must be a list of table names", rid);
      else
        read_need(L, c, line, rid, names, r);
      lua_pop(L, 1);
    }
  } else if (t != LUA_TNIL) {
    kz_diag_add(c->d, c->file, line, 0, "rule %s: needs must be a list of table names", rid);
  }
  lua_pop(L, 1);
}

static void read_check(lua_State *L, struct load_ctx *c, int line, const char *rid,
                       struct kz_rule *r) {
  if (lua_getfield(L, 1, "check") != LUA_TFUNCTION) {
    kz_diag_add(c->d, c->file, line, 0, "rule %s: check must be a function", rid);
    lua_pop(L, 1);
  } else {
    r->check_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
}

/* Append r to the rule set (which takes what r holds); raises on no memory. */
static int ruleset_append(lua_State *L, struct kz_ruleset *rs, struct kz_rule *r) {
  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? rs->cap * 2 : 16;
    struct kz_rule *nr = realloc(rs->rules, cap * sizeof *nr);
    if (!nr) { free_rule(r, L); return luaL_error(L, "out of memory"); }
    rs->rules = nr;
    rs->cap = cap;
  }
  rs->rules[rs->n++] = *r;
  return 0;
}

/* rule{...}: validate and record one rule. Problems are reported, not
** raised, so that one run of `kizuki check` shows all of them. */
static int l_rule(lua_State *L) {
  struct load_ctx *c = loading_ctx(L);
  if (!c) return luaL_error(L, _("rule{} may only be called while the rule files load"));
  lua_Debug ar;
  int line = 0;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar)) line = ar.currentline;
  if (!lua_istable(L, 1)) {
    kz_diag_add(c->d, c->file, line, 0, "rule expects a table: rule { id = ..., check = ... }");
    return 0;
  }
  int errors = (int)c->d->n;
  struct kz_rule r = {0};
  r.check_ref = r.params_ref = LUA_NOREF;
  r.open_within_days = -1;

  check_fields(L, c, line);
  const char *id = read_names(L, c, line, &r);
  const char *rid = id ? id : "?";
  read_subject(L, c, line, rid, &r);
  read_agency(L, c, line, rid, &r);
  read_severity_due(L, c, line, rid, &r);
  read_backlog(L, c, line, rid, &r);
  read_params(L, c, line, rid, &r);
  read_needs(L, c, line, rid, &r);
  read_check(L, c, line, rid, &r);
  r.file = dupstr(c->file);
  r.line = line;
  memcpy(r.version, c->version, sizeof r.version);

  if ((int)c->d->n != errors || !r.id) {
    free_rule(&r, L);
    return 0;
  }
  return ruleset_append(L, c->rs, &r);
}

/* }====== */

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct { char *p; size_t n, cap; } b = {0};
  char chunk[8192];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.n + got + 1 > b.cap) {
      size_t cap = (b.cap ? b.cap * 2 : 16384);
      while (cap < b.n + got + 1) cap *= 2;
      char *p = realloc(b.p, cap);
      if (!p) { free(b.p); fclose(f); return NULL; }
      b.p = p;
      b.cap = cap;
    }
    memcpy(b.p + b.n, chunk, got);
    b.n += got;
  }
  int err = ferror(f);
  fclose(f);
  if (err) { free(b.p); return NULL; }
  if (!b.p) b.p = calloc(1, 1);
  else b.p[b.n] = '\0';
  *len = b.n;
  return b.p;
}

static int is_lua_file(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".lua") == 0;
}

/* Load one rule file: run its chunk in a fresh environment with rule(). */
static void load_file(struct load_ctx *c, struct kz_sandbox *sb, const char *path,
                      const char *src, size_t len) {
  lua_State *L = sb->L;
  char chunkname[600];
  snprintf(chunkname, sizeof chunkname, "@%s", path);
  /* Full-width characters first: Lua's own words for them ("unexpected
  ** symbol near '<\227>'") name neither the character nor the fix. */
  if (kz_lint_chars(path, src, len, c->d)) return;
  if (luaL_loadbufferx(L, src, len, chunkname, "t") != LUA_OK) {
    kz_lint_syntax(path, src, len, lua_tostring(L, -1), c->d);  /* carries file:line */
    lua_pop(L, 1);
    return;
  }
  kz_sandbox_push_env(sb);
  lua_pushliteral(L, "rule");
  lua_pushcfunction(L, l_rule);
  lua_rawset(L, -3);                     /* env.rule (env refuses plain writes) */
  lua_setupvalue(L, -2, 1);              /* the chunk's _ENV */
  lua_pushlightuserdata(L, c);           /* rule{} works only while loading */
  lua_setfield(L, LUA_REGISTRYINDEX, "kz.loading");
  if (kz_sandbox_call(sb, 0, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    kz_diag_add(c->d, NULL, 0, 0, "%s", msg ? msg : "error loading rule file");
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "kz.loading");
}

int kz_ruleset_load(struct kz_ruleset *rs, struct kz_sandbox *sb, const char *dir,
                    const struct kz_profile *prof, struct kz_diag *d) {
  struct dirent **names = NULL;
  size_t before = d->n;
  uint64_t h = KZ_DIGEST_INIT;
  int n = scandir(dir, &names, is_lua_file, alphasort);
  if (n < 0) {
    kz_diag_add(d, dir, 0, 0, "cannot read the rules folder");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    char path[512];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
    char *src = read_file(path, &len);
    if (!src) {
      kz_diag_add(d, path, 0, 0, "cannot read rule file");
      continue;
    }
    char version[17];
    kz_digest_hex(kz_digest(KZ_DIGEST_INIT, src, len), version);
    h = kz_digest(h, names[i]->d_name, strlen(names[i]->d_name) + 1);
    h = kz_digest(h, src, len);
    struct load_ctx c = {rs, prof, d, path, version};
    load_file(&c, sb, path, src, len);
    free(src);
  }
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
  if (n == 0) kz_diag_add(d, dir, 0, 0, "no rule files (*.lua) found");
  else if (rs->n == 0 && d->n == before)   /* a night of no rule would pass for a quiet one */
    kz_diag_add(d, dir, 0, 0, "the rule files define no rule (rule { id = ..., check = ... })");
  if (prof->path) {
    size_t len = 0;
    char *src = read_file(prof->path, &len);
    if (src) h = kz_digest(h, src, len);
    free(src);
  }
  kz_digest_hex(h, rs->digest);
  if (d->n != before) return -1;
  return kz_ruleset_bind_params(rs, sb, prof);
}

/* __index of a params table: an undeclared name is an error. */
static int params_missing(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  const char *names[64];
  size_t n = 0;
  lua_pushnil(L);                       /* the declared names: the table indexed */
  while (n < 64 && lua_next(L, 1)) {
    if (lua_type(L, -2) == LUA_TSTRING) names[n++] = lua_tostring(L, -2);
    lua_pop(L, 1);
  }
  const char *hint = n ? kz_suggest(k, names, n) : NULL;
  return luaL_error(L, _("rule %s reads param '%s', which it does not declare in params%s%s%s"),
                    lua_tostring(L, lua_upvalueindex(1)), k, hint ? _(" (did you mean '") : "",
                    hint ? hint : "", hint ? _("'?)") : "");
}

static void push_param(lua_State *L, const struct kz_param *p) {
  if (!p->fields) {
    lua_Number v = p->value;
    if (v == (lua_Number)(lua_Integer)v) lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
    return;
  }
  lua_createtable(L, 0, (int)p->nfields);
  for (size_t i = 0; i < p->nfields; i++) {
    push_param(L, &p->fields[i]);
    lua_setfield(L, -2, p->fields[i].name);
  }
  kz_sandbox_push_readonly(L, lua_gettop(L));
  lua_remove(L, -2);
}

int kz_ruleset_bind_params(struct kz_ruleset *rs, struct kz_sandbox *sb,
                           const struct kz_profile *prof) {
  lua_State *L = sb->L;
  for (size_t i = 0; i < rs->n; i++) {
    struct kz_rule *r = &rs->rules[i];
    lua_newtable(L);
    int values = lua_gettop(L);
    for (size_t j = 0; j < r->nparams; j++) {
      const struct kz_param *p = kz_profile_param(prof, r->params[j]);
      if (!p) continue;
      push_param(L, p);
      lua_setfield(L, values, p->name);
    }
    lua_createtable(L, 0, 1);        /* undeclared names: an error */
    lua_pushstring(L, r->id);
    lua_pushcclosure(L, params_missing, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, values);
    kz_sandbox_push_readonly(L, values);
    luaL_unref(L, LUA_REGISTRYINDEX, r->params_ref);
    r->params_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
  }
  return kz_vocab_bind(sb, prof);     /* the vocabulary's grace, weights and names */
}

/* {====== Params as check reads them (kizuki check) ====== */

struct lint {
  const struct kz_profile *prof;
  struct kz_diag *d;
  const char *file;
  const char *src;
  size_t len;
};

/* Skip blanks forward from p (not past end). */
static const char *skip_blank(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  return p;
}

static int is_word(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* One use `pname.NAME` at q (line `line`) of rule r: NAME must be declared in
** params; used as a map (pname.NAME.x, pname.NAME[...]) it must be a map of
** the profile (with a field x); used in arithmetic or an order comparison it
** must be a number. */
static void check_param_use(struct lint *c, const struct kz_rule *r, const char *rid,
                            const char *pname, const char *q, const char *line_start,
                            const char *end, int line) {
  char name[64], field[64];
  size_t n = 0;
  while (q + n < end && is_word(q[n]) && n < sizeof name - 1) { name[n] = q[n]; n++; }
  name[n] = '\0';
  if (!n) return;
  int declared = 0;
  for (size_t i = 0; i < r->nparams; i++) declared |= strcmp(r->params[i], name) == 0;
  if (!declared) {
    const char *hint = r->nparams ? kz_suggest(name, (const char *const *)r->params, r->nparams) : NULL;
    kz_diag_add(c->d, c->file, line, 0, "rule %s reads param '%s', which it does not declare in "
                "params%s%s%s", rid, name, hint ? _(" (did you mean '") : "", hint ? hint : "",
                hint ? _("'?)") : "");
    return;
  }
  const struct kz_param *p = kz_profile_param(c->prof, name);
  if (!p) return;                           /* reported with the declaration */
  const char *after = skip_blank(q + n, end);
  const char *before = q - strlen(pname) - 2;   /* the character before pname. */
  while (before >= line_start && (*before == ' ' || *before == '\t')) before--;
  const char *profile = c->prof->path ? c->prof->path : "the profile";
  if (after < end && (*after == '[' || (*after == '.' && (after + 1 >= end || after[1] != '.')))) {
    if (!p->fields) {
      kz_diag_add(c->d, c->file, line, 0, "rule %s uses param '%s' as a map, but it is a number "
                  "in %s", rid, name, profile);
    } else if (*after == '.') {
      size_t m = 0;
      after = skip_blank(after + 1, end);
      while (after + m < end && is_word(after[m]) && m < sizeof field - 1) { field[m] = after[m]; m++; }
      field[m] = '\0';
      int found = 0;
      for (size_t i = 0; i < p->nfields; i++) found |= strcmp(p->fields[i].name, field) == 0;
      if (m && !found)
        kz_diag_add(c->d, c->file, line, 0, "rule %s reads %s.%s, which is not a field of param "
                    "'%s' in %s", rid, name, field, name, profile);
    }
    return;
  }
  int arith = after < end && strchr("+-*/%^<>", *after) != NULL;
  arith |= after + 1 < end && after[0] == '.' && after[1] == '.';
  arith |= before >= line_start && strchr("+-*/%^<>", *before) != NULL;
  arith |= before > line_start && before[0] == '.' && before[-1] == '.';
  if (arith && p->fields)
    kz_diag_add(c->d, c->file, line, 0, "rule %s uses param '%s' as a number, but it is a map in "
                "%s (read one of its fields: %s.%s.<name>)", rid, name, profile, pname, name);
}

/* Read the source of rule r's check function and check every `p.NAME` in it
** (p: its last parameter) with check_param_use. */
static void check_param_uses(struct lint *c, lua_State *L, const struct kz_rule *r) {
  lua_Debug ar;
  char pname[64];
  const char *rid = r->id;
  lua_rawgeti(L, LUA_REGISTRYINDEX, r->check_ref);
  if (lua_type(L, -1) != LUA_TFUNCTION) { lua_pop(L, 1); return; }
  lua_pushvalue(L, -1);
  if (!lua_getinfo(L, ">Su", &ar) || ar.nparams == 0 || ar.linedefined <= 0) { lua_pop(L, 1); return; }
  const char *pn = lua_getlocal(L, NULL, ar.nparams);
  lua_pop(L, 1);
  if (!pn || strlen(pn) >= sizeof pname) return;
  snprintf(pname, sizeof pname, "%s", pn);
  size_t plen = strlen(pname);
  const char *p = c->src, *end = c->src + c->len;
  int line = 1;
  while (p < end && line < ar.linedefined) if (*p++ == '\n') line++;
  for (; p < end && line <= ar.lastlinedefined; line++) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    char quote = 0;
    for (const char *q = p; q < eol; q++) {
      if (quote) {
        if (*q == '\\') q++;
        else if (*q == quote) quote = 0;
        continue;
      }
      if (*q == '"' || *q == '\'') { quote = *q; continue; }
      if (q + 1 < eol && q[0] == '-' && q[1] == '-') break;       /* a comment */
      if ((size_t)(eol - q) > plen + 1 && memcmp(q, pname, plen) == 0 && q[plen] == '.' &&
          (q == p || (!is_word(q[-1]) && q[-1] != '.' && q[-1] != ':')) &&
          (q + plen + 1 < eol && q[plen + 1] != '.'))
        check_param_use(c, r, rid, pname, q + plen + 1, p, eol, line);
    }
    p = eol + 1;
  }
}

/* }====== */

int kz_ruleset_lint_params(const struct kz_ruleset *rs, struct kz_sandbox *sb,
                           const struct kz_profile *prof, struct kz_diag *d) {
  size_t before = d->n;
  for (size_t i = 0; i < rs->n; i++) {
    const struct kz_rule *r = &rs->rules[i];
    size_t len = 0;
    char *src = read_file(r->file, &len);
    if (!src) continue;                 /* it was read a moment ago: nothing to add */
    struct lint c = {prof, d, r->file, src, len};
    check_param_uses(&c, sb->L, r);
    free(src);
  }
  return d->n == before ? 0 : -1;
}

const struct kz_rule *kz_ruleset_find(const struct kz_ruleset *rs, const char *id) {
  for (size_t i = 0; i < rs->n; i++)
    if (strcmp(rs->rules[i].id, id) == 0) return &rs->rules[i];
  return NULL;
}

void kz_ruleset_free(struct kz_ruleset *rs, struct kz_sandbox *sb) {
  for (size_t i = 0; i < rs->n; i++) free_rule(&rs->rules[i], sb ? sb->L : NULL);
  free(rs->rules);
  memset(rs, 0, sizeof *rs);
}
