/*
** run.c — the nightly run: loader -> rules -> findings -> router -> store.
**
** Data flows one way. For each household bundle, every rule's check runs in
** the sandbox once per subject (a rule whose `needs` the household lacks is
** skipped: it could find nothing there); each finding it returns is turned into a
** kz_task_input (routing by agency kind and ward) and applied to the task
** store. A rule that errs is recorded and its tasks in that household are
** left as they were; the run goes on. A finding that cannot be stored (NaN
** in its evidence, a NUL or bad UTF-8 in a string, too big: finding.c) is
** such an error too. Errors are told bounded: the first few of each rule in
** full, control characters escaped, then one closing line; a rule that keeps
** failing is suspended for the rest of the run (the circuit breaker), its
** open tasks kept.
*/
#include "run.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "finding.h"
#include "i18n.h"
#include "idset.h"
#include "kizuki.h"
#include "loader.h"
#include "prefetch.h"
#include "severity.h"
#include "strbuf.h"
#include "task_read.h"
#include "view.h"

int kz_engine_open(struct kz_engine *e, const char *rules_dir, const char *profile_path,
                   struct kz_diag *d) {
  memset(e, 0, sizeof *e);
  e->threaded = 1;
  if (kz_profile_load(&e->prof, profile_path, d)) return -1;
  if (kz_sandbox_open(&e->sb, e->prof.sandbox_instructions, e->prof.sandbox_memory)) {
    kz_diag_add(d, NULL, 0, 0, "cannot create the Lua sandbox (out of memory)");
    kz_profile_free(&e->prof);
    return -1;
  }
  kz_sandbox_limit_time(&e->sb, e->prof.sandbox_seconds);   /* without a timer, the budget holds */
  if (kz_ruleset_load(&e->rules, &e->sb, rules_dir, &e->prof, d)) {
    kz_engine_close(e);
    return -1;
  }
  return 0;
}

void kz_engine_close(struct kz_engine *e) {
  kz_ruleset_free(&e->rules, &e->sb);
  kz_sandbox_close(&e->sb);
  for (int i = 0; i < KZ_PREFETCH_DEPTH; i++) kz_bundle_free(&e->ring[i]);
  kz_profile_free(&e->prof);
}

void kz_run_stats_free(struct kz_run_stats *st) {
  free(st->by_rule);
  free(st->rule_errors);
  free(st->suspended);
  free(st->by_unit);
  kz_quarantine_free(&st->quarantine);
  memset(st, 0, sizeof *st);
}

static void tally(struct kz_run_stats *st, size_t rule, const char *unit, enum kz_outcome o) {
  st->counts[o]++;
  if (st->by_rule) st->by_rule[rule][o]++;
  if (!unit || !unit[0]) return;
  size_t i;
  for (i = 0; i < st->nunits; i++)
    if (strcmp(st->by_unit[i].unit, unit) == 0) break;
  if (i == st->nunits) {
    if (st->nunits == st->capunits) {
      size_t cap = st->capunits ? st->capunits * 2 : 32;
      struct kz_unit_stats *u = realloc(st->by_unit, cap * sizeof *u);
      if (!u) return;
      st->by_unit = u;
      st->capunits = cap;
    }
    memset(&st->by_unit[i], 0, sizeof st->by_unit[i]);
    snprintf(st->by_unit[i].unit, sizeof st->by_unit[i].unit, "%s", unit);
    st->nunits++;
  }
  st->by_unit[i].counts[o]++;
}

/* State of one run, passed to the helpers below. */
struct run_ctx {
  struct kz_engine *e;
  struct kz_tasks *ts;
  const struct kz_run_opts *opts;
  struct kz_run_stats *st;
  struct kz_diag *d;
  kz_day as_of;
  const struct kz_bundle *b;
  int hh_idx;                /* stack index of the household view */
  char ward[64];             /* the household's ward (routing default) */
  int ward_known;            /* 0: not computed yet; 1: computed (may be empty) */
  struct kz_strbuf ev;       /* evidence JSON scratch */
  struct kz_strbuf msg;      /* error message scratch */
  struct kz_strbuf out;      /* an error line, cleaned (finding.h) */
  struct rule_tally *rt;     /* owned; per loaded rule: its errors this run */
  struct kz_strbuf why;      /* a reason with its fallback routing line */
  struct kz_idset owners;    /* owned: households and subjects of the open tasks */
  struct kz_idset seen;      /* owned: those of them evaluated tonight (bounded by the
                             ** open tasks, not the city) */
  struct kz_idset absent;    /* owned: households of open tasks the run never saw */
  int looked_failed;         /* looked() could not record or count a kept task */
};

/* {====== Rule errors and the circuit breaker ====== */

#define ERRORS_SHOWN 3          /* errors of one rule told in full on opts->errors */
#define ERRORS_STORED 100       /* errors of one rule stored one by one in run_errors */

/* What one rule's errors came to in this run. */
struct rule_tally {
  long long errors;          /* every error */
  long long households;      /* distinct households it erred in */
  long long last_household;  /* index of the last one (households run in order) */
  long long stored;          /* rows of run_errors */
  int exhausted;             /* errors that ran out of instructions, memory or time */
};

/* Did the last sandbox call run out of its budget (instructions, memory,
** wall clock)? */
static int budget_exhausted(const struct kz_sandbox *sb) {
  return sb->budget_hit || sb->mem_hit || sb->deadline_hit;
}

/* Append s to b cleaned for a terminal and a log, at most max bytes of it. */
static void add_clean(struct kz_strbuf *b, const char *s, size_t max) {
  kz_finding_clean_message(b, s, strlen(s), max);
}

