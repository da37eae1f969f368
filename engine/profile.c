/*
** profile.c — loads and validates rules/kizuki.yaml (through yamltree) into a
** kz_profile, and answers the routing questions the router and the task
** store ask of it: which unit an agency kind is in a ward, and which unit a
** task reaches at each escalation level.
*/
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "yamltree.h"

#define SUPERVISOR ".supervisor"

static const char ROOT[] = "the profile";   /* how messages name the top level */

/* One load: the profile being filled and where problems go. */
struct loader {
  struct kz_profile *p;
  struct kz_diag *d;
  int oom;                       /* an allocation failed */
};

static char *dup_text(struct loader *L, const char *s) {
  char *c = strdup(s);
  if (!c) L->oom = 1;
  return c;
}

static void *alloc_array(struct loader *L, size_t n, size_t size) {
  void *a = calloc(n ? n : 1, size);
  if (!a) L->oom = 1;
  return a;
}

/* 1 for a name that can be part of a unit: [a-z][a-z0-9_]*. */
static int is_identifier(const char *s) {
  if (!(*s >= 'a' && *s <= 'z')) return 0;
  for (s++; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  return 1;
}

/* The value under key of mapping m, reporting it when required and absent. */
static const struct kz_yaml_node *get(struct loader *L, const struct kz_yaml_node *m,
                                      const char *key, const char *what, int required) {
  const struct kz_yaml_node *v = kz_yaml_map_get(m, key);
  if (!v && required && m && m->kind == KZ_YAML_MAPPING)
    kz_yaml_error(L->d, m, "%s: missing key '%s'", what, key);
  return v;
}

/* A required text field, copied; NULL after reporting when absent or not text. */
static char *get_text(struct loader *L, const struct kz_yaml_node *m, const char *key,
                      const char *what) {
  char name[160];
  const char *s;
  if (what == ROOT) snprintf(name, sizeof name, "%s", key);   /* "city", not "the profile.city" */
  else snprintf(name, sizeof name, "%s.%s", what, key);
  const struct kz_yaml_node *v = get(L, m, key, what, 1);
  if (!v || kz_yaml_as_string(v, name, &s, L->d) < 0) return NULL;
  return dup_text(L, s);
}

/* {====================== Sections ====================== */

static void load_wards(struct loader *L, const struct kz_yaml_node *seq) {
  static const char *const keys[] = {"code", "name", "population", NULL};
  struct kz_profile *p = L->p;
  if (!seq) return;
  if (seq->kind != KZ_YAML_SEQUENCE || seq->n == 0) {
    kz_yaml_error(L->d, seq, "wards: expected a list of wards, got %s", kz_yaml_kind_name(seq));
    return;
  }
  if (!(p->wards = alloc_array(L, seq->n, sizeof *p->wards))) return;
  for (size_t i = 0; i < seq->n; i++) {
    const struct kz_yaml_node *w = seq->items[i];
    char what[64];
    snprintf(what, sizeof what, "wards[%zu]", i + 1);
    if (kz_yaml_check_keys(w, what, keys, L->d) < 0 && (!w || w->kind != KZ_YAML_MAPPING))
      continue;
    struct kz_ward *ward = &p->wards[p->nwards++];
    ward->code = get_text(L, w, "code", what);
    ward->name = get_text(L, w, "name", what);
    const struct kz_yaml_node *pop = get(L, w, "population", what, 1);
    char popname[80];
    snprintf(popname, sizeof popname, "%s.population", what);
    if (pop && kz_yaml_as_double(pop, popname, &ward->population, L->d) == 0 &&
        ward->population < 0)
      kz_yaml_error(L->d, pop, "%s: must not be negative", popname);
    if (!ward->code) continue;
    const struct kz_yaml_node *code = kz_yaml_map_get(w, "code");
    if (!is_identifier(ward->code))
      kz_yaml_error(L->d, code, "%s.code: '%s' must be lower-case letters, digits and _",
                    what, ward->code);
    else if (strcmp(ward->code, "city") == 0)
      kz_yaml_error(L->d, code, "%s.code: 'city' is reserved for city-level units", what);
    for (size_t j = 0; j + 1 < p->nwards; j++)
      if (p->wards[j].code && strcmp(p->wards[j].code, ward->code) == 0)
        kz_yaml_error(L->d, code, "%s.code: ward '%s' is listed twice", what, ward->code);
  }
}

static void load_agencies(struct loader *L, const struct kz_yaml_node *seq) {
  static const char *const keys[] = {"kind", "name", "level", NULL};
  static const char *const levels[] = {"ward", "city", NULL};
  struct kz_profile *p = L->p;
  if (!seq) return;
  if (seq->kind != KZ_YAML_SEQUENCE || seq->n == 0) {
    kz_yaml_error(L->d, seq, "agencies: expected a list of agencies, got %s",
                  kz_yaml_kind_name(seq));
    return;
  }
  if (!(p->agencies = alloc_array(L, seq->n, sizeof *p->agencies))) return;
  for (size_t i = 0; i < seq->n; i++) {
    const struct kz_yaml_node *a = seq->items[i];
    char what[64], levelname[80];
    const char *level;
    snprintf(what, sizeof what, "agencies[%zu]", i + 1);
    snprintf(levelname, sizeof levelname, "%s.level", what);
    if (kz_yaml_check_keys(a, what, keys, L->d) < 0 && (!a || a->kind != KZ_YAML_MAPPING))
      continue;
    struct kz_agency *ag = &p->agencies[p->nagencies++];
    ag->kind = get_text(L, a, "kind", what);
    ag->name = get_text(L, a, "name", what);
    const struct kz_yaml_node *lv = get(L, a, "level", what, 1);
    if (lv && kz_yaml_as_string(lv, levelname, &level, L->d) == 0) {
      if (strcmp(level, "city") == 0) ag->city_level = 1;
      else if (strcmp(level, "ward") != 0)
        kz_yaml_error(L->d, lv, "%s: expected ward or city, got '%s' (did you mean '%s'?)",
                      levelname, level, kz_yaml_nearest(level, levels));
    }
    if (!ag->kind) continue;
    const struct kz_yaml_node *kind = kz_yaml_map_get(a, "kind");
    if (!is_identifier(ag->kind))
      kz_yaml_error(L->d, kind, "%s.kind: '%s' must be lower-case letters, digits and _",
                    what, ag->kind);
    for (size_t j = 0; j + 1 < p->nagencies; j++)
      if (p->agencies[j].kind && strcmp(p->agencies[j].kind, ag->kind) == 0)
        kz_yaml_error(L->d, kind, "%s.kind: agency kind '%s' is listed twice", what, ag->kind);
  }
}

/* 1 for a unit name: identifiers joined by dots, at least two ("city.health_center"). */
static int is_unit_name(const char *s) {
  int parts = 0;
  char part[128];
  while (*s) {
    size_t n = strcspn(s, ".");
    if (n == 0 || n >= sizeof part) return 0;
    memcpy(part, s, n);
    part[n] = '\0';
    if (!is_identifier(part)) return 0;
    parts++;
    s += n;
    if (*s == '.' && !*++s) return 0;      /* a trailing dot */
  }
  return parts >= 2;
}

static const char **agency_kinds(struct loader *L);

/* fallback_unit: agency kind -> the unit a finding of that ward-level kind
** goes to when its household has no known ward and no assignment of that
** kind names one. Unset kinds get "city.<kind>". */
static void load_fallback(struct loader *L, const struct kz_yaml_node *m) {
  struct kz_profile *p = L->p;
  if (m && !kz_yaml_is_null(m) && m->kind != KZ_YAML_MAPPING) {
    kz_yaml_error(L->d, m, "fallback_unit: expected a mapping of agency kind: unit, got %s",
                  kz_yaml_kind_name(m));
    m = NULL;
  }
  for (size_t i = 0; m && m->kind == KZ_YAML_MAPPING && i < m->n; i++) {
    const struct kz_yaml_node *k = m->keys[i];
    struct kz_agency *ag = (struct kz_agency *)kz_profile_agency(p, k->text);
    char what[128];
    const char *unit;
    snprintf(what, sizeof what, "fallback_unit.%.80s", k->text ? k->text : "");
    if (!ag) {
      const char **kinds = agency_kinds(L);
      const char *near = kinds ? kz_yaml_nearest(k->text, kinds) : NULL;
      kz_yaml_error(L->d, k, "fallback_unit: unknown agency kind '%.80s'%s%s%s", k->text,
                    near ? _(" (did you mean '") : "", near ? near : "", near ? _("'?)") : "");
      free(kinds);
      continue;
    }
    if (ag->city_level) {
      kz_yaml_error(L->d, k, "%s: '%s' is a city-level kind; its unit is always city.%s",
                    what, ag->kind, ag->kind);
      continue;
    }
    if (kz_yaml_as_string(m->items[i], what, &unit, L->d) < 0) continue;
    if (!is_unit_name(unit)) {
      kz_yaml_error(L->d, m->items[i], "%s: '%.80s' is not a unit name (e.g. city.%s: "
                    "lower-case letters, digits and _, parts joined by '.')", what, unit, ag->kind);
      continue;
    }
    free(ag->fallback_unit);
    if (!(ag->fallback_unit = dup_text(L, unit))) return;
  }
  for (size_t i = 0; i < p->nagencies; i++) {     /* the default: city.<kind> */
    struct kz_agency *ag = &p->agencies[i];
    if (ag->city_level || ag->fallback_unit || !ag->kind) continue;
    size_t n = strlen(ag->kind) + sizeof "city.";
    if (!(ag->fallback_unit = malloc(n))) { L->oom = 1; return; }
    snprintf(ag->fallback_unit, n, "city.%s", ag->kind);
  }
}

static void load_params(struct loader *L, const struct kz_yaml_node *m) {
  struct kz_profile *p = L->p;
  if (!m || kz_yaml_is_null(m)) return;
  if (m->kind != KZ_YAML_MAPPING) {
    kz_yaml_error(L->d, m, "params: expected a mapping of name: number, got %s",
                  kz_yaml_kind_name(m));
    return;
  }
  if (!(p->params = alloc_array(L, m->n, sizeof *p->params))) return;
  for (size_t i = 0; i < m->n; i++) {
    const struct kz_yaml_node *k = m->keys[i], *v = m->items[i];
    char what[128];
    snprintf(what, sizeof what, "params.%.80s", k->text);
    if (!is_identifier(k->text)) {
      kz_yaml_error(L->d, k, "%s: a parameter name is lower-case letters, digits and _", what);
      continue;
    }
    struct kz_param *par = &p->params[p->nparams++];
    if (!(par->name = dup_text(L, k->text))) return;
    par->line = k->line;
    if (v->kind != KZ_YAML_MAPPING) {
      kz_yaml_as_double(v, what, &par->value, L->d);
      continue;
    }
    if (!(par->fields = alloc_array(L, v->n, sizeof *par->fields))) return;
    for (size_t j = 0; j < v->n; j++) {
      const struct kz_yaml_node *fk = v->keys[j];
      char fwhat[224];
      snprintf(fwhat, sizeof fwhat, "%s.%.80s", what, fk->text);
      if (!is_identifier(fk->text)) {
        kz_yaml_error(L->d, fk, "%s: a field name is lower-case letters, digits and _", fwhat);
        continue;
      }
      struct kz_param *f = &par->fields[par->nfields++];
      if (!(f->name = dup_text(L, fk->text))) return;
      f->line = fk->line;
      kz_yaml_as_double(v->items[j], fwhat, &f->value, L->d);
    }
  }
}

/* The agency kinds of the profile as a NULL-terminated list, for suggestions
** (borrowed strings; the array is owned by the caller). */
static const char **agency_kinds(struct loader *L) {
  const char **k = alloc_array(L, L->p->nagencies + 1, sizeof *k);
  if (!k) return NULL;
  size_t n = 0;
  for (size_t i = 0; i < L->p->nagencies; i++)
    if (L->p->agencies[i].kind) k[n++] = L->p->agencies[i].kind;
  k[n] = NULL;
  return k;
}

/* Check one step of a ladder: "<kind>" or "<kind>.supervisor" with a known
** kind, and not a unit kind the ladder has already been at. */
static void check_step(struct loader *L, const struct kz_ladder *lad, size_t i,
                       const struct kz_yaml_node *at, const char *const *kinds) {
  const char *step = lad->steps[i];
  const char *dot = strchr(step, '.');
  size_t klen = dot ? (size_t)(dot - step) : strlen(step);
  char kind[128];
  snprintf(kind, sizeof kind, "%.*s", (int)(klen < sizeof kind ? klen : sizeof kind - 1), step);
  if (dot && strcmp(dot, SUPERVISOR) != 0) {
    kz_yaml_error(L->d, at, "ladder.steps.%s: step %zu '%s': expected <agency kind> or "
                  "<agency kind>.supervisor", lad->agency, i + 1, step);
    return;
  }
  if (!kz_profile_agency(L->p, kind)) {
    const char *near = kz_yaml_nearest(kind, kinds);
    kz_yaml_error(L->d, at, "ladder.steps.%s: step %zu '%s': unknown agency kind '%s'%s%s%s",
                  lad->agency, i + 1, step, kind, near ? _(" (did you mean '") : "",
                  near ? near : "", near ? _("'?)") : "");
    return;
  }
  if (strcmp(step, lad->agency) == 0) {
    kz_yaml_error(L->d, at, "ladder.steps.%s: step %zu '%s' returns to the ladder's own "
                  "agency (a loop)", lad->agency, i + 1, step);
    return;
  }
  for (size_t j = 0; j < i; j++)
    if (lad->steps[j] && strcmp(lad->steps[j], step) == 0) {
      kz_yaml_error(L->d, at, "ladder.steps.%s: step %zu '%s' repeats step %zu (a loop)",
                    lad->agency, i + 1, step, j + 1);
      return;
    }
}

static void load_ladder(struct loader *L, const struct kz_yaml_node *m) {
  static const char *const keys[] = {"due_days", "steps", NULL};
  struct kz_profile *p = L->p;
  const char **kinds = NULL;
  if (!m) return;
  if (kz_yaml_check_keys(m, "ladder", keys, L->d) < 0 && m->kind != KZ_YAML_MAPPING) return;
  const struct kz_yaml_node *due = kz_yaml_map_get(m, "due_days");
  long long v;
  if (due && kz_yaml_as_int(due, "ladder.due_days", &v, L->d) == 0) {
    if (v < 0 || v > 365) kz_yaml_error(L->d, due, "ladder.due_days: must be 0 to 365");
    else p->ladder_due_days = (int)v;
  }
  const struct kz_yaml_node *steps = kz_yaml_map_get(m, "steps");
  if (!steps || kz_yaml_is_null(steps)) return;
  if (steps->kind != KZ_YAML_MAPPING) {
    kz_yaml_error(L->d, steps, "ladder.steps: expected a mapping of agency kind: [steps], "
                  "got %s", kz_yaml_kind_name(steps));
    return;
  }
  if (!(kinds = agency_kinds(L))) return;
  if (!(p->ladders = alloc_array(L, steps->n, sizeof *p->ladders))) goto done;
  for (size_t i = 0; i < steps->n; i++) {
    const struct kz_yaml_node *k = steps->keys[i], *seq = steps->items[i];
    if (!kz_profile_agency(p, k->text)) {
      const char *near = kz_yaml_nearest(k->text, kinds);
      kz_yaml_error(L->d, k, "ladder.steps: unknown agency kind '%.80s'%s%s%s", k->text,
                    near ? _(" (did you mean '") : "", near ? near : "", near ? _("'?)") : "");
      continue;
    }
    if (seq->kind != KZ_YAML_SEQUENCE) {
      kz_yaml_error(L->d, seq, "ladder.steps.%s: expected a list of steps, got %s",
                    k->text, kz_yaml_kind_name(seq));
      continue;
    }
    struct kz_ladder *lad = &p->ladders[p->nladders++];
    if (!(lad->agency = dup_text(L, k->text))) goto done;
    if (!(lad->steps = alloc_array(L, seq->n, sizeof *lad->steps))) goto done;
    for (size_t j = 0; j < seq->n; j++) {
      char what[128];
      const char *s;
      snprintf(what, sizeof what, "ladder.steps.%s step %zu", lad->agency, j + 1);
      if (kz_yaml_as_string(seq->items[j], what, &s, L->d) < 0) continue;
      if (!(lad->steps[lad->nsteps] = dup_text(L, s))) goto done;
      check_step(L, lad, lad->nsteps, seq->items[j], kinds);
      lad->nsteps++;
    }
  }
done:
  free(kinds);
}

/* sandbox.<name>: a whole number from 1 to max (the circuit breaker of run.c). */
static void load_rule_limit(struct loader *L, const struct kz_yaml_node *m, const char *name,
                            long long max, int *out) {
  const struct kz_yaml_node *n = kz_yaml_map_get(m, name);
  char what[64];
  long long v;
  snprintf(what, sizeof what, "sandbox.%s", name);
  if (!n || kz_yaml_as_int(n, what, &v, L->d) != 0) return;
  if (v < 1 || v > max) kz_yaml_error(L->d, n, "%s: must be 1 to %lld", what, max);
  else *out = (int)v;
}

static void load_sandbox(struct loader *L, const struct kz_yaml_node *m) {
  static const char *const keys[] = {"instructions", "memory_mb", "seconds_per_call",
                                     "rule_error_limit", "rule_budget_limit", NULL};
  struct kz_profile *p = L->p;
  long long v;
  if (!m) return;
  if (kz_yaml_check_keys(m, "sandbox", keys, L->d) < 0 && m->kind != KZ_YAML_MAPPING) return;
  const struct kz_yaml_node *ins = kz_yaml_map_get(m, "instructions");
  if (ins && kz_yaml_as_int(ins, "sandbox.instructions", &v, L->d) == 0) {
    if (v <= 0) kz_yaml_error(L->d, ins, "sandbox.instructions: must be positive");
    else p->sandbox_instructions = v;
  }
  const struct kz_yaml_node *mem = kz_yaml_map_get(m, "memory_mb");
  if (mem && kz_yaml_as_int(mem, "sandbox.memory_mb", &v, L->d) == 0) {
    if (v <= 0 || v > 1048576) kz_yaml_error(L->d, mem, "sandbox.memory_mb: must be 1 to 1048576");
    else p->sandbox_memory = (size_t)v << 20;
  }
  load_rule_limit(L, m, "rule_error_limit", 1000000, &p->rule_error_limit);
  load_rule_limit(L, m, "rule_budget_limit", 1000, &p->rule_budget_limit);
  const struct kz_yaml_node *sec = kz_yaml_map_get(m, "seconds_per_call");
  double dv;
  if (sec && kz_yaml_as_double(sec, "sandbox.seconds_per_call", &dv, L->d) == 0) {
    if (!(dv > 0 && dv <= 86400)) kz_yaml_error(L->d, sec, "sandbox.seconds_per_call: must be more than 0 and at most 86400");
    else p->sandbox_seconds = dv;
  }
}

static void load_calendar(struct loader *L, const struct kz_yaml_node *m) {
  static const char *const keys[] = {"holidays", NULL};
  struct kz_profile *p = L->p;
  if (!m) return;
  if (kz_yaml_check_keys(m, "calendar", keys, L->d) < 0 && m->kind != KZ_YAML_MAPPING) return;
  const struct kz_yaml_node *h = kz_yaml_map_get(m, "holidays");
  if (!h || kz_yaml_is_null(h)) return;
  if (h->kind != KZ_YAML_MAPPING) {
    kz_yaml_error(L->d, h, "calendar.holidays: expected a mapping of date: name, got %s",
                  kz_yaml_kind_name(h));
    return;
  }
  for (size_t i = 0; i < h->n; i++) {
    kz_day day;
    const char *name;
    char what[128];
    snprintf(what, sizeof what, "calendar.holidays.%.40s", h->keys[i]->text);
    if (kz_yaml_as_date(h->keys[i], "calendar.holidays", &day, L->d) < 0) continue;
    if (kz_yaml_as_string(h->items[i], what, &name, L->d) < 0) continue;  /* the name is for people */
    if (kz_calendar_add(&p->calendar, day) < 0) { L->oom = 1; return; }
  }
}

/* }========================================================= */

/* quarantine_max_share: a share of households, 0 to 1 (0: any bad
** household makes the extract broken). */
static void load_quarantine_max_share(struct loader *L, const struct kz_yaml_node *n) {
  double v;
  if (!n) return;
  if (kz_yaml_as_double(n, "quarantine_max_share", &v, L->d) < 0) return;
  if (!(v >= 0 && v <= 1))
    kz_yaml_error(L->d, n, "quarantine_max_share: must be a share from 0 to 1 (0.01 is 1%%)");
  else L->p->quarantine_max_share = v;
}

/* Load from text when text is not NULL, else from the file at path. */
static int load(struct kz_profile *p, const char *path, const char *text, size_t len,
                struct kz_diag *d) {
  static const char *const keys[] = {"city", "municipality", "wards", "agencies", "params",
                                     "ladder", "sandbox", "calendar", "fallback_unit",
                                     "quarantine_max_share", NULL};
  int rc = -1;
  size_t before = d->n;
  struct kz_yaml_doc doc = {0};
  struct loader L = {p, d, 0};

  memset(p, 0, sizeof *p);
  p->ladder_due_days = 3;
  p->sandbox_instructions = 10000000;
  p->sandbox_memory = (size_t)256 << 20;
  p->rule_error_limit = 20;
  p->rule_budget_limit = 3;
  p->quarantine_max_share = 0.01;
  p->sandbox_seconds = 2;
  if (!(p->path = strdup(path))) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
  if ((text ? kz_yaml_load_string(path, text, len, &doc, d) : kz_yaml_load_file(path, &doc, d)) < 0)
    goto done;
  const struct kz_yaml_node *root = doc.root;
  if (!root) {
    kz_diag_add(d, path, 0, 0, "the profile is empty");
    goto done;
  }
  if (root->kind != KZ_YAML_MAPPING) {
    kz_yaml_error(d, root, "the profile: expected a mapping of city, wards, agencies, ..., "
                  "got %s", kz_yaml_kind_name(root));
    goto done;
  }
  kz_yaml_check_keys(root, ROOT, keys, d);
  p->city = get_text(&L, root, "city", ROOT);
  p->municipality = get_text(&L, root, "municipality", ROOT);
  load_wards(&L, get(&L, root, "wards", ROOT, 1));
  load_agencies(&L, get(&L, root, "agencies", ROOT, 1));
  load_params(&L, get(&L, root, "params", ROOT, 0));
  load_ladder(&L, get(&L, root, "ladder", ROOT, 0));
  load_fallback(&L, get(&L, root, "fallback_unit", ROOT, 0));
  load_sandbox(&L, get(&L, root, "sandbox", ROOT, 0));
  load_calendar(&L, get(&L, root, "calendar", ROOT, 0));
  load_quarantine_max_share(&L, get(&L, root, "quarantine_max_share", ROOT, 0));
  if (L.oom) kz_diag_add(d, path, 0, 0, "out of memory");
  if (d->n == before) rc = 0;

done:
  kz_yaml_free(&doc);
  if (rc != 0) kz_profile_free(p);
  return rc;
}

int kz_profile_load(struct kz_profile *p, const char *path, struct kz_diag *d) {
  return load(p, path, NULL, 0, d);
}

int kz_profile_load_string(struct kz_profile *p, const char *name, const char *text, size_t len,
                           struct kz_diag *d) {
  return load(p, name ? name : "<string>", text, len, d);
}

static void free_params(struct kz_param *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(a[i].name);
    free_params(a[i].fields, a[i].nfields);
  }
  free(a);
}

