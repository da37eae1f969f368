/*
** trace_run.c — `kizuki trace`'s work: one rule on one household, as the
** nightly run would evaluate it (the same loader, views, subjects and
** check call), recorded by the trace, and the answer to "why didn't my rule
** fire here?" written for a supervisor (text) or a tool (JSON).
**
** Read-only: no task store is opened; a finding is read and shown, never
** routed or applied.
*/
#include "trace.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "i18n.h"
#include "kizuki.h"
#include "loader.h"
#include "run.h"
#include "subject.h"
#include "view.h"
#include "vocab.h"

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

void kz_trace_result_free(struct kz_trace_result *res) {
  for (size_t i = 0; i < res->nsubjects; i++) {
    struct kz_trace_subject *s = &res->subjects[i];
    free(s->id);
    free(s->why);
    free(s->error_at);
    kz_strbuf_free(&s->findings_text);
    kz_strbuf_free(&s->findings_json);
  }
  free(res->subjects);
  free(res->why);
  memset(res, 0, sizeof *res);
}

/* Read the household's bundle into b. Returns KZ_EXIT_OK, KZ_EXIT_NOT_FOUND
** or KZ_EXIT_CASES (d). */
static int find_household(sqlite3 *cases, kz_day as_of, const char *id, struct kz_bundle *b,
                          struct kz_diag *d) {
  struct kz_loader *ld = NULL;
  int rc = KZ_EXIT_NOT_FOUND, got;
  if (kz_loader_open(&ld, cases, as_of, d)) return KZ_EXIT_CASES;
  while ((got = kz_loader_next(ld, b, d)) == 1) {
    if (b->phantom || !b->household_id || strcmp(b->household_id, id) != 0) continue;
    rc = KZ_EXIT_OK;
    break;
  }
  if (got < 0) rc = KZ_EXIT_CASES;
  kz_loader_close(ld);
  return rc;
}

/* Add finding f (read from the table at idx) to subject s's report. */
static void add_finding(const struct kz_engine *e, const struct kz_rule *r,
                        struct kz_trace_subject *s, const struct kz_finding *f) {
  const char *agency = f->agency ? f->agency : r->agency;
  const struct kz_agency *ag = kz_profile_agency(&e->prof, agency);
  const char *severity = f->severity ? f->severity : r->severity;
  kz_strbuf_addf(&s->findings_text, "    %s %d: key=%s since=%s severity=%s %s=%s%s%s%s\n",
                 _("finding"), s->nfindings + 1, f->key ? f->key : s->id,
                 f->since ? f->since : "-", severity, _("agency"), agency,
                 ag ? "（" : "", ag ? ag->name : "", ag ? "）" : "");
  if (f->reason) kz_strbuf_addf(&s->findings_text, "      %s: %s\n", _("reason"), f->reason);
  struct kz_strbuf *j = &s->findings_json;
  kz_strbuf_adds(j, s->nfindings ? ",{" : "{");
  kz_strbuf_add_json_field(j, "key", f->key ? f->key : s->id, 1);
  kz_strbuf_add_json_field(j, "since", f->since, 0);
  kz_strbuf_add_json_field(j, "subject", f->subject ? f->subject : s->id, 0);
  kz_strbuf_add_json_field(j, "severity", severity, 0);
  kz_strbuf_add_json_field(j, "agency", agency, 0);
  kz_strbuf_add_json_field(j, "agency_name", ag ? ag->name : NULL, 0);
  kz_strbuf_add_json_field(j, "reason", f->reason, 0);
  kz_strbuf_adds(j, "}");
  s->nfindings++;
}