/* Suspend rule ri for the rest of the run: not evaluated any more, its open
** tasks kept (the sweep leaves them); told once and stored in run_errors. */
static int suspend(struct run_ctx *c, size_t ri) {
  const struct kz_rule *r = &c->e->rules.rules[ri];
  const struct rule_tally *t = &c->rt[ri];
  c->st->suspended[ri] = 1;
  c->st->nsuspended++;
  kz_strbuf_reset(&c->msg);
  if (t->households > c->e->prof.rule_error_limit)
    kz_strbuf_addf(&c->msg, _("rule suspended for the rest of the run: it erred in %lld households "
                   "(more than sandbox.rule_error_limit %d); its open tasks are kept as they are"),
                   t->households, c->e->prof.rule_error_limit);
  else
    kz_strbuf_addf(&c->msg, _("rule suspended for the rest of the run: it ran out of its instruction "
                   "budget, memory or time %d times (sandbox.rule_budget_limit %d); its open tasks "
                   "are kept as they are"), t->exhausted, c->e->prof.rule_budget_limit);
  if (c->opts->errors)
    fprintf(c->opts->errors, _("%s:%d: rule %s: %s\n"), r->file, r->line, r->id, kz_strbuf_str(&c->msg));
  if (kz_tasks_keep_rule(c->ts, r->id) ||
      kz_tasks_record_error(c->ts, r->id, NULL, NULL, r->file, r->line, kz_strbuf_str(&c->msg))) {
    kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a suspended rule: %s",
                kz_tasks_errmsg(c->ts));
    return -1;
  }
  return 0;
}

/* Report a rule error: told on opts->errors (the first ERRORS_SHOWN of the
** rule), stored with the run (the first ERRORS_STORED), the message cut to
** KZ_MESSAGE_MAX bytes and its control characters escaped; the rule's tasks
** in this household are kept. Trips the circuit breaker. Returns 0 or -1. */
static int rule_error(struct run_ctx *c, const struct kz_rule *r, const char *subject,
                      const char *message) {
  struct kz_sandbox *sb = &c->e->sb;
  size_t ri = (size_t)(r - c->e->rules.rules);
  struct rule_tally *t = &c->rt[ri];
  const char *file = sb->err_line ? sb->err_file : r->file;
  int line = sb->err_line ? sb->err_line : r->line;
  int exhausted = budget_exhausted(sb);
  sb->err_line = 0;      /* used: a later error found in C must not inherit it */
  sb->budget_hit = sb->mem_hit = sb->deadline_hit = 0;
  c->st->errors++;
  c->st->rule_errors[ri]++;
  t->errors++;
  t->exhausted += exhausted;
  if (t->last_household != c->st->households) {
    t->households++;
    t->last_household = c->st->households;
  }
  if (!message) message = "error";
  /* Lua put "file:line: " in front of the message; it is said once, below. */
  char where[300];
  snprintf(where, sizeof where, "%s:%d: ", file, line);
  if (strncmp(message, where, strlen(where)) == 0) message += strlen(where);
  kz_strbuf_reset(&c->out);
  add_clean(&c->out, file, 512);
  kz_strbuf_addf(&c->out, _(":%d: rule %s, subject "), line, r->id);
  add_clean(&c->out, subject ? subject : "-", KZ_FINDING_FIELD_MAX);
  kz_strbuf_adds(&c->out, _(" (household "));
  add_clean(&c->out, c->b->household_id, KZ_FINDING_FIELD_MAX);
  kz_strbuf_adds(&c->out, _("): "));
  size_t at = c->out.len;
  add_clean(&c->out, message, KZ_MESSAGE_MAX);
  if (c->opts->errors && t->errors <= ERRORS_SHOWN)
    fprintf(c->opts->errors, "%s\n", kz_strbuf_str(&c->out));
  int rc = t->stored < ERRORS_STORED
      ? kz_tasks_record_error(c->ts, r->id, c->b->household_id, subject, file, line,
                              kz_strbuf_str(&c->out) + at)
      : kz_tasks_note_error(c->ts, r->id, c->b->household_id);
  if (rc) {
    kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a rule error: %s",
                kz_tasks_errmsg(c->ts));
    return -1;
  }
  if (t->stored < ERRORS_STORED) t->stored++;
  /* Its people's tasks of this rule are kept wherever the task DB last saw
  ** them (a child who moved in: her task names her old household). */
  const struct kz_rows *m = &c->b->rows[KZ_T_MEMBERS];
  int pc = kz_records_column(&kz_tables[KZ_T_MEMBERS], "person_id");
  for (size_t i = 0; pc >= 0 && i < m->n; i++)
    if (kz_tasks_note_error_subject(c->ts, r->id, kz_bundle_value(c->b, KZ_T_MEMBERS, i, pc))) {
      kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a rule error: %s",
                  kz_tasks_errmsg(c->ts));
      return -1;
    }
  if (!c->st->suspended[ri] && (t->households > c->e->prof.rule_error_limit ||
                                t->exhausted >= c->e->prof.rule_budget_limit))
    return suspend(c, ri);
  return 0;
}