void kz_profile_free(struct kz_profile *p) {
  free(p->path);
  free(p->city);
  free(p->municipality);
  for (size_t i = 0; i < p->nwards; i++) {
    free(p->wards[i].code);
    free(p->wards[i].name);
  }
  free(p->wards);
  for (size_t i = 0; i < p->nagencies; i++) {
    free(p->agencies[i].kind);
    free(p->agencies[i].name);
    free(p->agencies[i].fallback_unit);
  }
  free(p->agencies);
  free_params(p->params, p->nparams);
  for (size_t i = 0; i < p->nladders; i++) {
    for (size_t j = 0; j < p->ladders[i].nsteps; j++) free(p->ladders[i].steps[j]);
    free(p->ladders[i].steps);
    free(p->ladders[i].agency);
  }
  free(p->ladders);
  kz_calendar_free(&p->calendar);
  memset(p, 0, sizeof *p);
}

/* {====================== Queries ====================== */

static struct kz_param *find_param(struct kz_param *a, size_t n, const char *name, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (a[i].name && strlen(a[i].name) == len && memcmp(a[i].name, name, len) == 0)
      return &a[i];
  return NULL;
}

const struct kz_param *kz_profile_param(const struct kz_profile *p, const char *name) {
  return find_param(p->params, p->nparams, name, strlen(name));
}

