/*
** staff_names.c — the names staff read (staff_names.h): the Japanese names
** of case-record tables and columns, of units, ladder steps, wards, agency
** kinds and statuses, and the resolver from a typed code or name back to a
** code. Ward and agency names are the profile's.
*/
#include "staff_names.h"

#include <stdlib.h>
#include <string.h>

#include "suggest.h"

static const char SUPERVISOR[] = ".supervisor";
static const char SUPERVISOR_JA[] = "（管理職）";

/* Japanese names of the case-record tables and columns evidence carries. */
static const char *const NAMES[][2] = {
  {"persons", "人"}, {"households", "世帯"}, {"members", "世帯員"}, {"residences", "住所"},
  {"pregnancies", "妊娠"}, {"checkups", "乳幼児健診"}, {"welfare", "生活保護"},
  {"assignments", "担当"}, {"council", "要対協"}, {"contacts", "接触"},
  {"assessments", "アセスメント"}, {"reviews", "見直し"}, {"reports", "通告"},
  {"transfers", "移管"},
  {"birth_on", "生年月日"}, {"start_on", "開始"}, {"end_on", "終了"}, {"end_reason", "終了理由"},
  {"notified_on", "届出"}, {"due_on", "予定日"}, {"outcome", "転帰"}, {"scheduled_on", "予定"},
  {"attended_on", "受診"}, {"kind", "種別"}, {"occurred_on", "接触日"}, {"child_seen", "目視"},
  {"assessed_on", "評価日"}, {"risk", "リスク"}, {"reviewed_on", "見直し日"}, {"forum", "会議"},
  {"received_on", "受理"}, {"source", "通告元"}, {"documented_on", "文書"},
  {"follow_up_on", "フォロー"}, {"from_ward", "転出区"}, {"to_ward", "転入区"},
  {"staff_id", "担当者"}, {"agency", "機関"}, {"ward", "区"}, {"role", "役割"},
  {"primary_agency", "主担当機関"}, {"person_id", "本人"}, {"child_id", "子"},
  {"mother_id", "母"}, {"municipality", "市町村"}, {"relation", "続柄"},
};

const char *kz_staff_field_name(const char *s) {
  if (!s) return "";
  for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
    if (strcmp(NAMES[i][0], s) == 0) return NAMES[i][1];
  return s;
}

void kz_staff_base_unit(const char *unit, char *out, size_t n) {
  size_t len = strlen(unit), sl = sizeof SUPERVISOR - 1;
  if (len > sl && strcmp(unit + len - sl, SUPERVISOR) == 0) len -= sl;
  snprintf(out, n, "%.*s", (int)len, unit);
}

/* The agency and ward (NULL: city level) of unit per p; -1 when p does not
** know them. *sup: the unit is a supervisor's. */
static int unit_parts(const struct kz_profile *p, const char *unit, const struct kz_agency **a,
                      const struct kz_ward **w, int *sup) {
  char base[128];
  if (!p || !unit) return -1;
  kz_staff_base_unit(unit, base, sizeof base);
  *sup = strlen(base) != strlen(unit);
  const char *dot = strchr(base, '.');
  *a = dot ? kz_profile_agency(p, dot + 1) : NULL;
  *w = NULL;
  int city = dot && (size_t)(dot - base) == 4 && strncmp(base, "city", 4) == 0;
  if (dot && !city) {
    char code[64];
    snprintf(code, sizeof code, "%.*s", (int)(dot - base), base);
    *w = kz_profile_ward(p, code);
  }
  return !*a || (!city && !*w) ? -1 : 0;
}

void kz_staff_unit_name(const struct kz_profile *p, const char *unit, struct kz_strbuf *b) {
  const struct kz_agency *a;
  const struct kz_ward *w;
  int sup;
  if (unit_parts(p, unit, &a, &w, &sup)) {
    kz_strbuf_adds(b, unit ? unit : "");
    return;
  }
  kz_strbuf_adds(b, w ? w->name : (p->city ? p->city : "市"));
  kz_strbuf_adds(b, " ");
  kz_strbuf_adds(b, a->name);
  if (sup) kz_strbuf_adds(b, SUPERVISOR_JA);
}

void kz_staff_step_name(const struct kz_profile *p, const char *step, struct kz_strbuf *b) {
  const char *dot = strchr(step, '.');
  char kind[64];
  snprintf(kind, sizeof kind, "%.*s", dot ? (int)(dot - step) : (int)strlen(step), step);
  const struct kz_agency *a = p ? kz_profile_agency(p, kind) : NULL;
  kz_strbuf_adds(b, a ? a->name : kind);
  if (dot) kz_strbuf_adds(b, SUPERVISOR_JA);
}

const char *kz_staff_ward_name(const struct kz_profile *p, const char *code) {
  const struct kz_ward *w = p && code ? kz_profile_ward(p, code) : NULL;
  return w ? w->name : code ? code : "";
}

const char *kz_staff_agency_name(const struct kz_profile *p, const char *kind) {
  const struct kz_agency *a = p && kind ? kz_profile_agency(p, kind) : NULL;
  return a ? a->name : kind ? kind : "";
}

const char *kz_staff_status_name(const char *s) {
  if (!s) return "";
  return !strcmp(s, "open") ? "対応中" : !strcmp(s, "cleared") ? "解消" : !strcmp(s, "done") ? "完了"
         : !strcmp(s, "all") ? "すべて" : s;
}

/* {====== The resolver ====== */

/* Codes and the names that stand for them; names[i] stands for codes[i]. */
struct choices {
  char **codes, **names;
  size_t n, cap;
  int oom;
};

static void choices_free(struct choices *c) {
  for (size_t i = 0; i < c->n; i++) { free(c->codes[i]); free(c->names[i]); }
  free(c->codes);
  free(c->names);
}

