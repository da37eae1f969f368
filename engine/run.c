/*
** run.c — the nightly run: loader -> rules -> findings -> router -> store.
**
** Data flows one way, and this file is the loop. For each household bundle,
** every rule's check runs in the sandbox once per subject (subject.c says who
** the subjects are; a rule whose `needs` the household lacks is skipped: it
** could find nothing there); each finding it returns is read and completed
** by finding.c, routed by router.c, and applied to the task store
** (task_store.c writes what task_lifecycle.c decides). A rule that errs is
** recorded and its tasks in that household are left as they were; the run
** goes on. A finding that cannot be stored (NaN
** in its evidence, a NUL or bad UTF-8 in a string, too big: finding.c) is
** such an error too. Errors are told bounded: the first few of each rule in
** full, control characters escaped, then one closing line; a rule that keeps
** failing is suspended for the rest of the run (the circuit breaker), its
** open tasks kept.
*/
#include "run.h"

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
#include "router.h"
#include "strbuf.h"
#include "subject.h"
#include "task_read.h"
#include "view.h"
#include "vocab.h"

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
  int slots;                 /* stack index of its subject lists (subject.h) */
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

/* {====== A finding into a task ====== */

/* The rule error of a finding that cannot become a task (why in c->msg).
** Returns 1, or -1 when even that cannot be recorded. */
static int finding_error(struct run_ctx *c, const struct kz_rule *r, const char *subject) {
  return rule_error(c, r, subject, kz_strbuf_str(&c->msg)) ? -1 : 1;
}

/* Route the finding f (router.c). One routed without a known ward of its
** household (DESIGN.md: never dropped, never a rule error) gets a line in its
** reason saying why it went there, and is a data issue, counted and recorded
** with the run beside the quarantine's rows. Returns 0 or -1. */
static int route_finding(struct run_ctx *c, const struct kz_rule *r, struct kz_finding *f,
                         struct kz_route *rt) {
  const struct kz_profile *prof = &c->e->prof;
  kz_router_route(prof, c->b, f->agency, f->ward, rt);  /* no unit: the store says so if it needs one */
  if (!kz_router_is_fallback(rt)) return 0;
  kz_strbuf_reset(&c->why);
  kz_strbuf_adds(&c->why, f->reason);
  kz_router_reason_line(prof, f->agency, rt, &c->why);
  f->reason = kz_strbuf_str(&c->why);
  c->st->fallback_routed++;
  kz_strbuf_reset(&c->msg);
  kz_strbuf_addf(&c->msg, "the household has no known ward: a finding of rule %s for subject %s "
                 "was routed by the fallback (%s)", r->id, f->subject,
                 rt->how == KZ_ROUTE_ASSIGNMENT ? "the ward of its own assignment of that agency"
                                                : "fallback_unit");
  if (kz_tasks_record_issue(c->ts, c->b->household_id, "quality", "residences", NULL, "ward",
                            rt->home, kz_strbuf_str(&c->msg))) {
    kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a data issue: %s",
                kz_tasks_errmsg(c->ts));
    return -1;
  }
  return 0;
}

/* The task input of the completed finding f of rule r, routed by rt, with
** its evidence in c->ev. */
static void task_input(const struct run_ctx *c, const struct kz_rule *r, const struct kz_finding *f,
                       const struct kz_route *rt, struct kz_task_input *in) {
  const struct kz_param *within = kz_profile_param(&c->e->prof, "open_within_days");
  *in = (struct kz_task_input){
    .rule = r->id, .subject = f->subject, .key = f->key, .household_id = c->b->household_id,
    .agency = f->agency, .ward = rt->ward, .severity = f->severity, .since = f->since_day,
    .reason = f->reason, .evidence = kz_strbuf_str(&c->ev), .rule_version = r->version,
    .rule_file = r->file, .rule_line = r->line, .due_days = f->due_days,
    .due_calendar = f->due_calendar, .never_backlog = r->never_backlog,
    .open_within_days = r->open_within_days >= 0 ? r->open_within_days
                        : (int)(within ? within->value : 180),
  };
}

