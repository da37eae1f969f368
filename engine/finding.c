/*
** finding.c — a finding read with lengths and limits; due ranges; error
** messages made safe to print and store.
**
** Everything here is plain C over the public Lua API: it never calls into
** rule code (fields are read raw), so it needs no sandbox protection; the
** one exception, an evidence item's __tostring, runs through the sandbox.
*/
#include "finding.h"
#include "i18n.h"

#include <lauxlib.h>

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "idset.h"
#include "severity.h"
#include "view.h"

/* {====== UTF-8 ====== */

/* The length (1-4) of the well-formed UTF-8 sequence at s (n bytes left),
** its code point in *cp; 0 when the bytes there are not UTF-8. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned long *cp) {
  unsigned char c = s[0];
  size_t len;
  unsigned long v, min;
  if (c < 0x80) { *cp = c; return 1; }
  if (c >= 0xc2 && c <= 0xdf) { len = 2; v = c & 0x1f; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; v = c & 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; v = c & 0x07; min = 0x10000; }
  else return 0;
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return len;
}

int kz_finding_utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  unsigned long cp;
  while (i < n) {
    uint64_t w;                                /* the common case: eight ASCII bytes at once */
    if (i + 8 <= n && (memcpy(&w, p + i, 8), (w & 0x8080808080808080ULL) == 0)) { i += 8; continue; }
    if (p[i] < 0x80) { i++; continue; }
    size_t len = utf8_next(p + i, n - i, &cp);
    if (!len) return 0;
    i += len;
  }
  return 1;
}

/* }====== */

/* {====== Reading a finding ====== */

/* Read one string field (a string, or a finite number turned into one) of
** the table at idx, at most max bytes. Returns 0 (*out NULL when absent or
** of another type: the caller decides), or -1 with why. The value stays on
** the stack. */
static int read_field(lua_State *L, int idx, const char *field, size_t max, const char **out,
                      struct kz_strbuf *why) {
  size_t n = 0;
  *out = NULL;
  lua_pushstring(L, field);
  int t = lua_rawget(L, idx);
  if (t == LUA_TNUMBER) {
    lua_Number v = lua_tonumber(L, -1);
    if (!lua_isinteger(L, -1) && !isfinite(v)) {
      kz_strbuf_addf(why, _("finding's %s is %s, not a value a task can be told apart by"), field,
                     isnan(v) ? "NaN" : "infinite");
      return -1;
    }
  } else if (t != LUA_TSTRING) {
    return 0;
  }
  const char *s = lua_tolstring(L, -1, &n);      /* a number is converted in place */
  if (n > max) {
    kz_strbuf_addf(why, _("finding's %s is %zu bytes long (at most %zu)"), field, n, max);
    return -1;
  }
  if (memchr(s, '\0', n)) {
    kz_strbuf_addf(why, _("finding's %s holds a NUL byte (at byte %zu)"), field,
                   (size_t)((const char *)memchr(s, '\0', n) - s));
    return -1;
  }
  if (!kz_finding_utf8_valid(s, n)) {
    kz_strbuf_addf(why, _("finding's %s is not valid UTF-8 text"), field);
    return -1;
  }
  *out = s;
  return 0;
}

int kz_finding_read(lua_State *L, int idx, struct kz_finding *f, struct kz_strbuf *why) {
  static const struct { const char *name; size_t off, max; } fields[] = {
    {"since", offsetof(struct kz_finding, since), KZ_FINDING_FIELD_MAX},
    {"reason", offsetof(struct kz_finding, reason), KZ_FINDING_REASON_MAX},
    {"key", offsetof(struct kz_finding, key), KZ_FINDING_FIELD_MAX},
    {"subject", offsetof(struct kz_finding, subject), KZ_FINDING_FIELD_MAX},
    {"severity", offsetof(struct kz_finding, severity), KZ_FINDING_FIELD_MAX},
    {"agency", offsetof(struct kz_finding, agency), KZ_FINDING_FIELD_MAX},
    {"ward", offsetof(struct kz_finding, ward), KZ_FINDING_FIELD_MAX},
  };
  memset(f, 0, sizeof *f);
  kz_strbuf_reset(why);
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
    if (read_field(L, idx, fields[i].name, fields[i].max,
                   (const char **)((char *)f + fields[i].off), why))
      return -1;
  lua_pushliteral(L, "due");
  if (lua_rawget(L, idx) != LUA_TNIL) {
    f->has_due = 1;
    if (kz_finding_due(L, lua_gettop(L), &f->due_days, &f->due_calendar, NULL)) {
      kz_strbuf_addf(why, _("finding's due must be a whole number of business days or "
                     "kz.calendar_days(n), from %d to %d"), KZ_DUE_MIN, KZ_DUE_MAX);
      return -1;
    }
  }
  return 0;
}