/* Say what the check returned at res for subject s. */
static void judge(const struct kz_engine *e, const struct kz_rule *r, struct kz_trace_subject *s,
                  int res) {
  lua_State *L = e->sb.L;
  struct kz_finding f;
  struct kz_strbuf why = {0};
  int top = lua_gettop(L);
  if (lua_isnil(L, res)) {
    s->outcome = KZ_TRACE_NOTHING;
    s->why = strdup(N_("the check returned nil"));
  } else if (lua_type(L, res) == LUA_TTABLE && lua_getmetatable(L, res)) {
    luaL_getmetatable(L, "kz.finding");
    int is = lua_rawequal(L, -1, -2);
    lua_settop(L, top);
    if (is && kz_finding_read(L, res, &f, &why) == 0) {
      s->outcome = KZ_TRACE_FIRED;
      add_finding(e, r, s, &f);
    } else {
      s->outcome = KZ_TRACE_ERROR;
      s->why = strdup(is ? kz_strbuf_str(&why) : "the check returned a table with a metatable "
                      "that is not kz.finding{...}");
    }
  } else if (lua_type(L, res) == LUA_TTABLE) {
    lua_Integer n = 0;
    if (kz_finding_list_len(L, res, &n, &why) ||     /* as the nightly run judges it */
        kz_finding_list_same_task(L, res, n, s->id, &why)) {
      lua_settop(L, top);
      s->outcome = KZ_TRACE_ERROR;
      s->why = strdup(kz_strbuf_str(&why));
    } else if (n == 0) {
      s->outcome = KZ_TRACE_NOTHING;
      s->why = strdup(N_("the check returned an empty list"));
    } else {
      s->outcome = KZ_TRACE_FIRED;
      for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, res, i);
        int item = lua_gettop(L), is = 0;
        if (lua_type(L, item) == LUA_TTABLE && lua_getmetatable(L, item)) {
          luaL_getmetatable(L, "kz.finding");
          is = lua_rawequal(L, -1, -2);
          lua_settop(L, item);
        }
        if (is && kz_finding_read(L, item, &f, &why) == 0) {
          add_finding(e, r, s, &f);
        } else {
          s->outcome = KZ_TRACE_ERROR;
          free(s->why);
          s->why = strdup(is ? kz_strbuf_str(&why)
                             : "the check returned a list with something other than "
                               "kz.finding{...}");
        }
        lua_settop(L, top);
      }
    }
  } else {
    s->outcome = KZ_TRACE_ERROR;
    s->why = strdup("the check must return nil, kz.finding{...} or a list of findings");
  }
  lua_settop(L, top);
  kz_strbuf_free(&why);
}

/* Evaluate the rule's check on each subject of the household at hh. */
static int run_subjects(struct kz_engine *e, const struct kz_rule *r, const struct kz_bundle *b,
                        int hh, struct kz_trace *tr, struct kz_trace_result *res) {
  lua_State *L = e->sb.L;
  int subjects;
  kz_sandbox_trace(&e->sb, NULL);            /* finding the subjects is not the rule's work */
  int st = kz_subject_push(&e->sb, kz_subject_slots(L), hh, r->subject);   /* as the run does */
  kz_sandbox_trace(&e->sb, tr);
  if (st != LUA_OK || !lua_istable(L, -1)) {
    res->verdict = KZ_TRACE_ERROR;
    res->why = strdup(st != LUA_OK && lua_tostring(L, -1) ? lua_tostring(L, -1)
                                                         : "kz.subjects did not return a list");
    return KZ_EXIT_RULE_ERROR;
  }
  subjects = lua_gettop(L);
  size_t n = (size_t)lua_rawlen(L, subjects);
  if (n == 0) {
    res->verdict = KZ_TRACE_NO_SUBJECTS;
    char msg[200];
    snprintf(msg, sizeof msg, _("the household has no %s as of the run date: the rule's check is "
                                "not called"), kz_subjects[r->subject].name);
    res->why = strdup(msg);
    return KZ_EXIT_OK;
  }
  res->subjects = calloc(n, sizeof *res->subjects);
  if (!res->subjects) return KZ_EXIT_CASES;
  int rc = KZ_EXIT_OK, fired = 0;
  for (size_t i = 0; i < n; i++) {
    struct kz_trace_subject *s = &res->subjects[res->nsubjects++];
    lua_rawgeti(L, subjects, (lua_Integer)i + 1);
    int subj = lua_gettop(L);
    s->id = dup_or_null(r->subject == KZ_SUBJECT_HOUSEHOLD ? b->household_id
                                                           : kz_view_record_id(L, subj));
    s->from = tr->n;
    tr->depth = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->check_ref);
    int nargs = 2;
    if (r->subject != KZ_SUBJECT_HOUSEHOLD) {
      lua_pushvalue(L, subj);
      nargs++;
    }
    lua_pushvalue(L, hh);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->params_ref);
    if (kz_sandbox_call(&e->sb, nargs, 1) != LUA_OK) {
      size_t mn = 0;
      const char *m = lua_tolstring(L, -1, &mn);
      struct kz_strbuf clean = {0};
      kz_finding_clean_message(&clean, m ? m : "error", m ? mn : 5, KZ_MESSAGE_MAX);
      s->outcome = KZ_TRACE_ERROR;
      s->why = kz_strbuf_take(&clean);
      if (e->sb.err_line) {
        char at[300];
        snprintf(at, sizeof at, "%s:%d", e->sb.err_file, e->sb.err_line);
        s->error_at = strdup(at);
        size_t an = strlen(at);          /* Lua's "file:line: " in front is said once */
        if (s->why && strncmp(s->why, at, an) == 0 && strncmp(s->why + an, ": ", 2) == 0)
          memmove(s->why, s->why + an + 2, strlen(s->why + an + 2) + 1);
      }
    } else {
      judge(e, r, s, lua_gettop(L));
    }
    s->to = tr->n;
    if (s->outcome == KZ_TRACE_ERROR) rc = KZ_EXIT_RULE_ERROR;
    if (s->outcome == KZ_TRACE_FIRED) fired = 1;
    lua_settop(L, subj - 1);
  }
  res->verdict = rc != KZ_EXIT_OK ? KZ_TRACE_ERROR : fired ? KZ_TRACE_FIRED : KZ_TRACE_NOTHING;
  return rc;
}

