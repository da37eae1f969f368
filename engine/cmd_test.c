/*
** cmd_test.c — `kizuki test`: run fixtures and compare the tasks each run
** leaves with the ones the fixture expects (DESIGN.md "Fixture format").
**
** A fixture run is the nightly run (kz_run) over the fixture's in-memory case
** DB and an in-memory task store, with a fresh engine per fixture so that
** `params:` never leak into the next one.
*/
#include <dirent.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fixture.h"
#include "kizuki.h"
#include "run.h"
#include "strbuf.h"
#include "task_read.h"

static const char USAGE[] =
  "usage: kizuki test [FIXTURE.yaml | DIR]... [--run PATTERN] [--format text|json]\n"
  "                   [--rules DIR] [--profile FILE] [--coverage]\n"
  "\n"
  "Run each fixture's runs in order over one in-memory task store, with the\n"
  "rules of the rules folder, and compare the tasks with the expected ones.\n"
  "A DIR means every *.yaml in it, in name order (default: fixtures/). A\n"
  "fixture's `rules:` list limits which rules' tasks are compared (every rule\n"
  "still runs).\n"
  "\n"
  "  --run PATTERN     only fixtures whose file or name contains PATTERN (or\n"
  "                    matches it, when it has * ? or [ )\n"
  "  --format FMT      text (default) or json (one document on stdout; the\n"
  "                    summary line then goes to stderr)\n"
  "  --rules DIR       the rules folder (default: rules)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --coverage        also tell, for each rule, how many passing fixtures made it\n"
  "                    open a task and how many cleared one, and list the rules\n"
  "                    no fixture fires or clears (before the last line)\n"
  "\n"
  "A run fails when an expected task is missing, an unexpected task is there,\n"
  "a rule raises an error, a rule finds something in a household that lacks a\n"
  "table it `needs` (in tests rules run there too), or a second run with the\n"
  "same as_of changes anything. Ends with the line `N passed, N failed`.\n"
  "Exit codes: 0 all passed; 1 some fixture failed; 2 a fixture cannot be\n"
  "loaded (its errors are printed; it counts as failed), or a usage, profile\n"
  "or rule-load error.\n";

/* One task as the store has it. */
struct found {
  char *rule, *subject, *key, *unit, *severity, *due_on;   /* owned; due_on may be NULL */
  int level;
  int backlog;                     /* the task's backlog flag after the run */
};

struct found_set {
  struct found *v;
  size_t n;
};

/* The state of one `kizuki test`. */
struct tester {
  int json;
  const char *rules, *profile;
  struct kz_strbuf out;            /* JSON: the fixtures array */
  int nfixtures_json;
  long long passed, failed;
  int load_errors;
  /* The fixture being run. */
  const struct kz_fixture *f;
  const char *path;
  int fixture_failed;
  struct kz_strbuf text;           /* text: the failure report of the fixture */
  struct kz_strbuf runs_json;      /* JSON: the runs array of the fixture */
  int nruns_json;
  /* --coverage: per loaded rule, the passing fixtures that opened / cleared
  ** one of its tasks (in the fixture's scope). */
  int coverage;
  struct cover { char *rule; long long opened, cleared; } *cov;   /* owned */
  size_t ncov;
};

/* {====== Found tasks ====== */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static void found_free(struct found_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    struct found *t = &s->v[i];
    free(t->rule); free(t->subject); free(t->key); free(t->unit); free(t->severity); free(t->due_on);
  }
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

struct found_read_ctx { const struct kz_fixture *f; struct found_set *out; };

/* Reader callback: keep one task of the set when the fixture covers its rule. */
static int found_add(void *ctx, const struct kz_task_row *row) {
  struct found_read_ctx *c = ctx;
  struct found_set *out = c->out;
  if (!kz_fixture_in_scope(c->f, row->rule)) return 0;
  struct found *v = realloc(out->v, (out->n + 1) * sizeof *v);
  if (!v) return -1;
  out->v = v;
  struct found *t = &out->v[out->n++];
  t->rule = dup_or_null(row->rule); t->subject = dup_or_null(row->subject);
  t->key = dup_or_null(row->key); t->unit = dup_or_null(row->unit);
  t->severity = dup_or_null(row->severity);
  t->level = row->level;
  t->due_on = dup_or_null(row->due_on);
  t->backlog = row->backlog;
  return 0;
}