/* Apply in to the task store and count the outcome. Returns 0; 1 when the
** store refused it or cannot route it (the rule's error); -1 on a store
** error. */
static int store(struct run_ctx *c, size_t ri, const struct kz_task_input *in) {
  const struct kz_rule *r = &c->e->rules.rules[ri];
  enum kz_outcome o;
  char unit[64] = "";
  struct kz_diag why = {0};
  int rc = 0, arc = kz_tasks_apply(c->ts, in, &o, unit, &why);
  if (arc == -1 && kz_tasks_refused(c->ts)) {
    /* The task DB refused this one finding (a CHECK): the rule's problem. */
    rc = rule_error(c, r, in->subject, why.n ? why.msgs[0] : "the task DB refused the finding")
         ? -1 : 1;
  } else if (arc == -2) {   /* cannot be routed: the rule's (or data's) problem */
    rc = rule_error(c, r, in->subject, why.n ? why.msgs[0] : "cannot route finding") ? -1 : 1;
  } else if (arc < 0) {
    for (size_t i = 0; i < why.n; i++) kz_diag_add(c->d, NULL, 0, 0, "%s", why.msgs[i]);
    rc = -1;
  } else if (o != KZ_OUT_DONE) {
    tally(c->st, ri, unit, o);
    if (o == KZ_OUT_PROMOTED) tally(c->st, ri, unit, KZ_OUT_OPENED);   /* counts as opened */
  }
  kz_diag_clear(&why);
  return rc;
}

/* The finding at idx, found by rule ri for subject: read and completed
** (finding.c), routed (router.c), its evidence written, applied to the
** store. Returns 0; 1 when it cannot become a task (the rule's error: its
** task stays as it was); -1 on a store error. */
static int apply_finding(struct run_ctx *c, size_t ri, const char *subject, int idx) {
  lua_State *L = c->e->sb.L;
  const struct kz_rule *r = &c->e->rules.rules[ri];
  const struct kz_finding_rule dflt = {subject, r->severity, r->agency, r->due_days,
                                       r->due_calendar};
  struct kz_finding f;
  struct kz_route rt;
  struct kz_task_input in;
  int top = lua_gettop(L), rc;
  if (kz_finding_read(L, idx, &f, &c->msg))
    rc = finding_error(c, r, f.subject ? f.subject : subject);
  else if (kz_finding_complete(&f, &dflt, c->as_of, &c->e->prof, &c->msg))
    rc = finding_error(c, r, f.subject);
  else if (route_finding(c, r, &f, &rt))
    rc = -1;
  else if (kz_finding_evidence(&c->e->sb, idx, &c->ev, &c->msg))
    rc = finding_error(c, r, f.subject);
  else {
    task_input(c, r, &f, &rt, &in);
    rc = store(c, ri, &in);
  }
  lua_settop(L, top);
  return rc;
}

/* }====== */

/* {====== A rule over a household ====== */