int kz_trace_rule(struct kz_engine *e, sqlite3 *cases, const struct kz_rule *r,
                  const char *household, kz_day as_of, struct kz_trace *tr,
                  struct kz_trace_result *res, struct kz_diag *d) {
  lua_State *L = e->sb.L;
  struct kz_bundle *b = &e->ring[0];
  int top = lua_gettop(L);
  char day[KZ_DATE_LEN];
  memset(res, 0, sizeof *res);
  int rc = find_household(cases, as_of, household, b, d);
  if (rc != KZ_EXIT_OK) goto done;
  if (b->quarantined) {
    for (size_t i = 0; i < b->nissues; i++) {
      const struct kz_issue *is = &b->issues[i];
      if (!is->invalid) continue;
      kz_diag_add(d, NULL, 0, 0, _("%s %s, column %s = '%s': %s"), kz_tables[is->table].name,
                  is->row_id ? is->row_id : "-", is->column ? is->column : "-",
                  is->value ? is->value : "", is->why ? is->why : "");
    }
    rc = KZ_EXIT_QUARANTINE;
    goto done;
  }
  b->live = b->gen;
  kz_date_format(as_of, day);
  memcpy(b->today, day, sizeof b->today);
  kz_vocab_set_today(&e->sb, as_of);   /* kz.today and the vocabulary's day */
  if (kz_ruleset_bind_params(&e->rules, &e->sb, &e->prof)) {
    kz_diag_add(d, NULL, 0, 0, "out of memory");
    rc = KZ_EXIT_CASES;
    goto done;
  }
  uint32_t unmet = 0;
  for (int t = 0; t < KZ_NTABLES; t++)
    if ((r->needs & ((uint32_t)1 << t)) && b->rows[t].n == 0) unmet |= (uint32_t)1 << t;
  if (unmet) {
    struct kz_strbuf why = {0};
    kz_strbuf_adds(&why, "the rule declares needs = {");
    for (int t = 0, k = 0; t < KZ_NTABLES; t++)
      if (unmet & ((uint32_t)1 << t)) kz_strbuf_addf(&why, "%s\"%s\"", k++ ? ", " : "",
                                                     kz_tables[t].name);
    kz_strbuf_adds(&why, "} and the household has no records of it as of the run date: "
                   "the nightly run does not evaluate the rule here");
    res->verdict = KZ_TRACE_NEEDS;
    res->why = kz_strbuf_take(&why);
    goto done;
  }
  kz_trace_clear(tr);
  kz_sandbox_trace(&e->sb, tr);
  kz_view_push_household(L, b);
  rc = run_subjects(e, r, b, lua_gettop(L), tr, res);
  kz_sandbox_trace(&e->sb, NULL);
done:
  lua_settop(L, top);
  return rc;
}

/* {====== Reports ====== */

static const char *verdict_name(int v) {
  static const char *const names[] = {"fired", "nothing", "needs_unmet", "no_subjects", "error"};
  return names[v];
}