int kz_profile_set_param(struct kz_profile *p, const char *name, double value) {
  const char *dot = strchr(name, '.');
  struct kz_param *par = find_param(p->params, p->nparams, name,
                                    dot ? (size_t)(dot - name) : strlen(name));
  if (!par) return -1;
  if (dot) {
    par = find_param(par->fields, par->nfields, dot + 1, strlen(dot + 1));
    if (!par) return -1;
  }
  if (par->fields) return -1;      /* a whole map cannot be one number */
  par->value = value;
  return 0;
}

const struct kz_agency *kz_profile_agency(const struct kz_profile *p, const char *kind) {
  for (size_t i = 0; kind && i < p->nagencies; i++)
    if (p->agencies[i].kind && strcmp(p->agencies[i].kind, kind) == 0) return &p->agencies[i];
  return NULL;
}

const struct kz_ward *kz_profile_ward(const struct kz_profile *p, const char *code) {
  for (size_t i = 0; code && i < p->nwards; i++)
    if (p->wards[i].code && strcmp(p->wards[i].code, code) == 0) return &p->wards[i];
  return NULL;
}

const struct kz_ladder *kz_profile_ladder(const struct kz_profile *p, const char *agency) {
  for (size_t i = 0; agency && i < p->nladders; i++)
    if (strcmp(p->ladders[i].agency, agency) == 0) return &p->ladders[i];
  return NULL;
}

