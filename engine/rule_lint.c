/*
** rule_lint.c — what a rule file's text and its compiled listing show
** before it runs (see rule_lint.h): the static half of `kizuki check`, and
** the characters and syntax errors every loader reports.
**
** The listing is luac5.4's (`-p -l -l`): one instruction a line with its
** source line, and the constant it uses after ';'. Reading it, rather than
** the text, leaves strings and comments out for free.
*/
#include "rule_lint.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "i18n.h"
#include "records.h"
#include "strbuf.h"
#include "suggest.h"
#include "vocab.h"

/* {====== Name lists ====== */

static int list_add(char ***v, size_t *n, size_t *cap, const char *s) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*v)[i], s) == 0) return 0;
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 64;
    char **p = realloc(*v, c * sizeof *p);
    if (!p) return -1;
    *v = p;
    *cap = c;
  }
  size_t len = strlen(s) + 1;
  char *copy = malloc(len);
  if (!copy) return -1;
  memcpy(copy, s, len);
  (*v)[(*n)++] = copy;
  return 0;
}

static int in_names(char *const *v, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0) return 1;
  return 0;
}

/* Add the string keys of the table at idx to fields (and to typos when
** typo), one level down too when deep. */
static int add_keys(struct kz_lint_names *n, lua_State *L, int idx, int typo, int deep) {
  int rc = 0;
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -2);
      rc |= list_add(&n->fields, &n->nfields, &n->capfields, k);
      if (typo) rc |= list_add(&n->typos, &n->ntypos, &n->captypos, k);
      if (deep && lua_type(L, -1) == LUA_TTABLE) rc |= add_keys(n, L, -1, typo, 0);
    }
    lua_pop(L, 1);
  }
  return rc;
}

int kz_lint_names_build(struct kz_lint_names *n, lua_State *L, const struct kz_profile *prof) {
  static const char *const finding_fields[] = {
    "since", "reason", "key", "evidence", "subject", "severity", "agency", "ward", "due",
    "days", "unit", "id", NULL
  };
  int rc = 0;
  memset(n, 0, sizeof *n);
  for (int t = 0; t < KZ_NTABLES; t++) {
    rc |= list_add(&n->fields, &n->nfields, &n->capfields, kz_tables[t].name);
    rc |= list_add(&n->typos, &n->ntypos, &n->captypos, kz_tables[t].name);
    for (int c = 0; c < kz_tables[t].ncols; c++) {
      rc |= list_add(&n->fields, &n->nfields, &n->capfields, kz_tables[t].cols[c].name);
      rc |= list_add(&n->typos, &n->ntypos, &n->captypos, kz_tables[t].cols[c].name);
    }
  }
  for (const char *const *f = finding_fields; *f; f++)
    rc |= list_add(&n->fields, &n->nfields, &n->capfields, *f);
  for (const char *const *f = kz_vocab_result_fields(); *f; f++)   /* what words hand back */
    rc |= list_add(&n->fields, &n->nfields, &n->capfields, *f);
  for (size_t i = 0; prof && i < prof->nparams; i++) {
    rc |= list_add(&n->fields, &n->nfields, &n->capfields, prof->params[i].name);
    for (size_t j = 0; j < prof->params[i].nfields; j++)
      rc |= list_add(&n->fields, &n->nfields, &n->capfields, prof->params[i].fields[j].name);
  }
  /* kz's words from the one list (vocab_words.c): the same whether or not
  ** the rules loaded (kz.agency_name is set only when the profile binds). */
  for (const char *const *w = kz_vocab_names(); *w; w++)
    rc |= list_add(&n->kz, &n->nkz, &n->capkz, *w);
  if (L) {
    int top = lua_gettop(L);
    if (lua_getglobal(L, "kz") == LUA_TTABLE) {
      int kz = lua_gettop(L);
      lua_pushnil(L);
      while (lua_next(L, kz)) {
        if (lua_type(L, -2) == LUA_TSTRING)
          rc |= list_add(&n->kz, &n->nkz, &n->capkz, lua_tostring(L, -2));
        lua_pop(L, 1);
      }
      rc |= add_keys(n, L, kz, 0, 1);                  /* kz.subjects.child, ... */
      if (lua_getfield(L, kz, "Household") == LUA_TTABLE) rc |= add_keys(n, L, -1, 1, 0);
      lua_pop(L, 1);
      if (lua_getfield(L, kz, "Record") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          if (lua_type(L, -1) == LUA_TTABLE) rc |= add_keys(n, L, -1, 1, 0);
          lua_pop(L, 1);
        }
      }
    }
    lua_settop(L, top);
    static const char *const libs[] = {"string", "table", "math", "utf8", NULL};
    for (const char *const *lib = libs; *lib; lib++) {
      if (lua_getglobal(L, *lib) == LUA_TTABLE) rc |= add_keys(n, L, -1, 0, 0);
      lua_settop(L, top);
    }
  }
  return rc ? -1 : 0;
}