/* After the last household: one closing line per rule whose errors were not
** all told, and one run_errors row per rule whose errors were not all stored. */
static int close_errors(struct run_ctx *c) {
  for (size_t ri = 0; ri < c->e->rules.n; ri++) {
    const struct kz_rule *r = &c->e->rules.rules[ri];
    const struct rule_tally *t = &c->rt[ri];
    if (t->errors <= ERRORS_SHOWN && t->stored == t->errors) continue;
    kz_strbuf_reset(&c->msg);
    kz_strbuf_addf(&c->msg, _("%lld errors in %lld households in all%s; the first %d are told above, "
                   "%lld are in run_errors"), t->errors, t->households,
                   c->st->suspended[ri] ? _(" (suspended)") : "", ERRORS_SHOWN, t->stored);
    if (c->opts->errors)
      fprintf(c->opts->errors, _("%s:%d: rule %s: %s\n"), r->file, r->line, r->id, kz_strbuf_str(&c->msg));
    if (t->stored < t->errors &&
        kz_tasks_record_error(c->ts, r->id, NULL, NULL, r->file, r->line,
                              kz_strbuf_str(&c->msg))) {
      kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a rule's errors: %s",
                  kz_tasks_errmsg(c->ts));
      return -1;
    }
  }
  return 0;
}

/* }====== */

/* The household's ward (RULES.md), via the kz library; NULL when it has
** never lived in the city. */
static const char *household_ward(struct run_ctx *c) {
  lua_State *L = c->e->sb.L;
  if (c->ward_known) return c->ward[0] ? c->ward : NULL;
  c->ward_known = 1;
  c->ward[0] = '\0';
  lua_getfield(L, c->hh_idx, "ward");
  lua_pushvalue(L, c->hh_idx);
  if (kz_sandbox_call(&c->e->sb, 1, 1) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
    snprintf(c->ward, sizeof c->ward, "%s", lua_tostring(L, -1));
  lua_pop(L, 1);
  return c->ward[0] ? c->ward : NULL;
}

/* The ward of the household's assignment of agency kind `kind` active on
** the run's day (the earliest started whose ward the profile knows), or
** NULL. */
static const char *assignment_ward(struct run_ctx *c, const char *kind) {
  const struct kz_table *td = &kz_tables[KZ_T_ASSIGNMENTS];
  int agency = kz_records_column(td, "agency"), ward = kz_records_column(td, "ward");
  int start = kz_records_column(td, "start_on"), end = kz_records_column(td, "end_on");
  const char *day = c->b->today;
  for (size_t i = 0; i < c->b->rows[KZ_T_ASSIGNMENTS].n; i++) {
    const char *a = kz_bundle_value(c->b, KZ_T_ASSIGNMENTS, i, agency);
    const char *w = kz_bundle_value(c->b, KZ_T_ASSIGNMENTS, i, ward);
    const char *s = kz_bundle_value(c->b, KZ_T_ASSIGNMENTS, i, start);
    const char *e = kz_bundle_value(c->b, KZ_T_ASSIGNMENTS, i, end);
    if (a && strcmp(a, kind) == 0 && s && strcmp(s, day) <= 0 && (!e || strcmp(e, day) > 0) &&
        kz_profile_ward(&c->e->prof, w))
      return w;
  }
  return NULL;
}

/* Route a finding of a ward-level kind that names no ward: the household's
** ward; when it has none the profile knows (DESIGN.md: never dropped, never
** a rule error), the ward of the household's own assignment of that kind,
** else the kind's fallback_unit (in->ward NULL). Such a finding's reason gets
** a line saying why it went there, and the run counts it as a data issue. */
static int route_by_household(struct run_ctx *c, struct kz_task_input *in) {
  const struct kz_profile *prof = &c->e->prof;
  const struct kz_agency *ag = kz_profile_agency(prof, in->agency);
  if (!ag || ag->city_level) return 0;
  in->ward = household_ward(c);
  if (kz_profile_ward(prof, in->ward)) return 0;
  const char *home = in->ward;                 /* NULL, or a ward the profile does not know */
  in->ward = assignment_ward(c, in->agency);
  kz_strbuf_reset(&c->why);
  kz_strbuf_adds(&c->why, in->reason);
  if (home) kz_strbuf_addf(&c->why, "\n（世帯の住所の区「%s」が%sの区にないため、", home, prof->city);
  else kz_strbuf_adds(&c->why, "\n（世帯の住所の区が不明のため、");
  if (in->ward) {
    kz_strbuf_addf(&c->why, "担当している%sの%sに送付）", kz_profile_ward(prof, in->ward)->name,
                   ag->name);
  } else {
    char unit[64] = "";
    kz_profile_unit(prof, in->agency, NULL, unit, sizeof unit);
    kz_strbuf_addf(&c->why, "既定の送付先 %s に送付）", unit);
  }
  in->reason = kz_strbuf_str(&c->why);
  c->st->fallback_routed++;
  /* A data issue, recorded with the run beside the quarantine's rows. */
  kz_strbuf_reset(&c->msg);
  kz_strbuf_addf(&c->msg, "the household has no known ward: a finding of rule %s for subject %s "
                 "was routed by the fallback (%s)", in->rule, in->subject,
                 in->ward ? "the ward of its own assignment of that agency" : "fallback_unit");
  if (kz_tasks_record_issue(c->ts, c->b->household_id, "quality", "residences", NULL, "ward", home,
                            kz_strbuf_str(&c->msg))) {
    kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a data issue: %s",
                kz_tasks_errmsg(c->ts));
    return -1;
  }
  return 0;
}

static int l_tostring(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}