/* The unit of agency kind `kind` (klen bytes) in ward, plus suffix. */
static int unit_of(const struct kz_profile *p, const char *kind, size_t klen, const char *ward,
                   const char *suffix, char *out, size_t outlen) {
  char k[128];
  if (klen >= sizeof k) return -1;
  memcpy(k, kind, klen);
  k[klen] = '\0';
  const struct kz_agency *a = kz_profile_agency(p, k);
  if (!a) return -1;
  int n;
  if (!a->city_level && !ward && a->fallback_unit)   /* no known ward: the fallback */
    n = snprintf(out, outlen, "%s%s", a->fallback_unit, suffix);
  else if (!a->city_level && !kz_profile_ward(p, ward))
    return -1;
  else
    n = snprintf(out, outlen, "%s.%s%s", a->city_level ? "city" : ward, k, suffix);
  return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int kz_profile_unit(const struct kz_profile *p, const char *agency, const char *ward,
                    char *out, size_t outlen) {
  if (!agency) return -1;
  return unit_of(p, agency, strlen(agency), ward, "", out, outlen);
}

int kz_profile_ladder_unit(const struct kz_profile *p, const char *agency, const char *ward,
                           int level, char *out, size_t outlen) {
  if (level < 0 || !agency) return -1;
  const struct kz_ladder *lad = kz_profile_ladder(p, agency);
  if (level == 0 || !lad || lad->nsteps == 0) return kz_profile_unit(p, agency, ward, out, outlen);
  const char *step = lad->steps[(size_t)level < lad->nsteps ? (size_t)level - 1 : lad->nsteps - 1];
  const char *dot = strchr(step, '.');
  if (!dot) return unit_of(p, step, strlen(step), ward, "", out, outlen);
  return unit_of(p, step, (size_t)(dot - step), ward, dot, out, outlen);
}

/* }===================================================== */