void kz_lint_names_free(struct kz_lint_names *n) {
  for (size_t i = 0; i < n->nkz; i++) free(n->kz[i]);
  for (size_t i = 0; i < n->nfields; i++) free(n->fields[i]);
  for (size_t i = 0; i < n->ntypos; i++) free(n->typos[i]);
  free(n->kz);
  free(n->fields);
  free(n->typos);
  memset(n, 0, sizeof *n);
}

/* }====== */

/* {====== Characters Lua cannot read ====== */

/* A full-width character by what a supervisor calls it, and what to type. */
struct wide {
  unsigned long lo, hi;
  const char *name;          /* N_() msgid */
  const char *ascii;         /* NULL: cp - 0xFEE0 */
};

static const struct wide WIDE[] = {
  {0x3000, 0x3000, N_("full-width space"), " "},
  {0xFF08, 0xFF09, N_("full-width parenthesis"), NULL},
  {0xFF5B, 0xFF5B, N_("full-width brace"), NULL},
  {0xFF5D, 0xFF5D, N_("full-width brace"), NULL},
  {0xFF3B, 0xFF3B, N_("full-width bracket"), NULL},
  {0xFF3D, 0xFF3D, N_("full-width bracket"), NULL},
  {0x3010, 0x3011, N_("full-width bracket"), "[]"},
  {0xFF0C, 0xFF0C, N_("full-width comma"), NULL},
  {0x3001, 0x3001, N_("full-width comma"), ","},
  {0xFF0E, 0xFF0E, N_("full-width period"), NULL},
  {0x3002, 0x3002, N_("full-width period"), "."},
  {0xFF1D, 0xFF1D, N_("full-width equals sign"), NULL},
  {0xFF02, 0xFF02, N_("full-width quotation mark"), NULL},
  {0xFF07, 0xFF07, N_("full-width quotation mark"), NULL},
  {0x201C, 0x201D, N_("full-width quotation mark"), "\""},
  {0x2018, 0x2019, N_("full-width quotation mark"), "'"},
  {0x300C, 0x300D, N_("full-width quotation mark"), "\""},
  {0xFF10, 0xFF19, N_("full-width digit"), NULL},
  {0xFF21, 0xFF3A, N_("full-width letter"), NULL},
  {0xFF41, 0xFF5A, N_("full-width letter"), NULL},
  {0x2212, 0x2212, N_("full-width symbol"), "-"},
  {0xFF01, 0xFF5E, N_("full-width symbol"), NULL},
};

/* The code point at s (n bytes), its length in *len (1 for a bad byte). */
static unsigned long utf8_at(const unsigned char *s, size_t n, size_t *len) {
  unsigned long v;
  size_t l = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
  if (l > n || l == 1) { *len = 1; return s[0]; }
  v = s[0] & (0x3f >> (l - 1));
  for (size_t i = 1; i < l; i++) {
    if ((s[i] & 0xc0) != 0x80) { *len = 1; return s[0]; }
    v = (v << 6) | (s[i] & 0x3f);
  }
  *len = l;
  return v;
}