/* Append one evidence item (a record view, a table of plain fields, or a
** string) to c->ev as JSON. Returns 0, or -1 with the reason in c->msg when
** the item cannot be shown (its __tostring failed: e.g. a view kept from an
** earlier household) or stored (NaN, not UTF-8, past the evidence cap: the
** cap is checked before each piece is copied, so a huge string costs
** nothing). */
static int evidence_item(struct run_ctx *c, lua_State *L, int idx) {
  if (kz_view_record_json(L, idx, &c->ev)) {
    if (c->ev.len <= KZ_FINDING_EVIDENCE_MAX) return 0;
    kz_strbuf_addf(&c->msg, "evidence is larger than %d KiB", KZ_FINDING_EVIDENCE_MAX / 1024);
    return -1;
  }
  if (lua_type(L, idx) == LUA_TTABLE) {
    int first = 1;
    kz_strbuf_adds(&c->ev, "{");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      if (lua_type(L, -2) == LUA_TSTRING &&
          (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)) {
        size_t kn, vn;
        const char *k = lua_tolstring(L, -2, &kn);
        kz_strbuf_adds(&c->ev, first ? "" : ",");
        if (kz_finding_json_string(&c->ev, k, kn, &c->msg)) return -1;
        kz_strbuf_adds(&c->ev, ":");
        if (lua_type(L, -1) == LUA_TNUMBER) {
          if (kz_finding_json_number(&c->ev, lua_tonumber(L, -1), &c->msg)) {
            kz_strbuf_addf(&c->msg, " (field '%.64s')", k);
            return -1;
          }
        } else {
          const char *v = lua_tolstring(L, -1, &vn);
          if (kz_finding_json_string(&c->ev, v, vn, &c->msg)) return -1;
        }
        first = 0;
      }
      lua_pop(L, 1);
    }
    kz_strbuf_adds(&c->ev, "}");
    return 0;
  }
  if (lua_type(L, idx) == LUA_TNUMBER && !isfinite(lua_tonumber(L, idx)))
    return kz_finding_json_number(&c->ev, lua_tonumber(L, idx), &c->msg);   /* says why */
  /* A view's or a rule's __tostring is code: run it inside the sandbox, never
  ** unprotected (an error there would bring the whole run down). */
  lua_pushcfunction(L, l_tostring);
  lua_pushvalue(L, idx);
  if (kz_sandbox_call(&c->e->sb, 1, 1) != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    kz_strbuf_reset(&c->msg);
    kz_strbuf_addf(&c->msg, "evidence cannot be shown: %.*s", KZ_MESSAGE_MAX, m ? m : "error");
    lua_pop(L, 1);
    return -1;
  }
  size_t n;
  const char *s = lua_tolstring(L, -1, &n);
  int rc = kz_finding_json_string(&c->ev, s ? s : "", s ? n : 0, &c->msg);
  lua_pop(L, 1);
  return rc;
}

static int is_finding(lua_State *L, int idx) {
  int yes = 0;
  if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, "kz.finding");
    yes = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  return yes;
}

/* Turn the finding at idx into a task input and apply it. Returns 0; 1 when
** the finding is malformed or cannot be stored (reported as a rule error:
** the rule's task stays as it was); -1 on a store error. */
static int apply_finding(struct run_ctx *c, size_t ri, const char *subject, int idx) {
  lua_State *L = c->e->sb.L;
  const struct kz_rule *r = &c->e->rules.rules[ri];
  int top = lua_gettop(L), rc = 0;
  struct kz_task_input in = {.rule = r->id};
  struct kz_finding f;
  if (kz_finding_read(L, idx, &f, &c->msg)) {
    rc = rule_error(c, r, f.subject ? f.subject : subject, kz_strbuf_str(&c->msg)) ? -1 : 1;
    goto done;
  }
  const char *since = f.since;
  in.reason = f.reason;
  in.subject = f.subject ? f.subject : subject;
  in.key = f.key ? f.key : in.subject;
  in.severity = f.severity ? f.severity : r->severity;
  in.agency = f.agency ? f.agency : r->agency;
  in.ward = f.ward;
  kz_strbuf_reset(&c->msg);
  if (!since || kz_date_parse(since, &in.since))
    kz_strbuf_addf(&c->msg, "finding needs since = a date (YYYY-MM-DD), got %s",
                   since ? since : "nothing");
  else if (in.since > c->as_of)
    kz_strbuf_addf(&c->msg, "finding's since %s is after the run date", since);
  else if (!in.reason || !in.reason[0])
    kz_strbuf_adds(&c->msg, "finding needs a reason (Japanese, for staff)");
  else if (!in.subject || !in.subject[0])
    kz_strbuf_adds(&c->msg, "finding has no subject");
  else {
    if (!kz_severity_find(in.severity)) kz_strbuf_addf(&c->msg, "finding's severity '%s' is not one of low, medium, high, critical",
                            in.severity);
    else if (!kz_profile_agency(&c->e->prof, in.agency))
      kz_strbuf_addf(&c->msg, "finding's agency '%s' is not an agency of the profile", in.agency);
  }
  if (c->msg.len) {
    rc = rule_error(c, r, in.subject, kz_strbuf_str(&c->msg)) ? -1 : 1;
    goto done;
  }
  if (!f.ward && route_by_household(c, &in)) {
    rc = -1;
    goto done;
  }
  kz_strbuf_reset(&c->ev);
  kz_strbuf_adds(&c->ev, "[");
  lua_pushliteral(L, "evidence");
  if (lua_rawget(L, idx) == LUA_TTABLE) {
    int evi = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, evi);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, evi, i);
      if (i > 1) kz_strbuf_adds(&c->ev, ",");
      if (evidence_item(c, L, lua_gettop(L))) {
        rc = rule_error(c, r, in.subject, kz_strbuf_str(&c->msg)) ? -1 : 1;
        goto done;
      }
      lua_settop(L, evi);
    }
  }
  kz_strbuf_adds(&c->ev, "]");
  if (c->ev.oom || c->ev.len > KZ_FINDING_EVIDENCE_MAX) {
    rc = rule_error(c, r, in.subject, c->ev.oom ? "evidence: out of memory"
                    : "evidence is larger than 64 KiB") ? -1 : 1;
    goto done;
  }
  in.evidence = kz_strbuf_str(&c->ev);
  in.household_id = c->b->household_id;
  in.rule = r->id;
  in.rule_version = r->version;
  in.rule_file = r->file;
  in.rule_line = r->line;
  in.due_days = f.has_due ? f.due_days : r->due_days;
  in.due_calendar = f.has_due ? f.due_calendar : r->due_calendar;
  in.never_backlog = r->never_backlog;
  in.open_within_days = r->open_within_days >= 0 ? r->open_within_days : (int)
      (kz_profile_param(&c->e->prof, "open_within_days")
           ? kz_profile_param(&c->e->prof, "open_within_days")->value : 180);
  {
    enum kz_outcome o;
    char unit[64] = "";
    struct kz_diag route = {0};
    int arc = kz_tasks_apply(c->ts, &in, &o, unit, &route);
    if (arc == -1 && kz_tasks_refused(c->ts)) {
      /* The task DB refused this one finding (a CHECK): the rule's problem. */
      rc = rule_error(c, r, in.subject, route.n ? route.msgs[0] : "the task DB refused the finding")
           ? -1 : 1;
    } else if (arc == -2) {   /* cannot be routed: the rule's (or data's) problem */
      rc = rule_error(c, r, in.subject, route.n ? route.msgs[0] : "cannot route finding") ? -1 : 1;
    } else if (arc < 0) {
      for (size_t i = 0; i < route.n; i++) kz_diag_add(c->d, NULL, 0, 0, "%s", route.msgs[i]);
      rc = -1;
    } else if (o != KZ_OUT_DONE) {
      tally(c->st, ri, unit, o);
      if (o == KZ_OUT_PROMOTED) tally(c->st, ri, unit, KZ_OUT_OPENED);   /* counts as opened */
    }
    kz_diag_clear(&route);
  }