/* Read set `which` after run run_id into *out. A promoted backlog task
** counts as opened (DESIGN.md). Returns 0 or -1. */
static int found_read(const struct kz_fixture *f, struct kz_tasks *ts, enum kz_fixture_set which,
                      long long run_id, struct found_set *out) {
  static const unsigned events[KZ_FX_NSETS] = {
    0, KZ_EV_OPENED | KZ_EV_REOPENED | KZ_EV_PROMOTED, KZ_EV_CLEARED, KZ_EV_ESCALATED};
  struct found_read_ctx c = {f, out};
  memset(out, 0, sizeof *out);
  if (which == KZ_FX_OPEN) return kz_tasks_each_open(ts, KZ_ORDER_KEY, found_add, &c) ? -1 : 0;
  return kz_tasks_each_run_event(ts, run_id, events[which], found_add, &c) ? -1 : 0;
}

static int same(const char *want, const char *got) {
  return !want || (got && strcmp(want, got) == 0);
}

static int matches(const struct kz_fixture_task *e, const struct found *t) {
  char due[KZ_DATE_LEN];
  if (!same(e->rule, t->rule) || !same(e->subject, t->subject) || !same(e->key, t->key) ||
      !same(e->unit, t->unit) || !same(e->severity, t->severity))
    return 0;
  if (e->level >= 0 && e->level != t->level) return 0;
  if (e->due_on != KZ_DAY_NONE && !same(kz_date_format(e->due_on, due), t->due_on)) return 0;
  if (e->due_null && t->due_on) return 0;
  if (e->backlog >= 0 && e->backlog != t->backlog) return 0;
  return 1;
}

/* Kuhn's augmenting path: can expected i be matched, moving earlier matches? */
static int augment(size_t i, const char *ok, size_t na, long *owner, char *visited) {
  for (size_t j = 0; j < na; j++) {
    if (!ok[i * na + j] || visited[j]) continue;
    visited[j] = 1;
    if (owner[j] < 0 || augment((size_t)owner[j], ok, na, owner, visited)) {
      owner[j] = (long)i;
      return 1;
    }
  }
  return 0;
}

/* }====== */

/* {====== Reporting ====== */

static void text_task_expected(struct kz_strbuf *b, const struct kz_fixture_task *e) {
  char due[KZ_DATE_LEN];
  int first = 1;
  kz_strbuf_adds(b, "{");
#define FIELD(name, val) do { kz_strbuf_addf(b, "%s" name ": %s", first ? "" : ", ", val); first = 0; } while (0)
  if (e->rule) FIELD("rule", e->rule);
  if (e->subject) FIELD("subject", e->subject);
  if (e->key) FIELD("key", e->key);
  if (e->unit) FIELD("unit", e->unit);
  if (e->severity) FIELD("severity", e->severity);
  if (e->level >= 0) { kz_strbuf_addf(b, "%slevel: %d", first ? "" : ", ", e->level); first = 0; }
  if (e->due_on != KZ_DAY_NONE) FIELD("due_on", kz_date_format(e->due_on, due));
  if (e->due_null) FIELD("due_on", "null");
  if (e->backlog >= 0) FIELD("backlog", e->backlog ? "true" : "false");
#undef FIELD
  kz_strbuf_adds(b, "}");
}

static void text_task_found(struct kz_strbuf *b, const struct found *t) {
  kz_strbuf_addf(b, "{rule: %s, subject: %s, key: %s, unit: %s, severity: %s, level: %d, "
                 "due_on: %s, backlog: %s}", t->rule, t->subject, t->key, t->unit, t->severity,
                 t->level, t->due_on ? t->due_on : "null", t->backlog ? "true" : "false");
}