/* Did a check return something to apply: a finding or a non-empty list? */
static int found_something(lua_State *L, int res) {
  return kz_finding_is(L, res) || (lua_type(L, res) == LUA_TTABLE && lua_rawlen(L, res) > 0);
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

/* Take what rule ri's check returned at res for subject: nothing, a
** finding, or a list of findings (finding.h says where a check of that
** shape belongs). Returns 0, or -1 on a store error. */
static int take_result(struct run_ctx *c, size_t ri, const char *subject, int res, uint32_t unmet) {
  lua_State *L = c->e->sb.L;
  const struct kz_rule *r = &c->e->rules.rules[ri];
  if (unmet && found_something(L, res)) return needs_broken(c, r, subject, unmet);
  if (lua_isnil(L, res)) return 0;                          /* nothing found */
  if (kz_finding_is(L, res)) return apply_finding(c, ri, subject, res) < 0 ? -1 : 0;
  if (lua_type(L, res) != LUA_TTABLE)
    return rule_error(c, r, subject, "check must return nil, kz.finding{...} or a list of findings");
  int rc = 0;
  lua_Integer m = 0;
  if (kz_finding_list_len(L, res, &m, &c->msg))           /* a plain table opens nothing: say so */
    return rule_error(c, r, subject, kz_strbuf_str(&c->msg));
  if (kz_finding_list_same_task(L, res, m, subject, &c->msg))   /* one task, two findings */
    return rule_error(c, r, subject, kz_strbuf_str(&c->msg));
  for (lua_Integer j = 1; j <= m && rc == 0 && !c->st->suspended[ri]; j++) {
    lua_rawgeti(L, res, j);
    if (kz_finding_is(L, -1)) {
      rc = apply_finding(c, ri, subject, lua_gettop(L)) < 0 ? -1 : 0;
    } else {
      rc = rule_error(c, r, subject, "check returned a list with something other than kz.finding{...}");
      j = m;
    }
    lua_pop(L, 1);
  }
  return rc;
}

/* Run rule ri's check for the subject at subj of the current household:
** check(hh, params) when the household is the subject, else check(subject,
** hh, params). Returns 0, or -1 on a store error. */
static int check_subject(struct run_ctx *c, size_t ri, int subj, uint32_t unmet) {
  lua_State *L = c->e->sb.L;
  const struct kz_rule *r = &c->e->rules.rules[ri];
  int self = kz_subjects[r->subject].produce == NULL;
  const char *subject = self ? c->b->household_id : kz_view_record_id(L, subj);
  int nargs = 2;
  lua_rawgeti(L, LUA_REGISTRYINDEX, r->check_ref);
  if (!self) {
    lua_pushvalue(L, subj);
    nargs++;
  }
  lua_pushvalue(L, c->hh_idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, r->params_ref);
  if (kz_sandbox_call(&c->e->sb, nargs, 1) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    return rule_error(c, r, subject, msg ? msg : "error");
  }
  return take_result(c, ri, subject, lua_gettop(L), unmet);
}

/* Evaluate rule ri on the current household, once per subject of its kind
** (subject.h). unmet: the tables the rule needs that the household has no
** records of (only when opts->verify_needs; otherwise such a rule is not
** evaluated at all). Returns 0, or -1 on a store error (rule errors are
** recorded and return 0). */
static int eval_rule(struct run_ctx *c, size_t ri, uint32_t unmet) {
  lua_State *L = c->e->sb.L;
  const struct kz_rule *r = &c->e->rules.rules[ri];
  int top = lua_gettop(L), rc = 0;
  if (kz_subject_push(&c->e->sb, c->slots, c->hh_idx, r->subject) != LUA_OK) {
    rc = rule_error(c, r, c->b->household_id, lua_tostring(L, -1));
  } else if (!lua_istable(L, -1)) {
    rc = rule_error(c, r, c->b->household_id, "kz.subjects did not return a list");
  } else {
    int list = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    for (lua_Integer i = 1; i <= n && rc == 0 && !c->st->suspended[ri]; i++) {
      lua_rawgeti(L, list, i);
      rc = check_subject(c, ri, lua_gettop(L), unmet);
      lua_settop(L, list);
    }
  }
  lua_settop(L, top);
  return rc;
}

/* }====== */

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

/* Say that the run was stopped (a signal); returns KZ_EXIT_INTERRUPTED. */
static int interrupted(struct run_ctx *c) {
  kz_diag_add(c->d, NULL, 0, 0, "interrupted: the run was stopped; nothing was written");
  return KZ_EXIT_INTERRUPTED;
}

static int stopped(const struct run_ctx *c) { return c->opts->stop && *c->opts->stop; }

/* Allocate the run's per-rule tables (ids: the rule ids, owned by the
** caller), begin the run in the task store, watch the open tasks' owners,
** and set the run's day for the rules. Returns KZ_EXIT_OK or a failure. */
static int run_begin(struct run_ctx *c, sqlite3 *cases, const char ***ids) {
  struct kz_engine *e = c->e;
  struct kz_run_stats *st = c->st;
  size_t n = e->rules.n ? e->rules.n : 1;
  char day[KZ_DATE_LEN];
  st->by_rule = calloc(n, sizeof *st->by_rule);
  *ids = calloc(n, sizeof **ids);
  st->rule_errors = calloc(n, sizeof *st->rule_errors);
  st->suspended = calloc(n, sizeof *st->suspended);
  c->rt = calloc(n, sizeof *c->rt);
  if (!st->by_rule || !*ids || !st->rule_errors || !st->suspended || !c->rt) {
    kz_diag_add(c->d, NULL, 0, 0, "out of memory");
    return KZ_EXIT_TASKS;
  }
  for (size_t i = 0; i < e->rules.n; i++) {
    (*ids)[i] = e->rules.rules[i].id;
    c->rt[i].last_household = -1;
  }
  if (c->opts->validate_cases && kz_loader_validate(cases, c->d)) return KZ_EXIT_CASES;
  int rc = kz_tasks_begin(c->ts, c->as_of, e->rules.digest, (int)e->rules.n, *ids, c->d);
  if (rc != KZ_EXIT_OK) return rc;
  st->run_id = kz_tasks_run_id(c->ts);
  if (kz_tasks_each_open_owner(c->ts, watch_owner, c, c->d)) return KZ_EXIT_TASKS;
  kz_date_format(c->as_of, day);
  kz_vocab_set_today(&e->sb, c->as_of);   /* kz.today and the vocabulary's day */
  for (int i = 0; i < KZ_PREFETCH_DEPTH; i++)     /* the same day, for the router */
    memcpy(e->ring[i].today, day, sizeof e->ring[i].today);
  if (kz_ruleset_bind_params(&e->rules, &e->sb, &e->prof)) {
    kz_diag_add(c->d, NULL, 0, 0, "out of memory binding params");
    return KZ_EXIT_TASKS;
  }
  return KZ_EXIT_OK;
}

/* Every rule over the household b (not quarantined): its view and subject
** slots pushed, each rule whose needs it meets evaluated, then it and its
** people marked seen. Returns 0, or -1 (the reason in c->d). */
static int eval_household(struct run_ctx *c, const struct kz_bundle *b) {
  const struct kz_engine *e = c->e;
  lua_State *L = e->sb.L;
  int top = lua_gettop(L), rc = 0;
  uint32_t have = 0;                        /* the tables it has records of */
  for (int t = 0; t < KZ_NTABLES; t++)
    if (b->rows[t].n) have |= (uint32_t)1 << t;
  kz_view_push_household(L, b);
  c->hh_idx = lua_gettop(L);
  c->slots = kz_subject_slots(L);
  for (size_t ri = 0; ri < e->rules.n && rc == 0 && !stopped(c); ri++) {
    uint32_t unmet = e->rules.rules[ri].needs & ~have;
    if (unmet && !c->opts->verify_needs) continue;   /* it can find nothing here */
    if (c->st->suspended[ri]) continue;              /* the circuit breaker tripped */
    rc = eval_rule(c, ri, unmet);
  }
  lua_settop(L, top);
  if (rc || stopped(c)) return rc;                  /* a stop is said once, by the caller */
  if (mark_seen(c, b)) {
    kz_diag_add(c->d, NULL, 0, 0, "out of memory");
    return -1;
  }
  c->st->households++;
  if ((c->st->households & 1023) == 0) lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}

/* After the last household: close the rule errors, refuse an extract that
** looks broken or truncated, sweep the tasks no finding kept, and commit.
** Returns the run's exit code. */
static int run_end(struct run_ctx *c) {
  const struct kz_profile *prof = &c->e->prof;
  struct kz_run_stats *st = c->st;
  if (close_errors(c)) return KZ_EXIT_TASKS;
  if (kz_quarantine_too_many(&st->quarantine, st->households, prof->quarantine_max_share)) {
    kz_diag_add(c->d, NULL, 0, 0, "the case DB extract looks broken: more than quarantine_max_share "
                "(%g%%) of the households would be quarantined; nothing was written",
                100.0 * prof->quarantine_max_share);
    kz_quarantine_describe(&st->quarantine, st->households, c->d);
    return KZ_EXIT_CASES;
  }
  if (kz_tasks_sweep(c->ts, looked, sweep_tally, c, c->d) < 0) return KZ_EXIT_TASKS;
  if (c->looked_failed) {       /* a kept task that run_issues would not say: write nothing */
    kz_diag_add(c->d, NULL, 0, 0, "task DB: cannot record a task kept for a household missing from "
                "the extract (out of memory or the disk)");
    return KZ_EXIT_TASKS;
  }
  if (st->absent_households &&
      (double)st->absent_households > prof->quarantine_max_share *
                                      (double)(st->households + st->absent_households)) {
    kz_diag_add(c->d, NULL, 0, 0, "the case DB extract looks truncated: %lld household(s) with open "
                "tasks are not in it (more than quarantine_max_share, %g%%, of the households); "
                "nothing was written", st->absent_households, 100.0 * prof->quarantine_max_share);
    return KZ_EXIT_CASES;
  }
  if (kz_tasks_commit(c->ts, st->households, st->counts, st->errors, c->d)) return KZ_EXIT_TASKS;
  return st->errors ? KZ_EXIT_RULE_ERROR
       : st->quarantine.households || st->absent_households ? KZ_EXIT_QUARANTINE : KZ_EXIT_OK;
}

/* The loop: each household from the prefetcher, bad data taken to the
** quarantine, the rest evaluated; progress told. Returns KZ_EXIT_OK or a
** failure. */
static int run_households(struct run_ctx *c, sqlite3 *cases) {
  struct kz_engine *e = c->e;
  const struct kz_run_opts *opts = c->opts;
  struct kz_prefetch *pf = NULL;
  const struct kz_bundle *b = NULL;
  int rc = KZ_EXIT_OK, got = 0;
  long long total = opts->progress ? kz_loader_count(cases, c->as_of) : 0;
  /* From here until kz_prefetch_close, cases belongs to the prefetcher. */
  if (kz_prefetch_open_latest(&pf, cases, c->as_of, opts->latest_recorded ? opts->latest_recorded
                                                                           : KZ_DAY_NONE,
                              e->ring, KZ_PREFETCH_DEPTH, e->threaded, c->d))
    return KZ_EXIT_CASES;
  double t0 = now_seconds(), last = t0;
  while (rc == KZ_EXIT_OK && (got = kz_prefetch_next(pf, &b, c->d)) == 1) {
    c->b = b;
    if (stopped(c)) rc = interrupted(c);
    /* Bad case data: recorded; a quarantined household is not evaluated. */
    else if (b->nissues && kz_quarantine_take(&c->st->quarantine, c->ts, b, c->d)) rc = KZ_EXIT_TASKS;
    else if (b->quarantined || b->phantom) continue;
    else if (eval_household(c, b)) rc = KZ_EXIT_TASKS;
    else if (opts->progress && (c->st->households & 255) == 0 && !stopped(c)) {
      double now = now_seconds();
      if (now - last >= 0.5) { progress(opts->progress, c->st->households, total, t0, 0); last = now; }
    }
  }
  if (rc == KZ_EXIT_OK && got < 0) rc = KZ_EXIT_CASES;
  if (rc == KZ_EXIT_OK && opts->progress) progress(opts->progress, c->st->households, total, t0, 1);
  if (rc == KZ_EXIT_OK && stopped(c)) rc = interrupted(c);
  kz_prefetch_close(pf);  /* frees the rows; the ring keeps counting generations */
  return rc;
}

int kz_run(struct kz_engine *e, sqlite3 *cases, struct kz_tasks *ts, kz_day as_of,
           const struct kz_run_opts *opts, struct kz_run_stats *st, struct kz_diag *d) {
  lua_State *L = e->sb.L;
  struct run_ctx c = {.e = e, .ts = ts, .opts = opts, .st = st, .d = d, .as_of = as_of};
  const char **ids = NULL;
  int top = lua_gettop(L);

  memset(st, 0, sizeof *st);
  e->sb.stop = opts->stop;       /* a signal ends the rule call in hand, too */
  int rc = run_begin(&c, cases, &ids);
  if (rc == KZ_EXIT_OK) rc = run_households(&c, cases);
  if (rc == KZ_EXIT_OK) rc = run_end(&c);
  if (rc != KZ_EXIT_OK && rc != KZ_EXIT_RULE_ERROR && rc != KZ_EXIT_QUARANTINE &&
      rc != KZ_EXIT_BUSY)
    kz_tasks_rollback(ts);
  lua_settop(L, top);
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