done:
  lua_settop(L, top);
  return rc;
}

/* Did a check return something to apply: a finding or a non-empty list? */
static int found_something(lua_State *L, int res) {
  return is_finding(L, res) || (lua_type(L, res) == LUA_TTABLE && lua_rawlen(L, res) > 0);
}

/* The error of a rule that found something in household where it said it
** could not: unmet holds the needed tables the household has no records of. */
static int needs_broken(struct run_ctx *c, const struct kz_rule *r, const char *subject,
                        uint32_t unmet) {
  int t = 0;
  while (t < KZ_NTABLES - 1 && !(unmet & ((uint32_t)1 << t))) t++;
  kz_strbuf_reset(&c->msg);
  kz_strbuf_addf(&c->msg, "the rule declares needs \"%s\", but found something in a household "
                 "without %s records (take \"%s\" out of needs, or return nil there)",
                 kz_tables[t].name, kz_tables[t].name, kz_tables[t].name);
  return rule_error(c, r, subject, kz_strbuf_str(&c->msg));
}

/* Evaluate rule ri on the current household. unmet: the tables the rule
** needs that the household has no records of (only when opts->verify_needs;
** otherwise such a rule is not evaluated at all). Returns 0, or -1 on a
** store error (rule errors are recorded and return 0). */
static int eval_rule(struct run_ctx *c, size_t ri, uint32_t unmet) {
  lua_State *L = c->e->sb.L;
  const struct kz_rule *r = &c->e->rules.rules[ri];
  int top = lua_gettop(L), rc = 0;

  /* The subjects: the household itself, or kz.subjects[subject](hh),
  ** worked out once per household and kept in its slot above hh_idx. */
  if (r->subject == KZ_SUBJECT_HOUSEHOLD) {
    lua_pushvalue(L, c->hh_idx);             /* one subject: the household */
  } else {
    int slot = c->hh_idx + (int)r->subject;
    if (lua_isnil(L, slot)) {
      lua_getglobal(L, "kz");
      lua_getfield(L, -1, "subjects");
      lua_getfield(L, -1, kz_subject_names[r->subject]);
      lua_pushvalue(L, c->hh_idx);
      if (kz_sandbox_call(&c->e->sb, 1, 1) != LUA_OK) {
        rc = rule_error(c, r, c->b->household_id, lua_tostring(L, -1));
        goto done;
      }
      lua_replace(L, slot);
      lua_pop(L, 2);
    }
    lua_pushvalue(L, slot);
  }
  int subjects = lua_gettop(L);
  lua_Integer n = 1;
  if (r->subject != KZ_SUBJECT_HOUSEHOLD) {
    if (!lua_istable(L, subjects)) {
      rc = rule_error(c, r, c->b->household_id, "kz.subjects did not return a list");
      goto done;
    }
    n = (lua_Integer)lua_rawlen(L, subjects);
  }
  for (lua_Integer i = 1; i <= n && rc == 0 && !c->st->suspended[ri]; i++) {
    if (r->subject == KZ_SUBJECT_HOUSEHOLD) lua_pushvalue(L, subjects);
    else lua_rawgeti(L, subjects, i);
    int subj_idx = lua_gettop(L);
    const char *subject = r->subject == KZ_SUBJECT_HOUSEHOLD ? c->b->household_id
                                                             : kz_view_record_id(L, subj_idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->check_ref);
    int nargs = 2;
    if (r->subject != KZ_SUBJECT_HOUSEHOLD) {
      lua_pushvalue(L, subj_idx);
      nargs++;
    }
    lua_pushvalue(L, c->hh_idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->params_ref);
    if (kz_sandbox_call(&c->e->sb, nargs, 1) != LUA_OK) {
      const char *msg = lua_tostring(L, -1);
      rc = rule_error(c, r, subject, msg ? msg : "error");
      lua_settop(L, subjects);
      continue;
    }
    int res = lua_gettop(L);
    if (unmet && found_something(L, res)) {
      rc = needs_broken(c, r, subject, unmet);
    } else if (lua_isnil(L, res)) {
      /* nothing found */
    } else if (is_finding(L, res)) {
      rc = apply_finding(c, ri, subject, res) < 0 ? -1 : 0;
    } else if (lua_type(L, res) == LUA_TTABLE) {
      lua_Integer m = 0;
      if (kz_finding_list_len(L, res, &m, &c->msg))
        rc = rule_error(c, r, subject, kz_strbuf_str(&c->msg));
      for (lua_Integer j = 1; j <= m && rc == 0 && !c->st->suspended[ri]; j++) {
        lua_rawgeti(L, res, j);
        if (is_finding(L, -1)) {
          rc = apply_finding(c, ri, subject, lua_gettop(L)) < 0 ? -1 : 0;
        } else {
          rc = rule_error(c, r, subject,
                          "check returned a list with something other than kz.finding{...}");
          j = m;
        }
        lua_pop(L, 1);
      }
    } else {
      rc = rule_error(c, r, subject,
                      "check must return nil, kz.finding{...} or a list of findings");
    }
    lua_settop(L, subjects);
  }
done:
  lua_settop(L, top);
  return rc;
}