static void json_task_expected(struct kz_strbuf *b, const struct kz_fixture *f,
                               const struct kz_fixture_task *e) {
  char due[KZ_DATE_LEN];
  kz_strbuf_adds(b, "{\"rule\":"); kz_strbuf_add_json(b, e->rule);
  kz_strbuf_adds(b, ",\"subject\":"); kz_strbuf_add_json(b, e->subject);
  kz_strbuf_adds(b, ",\"key\":"); kz_strbuf_add_json(b, e->key);
  kz_strbuf_adds(b, ",\"unit\":"); kz_strbuf_add_json(b, e->unit);
  kz_strbuf_adds(b, ",\"severity\":"); kz_strbuf_add_json(b, e->severity);
  if (e->level >= 0) kz_strbuf_addf(b, ",\"level\":%d", e->level);
  else kz_strbuf_adds(b, ",\"level\":null");
  kz_strbuf_adds(b, ",\"due_on\":");
  kz_strbuf_add_json(b, e->due_on != KZ_DAY_NONE ? kz_date_format(e->due_on, due) : NULL);
  if (e->backlog >= 0) kz_strbuf_addf(b, ",\"backlog\":%s", e->backlog ? "true" : "false");
  else kz_strbuf_adds(b, ",\"backlog\":null");
  kz_strbuf_adds(b, ",\"file\":"); kz_strbuf_add_json(b, f->file);
  kz_strbuf_addf(b, ",\"line\":%d}", e->line);
}

static void json_task_found(struct kz_strbuf *b, const struct found *t) {
  kz_strbuf_adds(b, "{\"rule\":"); kz_strbuf_add_json(b, t->rule);
  kz_strbuf_adds(b, ",\"subject\":"); kz_strbuf_add_json(b, t->subject);
  kz_strbuf_adds(b, ",\"key\":"); kz_strbuf_add_json(b, t->key);
  kz_strbuf_adds(b, ",\"unit\":"); kz_strbuf_add_json(b, t->unit);
  kz_strbuf_adds(b, ",\"severity\":"); kz_strbuf_add_json(b, t->severity);
  kz_strbuf_addf(b, ",\"level\":%d,\"due_on\":", t->level);
  kz_strbuf_add_json(b, t->due_on);
  kz_strbuf_addf(b, ",\"backlog\":%s}", t->backlog ? "true" : "false");
}

/* The failures of one run, text and JSON side by side. */
struct run_report {
  struct kz_strbuf text, json;    /* json: the items of "failures" */
  int nfail;
};

static void run_fail_message(struct tester *t, struct run_report *r, const char *kind,
                             const char *msg) {
  kz_strbuf_addf(&r->text, "    %s: %s\n", kind, msg);
  kz_strbuf_addf(&r->json, "%s{\"kind\":", r->nfail ? "," : "");
  kz_strbuf_add_json(&r->json, kind);
  kz_strbuf_adds(&r->json, ",\"message\":");
  kz_strbuf_add_json(&r->json, msg);
  kz_strbuf_adds(&r->json, "}");
  r->nfail++;
  (void)t;
}

/* Compare expected set s of run with what the store holds. */
static void compare_set(struct tester *t, struct run_report *r, enum kz_fixture_set s,
                        const struct kz_fixture_expect *want, const struct found_set *got) {
  size_t ne = want->n, na = got->n;
  char *ok = calloc(ne * na + 1, 1), *visited = calloc(na + 1, 1);
  long *owner = malloc((na + 1) * sizeof *owner);
  char *used = calloc(ne + 1, 1);
  if (!ok || !visited || !owner || !used) {
    run_fail_message(t, r, "error", "out of memory comparing tasks");
    goto done;
  }
  for (size_t i = 0; i < ne; i++)
    for (size_t j = 0; j < na; j++) ok[i * na + j] = (char)matches(&want->tasks[i], &got->v[j]);
  for (size_t j = 0; j < na; j++) owner[j] = -1;
  for (size_t i = 0; i < ne; i++) {
    memset(visited, 0, na + 1);
    augment(i, ok, na, owner, visited);
  }
  for (size_t j = 0; j < na; j++) if (owner[j] >= 0) used[owner[j]] = 1;
  size_t missing = 0, unexpected = 0;
  for (size_t i = 0; i < ne; i++) missing += !used[i];
  for (size_t j = 0; j < na; j++) unexpected += owner[j] < 0;
  if (!missing && !unexpected) goto done;

  kz_strbuf_addf(&r->text, "    %s: %zu expected, %zu found", kz_fixture_set_names[s], ne, na);
  if (missing) kz_strbuf_addf(&r->text, "; %zu missing", missing);
  if (unexpected) kz_strbuf_addf(&r->text, "; %zu unexpected", unexpected);
  kz_strbuf_adds(&r->text, "\n");
  kz_strbuf_addf(&r->json, "%s{\"kind\":\"mismatch\",\"set\":\"%s\",\"missing\":[",
                 r->nfail ? "," : "", kz_fixture_set_names[s]);
  int k = 0;
  for (size_t i = 0; i < ne; i++) {
    if (used[i]) continue;
    kz_strbuf_adds(&r->text, "      missing:    ");
    text_task_expected(&r->text, &want->tasks[i]);
    kz_strbuf_addf(&r->text, "  (expected at %s:%d)\n", t->f->file, want->tasks[i].line);
    if (k++) kz_strbuf_adds(&r->json, ",");
    json_task_expected(&r->json, t->f, &want->tasks[i]);
  }
  kz_strbuf_adds(&r->json, "],\"unexpected\":[");
  k = 0;
  for (size_t j = 0; j < na; j++) {
    if (owner[j] >= 0) continue;
    kz_strbuf_adds(&r->text, "      unexpected: ");
    text_task_found(&r->text, &got->v[j]);
    kz_strbuf_adds(&r->text, "\n");
    if (k++) kz_strbuf_adds(&r->json, ",");
    json_task_found(&r->json, &got->v[j]);
  }
  kz_strbuf_adds(&r->json, "]}");
  r->nfail++;
done:
  free(ok); free(visited); free(owner); free(used);
}