int kz_finding_is(lua_State *L, int idx) {
  int yes = 0;
  if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, "kz.finding");
    yes = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  return yes;
}

int kz_finding_severity(const char *sev, struct kz_strbuf *why) {
  if (kz_severity_find(sev)) return 0;
  kz_strbuf_addf(why, "severity '%s' is not one of ", sev ? sev : "");
  for (int i = KZ_NSEVERITIES; i-- > 0;)       /* least severe first */
    kz_strbuf_addf(why, "%s%s", kz_severities[i].name, i ? ", " : "");
  return -1;
}

int kz_finding_complete(struct kz_finding *f, const struct kz_finding_rule *rule, kz_day as_of,
                        const struct kz_profile *prof, struct kz_strbuf *why) {
  if (!f->subject) f->subject = rule->subject;
  if (!f->key) f->key = f->subject;
  if (!f->severity) f->severity = rule->severity;
  if (!f->agency) f->agency = rule->agency;
  if (!f->has_due) {
    f->due_days = rule->due_days;
    f->due_calendar = rule->due_calendar;
  }
  kz_strbuf_reset(why);
  if (!f->since || kz_date_parse(f->since, &f->since_day))
    kz_strbuf_addf(why, "finding needs since = a date (YYYY-MM-DD), got %s",
                   f->since ? f->since : "nothing");
  else if (f->since_day > as_of)
    kz_strbuf_addf(why, "finding's since %s is after the run date", f->since);
  else if (!f->reason || !f->reason[0])
    kz_strbuf_adds(why, "finding needs a reason (Japanese, for staff)");
  else if (!f->subject || !f->subject[0])
    kz_strbuf_adds(why, "finding has no subject");
  else if (kz_severity_find(f->severity) == NULL) {
    kz_strbuf_adds(why, "finding's ");
    kz_finding_severity(f->severity, why);
  } else if (!kz_profile_agency(prof, f->agency))
    kz_strbuf_addf(why, "finding's agency '%s' is not an agency of the profile", f->agency);
  return why->len ? -1 : 0;
}

int kz_finding_list_len(lua_State *L, int idx, lua_Integer *n, struct kz_strbuf *why) {
  idx = lua_absindex(L, idx);
  *n = (lua_Integer)lua_rawlen(L, idx);
  if (*n > 0) {
    /* Every key must be 1..n: a list with a gap ({f1, nil, f3}, or
    ** out[i] = ... skipping an i) has a length that may stop at the gap,
    ** and the findings past it would be lost without a word. */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= *n) continue;
      kz_strbuf_reset(why);
      if (lua_isinteger(L, -1))
        kz_strbuf_addf(why, _("check returned a list of findings with a gap: item [%lld] comes "
                              "after the first %lld, and what is past the gap would be lost; "
                              "build the list with list[#list + 1] = kz.finding { ... }"),
                       (long long)lua_tointeger(L, -1), (long long)*n);
      else
        kz_strbuf_addf(why, _("check returned a list of findings that also holds a %s key: "
                              "return only kz.finding { ... } items, list[1] to list[#list]"),
                       luaL_typename(L, -1));
      lua_pop(L, 1);
      return -1;
    }
    return 0;
  }
  lua_pushnil(L);
  if (!lua_next(L, idx)) return 0;                 /* {}: nothing found */
  lua_pop(L, 2);
  lua_pushliteral(L, "reason");
  int reason = lua_rawget(L, idx) != LUA_TNIL;
  lua_pop(L, 1);
  kz_strbuf_reset(why);
  kz_strbuf_adds(why, reason
    ? _("check returned a plain table with reason = ..., not kz.finding { ... }: it opens "
        "nothing; write return kz.finding { ... }")
    : _("check returned a table that is neither kz.finding { ... } nor a list of findings: it "
        "opens nothing; return nil, kz.finding { ... } or a list of them"));
  return -1;
}

/* The subject or key field of the finding at idx as text in out ("" when
** absent or neither a string nor a number). */
static void list_field(lua_State *L, int idx, const char *field, struct kz_strbuf *out) {
  kz_strbuf_reset(out);
  lua_pushstring(L, field);
  int t = lua_rawget(L, idx);
  if (t == LUA_TSTRING || t == LUA_TNUMBER) {
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);   /* a copy on the stack: the table keeps its value */
    kz_strbuf_add(out, s, n < KZ_FINDING_FIELD_MAX ? n : KZ_FINDING_FIELD_MAX);
  }
  lua_pop(L, 1);
}