static void sweep_tally(void *ctx, const char *rule, const char *unit) {
  struct run_ctx *c = ctx;
  for (size_t i = 0; i < c->e->rules.n; i++)
    if (strcmp(c->e->rules.rules[i].id, rule) == 0) {
      tally(c->st, i, unit, KZ_OUT_CLEARED);
      return;
    }
}

/* The household was evaluated tonight: it and its people were looked at. */
static int see(struct run_ctx *c, const char *id) {
  return id && kz_idset_has(&c->owners, id) ? kz_idset_add(&c->seen, id, strlen(id)) : 0;
}

static int mark_seen(struct run_ctx *c, const struct kz_bundle *b) {
  int rc = see(c, b->household_id);
  int pc = kz_records_column(&kz_tables[KZ_T_MEMBERS], "person_id");
  for (size_t i = 0; rc == 0 && pc >= 0 && i < b->rows[KZ_T_MEMBERS].n; i++)
    rc = see(c, kz_bundle_value(b, KZ_T_MEMBERS, i, pc));
  return rc;
}

/* An open task's household and subject, to watch for tonight. */
static int watch_owner(void *ctx, const char *household_id, const char *subject) {
  struct run_ctx *c = ctx;
  return (household_id && kz_idset_add(&c->owners, household_id, strlen(household_id))) ||
         (subject && kz_idset_add(&c->owners, subject, strlen(subject)));
}