void kz_trace_print_text(const struct kz_engine *e, const struct kz_rule *r, const char *household,
                         kz_day as_of, const struct kz_trace *tr,
                         const struct kz_trace_result *res, FILE *f) {
  char day[KZ_DATE_LEN];
  (void)e;
  fprintf(f, "%s %s「%s」 (%s:%d)\n", _("rule"), r->id, r->label, r->file, r->line);
  fprintf(f, "  %s\n", r->title);
  fprintf(f, "%s %s, %s %s, %s %s\n\n", _("household"), household, _("as of"),
          kz_date_format(as_of, day), _("subject"), kz_subjects[r->subject].name);
  for (size_t i = 0; i < res->nsubjects; i++) {
    const struct kz_trace_subject *s = &res->subjects[i];
    fprintf(f, "%s %s\n", _("subject"), s->id ? s->id : "?");
    kz_trace_write_text(tr, s->from, s->to, f);
    if (s->nfindings) fprintf(f, "  %s\n%s", _("findings:"), kz_strbuf_str(&s->findings_text));
    if (s->outcome == KZ_TRACE_ERROR)
      fprintf(f, "  %s %s%s%s\n", _("error:"), s->error_at ? s->error_at : "",
              s->error_at ? ": " : "", s->why ? s->why : "");
    else if (s->outcome == KZ_TRACE_NOTHING)
      fprintf(f, "  %s %s\n", _("no finding:"), s->why ? _(s->why) : "");
    fputc('\n', f);
  }
  if (tr->dropped)
    fprintf(f, _("(%zu more events were not kept: the trace keeps the first %zu)\n"), tr->dropped,
            tr->max_events);
  size_t nf = 0;
  for (size_t i = 0; i < res->nsubjects; i++) nf += (size_t)res->subjects[i].nfindings;
  switch (res->verdict) {
    case KZ_TRACE_FIRED:
      fprintf(f, _("result: the rule fires here: %zu finding(s)\n"), nf);
      break;
    case KZ_TRACE_NOTHING:
      fprintf(f, _("result: the rule does not fire here: every check returned nil or an empty "
                   "list (see the calls above)\n"));
      break;
    case KZ_TRACE_NEEDS:
    case KZ_TRACE_NO_SUBJECTS:
      fprintf(f, _("result: the rule does not fire here: %s\n"), res->why ? _(res->why) : "");
      break;
    case KZ_TRACE_ERROR:
      fprintf(f, _("result: the rule raised an error or returned something wrong here%s%s\n"),
              res->why ? ": " : "", res->why ? res->why : "");
      break;
  }
}

void kz_trace_print_json(const struct kz_engine *e, const struct kz_rule *r, const char *household,
                         kz_day as_of, const struct kz_trace *tr,
                         const struct kz_trace_result *res, FILE *f) {
  char day[KZ_DATE_LEN];
  struct kz_strbuf o = {0};
  (void)e;
  kz_strbuf_adds(&o, "{");
  kz_strbuf_add_json_field(&o, "rule", r->id, 1);
  kz_strbuf_add_json_field(&o, "label", r->label, 0);
  kz_strbuf_add_json_field(&o, "file", r->file, 0);
  kz_strbuf_addf(&o, ",\"line\":%d", r->line);
  kz_strbuf_add_json_field(&o, "household", household, 0);
  kz_strbuf_add_json_field(&o, "as_of", kz_date_format(as_of, day), 0);
  kz_strbuf_add_json_field(&o, "subject_kind", kz_subjects[r->subject].name, 0);
  kz_strbuf_add_json_field(&o, "verdict", verdict_name(res->verdict), 0);
  kz_strbuf_add_json_field(&o, "why", res->why, 0);
  kz_strbuf_adds(&o, ",\"subjects\":[");
  for (size_t i = 0; i < res->nsubjects; i++) {
    const struct kz_trace_subject *s = &res->subjects[i];
    kz_strbuf_adds(&o, i ? ",{" : "{");
    kz_strbuf_add_json_field(&o, "subject", s->id, 1);
    kz_strbuf_add_json_field(&o, "outcome", verdict_name(s->outcome), 0);
    kz_strbuf_add_json_field(&o, "why", s->why, 0);
    kz_strbuf_add_json_field(&o, "error_at", s->error_at, 0);
    kz_strbuf_adds(&o, ",");
    kz_trace_write_json(tr, s->from, s->to, &o);
    kz_strbuf_addf(&o, ",\"findings\":[%s]}", kz_strbuf_str(&s->findings_json));
  }
  kz_strbuf_addf(&o, "],\"dropped\":%zu}\n", tr->dropped);
  fputs(kz_strbuf_str(&o), f);
  kz_strbuf_free(&o);
}

/* }====== */