int kz_finding_list_same_task(lua_State *L, int idx, lua_Integer n, const char *subject,
                              struct kz_strbuf *why) {
  struct kz_idset seen = {0};
  struct kz_strbuf subj = {0}, key = {0}, id = {0};
  int rc = 0;
  idx = lua_absindex(L, idx);
  for (lua_Integer j = 1; n > 1 && j <= n && rc == 0; j++) {
    lua_rawgeti(L, idx, j);
    if (kz_finding_is(L, -1)) {
      int f = lua_gettop(L);
      list_field(L, f, "subject", &subj);
      if (!subj.len) kz_strbuf_adds(&subj, subject ? subject : "");
      list_field(L, f, "key", &key);
      if (!key.len) kz_strbuf_adds(&key, kz_strbuf_str(&subj));
      kz_strbuf_reset(&id);
      kz_strbuf_addf(&id, "%zu:%s%s", subj.len, kz_strbuf_str(&subj), kz_strbuf_str(&key));
      if (id.oom || subj.oom || key.oom) {
        j = n;                                   /* no memory to tell: the store decides */
      } else if (kz_idset_has(&seen, kz_strbuf_str(&id))) {
        kz_strbuf_reset(why);
        kz_strbuf_addf(why, _("check returned two findings for the same task (subject %s, key "
                              "%s; item %lld): the second would be merged into the first without "
                              "a word; give each finding a key of its own"),
                       kz_strbuf_str(&subj), kz_strbuf_str(&key), (long long)j);
        rc = -1;
      } else if (kz_idset_add(&seen, kz_strbuf_str(&id), id.len)) {
        j = n;
      }
    }
    lua_pop(L, 1);
  }
  kz_idset_free(&seen);
  kz_strbuf_free(&subj);
  kz_strbuf_free(&key);
  kz_strbuf_free(&id);
  return rc;
}

int kz_finding_due(lua_State *L, int idx, int *days, int *calendar, struct kz_strbuf *why) {
  lua_Integer n = 0;
  int cal = 0, ok = 0;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    ok = lua_isinteger(L, idx);
    n = lua_tointeger(L, idx);
  } else if (lua_type(L, idx) == LUA_TTABLE) {
    lua_pushliteral(L, "days");
    lua_rawget(L, idx);
    lua_pushliteral(L, "unit");
    lua_rawget(L, idx);
    ok = lua_isinteger(L, -2) && lua_type(L, -1) == LUA_TSTRING;
    if (ok) {
      n = lua_tointeger(L, -2);
      cal = strcmp(lua_tostring(L, -1), "calendar") == 0;
      ok = cal || strcmp(lua_tostring(L, -1), "business") == 0;
    }
    lua_pop(L, 2);
  } else {
    if (why) kz_strbuf_addf(why, _("due must be a number of business days or kz.calendar_days(n), "
                            "not a %s"), lua_typename(L, lua_type(L, idx)));
    return -1;
  }
  if (!ok) {
    if (why) kz_strbuf_adds(why, _("due must be a whole number of days"));
    return -1;
  }
  if (n < KZ_DUE_MIN || n > KZ_DUE_MAX) {
    if (why) kz_strbuf_addf(why, _("due is %lld days; it must be %d to %d %s days"), (long long)n,
                            KZ_DUE_MIN, KZ_DUE_MAX, cal ? _("calendar") : _("business"));
    return -1;
  }
  *days = (int)n;
  *calendar = cal;
  return 0;
}

/* }====== */

/* {====== Evidence JSON ====== */

int kz_finding_json_string(struct kz_strbuf *b, const char *s, size_t n, struct kz_strbuf *why) {
  if (n > KZ_FINDING_EVIDENCE_MAX || b->len + n + 2 > KZ_FINDING_EVIDENCE_MAX) {
    kz_strbuf_addf(why, _("evidence is larger than %d KiB (a string of %zu bytes in it)"),
                   KZ_FINDING_EVIDENCE_MAX / 1024, n);
    return -1;
  }
  if (!kz_finding_utf8_valid(s, n)) {
    kz_strbuf_adds(why, _("evidence holds a string that is not valid UTF-8 text"));
    return -1;
  }
  kz_strbuf_add_json_string(b, s, n);
  if (b->len > KZ_FINDING_EVIDENCE_MAX) {      /* escapes made it grow past the cap */
    kz_strbuf_addf(why, _("evidence is larger than %d KiB"), KZ_FINDING_EVIDENCE_MAX / 1024);
    return -1;
  }
  return 0;
}