/* Did the run look at this task's household or subject? When not (its
** household is not in tonight's extract, or not visible as of the run date),
** no data says its condition ended: the task is kept, and that is a data
** issue, recorded once per task. */
static int looked(void *ctx, const char *household_id, const char *subject, const char *rule) {
  struct run_ctx *c = ctx;
  if (kz_idset_has(&c->seen, household_id) || kz_idset_has(&c->seen, subject)) return 1;
  c->st->absent_tasks++;
  if (household_id && !kz_idset_has(&c->absent, household_id)) {
    if (kz_idset_add(&c->absent, household_id, strlen(household_id))) c->looked_failed = 1;
    else c->st->absent_households++;
  }
  kz_strbuf_reset(&c->msg);
  kz_strbuf_addf(&c->msg, "the household is not in tonight's extract (or not visible as of the run "
                 "date): its open task of rule %s for subject %s is kept, not cleared", rule,
                 subject ? subject : "-");
  if (kz_tasks_record_issue(c->ts, household_id, "quality", "households", household_id, NULL, NULL,
                            kz_strbuf_str(&c->msg)))
    c->looked_failed = 1;      /* the task is kept all the same; the run fails below */
  return 0;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void progress(FILE *f, long long done, long long total, double t0, int final) {
  double el = now_seconds() - t0;
  double rate = el > 0 ? done / el : 0;
  double left = rate > 0 && total > done ? (total - done) / rate : 0;
  fprintf(f, "\r  %lld/%lld households  %.0f/s  %.0fs left   %s", done,
          total > 0 ? total : done, rate, left, final ? "\n" : "");
  fflush(f);
}

int kz_run(struct kz_engine *e, sqlite3 *cases, struct kz_tasks *ts, kz_day as_of,
           const struct kz_run_opts *opts, struct kz_run_stats *st, struct kz_diag *d) {
  lua_State *L = e->sb.L;
  struct kz_prefetch *pf = NULL;
  const struct kz_bundle *b = NULL;
  struct run_ctx c = {e, ts, opts, st, d, as_of, NULL, 0, "", 0, {0}, {0}, {0}, NULL, {0}, {0}, {0}, {0}, 0};
  const char **ids = NULL;
  int rc = KZ_EXIT_OK;
  int top = lua_gettop(L);
  char day[KZ_DATE_LEN];

  memset(st, 0, sizeof *st);
  e->sb.stop = opts->stop;       /* a signal ends the rule call in hand, too */
  st->by_rule = calloc(e->rules.n ? e->rules.n : 1, sizeof *st->by_rule);
  ids = calloc(e->rules.n ? e->rules.n : 1, sizeof *ids);
  st->rule_errors = calloc(e->rules.n ? e->rules.n : 1, sizeof *st->rule_errors);
  st->suspended = calloc(e->rules.n ? e->rules.n : 1, sizeof *st->suspended);
  c.rt = calloc(e->rules.n ? e->rules.n : 1, sizeof *c.rt);
  if (!st->by_rule || !ids || !st->rule_errors || !st->suspended || !c.rt) { kz_diag_add(d, NULL, 0, 0, "out of memory"); rc = KZ_EXIT_TASKS; goto done; }
  for (size_t i = 0; i < e->rules.n; i++) {
    ids[i] = e->rules.rules[i].id;
    c.rt[i].last_household = -1;
  }

  if (opts->validate_cases && kz_loader_validate(cases, d)) { rc = KZ_EXIT_CASES; goto done; }
  rc = kz_tasks_begin(ts, as_of, e->rules.digest, (int)e->rules.n, ids, d);
  if (rc != KZ_EXIT_OK) goto done;
  st->run_id = kz_tasks_run_id(ts);
  if (kz_tasks_each_open_owner(ts, watch_owner, &c, d)) { rc = KZ_EXIT_TASKS; goto done; }

  lua_pushstring(L, kz_date_format(as_of, day));
  kz_sandbox_set(&e->sb, "today");
  for (int i = 0; i < KZ_PREFETCH_DEPTH; i++) {   /* the same day, for the C vocabulary */
    memcpy(e->ring[i].today, day, sizeof e->ring[i].today);
    e->ring[i].today_day = as_of;
  }
  if (kz_ruleset_bind_params(&e->rules, &e->sb, &e->prof)) {
    kz_diag_add(d, NULL, 0, 0, "out of memory binding params");
    rc = KZ_EXIT_TASKS;
    goto done;
  }

  long long total = opts->progress ? kz_loader_count(cases, as_of) : 0;
  /* From here until kz_prefetch_close, cases belongs to the prefetcher. */
  if (kz_prefetch_open_latest(&pf, cases, as_of, opts->latest_recorded ? opts->latest_recorded
                                                                         : KZ_DAY_NONE,
                              e->ring, KZ_PREFETCH_DEPTH, e->threaded, d)) {
    rc = KZ_EXIT_CASES;
    goto done;
  }
  double t0 = now_seconds(), last = t0;
  int got;
  while ((got = kz_prefetch_next(pf, &b, d)) == 1) {
    c.b = b;
    if (opts->stop && *opts->stop) {
      kz_diag_add(d, NULL, 0, 0, "interrupted: the run was stopped; nothing was written");
      rc = KZ_EXIT_INTERRUPTED;
      goto done;
    }
    /* Bad case data: recorded; a quarantined household is not evaluated. */
    if (b->nissues && kz_quarantine_take(&st->quarantine, ts, b, d)) { rc = KZ_EXIT_TASKS; goto done; }
    if (b->quarantined || b->phantom) continue;
    kz_view_push_household(L, b);
    c.hh_idx = lua_gettop(L);
    lua_pushnil(L);                           /* slot: the children, once asked for */
    lua_pushnil(L);                           /* slot: the mothers */
    c.ward_known = 0;
    uint32_t have = 0;                        /* the tables it has records of */
    for (int t = 0; t < KZ_NTABLES; t++)
      if (b->rows[t].n) have |= (uint32_t)1 << t;
    for (size_t ri = 0; ri < e->rules.n && !(opts->stop && *opts->stop); ri++) {
      uint32_t unmet = e->rules.rules[ri].needs & ~have;
      if (unmet && !opts->verify_needs) continue;   /* it can find nothing here */
      if (st->suspended[ri]) continue;              /* the circuit breaker tripped */
      if (eval_rule(&c, ri, unmet)) { rc = KZ_EXIT_TASKS; goto done; }
    }
    lua_settop(L, top);
    if (opts->stop && *opts->stop) continue;   /* said once, below */
    if (mark_seen(&c, b)) { kz_diag_add(d, NULL, 0, 0, "out of memory"); rc = KZ_EXIT_TASKS; goto done; }
    st->households++;
    if ((st->households & 1023) == 0) lua_gc(L, LUA_GCSTEP, 0);
    if (opts->progress && (st->households & 255) == 0) {
      double now = now_seconds();
      if (now - last >= 0.5) { progress(opts->progress, st->households, total, t0, 0); last = now; }
    }
  }
  if (got < 0) { rc = KZ_EXIT_CASES; goto done; }
  if (opts->progress) progress(opts->progress, st->households, total, t0, 1);
  if (opts->stop && *opts->stop) {
    kz_diag_add(d, NULL, 0, 0, "interrupted: the run was stopped; nothing was written");
    rc = KZ_EXIT_INTERRUPTED;
    goto done;
  }
  if (close_errors(&c)) { rc = KZ_EXIT_TASKS; goto done; }
  if (kz_quarantine_too_many(&st->quarantine, st->households, e->prof.quarantine_max_share)) {
    kz_diag_add(d, NULL, 0, 0, "the case DB extract looks broken: more than quarantine_max_share "
                "(%g%%) of the households would be quarantined; nothing was written",
                100.0 * e->prof.quarantine_max_share);
    kz_quarantine_describe(&st->quarantine, st->households, d);
    rc = KZ_EXIT_CASES;
    goto done;
  }
  if (kz_tasks_sweep(ts, looked, sweep_tally, &c, d) < 0) { rc = KZ_EXIT_TASKS; goto done; }
  if (c.looked_failed) {       /* a kept task that run_issues would not say: write nothing */
    kz_diag_add(d, NULL, 0, 0, "task DB: cannot record a task kept for a household missing from "
                "the extract (out of memory or the disk)");
    rc = KZ_EXIT_TASKS;
    goto done;
  }
  if (st->absent_households &&
      (double)st->absent_households > e->prof.quarantine_max_share *
                                      (double)(st->households + st->absent_households)) {
    kz_diag_add(d, NULL, 0, 0, "the case DB extract looks truncated: %lld household(s) with open "
                "tasks are not in it (more than quarantine_max_share, %g%%, of the households); "
                "nothing was written", st->absent_households, 100.0 * e->prof.quarantine_max_share);
    rc = KZ_EXIT_CASES;
    goto done;
  }
  if (kz_tasks_commit(ts, st->households, st->counts, st->errors, d)) { rc = KZ_EXIT_TASKS; goto done; }
  rc = st->errors ? KZ_EXIT_RULE_ERROR
     : st->quarantine.households || st->absent_households ? KZ_EXIT_QUARANTINE : KZ_EXIT_OK;
done:
  if (rc != KZ_EXIT_OK && rc != KZ_EXIT_RULE_ERROR && rc != KZ_EXIT_QUARANTINE &&
      rc != KZ_EXIT_BUSY)
    kz_tasks_rollback(ts);
  lua_settop(L, top);
  kz_prefetch_close(pf);  /* frees the rows; the ring keeps counting generations */
  kz_strbuf_free(&c.ev);
  kz_strbuf_free(&c.msg);
  kz_strbuf_free(&c.out);
  free(c.rt);
  kz_strbuf_free(&c.why);
  kz_idset_free(&c.owners);
  kz_idset_free(&c.seen);
  kz_idset_free(&c.absent);
  free(ids);
  return rc;
}

void kz_run_print_summary(const struct kz_engine *e, const struct kz_run_stats *st,
                          kz_day as_of, FILE *f) {
  char day[KZ_DATE_LEN];
  /* opened includes promoted (a backlog task promoted joins the night's
  ** opened tasks); backlog is opened or reopened into the backlog. */
  static const enum kz_outcome cols[] = {KZ_OUT_OPENED, KZ_OUT_REOPENED, KZ_OUT_KEPT,
                                         KZ_OUT_ESCALATED, KZ_OUT_CLEARED, KZ_OUT_BACKLOG,
                                         KZ_OUT_PROMOTED};
  static const int width[] = {8, 8, 8, 9, 8, 8, 8};
  fprintf(f, _("kizuki run as of %s: %lld households, %zu rules, %lld rule errors"),
          kz_date_format(as_of, day), st->households, e->rules.n, st->errors);
  if (st->nsuspended) fprintf(f, _(", %lld rule(s) suspended (their open tasks kept)"), st->nsuspended);
  fprintf(f, "\n");
  if (st->fallback_routed)
    fprintf(f, _("%lld findings of households with no known ward were routed by the fallback "
            "(a data issue: each task's reason says where it went and why)\n"), st->fallback_routed);
  if (st->absent_tasks)
    fprintf(f, _("%lld open tasks of %lld household(s) not in tonight's extract were kept, not "
            "cleared (a data issue: see run_issues)\n"), st->absent_tasks, st->absent_households);
  fprintf(f, "\n%-26s %8s %8s %8s %9s %8s %8s %8s %8s\n", "rule", "opened", "reopened", "kept",
          "escalated", "cleared", "backlog", "promoted", "errors");
  for (size_t i = 0; i < e->rules.n; i++) {
    fprintf(f, "%-26s", e->rules.rules[i].id);
    for (size_t k = 0; k < sizeof cols / sizeof *cols; k++)
      fprintf(f, " %*lld", width[k], st->by_rule[i][cols[k]]);
    fprintf(f, " %8lld%s\n", st->rule_errors ? st->rule_errors[i] : 0,
            st->suspended && st->suspended[i] ? "  suspended" : "");
  }
  fprintf(f, "%-26s", "total");
  for (size_t k = 0; k < sizeof cols / sizeof *cols; k++)
    fprintf(f, " %*lld", width[k], st->counts[cols[k]]);
  fprintf(f, " %8lld", st->errors);
  fprintf(f, "\n\n%-34s %8s %8s %8s %9s %8s %8s %8s\n", "unit", "opened", "reopened", "kept",
          "escalated", "cleared", "backlog", "promoted");
  /* Units in name order. */
  size_t *order = malloc((st->nunits ? st->nunits : 1) * sizeof *order);
  if (!order) return;
  for (size_t i = 0; i < st->nunits; i++) order[i] = i;
  for (size_t i = 1; i < st->nunits; i++)
    for (size_t j = i; j > 0 && strcmp(st->by_unit[order[j - 1]].unit, st->by_unit[order[j]].unit) > 0; j--) {
      size_t t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
    }
  for (size_t i = 0; i < st->nunits; i++) {
    const struct kz_unit_stats *u = &st->by_unit[order[i]];
    fprintf(f, "%-34s", u->unit);
    for (size_t k = 0; k < sizeof cols / sizeof *cols; k++)
      fprintf(f, " %*lld", width[k], u->counts[cols[k]]);
    fprintf(f, "\n");
  }
  free(order);
}