/* }====== */

/* {====== Coverage (--coverage) ====== */

static struct cover *cover_find(struct tester *t, const char *rule, int add) {
  for (size_t i = 0; i < t->ncov; i++)
    if (strcmp(t->cov[i].rule, rule) == 0) return &t->cov[i];
  if (!add) return NULL;
  struct cover *v = realloc(t->cov, (t->ncov + 1) * sizeof *v);
  if (!v) return NULL;
  t->cov = v;
  v = &t->cov[t->ncov];
  if (!(v->rule = strdup(rule))) return NULL;
  v->opened = v->cleared = 0;
  t->ncov++;
  return v;
}

struct cover_ctx { struct tester *t; const struct kz_fixture *f; };

/* kz_tasks_each_rule_outcome callback: count a rule that opened or cleared. */
static int cover_add(void *ctx, const char *rule, int cleared) {
  struct cover_ctx *c = ctx;
  struct cover *v = kz_fixture_in_scope(c->f, rule) ? cover_find(c->t, rule, 0) : NULL;
  if (v && cleared) v->cleared++;
  else if (v) v->opened++;
  return 0;
}

/* Count, once per rule, what fixture f's runs made its tasks do in ts. */
static void cover_tally(struct tester *t, const struct kz_fixture *f, struct kz_tasks *ts) {
  struct cover_ctx c = {t, f};
  kz_tasks_each_rule_outcome(ts, cover_add, &c);
}

static void cover_print(const struct tester *t, FILE *out) {
  fprintf(out, "\ncoverage: passing fixtures that open / clear a task of each rule\n"
          "%-28s %7s %8s\n", "rule", "opened", "cleared");
  for (size_t i = 0; i < t->ncov; i++)
    fprintf(out, "%-28s %7lld %8lld\n", t->cov[i].rule, t->cov[i].opened, t->cov[i].cleared);
  for (int which = 0; which < 2; which++) {
    int n = 0;
    for (size_t i = 0; i < t->ncov; i++) {
      if ((which ? t->cov[i].cleared : t->cov[i].opened) > 0) continue;
      fprintf(out, "%s%s", n++ ? ", " : which ? "no fixture clears: " : "no fixture fires: ",
              t->cov[i].rule);
    }
    fprintf(out, n ? "\n" : "%s", which ? "every rule is cleared by some fixture\n"
            : "every rule is fired by some fixture\n");
  }
  fputc('\n', out);
}

/* }====== */

/* {====== One fixture ====== */

struct fail_ctx { struct tester *t; struct run_report *r; };

/* kz_tasks_each_error callback: a rule error is a failure. */
static int fail_rule_error(void *ctx, const struct kz_run_error_row *e) {
  struct fail_ctx *c = ctx;
  char msg[1200];
  snprintf(msg, sizeof msg, "%s:%d: rule %s, subject %s: %s", e->file, e->line, e->rule, e->subject,
           e->message);
  run_fail_message(c->t, c->r, "rule error", msg);
  return 0;
}

/* Rule errors recorded by run run_id, each as a failure. */
static void report_rule_errors(struct tester *t, struct run_report *r, struct kz_tasks *ts,
                               long long run_id) {
  struct fail_ctx c = {t, r};
  kz_tasks_each_error(ts, run_id, fail_rule_error, &c);
}