/* The level of a long bracket [[ / [==[ at s, or -1. */
static int long_bracket(const char *s, const char *end) {
  if (s >= end || *s != '[') return -1;
  int lvl = 0;
  const char *p = s + 1;
  while (p < end && *p == '=') { lvl++; p++; }
  return p < end && *p == '[' ? lvl : -1;
}

/* Skip the long string or comment body from p (after its opening bracket)
** to past its closing ]=*], counting lines. */
static const char *skip_long(const char *p, const char *end, int lvl, int *line,
                             const char **line_start) {
  for (; p < end; p++) {
    if (*p == '\n') { (*line)++; *line_start = p + 1; continue; }
    if (*p != ']') continue;
    const char *q = p + 1;
    int l = 0;
    while (q < end && *q == '=') { l++; q++; }
    if (l == lvl && q < end && *q == ']') return q + 1;
  }
  return end;
}

static int column_of(const char *line_start, const char *at) {
  int col = 1;
  for (const char *c = line_start; c < at; c++) col += ((unsigned char)*c & 0xc0) != 0x80;
  return col;
}

int kz_lint_chars(const char *path, const char *src, size_t len, struct kz_diag *d) {
  const char *p = src, *end = src + len, *ls = src;
  int line = 1, found = 0;
  if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0) p += 3;     /* a BOM: Lua skips it too */
  if (p < end && *p == '#') while (p < end && *p != '\n') p++;       /* #! line */
  while (p < end) {
    unsigned char ch = (unsigned char)*p;
    if (ch == '\n') { line++; ls = ++p; continue; }
    if (ch == '-' && p + 1 < end && p[1] == '-') {                   /* a comment */
      int lvl = long_bracket(p + 2, end);
      if (lvl >= 0) {
        p = skip_long(p + 4 + lvl, end, lvl, &line, &ls);
      } else {
        while (p < end && *p != '\n') p++;
      }
      continue;
    }
    if (ch == '[') {
      int lvl = long_bracket(p, end);
      if (lvl >= 0) { p = skip_long(p + 2 + lvl, end, lvl, &line, &ls); continue; }
    }
    if (ch == '"' || ch == '\'') {
      for (p++; p < end && *p != (char)ch && *p != '\n'; p++)
        if (*p == '\\' && p + 1 < end) {
          p++;
          if (*p == 'z') {                    /* \z skips the white space after it, lines too */
            for (; p + 1 < end && p[1] && strchr(" \t\n\v\f\r", p[1]); p++)
              if (p[1] == '\n') { line++; ls = p + 2; }
          } else if (*p == '\r' && p + 1 < end && p[1] == '\n') { p++; line++; ls = p + 1; }
          else if (*p == '\n') { line++; ls = p + 1; }
        }
      if (p < end && *p == (char)ch) p++;
      continue;
    }
    if (ch < 0x80) { p++; continue; }
    size_t l;
    unsigned long cp = utf8_at((const unsigned char *)p, (size_t)(end - p), &l);
    const struct wide *w = NULL;
    for (size_t i = 0; i < sizeof WIDE / sizeof *WIDE && !w; i++)
      if (cp >= WIDE[i].lo && cp <= WIDE[i].hi) w = &WIDE[i];
    char ascii[3] = "";
    if (w && w->ascii) {
      ascii[0] = w->ascii[w->ascii[1] ? (int)(cp - w->lo) : 0];
    } else if (w) {
      ascii[0] = (char)(cp - 0xFEE0);
    }
    int col = column_of(ls, p);
    if (w)
      kz_diag_add(d, path, line, col, "%s (U+%04lX) outside a string or comment: Lua reads "
                  "code typed in half-width (ASCII) characters; type '%s' instead",
                  _(w->name), cp, ascii);
    else
      kz_diag_add(d, path, line, col, "character U+%04lX outside a string or comment: Lua "
                  "reads code typed in half-width (ASCII) characters", cp);
    found++;
    p += l;
  }
  return found;
}

/* }====== */

/* {====== Syntax errors at the line where the mistake is ====== */