/* s without ASCII spaces and U+3000 (ideographic space), into a new string. */
static char *squeeze(const char *s) {
  char *o = malloc(strlen(s) + 1), *q = o;
  if (!o) return NULL;
  while (*s) {
    if (*s == ' ') { s++; continue; }
    if (strncmp(s, "\xE3\x80\x80", 3) == 0) { s += 3; continue; }
    *q++ = *s++;
  }
  *q = '\0';
  return o;
}

static void choices_add(struct choices *c, const char *code, const char *name) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    char **a = realloc(c->codes, cap * sizeof *a), **b = a ? realloc(c->names, cap * sizeof *b) : NULL;
    if (a) c->codes = a;
    if (b) c->names = b;
    if (!a || !b) { c->oom = 1; return; }
    c->cap = cap;
  }
  char *cd = strdup(code), *nm = squeeze(name);
  if (!cd || !nm) { free(cd); free(nm); c->oom = 1; return; }
  c->codes[c->n] = cd;
  c->names[c->n++] = nm;
}

/* Every name a unit goes by: its code, "中央区 区保健センター", and where the
** ward's name ends as the agency's begins (区), "中央区保健センター"; a
** city-level unit also by its agency's name alone (児童相談所). */
static void add_unit(struct choices *c, const struct kz_profile *p, const char *unit) {
  const struct kz_agency *a;
  const struct kz_ward *w;
  int sup;
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->codes[i], unit) == 0) return;   /* already there, with its names */
  choices_add(c, unit, unit);
  if (unit_parts(p, unit, &a, &w, &sup)) return;
  struct kz_strbuf b = {0};
  kz_staff_unit_name(p, unit, &b);
  choices_add(c, unit, kz_strbuf_str(&b));
  kz_strbuf_reset(&b);
  if (w) {
    size_t wl = strlen(w->name), kl = strlen("区");
    if (wl >= kl && strcmp(w->name + wl - kl, "区") == 0 && strncmp(a->name, "区", kl) == 0) {
      kz_strbuf_adds(&b, w->name);
      kz_strbuf_adds(&b, a->name + kl);
    }
  } else {
    kz_strbuf_adds(&b, a->name);
  }
  if (b.oom) c->oom = 1;
  else if (kz_strbuf_str(&b)[0]) {
    if (sup) kz_strbuf_adds(&b, SUPERVISOR_JA);
    choices_add(c, unit, kz_strbuf_str(&b));
  }
  kz_strbuf_free(&b);
}

/* Every unit the profile routes to: each agency kind's unit in each ward (or
** the city's), its fallback, and each step of its ladder. */
static void add_profile_units(struct choices *c, const struct kz_profile *p) {
  char unit[160];
  for (size_t i = 0; i < p->nagencies; i++) {
    const struct kz_agency *a = &p->agencies[i];
    const struct kz_ladder *l = kz_profile_ladder(p, a->kind);
    int top = l ? (int)l->nsteps : 0;
    for (size_t w = 0; w <= p->nwards; w++) {
      const char *ward = w < p->nwards ? p->wards[w].code : NULL;
      for (int lv = 0; lv <= top; lv++)
        if (kz_profile_ladder_unit(p, a->kind, ward, lv, unit, sizeof unit) == 0) add_unit(c, p, unit);
    }
  }
}

int kz_staff_resolve(const struct kz_profile *p, enum kz_staff_kind kind, const char *given,
                     const char *const *known, size_t nknown, char *out, size_t n) {
  struct choices c = {0};
  char *want = squeeze(given ? given : "");
  int rc = -1;
  if (p && kind == KZ_NAME_UNIT) add_profile_units(&c, p);
  if (p && kind == KZ_NAME_WARD)
    for (size_t i = 0; i < p->nwards; i++) {
      choices_add(&c, p->wards[i].code, p->wards[i].code);
      choices_add(&c, p->wards[i].code, p->wards[i].name);
    }
  for (size_t i = 0; i < nknown; i++) {
    if (kind == KZ_NAME_UNIT) add_unit(&c, p, known[i]);
    else choices_add(&c, known[i], known[i]);
  }
  snprintf(out, n, "%s", "");
  if (!want || c.oom) goto done;
  for (size_t i = 0; i < c.n; i++)
    if (strcmp(c.codes[i], given) == 0) {
      snprintf(out, n, "%s", c.codes[i]);
      rc = 0;
      goto done;
    }
  /* A name two codes go by (two agency kinds or wards the profile names
  ** alike) is not guessed: picking one would hide the other's tasks. */
  const char *first = NULL;
  int ambiguous = 0;
  for (size_t i = 0; i < c.n; i++)
    if (strcmp(c.names[i], want) == 0) {
      if (!first) first = c.codes[i];
      else if (strcmp(first, c.codes[i]) != 0) ambiguous = 1;
    }
  if (first && !ambiguous) {
    snprintf(out, n, "%s", first);
    rc = 0;
    goto done;
  }
  if (ambiguous) {                               /* out: every code it names */
    for (size_t i = 0; i < c.n; i++) {
      int again = strcmp(c.names[i], want) != 0;
      for (size_t j = 0; j < i && !again; j++)
        again = strcmp(c.names[j], want) == 0 && strcmp(c.codes[j], c.codes[i]) == 0;
      size_t len = strlen(out);
      if (!again) snprintf(out + len, n - len, "%s%s", len ? ", " : "", c.codes[i]);
    }
    rc = -2;
    goto done;
  }
  const char *near = c.n ? kz_suggest(want, (const char *const *)c.names, c.n) : NULL;
  if (near) snprintf(out, n, "%s", near);
done:
  free(want);
  choices_free(&c);
  return rc;
}

/* }====== */