/* kz_tasks_each_issue callback: a row that quarantined a household is a failure. */
static int fail_issue(void *ctx, const struct kz_run_issue_row *e) {
  struct fail_ctx *c = ctx;
  char msg[1200];
  snprintf(msg, sizeof msg, "household %s quarantined: %s row %s: %s '%s' %s", e->household_id,
           e->table, e->row_id, e->column, e->value, e->why);
  run_fail_message(c->t, c->r, "bad case data", msg);
  return 0;
}

/* Rows of the case data that quarantined a household in run run_id, each as
** a failure (a fixture's data must keep the contract; quality findings are
** not failures). */
static void report_quarantine(struct tester *t, struct run_report *r, struct kz_tasks *ts,
                              long long run_id) {
  struct fail_ctx c = {t, r};
  kz_tasks_each_issue(ts, run_id, "invalid", fail_issue, &c);
}

/* Close the report of one run into the fixture's report. */
static void finish_run(struct tester *t, struct run_report *r, size_t i,
                       const struct kz_fixture_run *run) {
  char day[KZ_DATE_LEN];
  kz_date_format(run->as_of, day);
  if (r->nfail) {
    t->fixture_failed = 1;
    kz_strbuf_addf(&t->text, "  run %zu (as_of %s, %s:%d):\n%s", i + 1, day, t->f->file,
                   run->line, kz_strbuf_str(&r->text));
  }
  kz_strbuf_addf(&t->runs_json, "%s{\"run\":%zu,\"as_of\":\"%s\",\"line\":%d,\"passed\":%s,"
                 "\"failures\":[%s]}", t->nruns_json++ ? "," : "", i + 1, day, run->line,
                 r->nfail ? "false" : "true", kz_strbuf_str(&r->json));
  kz_strbuf_free(&r->text);
  kz_strbuf_free(&r->json);
  memset(r, 0, sizeof *r);
}

/* Run every run of fixture f. Returns KZ_EXIT_OK, or KZ_EXIT_USAGE when the
** engine cannot even be opened (reported; the caller stops). */
static int run_fixture(struct tester *t, struct kz_fixture *f, struct kz_diag *problems) {
  char profile_path[1024];
  struct kz_engine e;
  struct kz_tasks *ts = NULL;
  struct kz_diag d = {0};
  int rc = KZ_EXIT_OK;
  kz_cli_profile_path(t->rules, t->profile, profile_path, sizeof profile_path);
  if (kz_engine_open(&e, t->rules, profile_path, &d)) {
    kz_diag_print(&d, stderr);
    fprintf(stderr, "kizuki test: %zu problem(s) in the rules or profile; nothing was run\n", d.n);
    kz_diag_clear(&d);
    return KZ_EXIT_USAGE;
  }
  int bad = kz_fixture_apply_params(f, &e.prof, problems);         /* load errors */
  if (f->nrules) {
    const char **ids = calloc(e.rules.n + 1, sizeof *ids);
    for (size_t i = 0; ids && i < e.rules.n; i++) ids[i] = e.rules.rules[i].id;
    bad |= !ids || kz_fixture_check_rules(f, ids, problems);
    free(ids);
  }
  if (bad) goto done;
  for (size_t i = 0; t->coverage && i < e.rules.n; i++) cover_find(t, e.rules.rules[i].id, 1);
  if (kz_tasks_open(&ts, ":memory:", &e.prof, &d) != KZ_EXIT_OK) {
    for (size_t i = 0; i < d.n; i++) kz_diag_add(problems, f->file, 0, 0, "%s", d.msgs[i]);
    goto done;
  }
  for (size_t i = 0; i < f->nruns; i++) {
    const struct kz_fixture_run *run = &f->runs[i];
    struct run_report r = {0};
    struct kz_run_stats st = {0};
    struct kz_run_opts ro = {0};
    ro.verify_needs = 1;        /* a rule's `needs` are proved, not trusted, here */
    for (size_t k = 0; k < run->ndone; k++) {
      const struct kz_fixture_done *x = &run->done[k];
      kz_diag_clear(&d);
      if (kz_tasks_mark_done(ts, x->rule, x->subject, x->key, run->as_of, x->note, &d)) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s:%d: %s", f->file, x->line, d.n ? d.msgs[0] : "failed");
        run_fail_message(t, &r, "done", msg);
      }
    }
    kz_diag_clear(&d);
    int rrc = kz_run(&e, f->cases, ts, run->as_of, &ro, &st, &d);
    if (rrc != KZ_EXIT_OK && rrc != KZ_EXIT_RULE_ERROR && rrc != KZ_EXIT_QUARANTINE) {
      for (size_t k = 0; k < d.n; k++) run_fail_message(t, &r, "run failed", d.msgs[k]);
      if (!d.n) run_fail_message(t, &r, "run failed", "the run did not finish");
      finish_run(t, &r, i, run);
      kz_run_stats_free(&st);
      break;
    }
    report_rule_errors(t, &r, ts, st.run_id);
    report_quarantine(t, &r, ts, st.run_id);
    for (int s = 0; s < KZ_FX_NSETS; s++) {
      struct found_set got;
      if (!run->expect[s].given) continue;
      if (found_read(f, ts, (enum kz_fixture_set)s, st.run_id, &got)) {
        run_fail_message(t, &r, "error", kz_tasks_errmsg(ts));
      } else {
        compare_set(t, &r, (enum kz_fixture_set)s, &run->expect[s], &got);
      }
      found_free(&got);
    }
    /* The same as_of twice in a row: the second run must change nothing. */
    if (i > 0 && f->runs[i - 1].as_of == run->as_of) {
      for (int s = KZ_FX_OPENED; s < KZ_FX_NSETS; s++) {
        struct found_set got;
        if (found_read(f, ts, (enum kz_fixture_set)s, st.run_id, &got) == 0) {
          for (size_t j = 0; j < got.n; j++) {
            struct kz_strbuf b = {0};
            kz_strbuf_addf(&b, "a second run for the same date %s a task: ",
                           kz_fixture_set_names[s]);
            text_task_found(&b, &got.v[j]);
            run_fail_message(t, &r, "same as_of twice", kz_strbuf_str(&b));
            kz_strbuf_free(&b);
          }
        }
        found_free(&got);
      }
    }
    finish_run(t, &r, i, run);
    kz_run_stats_free(&st);
  }
  if (t->coverage && !t->fixture_failed) cover_tally(t, f, ts);