/* The text of line n of src (1-based) as [*b, *e), 0 if there is none. */
static int line_text(const char *src, size_t len, int n, const char **b, const char **e) {
  const char *p = src, *end = src + len;
  for (int l = 1; l < n && p < end; p++)
    if (*p == '\n') l++;
  if (p >= end && n > 1) return 0;
  *b = p;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  *e = nl ? nl : end;
  return 1;
}

/* Trim blanks and a trailing `-- comment` (not inside quotes) of [b, e). */
static void trim_code(const char *b, const char **e) {
  char q = 0;
  for (const char *c = b; c < *e; c++) {
    if (q) { if (*c == '\\') c++; else if (*c == q) q = 0; continue; }
    if (*c == '"' || *c == '\'') q = *c;
    else if (c + 1 < *e && c[0] == '-' && c[1] == '-') { *e = c; break; }
  }
  while (*e > b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r')) (*e)--;
}

void kz_lint_syntax(const char *path, const char *src, size_t len, const char *luamsg,
                    struct kz_diag *d) {
  size_t pl = strlen(path);
  const char *m = luamsg;
  int line = 0;
  if (strncmp(m, path, pl) == 0 && m[pl] == ':') line = atoi(m + pl + 1);
  const char *near = strstr(m, " near '");
  const char *exp = strstr(m, "' expected");
  char closer = exp && exp > m + 1 && exp[-2] == '\'' ? exp[-1] : 0;
  const char *b, *e;
  const char *to = strstr(m, "' expected (to close '");
  if (to && to - m >= 4 && memcmp(to - 4, "'end", 4) == 0) {                       /* 'end' expected (to close 'if' at line 16) */
    char what[16] = "";
    int at = 0;
    if (sscanf(to + 22, "%15[a-z]' at line %d", what, &at) == 2) {
      struct kz_strbuf why = {0};
      kz_strbuf_adds(&why, luamsg);
      kz_strbuf_adds(&why, " — ");
      kz_strbuf_addf(&why, _("the '%s' of line %d needs its 'end' before this line"), what, at);
      kz_diag_add(d, NULL, 0, 0, "%s", kz_strbuf_str(&why));
      kz_strbuf_free(&why);
      return;
    }
  }
  if (!line || !near || !(closer == '}' || closer == ')' || closer == ']') ||
      !line_text(src, len, line, &b, &e)) {
    kz_diag_add(d, NULL, 0, 0, "%s", luamsg);
    return;
  }
  /* Lua stopped at the first token of its line: what is missing is at the
  ** end of the line before. */
  const char *tok = near + 7, *tend = strchr(tok, '\'');
  while (b < e && (*b == ' ' || *b == '\t')) b++;
  size_t tl = tend ? (size_t)(tend - tok) : 0;
  int first = tl && (size_t)(e - b) >= tl && memcmp(b, tok, tl) == 0;
  int prev = line - 1;
  const char *pb = NULL, *pe = NULL, *pls = NULL;
  for (; first && prev >= 1; prev--) {
    if (!line_text(src, len, prev, &pb, &pe)) break;
    pls = pb;
    trim_code(pb, &pe);
    while (pb < pe && (*pb == ' ' || *pb == '\t')) pb++;
    if (pe > pb) break;
  }
  if (!first || prev < 1 || !pb || pe <= pb) {
    kz_diag_add(d, NULL, 0, 0, "%s", luamsg);
    return;
  }
  char last = pe[-1];
  const char *f = b;                    /* does line start a field (name = ...)? */
  while (f < e && ((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || *f == '_' ||
                   (f > b && *f >= '0' && *f <= '9'))) f++;
  int field = f > b;
  while (f < e && (*f == ' ' || *f == '\t')) f++;
  field = field && f < e && *f == '=' && (f + 1 >= e || f[1] != '=');
  const char *lua = strchr(m + pl + 1, ':');
  lua = lua ? lua + 2 : m;
  if (closer == '}' && field && last != ',' && last != ';' && last != '{')
    kz_diag_add(d, path, prev, column_of(pls, pe), "missing ',' at the end of this line "
                "(the next line starts another field; Lua noticed at line %d: %s)", line, lua);
  else if (last != closer)
    kz_diag_add(d, path, prev, column_of(pls, pe), "missing '%c' at the end of this line "
                "(Lua noticed at line %d: %s)", closer, line, lua);
  else
    kz_diag_add(d, NULL, 0, 0, "%s", luamsg);
}

/* }====== */

/* {====== The compiled listing ====== */

int kz_lint_bad_date(const char *s, size_t n, char *fix) {
  unsigned y = 0, mo = 0, dd = 0;
  size_t i = 0, k;
  for (k = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++) y = y * 10 + (unsigned)(s[i] - '0');
  if (k != 4 || i >= n || !(s[i] == '-' || s[i] == '/' || s[i] == '.')) return 0;
  char sep = s[i++];
  for (k = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++) mo = mo * 10 + (unsigned)(s[i] - '0');
  if (k < 1 || k > 2 || i >= n || s[i] != sep) return 0;
  i++;
  for (k = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++) dd = dd * 10 + (unsigned)(s[i] - '0');
  if (k < 1 || k > 2 || i != n) return 0;
  if (sep == '-' && n == 10) return 0;                 /* YYYY-MM-DD */
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31) return 0;
  snprintf(fix, 11, "%04u-%02u-%02u", y % 10000, mo, dd);
  return 1;
}

static int allowed(const char *name, const char *const *globals) {
  if (strcmp(name, "rule") == 0 || strcmp(name, "_G") == 0) return 1;
  for (const char *const *g = globals; *g; g++)
    if (strcmp(*g, name) == 0) return 1;
  return 0;
}

/* The first "..." of s (luac's escapes kept) into out; pointer past it. */
static const char *quoted(const char *s, char *out, size_t cap) {
  const char *q = strchr(s, '"');
  size_t n = 0;
  if (!q) return NULL;
  for (q++; *q && *q != '"'; q++) {
    if (*q == '\\' && q[1]) { if (n + 1 < cap) out[n++] = *q; q++; }
    if (n + 1 < cap) out[n++] = *q;
  }
  out[n] = '\0';
  return *q ? q + 1 : NULL;
}

/* Per register of the function being read: what the last write left there. */
enum { R_OTHER, R_KZ, R_LIB, R_FINDING, R_TABLE, R_DATE };
#define NREG 256

struct reg { unsigned char kind, wrapped, flagged, since; };

/* A comparison: it jumps, and writes no register. */
static int compares(const char *op) {
  static const char *const ops[] = {"EQ", "EQK", "EQI", "LT", "LE", "LTI", "LEI", "GTI", "GEI", NULL};
  for (const char *const *o = ops; *o; o++)
    if (strcmp(*o, op) == 0) return 1;
  return 0;
}

static const char *const PATTERN_FNS[] = {"match", "gmatch", "gsub", NULL};

static void pattern_error(struct kz_diag *d, const char *path, int line, const char *fn) {
  kz_diag_add(d, path, line, 0, "string.%s: Lua patterns are not available in rules; search "
              "plain text with s:find(\"text\"), compare with ==, or cut with s:sub(i, j)", fn);
}

extern const unsigned char engine_kz_lua[];   /* kz.lua, embedded (build/embedded.c) */
extern const unsigned int engine_kz_lua_len;

static int is_word_ch(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Does src give name a value anywhere (`name = ...`, a table constructor's
** key or an assignment)? Then a read of it is of a table the code made. */
static int assigned_in(const char *src, size_t len, const char *name) {
  size_t nl = strlen(name);
  const char *end = src + len;
  for (const char *s = src; s + nl < end; s++) {
    s = memchr(s, name[0], (size_t)(end - s));
    if (!s || s + nl >= end) return 0;
    if (memcmp(s, name, nl) != 0 || (s > src && is_word_ch(s[-1])) || is_word_ch(s[nl])) continue;
    const char *q = s + nl;
    while (q < end && (*q == ' ' || *q == '\t')) q++;
    if (q + 1 < end && q[0] == '=' && q[1] != '=') return 1;
  }
  return 0;
}

static void field_read(const char *path, const char *src, size_t len, int line,
                       const char *name, const struct kz_lint_names *names, struct kz_diag *d,
                       struct kz_diag *warn) {
  if (in_names(names->fields, names->nfields, name)) return;
  if (assigned_in(src, len, name) ||
      assigned_in((const char *)engine_kz_lua, engine_kz_lua_len, name))
    return;
  const char *hint = kz_suggest(name, (const char *const *)names->typos, names->ntypos);
  if (hint)
    kz_diag_add(d, path, line, 0, "reads field '%s', which no case-record table or method has "
                "(did you mean '%s'?)", name, hint);
  else
    kz_diag_add(warn, path, line, 0, "warning: reads field '%s', which is not a column of any "
                "case-record table nor a known method (right if it is a table the rule made)",
                name);
}

/* }====== */

/* {====== Reading a listing, one instruction at a time ====== */

/* What kz_lint_listing reads against, and what the last instructions left. */
struct listing {
  const char *path, *src;
  size_t len;
  const char *const *allowed_globals;
  const struct kz_lint_names *names;
  struct kz_diag *d, *warn;
  struct reg *regs;                     /* NREG of them */
  char prev_op[16], prev_name[256];
};

/* One instruction line: "  N [LINE] OP A B C ; constants". */
struct insn {
  const char *text;                     /* the whole line */
  const char *semi;                     /* its "; " or NULL */
  char op[16];
  int ln, a, b, c;
  char name[256];                       /* the first quoted constant, or "" */
  int has_name;
};

static int in_reg(int r) { return r >= 0 && r < NREG; }

/* luac5.4's listing of path, for reading; NULL if it cannot start. */
static FILE *open_listing(const char *path) {
  struct kz_strbuf cmd = {0};
  kz_strbuf_adds(&cmd, "luac5.4 -p -l -l '");
  for (const char *p = path; *p; p++) {
    if (*p == '\'') kz_strbuf_adds(&cmd, "'\\''");
    else kz_strbuf_add(&cmd, p, 1);
  }
  kz_strbuf_adds(&cmd, "' 2>/dev/null");
  FILE *f = popen(kz_strbuf_str(&cmd), "r");
  kz_strbuf_free(&cmd);
  return f;
}

/* Date-like constants of the instruction, wherever they are used. */
static void lint_dates(struct listing *l, struct insn *in) {
  for (const char *s = in->semi; s && (s = quoted(s, in->name, sizeof in->name)) != NULL;) {
    char fix[16];
    if (kz_lint_bad_date(in->name, strlen(in->name), fix))
      kz_diag_add(l->d, l->path, in->ln, 0, "the date \"%s\" is not written YYYY-MM-DD, and "
                  "dates are compared as text: write \"%s\"", in->name, fix);
  }
}

/* GETTABUP/SETTABUP on _ENV: a global read or set. */
static void on_global(struct listing *l, struct insn *in, const char *env) {
  const char *name = in->name;
  quoted(env + 6, in->name, sizeof in->name);
  if (in->op[0] == 'S') {
    kz_diag_add(l->d, l->path, in->ln, 0, "sets global '%s': rules may not create globals (use "
                "local)", name);
  } else if (strcmp(name, "os") == 0) {
    kz_diag_add(l->d, l->path, in->ln, 0, "uses os: wall-clock time and the system are not "
                "available to rules; use kz.today, the run date");
  } else if (!allowed(name, l->allowed_globals)) {
    const char *hint = kz_suggest(name, l->allowed_globals, 0);
    if (hint)
      kz_diag_add(l->d, l->path, in->ln, 0, "reads global '%s', which the rule sandbox does not "
                  "provide (did you mean '%s'?)", name, hint);
    else
      kz_diag_add(l->d, l->path, in->ln, 0, "reads global '%s', which the rule sandbox does not "
                  "provide (a typo, or a missing local?)", name);
  }
  if (in_reg(in->a))
    l->regs[in->a].kind = strcmp(name, "kz") == 0 ? R_KZ : strcmp(name, "string") == 0 ? R_LIB
                        : R_OTHER;
}

/* kz.NAME that is no word of the kizuki library. */
static void unknown_word(struct listing *l, struct insn *in) {
  const struct kz_lint_names *names = l->names;
  const char *hint = kz_suggest(in->name, (const char *const *)names->kz, names->nkz);
  if (hint)
    kz_diag_add(l->d, l->path, in->ln, 0, "kz has no word '%s' (did you mean 'kz.%s'?)",
                in->name, hint);
  else
    kz_diag_add(l->d, l->path, in->ln, 0, "kz has no word '%s' (the words are listed in "
                "docs/authoring.md)", in->name);
}

/* GETFIELD or SELF: a kz word, a string pattern function or a record field. */
static void on_field(struct listing *l, struct insn *in) {
  const struct kz_lint_names *names = l->names;
  const char *name = in->name;
  int self = in->op[0] == 'S';
  int kind = l->regs[in->b].kind;
  int pattern = 0;
  for (const char *const *p = PATTERN_FNS; *p; p++) pattern |= strcmp(*p, name) == 0;
  if (kind == R_KZ && names->nkz && !in_names(names->kz, names->nkz, name))
    unknown_word(l, in);
  else if (pattern && (self || kind == R_LIB))
    pattern_error(l->d, l->path, in->ln, name);
  else if (kind != R_KZ && kind != R_LIB && names->nfields)
    field_read(l->path, l->src, l->len, in->ln, name, names, l->d, l->warn);
  if (in_reg(in->a)) {
    size_t nl = strlen(name);
    l->regs[in->a].kind = kind == R_KZ && strcmp(name, "finding") == 0 ? R_FINDING
                        : (kind == R_KZ && strcmp(name, "today") == 0) ||
                          (nl > 3 && strcmp(name + nl - 3, "_on") == 0) ? R_DATE : R_OTHER;
    if (self && in->a + 1 < NREG) l->regs[in->a + 1].kind = R_OTHER;
  }
}

/* NEWTABLE: kz.finding { ... } has the function in the register just below. */
static void on_newtable(struct listing *l, struct insn *in) {
  struct reg *regs = l->regs;
  int a = in->a;
  int wrapped = a > 0 && regs[a - 1].kind == R_FINDING;
  wrapped |= strcmp(l->prev_op, "GETFIELD") == 0 && strcmp(l->prev_name, "finding") == 0;
  regs[a].kind = R_TABLE;
  regs[a].wrapped = (unsigned char)wrapped;
  regs[a].flagged = 0;
  regs[a].since = 0;
}

/* SETFIELD: since = of a finding, or reason = of a table no finding made. */
static void on_setfield(struct listing *l, struct insn *in) {
  struct reg *r = &l->regs[in->a];
  if (r->kind == R_TABLE && strcmp(in->name, "since") == 0) r->since = 1;
  if (r->kind == R_TABLE && !r->wrapped && !r->flagged && strcmp(in->name, "reason") == 0) {
    r->flagged = 1;
    kz_diag_add(l->d, l->path, in->ln, 0, "a table with reason = ... that is not made by "
                "kz.finding { ... }: a check that returns it opens nothing; write "
                "kz.finding { ... }");
  }
}

static int is_arith(const char *op) {
  return strcmp(op, "ADDI") == 0 || strcmp(op, "ADDK") == 0 || strcmp(op, "SUBK") == 0 ||
         strcmp(op, "ADD") == 0 || strcmp(op, "SUB") == 0;
}

/* ADD/SUB and their immediate forms: arithmetic on a date is a mistake. */
static void on_arith(struct listing *l, struct insn *in) {
  int two = in->op[3] == '\0';                 /* ADD, SUB: c is a register too */
  if ((in_reg(in->b) && l->regs[in->b].kind == R_DATE) ||
      (two && in_reg(in->c) && l->regs[in->c].kind == R_DATE))
    kz_diag_add(l->d, l->path, in->ln, 0, "arithmetic on a date: dates are text (YYYY-MM-DD): "
                "for the day n days later use kz.add_days(date, n), for the days between two "
                "dates kz.days(from, to)");
  l->regs[in->a].kind = R_OTHER;
}

static int is_call(const char *op) {
  return strcmp(op, "CALL") == 0 || strcmp(op, "TAILCALL") == 0;
}

/* Does op write its register A? (stores, jumps, tests and calls do not) */
static int overwrites_a(const char *op) {
  return strcmp(op, "SETTABLE") != 0 && strcmp(op, "SETI") != 0 &&
         strcmp(op, "SETLIST") != 0 && strcmp(op, "EXTRAARG") != 0 &&
         strcmp(op, "RETURN") != 0 && strcmp(op, "TEST") != 0 && !compares(op) &&
         strcmp(op, "JMP") != 0 && !is_call(op);
}

/* CALL/TAILCALL: kz.finding{...} without since; the results overwrite. */
static void on_call(struct listing *l, struct insn *in) {
  struct reg *regs = l->regs;
  int a = in->a;
  if (regs[a].kind == R_FINDING && a + 1 < NREG && regs[a + 1].kind == R_TABLE &&
      regs[a + 1].wrapped && !regs[a + 1].since)
    kz_diag_add(l->d, l->path, in->ln, 0, "kz.finding needs since = the day it began (a date, "
                "YYYY-MM-DD)");
  for (int r = a; r < NREG; r++) regs[r].kind = R_OTHER;   /* the call's results */
}

/* One instruction: its diagnostics and what it leaves in the registers. */
static void lint_insn(struct listing *l, struct insn *in) {
  const char *op = in->op;
  lint_dates(l, in);
  in->name[0] = '\0';
  in->has_name = in->semi != NULL && quoted(in->semi, in->name, sizeof in->name) != NULL;
  int tabup = strcmp(op, "GETTABUP") == 0 || strcmp(op, "SETTABUP") == 0;
  const char *env = strstr(in->text, "; _ENV \"");
  if (tabup && env)
    on_global(l, in, env);
  else if ((strcmp(op, "GETFIELD") == 0 || strcmp(op, "SELF") == 0) && in->has_name &&
           in_reg(in->b))
    on_field(l, in);
  else if (strcmp(op, "NEWTABLE") == 0 && in_reg(in->a))
    on_newtable(l, in);
  else if (strcmp(op, "SETFIELD") == 0 && in->has_name && in_reg(in->a))
    on_setfield(l, in);
  else if (strncmp(op, "MMBIN", 5) == 0)
    ;   /* the metamethod fallback of the operation before: reads, writes nothing */
  else if (is_arith(op) && in_reg(in->a))
    on_arith(l, in);
  else if (in_reg(in->a) && overwrites_a(op))
    l->regs[in->a].kind = R_OTHER;             /* overwritten */
  else if (is_call(op) && in_reg(in->a))
    on_call(l, in);
  snprintf(l->prev_op, sizeof l->prev_op, "%s", op);
  snprintf(l->prev_name, sizeof l->prev_name, "%s", in->has_name ? in->name : "");
}

int kz_lint_listing(const char *path, const char *src, size_t len,
                    const char *const *allowed_globals, const struct kz_lint_names *names,
                    struct kz_diag *d, struct kz_diag *warn) {
  FILE *f = open_listing(path);
  if (!f) return 1;
  struct listing l = {path, src, len, allowed_globals, names, d, warn,
                      calloc(NREG, sizeof *l.regs), "", ""};
  char text[2048];
  int any = 0;
  while (l.regs && fgets(text, sizeof text, f)) {
    any = 1;
    if (strncmp(text, "main <", 6) == 0 || strncmp(text, "function <", 10) == 0) {
      memset(l.regs, 0, NREG * sizeof *l.regs);   /* a new function: its own registers */
      l.prev_op[0] = '\0';
      continue;
    }
    struct insn in = {.text = text, .a = -1, .b = -1, .c = -1};
    if (sscanf(text, " %*d [%d] %15s %d %d %d", &in.ln, in.op, &in.a, &in.b, &in.c) < 2)
      continue;
    in.semi = strstr(text, "; ");
    lint_insn(&l, &in);
  }
  free(l.regs);
  int status = pclose(f);
  if (any) return 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? 1 : 2;
}

/* }====== */