int kz_finding_json_number(struct kz_strbuf *b, lua_Number v, struct kz_strbuf *why) {
  if (!isfinite(v)) {
    kz_strbuf_addf(why, _("evidence holds %s (a division by zero?), which cannot be stored"),
                   isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
    return -1;
  }
  kz_strbuf_addf(b, "%.15g", (double)v);
  return 0;
}

static int l_tostring(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}

/* Append one evidence item (a record view, a table of plain fields, or a
** string) at idx to ev as JSON. Returns 0, or -1 with why. */
static int evidence_item(struct kz_sandbox *sb, int idx, struct kz_strbuf *ev,
                         struct kz_strbuf *why) {
  lua_State *L = sb->L;
  if (kz_view_record_json(L, idx, ev)) {
    if (ev->len <= KZ_FINDING_EVIDENCE_MAX) return 0;
    kz_strbuf_addf(why, "evidence is larger than %d KiB", KZ_FINDING_EVIDENCE_MAX / 1024);
    return -1;
  }
  if (lua_type(L, idx) == LUA_TTABLE) {
    int first = 1;
    kz_strbuf_adds(ev, "{");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      if (lua_type(L, -2) == LUA_TSTRING &&
          (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)) {
        size_t kn, vn;
        const char *k = lua_tolstring(L, -2, &kn);
        kz_strbuf_adds(ev, first ? "" : ",");
        if (kz_finding_json_string(ev, k, kn, why)) return -1;
        kz_strbuf_adds(ev, ":");
        if (lua_type(L, -1) == LUA_TNUMBER) {
          if (kz_finding_json_number(ev, lua_tonumber(L, -1), why)) {
            kz_strbuf_addf(why, " (field '%.64s')", k);
            return -1;
          }
        } else {
          const char *v = lua_tolstring(L, -1, &vn);
          if (kz_finding_json_string(ev, v, vn, why)) return -1;
        }
        first = 0;
      }
      lua_pop(L, 1);
    }
    kz_strbuf_adds(ev, "}");
    return 0;
  }
  if (lua_type(L, idx) == LUA_TNUMBER && !isfinite(lua_tonumber(L, idx)))
    return kz_finding_json_number(ev, lua_tonumber(L, idx), why);   /* says why */
  /* A view's or a rule's __tostring is code: run it inside the sandbox, never
  ** unprotected (an error there would bring the whole run down). */
  lua_pushcfunction(L, l_tostring);
  lua_pushvalue(L, idx);
  if (kz_sandbox_call(sb, 1, 1) != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    kz_strbuf_reset(why);
    kz_strbuf_addf(why, "evidence cannot be shown: %.*s", KZ_MESSAGE_MAX, m ? m : "error");
    lua_pop(L, 1);
    return -1;
  }
  size_t n;
  const char *s = lua_tolstring(L, -1, &n);
  int rc = kz_finding_json_string(ev, s ? s : "", s ? n : 0, why);
  lua_pop(L, 1);
  return rc;
}

int kz_finding_evidence(struct kz_sandbox *sb, int idx, struct kz_strbuf *ev,
                        struct kz_strbuf *why) {
  lua_State *L = sb->L;
  int top = lua_gettop(L), rc = 0;
  kz_strbuf_reset(ev);
  kz_strbuf_reset(why);
  kz_strbuf_adds(ev, "[");
  lua_pushliteral(L, "evidence");
  if (lua_rawget(L, idx) == LUA_TTABLE) {
    int evi = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, evi);
    for (lua_Integer i = 1; i <= n && rc == 0; i++) {
      lua_rawgeti(L, evi, i);
      if (i > 1) kz_strbuf_adds(ev, ",");
      rc = evidence_item(sb, lua_gettop(L), ev, why);
      lua_settop(L, evi);
    }
  }
  lua_settop(L, top);
  if (rc) return -1;
  kz_strbuf_adds(ev, "]");
  if (ev->oom || ev->len > KZ_FINDING_EVIDENCE_MAX) {
    kz_strbuf_adds(why, ev->oom ? "evidence: out of memory" : "evidence is larger than 64 KiB");
    return -1;
  }
  return 0;
}

/* }====== */

/* {====== Messages ====== */

void kz_finding_clean_message(struct kz_strbuf *out, const char *s, size_t n, size_t max) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n && i < max) {
    unsigned long cp;
    size_t len = utf8_next(p + i, n - i, &cp);
    if (len && i + len > max) break;            /* cut before, never inside, a character */
    if (!len) {
      kz_strbuf_addf(out, "\\x%02x", p[i]);
      i++;
      continue;
    }
    if (cp == '\n') kz_strbuf_adds(out, "\\n");
    else if (cp == '\r') kz_strbuf_adds(out, "\\r");
    else if (cp == '\t') kz_strbuf_adds(out, "\\t");
    else if (cp < 0x20 || cp == 0x7f) kz_strbuf_addf(out, "\\x%02lx", cp);
    else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
             (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029)
      kz_strbuf_addf(out, "\\u%04lx", cp);      /* C1 controls, bidi overrides, separators */
    else kz_strbuf_add(out, s + i, len);
    i += len;
  }
  if (i < n) kz_strbuf_addf(out, "… (%zu bytes in all)", n);
}

/* }====== */