done:
  kz_diag_clear(&d);
  kz_tasks_close(ts);
  kz_engine_close(&e);
  return rc;
}

static int selected(const char *pattern, const char *path, const char *name) {
  if (!pattern) return 1;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (strpbrk(pattern, "*?["))
    return fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, base, 0) == 0 ||
           (name && fnmatch(pattern, name, 0) == 0);
  return strstr(path, pattern) || (name && strstr(name, pattern));
}

/* Load, run and report one fixture file. Returns KZ_EXIT_OK, or
** KZ_EXIT_USAGE when the whole command must stop. */
static int test_one(struct tester *t, const char *path, const char *pattern) {
  struct kz_fixture f;
  struct kz_diag problems = {0};
  int rc = KZ_EXIT_OK;
  int loaded = kz_fixture_load(&f, path, &problems) == 0;
  if (!selected(pattern, path, loaded ? f.name : NULL)) goto done;
  t->f = &f;
  t->path = path;
  t->fixture_failed = 0;
  kz_strbuf_reset(&t->text);
  kz_strbuf_reset(&t->runs_json);
  t->nruns_json = 0;
  if (loaded) {
    rc = run_fixture(t, &f, &problems);
    if (rc != KZ_EXIT_OK) goto done;
  }
  const char *status = problems.n ? "error" : t->fixture_failed ? "failed" : "passed";
  if (problems.n) t->load_errors = 1;
  if (problems.n || t->fixture_failed) t->failed++;
  else t->passed++;
  if (t->json) {
    struct kz_strbuf *b = &t->out;
    kz_strbuf_addf(b, "%s{\"file\":", t->nfixtures_json++ ? "," : "");
    kz_strbuf_add_json(b, path);
    kz_strbuf_adds(b, ",\"name\":");
    kz_strbuf_add_json(b, loaded ? f.name : NULL);
    kz_strbuf_addf(b, ",\"status\":\"%s\",\"errors\":[", status);
    for (size_t i = 0; i < problems.n; i++) {
      if (i) kz_strbuf_adds(b, ",");
      kz_strbuf_add_json(b, problems.msgs[i] ? problems.msgs[i] : "out of memory");
    }
    kz_strbuf_addf(b, "],\"runs\":[%s]}", kz_strbuf_str(&t->runs_json));
  } else if (problems.n) {
    printf("ERROR %s: cannot be loaded (%zu problem%s)\n", path, problems.n,
           problems.n == 1 ? "" : "s");
    for (size_t i = 0; i < problems.n; i++)
      printf("  %s\n", problems.msgs[i] ? problems.msgs[i] : "out of memory");
  } else if (t->fixture_failed) {
    printf("FAIL  %s — %s\n%s", path, f.name, kz_strbuf_str(&t->text));
  } else {
    printf("ok    %s — %s (%zu run%s)\n", path, f.name, f.nruns, f.nruns == 1 ? "" : "s");
  }
done:
  if (loaded) kz_fixture_free(&f);
  kz_diag_clear(&problems);
  t->f = NULL;
  return rc;
}

