/*
** profile.h — the municipality profile (rules/kizuki.yaml): wards, agency
** kinds and their units, rule parameters, the escalation ladder, the holiday
** calendar and the sandbox limits. Nothing about a particular city is
** written in C: another city is another kizuki.yaml.
**
** Units: a ward-level agency kind K is routed to "<ward>.<K>", a city-level
** kind to "city.<K>"; a ladder step may add ".supervisor".
*/
#ifndef KZ_PROFILE_H
#define KZ_PROFILE_H

#include <stddef.h>
#include "calendar.h"
#include "diag.h"

struct kz_ward {
  char *code;            /* "chuo" */
  char *name;            /* "中央区" */
  double population;     /* relative size, used by `kizuki gen` to weight wards */
};

struct kz_agency {
  char *kind;            /* "health_center" */
  char *name;            /* "区保健センター" */
  int city_level;        /* 1: one unit for the city ("city.<kind>") */
  char *fallback_unit;   /* ward-level: the unit of a task whose household has no
                         ** known ward and no assignment of this kind to go by
                         ** (`fallback_unit:`, default "city.<kind>"); NULL city-level */
};

/* A parameter is a number, or (fields != NULL) a map of named numbers such as
** risk_weights. */
struct kz_param {
  char *name;
  double value;
  struct kz_param *fields;  /* owned; NULL for a plain number */
  size_t nfields;
  int line;                 /* where it was set in the profile */
};

/* The ladder of one agency kind: the steps a task of that kind climbs.
** steps[i] is a unit kind: an agency kind, optionally + ".supervisor". */
struct kz_ladder {
  char *agency;
  char **steps;
  size_t nsteps;
};

struct kz_profile {
  char *path;                  /* the file it came from */
  char *city;                  /* display name, e.g. "札幌市" */
  char *municipality;          /* residences.municipality of the city, e.g. "sapporo" */
  struct kz_ward *wards; size_t nwards;
  struct kz_agency *agencies; size_t nagencies;
  struct kz_param *params; size_t nparams;
  struct kz_ladder *ladders; size_t nladders;
  int ladder_due_days;         /* business days a step gets (default 3) */
  struct kz_calendar calendar;
  long long sandbox_instructions;  /* per evaluation (default 10,000,000) */
  size_t sandbox_memory;           /* bytes per Lua state (default 256 MiB) */
  int rule_error_limit;            /* a rule erring in more households is suspended (20) */
  int rule_budget_limit;           /* ... or running out of its budget this often (3) */
  double quarantine_max_share;     /* above this share of households quarantined, the
                                   ** case DB extract is broken: exit 4 (default 0.01) */
  double sandbox_seconds;          /* wall clock per evaluation (default 2) */
};

/* Load and validate path into *p (zeroed first). Every problem is added to
** d with file:line:col; returns 0 when there were none, else -1 (and *p is
** freed). Validates: known keys only, types, ward and agency names, that each
** ladder step names a known agency kind and never returns to an earlier unit
** kind (no loops), and that holidays are real dates. */
int kz_profile_load(struct kz_profile *p, const char *path, struct kz_diag *d);

/* As kz_profile_load, from len bytes of YAML text named name in messages
** (tests and fuzzers). */
int kz_profile_load_string(struct kz_profile *p, const char *name, const char *text, size_t len,
                           struct kz_diag *d);

void kz_profile_free(struct kz_profile *p);

/* The parameter called name, or NULL. */
const struct kz_param *kz_profile_param(const struct kz_profile *p, const char *name);

/* Set a plain numeric parameter the profile defines; used by fixtures'
** `params:`. A map parameter is overridden field by field with "map.field"
** names (a field the map does not have is unknown too). Returns 0, or -1
** when the name is unknown to the profile or names a whole map, so that a
** misspelt override is an error rather than a silent no-op. */
int kz_profile_set_param(struct kz_profile *p, const char *name, double value);

const struct kz_agency *kz_profile_agency(const struct kz_profile *p, const char *kind);
const struct kz_ward *kz_profile_ward(const struct kz_profile *p, const char *code);

/* The ladder of agency kind `agency`, or NULL when it has none (a task of
** that kind then stays with its own unit). */
const struct kz_ladder *kz_profile_ladder(const struct kz_profile *p, const char *agency);

/* Write the unit of agency kind `agency` for ward `ward` into out:
** "<ward>.<agency>" or "city.<agency>"; for a ward-level kind with ward NULL
** (no known ward: DESIGN.md "routed by the profile's fallback"), the kind's
** fallback_unit. Returns 0, or -1 when the kind is unknown, or the kind is
** ward-level and ward is not a ward of the profile. */
int kz_profile_unit(const struct kz_profile *p, const char *agency,
                    const char *ward, char *out, size_t outlen);

/* The unit a task of agency kind `agency` in `ward` is with at escalation
** level `level` (0 = the agency itself; past the top of the ladder the task
** stays at the top). With ward NULL a ward-level step is that kind's
** fallback_unit (a supervisor step: fallback_unit + ".supervisor"), so a
** task routed by the fallback climbs its ladder too. Returns 0 or -1 as
** kz_profile_unit. */
int kz_profile_ladder_unit(const struct kz_profile *p, const char *agency,
                           const char *ward, int level, char *out, size_t outlen);

#endif