/* }====== */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of dir, sorted, into a NULL-terminated owned list. */
static char **list_dir(const char *dir) {
  DIR *dp = opendir(dir);
  char **v = NULL;
  size_t n = 0;
  if (!dp) return NULL;
  struct dirent *de;
  while ((de = readdir(dp))) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0) continue;
    char **nv = realloc(v, (n + 2) * sizeof *nv);
    if (!nv) break;
    v = nv;
    size_t sz = strlen(dir) + len + 2;
    if (!(v[n] = malloc(sz))) break;
    snprintf(v[n], sz, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
    v[++n] = NULL;
  }
  closedir(dp);
  if (!v) v = calloc(1, sizeof *v);
  else qsort(v, n, sizeof *v, cmp_str);
  return v;
}

int kz_cmd_test(int argc, char **argv) {
  static const struct option opts[] = {
    {"run", required_argument, NULL, 'n'}, {"format", required_argument, NULL, 'f'},
    {"rules", required_argument, NULL, 'r'}, {"profile", required_argument, NULL, 'p'},
    {"coverage", no_argument, NULL, 'C'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct tester t = {0};
  const char *pattern = NULL;
  int ch, rc = KZ_EXIT_OK;
  t.rules = "rules";
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'n': pattern = optarg; break;
      case 'f':
        if (strcmp(optarg, "json") == 0) t.json = 1;
        else if (strcmp(optarg, "text") != 0) {
          fprintf(stderr, "kizuki test: --format must be text or json, not '%s'\n", optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'r': t.rules = optarg; break;
      case 'p': t.profile = optarg; break;
      case 'C': t.coverage = 1; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: fputs(USAGE, stderr); return KZ_EXIT_USAGE;
    }
  }
  static char *const default_args[] = {"fixtures/", NULL};
  char *const *args = optind < argc ? argv + optind : default_args;
  int nargs = optind < argc ? argc - optind : 1;
  for (int a = 0; a < nargs && rc == KZ_EXIT_OK; a++) {
    struct stat sb;
    if (stat(args[a], &sb) == 0 && S_ISDIR(sb.st_mode)) {
      char **files = list_dir(args[a]);
      if (!files) {
        fprintf(stderr, "kizuki test: cannot read the folder %s\n", args[a]);
        rc = KZ_EXIT_USAGE;
        break;
      }
      for (size_t i = 0; files[i]; i++) {
        if (rc == KZ_EXIT_OK) rc = test_one(&t, files[i], pattern);
        free(files[i]);
      }
      free(files);
    } else {
      rc = test_one(&t, args[a], pattern);     /* a missing file is a load error */
    }
  }
  if (rc == KZ_EXIT_OK) {
    if (t.json)
      printf("{\"fixtures\":[%s],\"passed\":%lld,\"failed\":%lld}\n", kz_strbuf_str(&t.out),
             t.passed, t.failed);
    if (t.coverage) cover_print(&t, t.json ? stderr : stdout);
    fprintf(t.json ? stderr : stdout, "%lld passed, %lld failed\n", t.passed, t.failed);
    rc = t.load_errors ? KZ_EXIT_USAGE : t.failed ? KZ_EXIT_FIXTURE_FAILED : KZ_EXIT_OK;
  }
  kz_strbuf_free(&t.out);
  kz_strbuf_free(&t.text);
  kz_strbuf_free(&t.runs_json);
  for (size_t i = 0; i < t.ncov; i++) free(t.cov[i].rule);
  free(t.cov);
  return rc;
}
