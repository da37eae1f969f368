/*
** task_out.c — the one writer of task rows (task_out.h): text table, the one
** CSV dialect, JSON and JSON Lines, and `kizuki explain`'s account of a
** task. Every string goes out as valid UTF-8; every CSV cell a spreadsheet
** would run as a formula is neutralised.
*/
#include "task_out.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "severity.h"
#include "staff_names.h"
#include "task_query.h"

/* {====== Formats ====== */

int kz_task_out_parse_format(const char *s, const char *allowed, enum kz_out_format *out) {
  static const struct { const char *name; enum kz_out_format f; } F[] = {
    {"text", KZ_OUT_TEXT}, {"csv", KZ_OUT_CSV}, {"json", KZ_OUT_JSON}, {"jsonl", KZ_OUT_JSONL}};
  size_t n = strlen(s);
  for (size_t i = 0; i < sizeof F / sizeof *F; i++) {
    if (strcmp(s, F[i].name) != 0) continue;
    for (const char *a = allowed; (a = strstr(a, s)) != NULL; a += n)
      if ((a == allowed || a[-1] == ',') && (a[n] == ',' || a[n] == '\0')) {
        *out = F[i].f;
        return 0;
      }
  }
  return -1;
}

/* }====== */

/* {====== CSV ====== */

/* The one CSV dialect's columns, in order, with their Japanese headers:
** staff's names first (the places of the first 22 kept from earlier
** exports), then the codes, for other systems. */
enum {
  K_ID, K_SEVERITY, K_DUE, K_OVERDUE, K_UNIT, K_RULE, K_SUBJECT, K_KEY, K_LEVEL, K_STATUS,
  K_REASON, K_EVIDENCE, K_HOUSEHOLD, K_WARD, K_AGENCY, K_SINCE, K_OPENED, K_LAST_SEEN,
  K_CLEARED, K_DONE, K_DONE_NOTE, K_BACKLOG, K_LABEL, K_SEVERITY_CODE, K_STATUS_CODE,
  K_UNIT_CODE, K_RULE_CODE, K_WARD_CODE, K_AGENCY_CODE, K_EVIDENCE_CODE, K_N
};
static const char *const CSV_HEAD[K_N] = {
  "ID", "重大度", "期限", "期限超過", "担当", "規則", "対象", "キー", "段階", "状態", "理由",
  "根拠", "世帯", "区", "機関種別", "発生日", "開始日", "最終確認日", "解消日", "完了日", "完了メモ",
  "バックログ", "規則区分", "重大度コード", "状態コード", "担当コード", "規則コード", "区コード",
  "機関種別コード", "根拠コード"
};

/* One CSV cell (RFC 4180) to o->f, as valid UTF-8. A cell a spreadsheet
** would run as a formula -- beginning with = + - @, a tab or a CR (OWASP
** "CSV Injection"): an id, note or reason "=HYPERLINK(...)" from the case
** DB or staff -- gets a leading apostrophe (shown as text) and quotes. */
static void csv_cell(struct kz_task_out *o, const char *s, int first) {
  struct kz_strbuf *b = &o->b;
  if (!first) fputc(',', o->f);
  if (!s) s = "";
  kz_strbuf_reset(b);
  int formula = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
  if (formula) kz_strbuf_add(b, "'", 1);
  o->replaced += kz_taskq_utf8(b, s, strlen(s));
  if (b->oom) { o->oom = 1; return; }
  const char *t = kz_strbuf_str(b);
  if (!formula && !strpbrk(t, ",\"\r\n")) { fputs(t, o->f); return; }
  fputc('"', o->f);
  for (; *t; t++) {
    if (*t == '"') fputc('"', o->f);   /* a quote inside is doubled */
    fputc(*t, o->f);
  }
  fputc('"', o->f);
}

static void csv_row(struct kz_task_out *o, const struct kz_task_row *r) {
  struct kz_strbuf unit = {0};
  char id[24], level[16];
  const struct kz_rule *rule = o->rules && r->rule ? kz_ruleset_find(o->rules, r->rule) : NULL;
  snprintf(id, sizeof id, "%lld", r->id);
  snprintf(level, sizeof level, "%d", r->level);
  kz_staff_unit_name(o->prof, r->unit, &unit);
  const char *v[K_N] = {
    [K_ID] = id, [K_SEVERITY] = kz_severity_ja(r->severity), [K_DUE] = r->due_on,
    [K_OVERDUE] = r->overdue ? "超過" : "", [K_UNIT] = kz_strbuf_str(&unit),
    [K_RULE] = rule ? rule->title : r->rule, [K_SUBJECT] = r->subject, [K_KEY] = r->key,
    [K_LEVEL] = level, [K_STATUS] = kz_staff_status_name(r->status), [K_REASON] = r->reason,
    [K_EVIDENCE] = r->evidence_ja, [K_HOUSEHOLD] = r->household_id,
    [K_WARD] = r->ward ? kz_staff_ward_name(o->prof, r->ward) : "",
    [K_AGENCY] = kz_staff_agency_name(o->prof, r->agency), [K_SINCE] = r->since,
    [K_OPENED] = r->opened_on, [K_LAST_SEEN] = r->last_seen_on, [K_CLEARED] = r->cleared_on,
    [K_DONE] = r->done_on, [K_DONE_NOTE] = r->done_note,
    [K_BACKLOG] = r->backlog ? "バックログ" : "", [K_LABEL] = rule ? rule->label : "",
    [K_SEVERITY_CODE] = r->severity, [K_STATUS_CODE] = r->status, [K_UNIT_CODE] = r->unit,
    [K_RULE_CODE] = r->rule, [K_WARD_CODE] = r->ward, [K_AGENCY_CODE] = r->agency,
    [K_EVIDENCE_CODE] = r->evidence_text};
  for (int i = 0; i < K_N; i++) csv_cell(o, v[i], i == 0);
  fputs("\r\n", o->f);
  if (unit.oom) o->oom = 1;
  kz_strbuf_free(&unit);
}

/* }====== */

/* {====== JSON ====== */

/* "key":"value" (or null), as valid UTF-8, to b. */
static void json_str(struct kz_task_out *o, struct kz_strbuf *b, const char *key, const char *value,
                     int first) {
  if (!value) { kz_strbuf_add_json_field(b, key, NULL, first); return; }
  struct kz_strbuf t = {0};
  o->replaced += kz_taskq_utf8(&t, value, strlen(value));
  kz_strbuf_add_json_field(b, key, kz_strbuf_str(&t), first);
  if (t.oom) o->oom = 1;
  kz_strbuf_free(&t);
}

/* The task as one JSON object (evidence as JSON), the keys of every
** earlier kizuki, to o->b. */
static void json_row(struct kz_task_out *o, const struct kz_task_row *r) {
  struct kz_strbuf *b = &o->b;
  kz_strbuf_reset(b);
  kz_strbuf_addf(b, "{\"id\":%lld", r->id);
  json_str(o, b, "rule", r->rule, 0);
  json_str(o, b, "subject", r->subject, 0);
  json_str(o, b, "key", r->key, 0);
  json_str(o, b, "household_id", r->household_id, 0);
  json_str(o, b, "severity", r->severity, 0);
  kz_strbuf_addf(b, ",\"level\":%d", r->level);
  json_str(o, b, "status", r->status, 0);
  json_str(o, b, "unit", r->unit, 0);
  json_str(o, b, "agency", r->agency, 0);
  json_str(o, b, "ward", r->ward, 0);
  json_str(o, b, "since", r->since, 0);
  json_str(o, b, "opened_on", r->opened_on, 0);
  json_str(o, b, "due_on", r->due_on, 0);
  kz_strbuf_addf(b, ",\"backlog\":%s,\"overdue\":%s", r->backlog ? "true" : "false",
                 r->overdue ? "true" : "false");
  json_str(o, b, "last_seen_on", r->last_seen_on, 0);
  json_str(o, b, "cleared_on", r->cleared_on, 0);
  json_str(o, b, "done_on", r->done_on, 0);
  json_str(o, b, "done_note", r->done_note, 0);
  json_str(o, b, "reason", r->reason, 0);
  /* The evidence is JSON in the task DB (the run checked it); only a byte
  ** that is not UTF-8, inside one of its strings, is replaced. */
  kz_strbuf_adds(b, ",\"evidence\":");
  if (r->evidence) o->replaced += kz_taskq_utf8(b, r->evidence, strlen(r->evidence));
  else kz_strbuf_adds(b, "null");
  json_str(o, b, "rule_version", r->rule_version, 0);
  json_str(o, b, "rule_file", r->rule_file, 0);
  if (r->rule_line > 0) kz_strbuf_addf(b, ",\"rule_line\":%d}", r->rule_line);
  else kz_strbuf_adds(b, ",\"rule_line\":null}");
  if (b->oom) o->oom = 1;
}

/* }====== */

/* {====== Text ====== */

/* The columns of the text table. */
enum { TC_ID, TC_SEVERITY, TC_DUE, TC_UNIT, TC_RULE, TC_SUBJECT, TC_LEVEL, TC_STATUS, TC_REASON, TC_N };
static const char *const TC_HEAD[TC_N] = {"id", "severity", "due", "unit", "rule", "subject",
                                          "level", "status", "reason"};

/* A copy of s, as valid UTF-8 (counted in o). */
static char *text_copy(struct kz_task_out *o, const char *s) {
  struct kz_strbuf t = {0};
  o->replaced += kz_taskq_utf8(&t, s ? s : "", s ? strlen(s) : 0);
  char *c = t.oom ? NULL : kz_strbuf_take(&t);
  kz_strbuf_free(&t);
  return c ? c : strdup("");
}

static int text_add(struct kz_task_out *o, const struct kz_task_row *r) {
  if (o->ntext == o->captext) {
    size_t cap = o->captext ? o->captext * 2 : 64;
    char *(*v)[TC_N] = realloc(o->text, cap * sizeof *v);
    if (!v) return -1;
    o->text = v;
    o->captext = cap;
  }
  char id[24], level[16], due[32];
  snprintf(id, sizeof id, "%lld", r->id);
  snprintf(level, sizeof level, "%d", r->level);
  snprintf(due, sizeof due, "%s%s", r->due_on ? r->due_on : "-", r->overdue ? "!" : "");
  const char *src[TC_N] = {id, r->severity, due, r->unit, r->rule, r->subject, level, r->status,
                           r->reason};
  char **row = o->text[o->ntext++];
  int rc = 0;
  for (int c = 0; c < TC_N; c++)
    if (!(row[c] = text_copy(o, src[c]))) rc = -1;
  return rc;
}

/* The display width of s: two columns for a character past U+1100 (CJK),
** one otherwise. */
static size_t width(const char *s) {
  size_t w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80) w += *p >= 0xE1 ? 2 : 1;
  return w;
}

static void text_print(struct kz_task_out *o) {
  size_t w[TC_N];
  char day[KZ_DATE_LEN];
  for (int c = 0; c < TC_N; c++) w[c] = strlen(TC_HEAD[c]);
  for (size_t i = 0; i < o->ntext; i++)
    for (int c = 0; c < TC_REASON; c++)
      if (width(o->text[i][c]) > w[c]) w[c] = width(o->text[i][c]);
  for (size_t i = 0; i <= o->ntext; i++) {
    const char *const *row = i == 0 ? TC_HEAD : (const char *const *)o->text[i - 1];
    for (int c = 0; c < TC_REASON; c++) {
      if (c == TC_STATUS && !o->with_status) continue;
      size_t pad = w[c] - width(row[c]);
      if (c == TC_ID || c == TC_LEVEL) fprintf(o->f, "%*s%s  ", (int)pad, "", row[c]);
      else fprintf(o->f, "%s%*s  ", row[c], (int)pad, "");
    }
    fprintf(o->f, "%s\n", row[TC_REASON]);
  }
  fprintf(o->f, "%zu %stask%s", o->ntext, o->backlog ? "backlog " : "", o->ntext == 1 ? "" : "s");
  if (o->overdue)
    fprintf(o->f, ", %lld overdue (due before %s%s%s, marked !)", o->overdue,
            kz_date_format(o->as_of, day), o->as_of_why ? ", " : "", o->as_of_why ? o->as_of_why : "");
  else if (o->ntext > 0 && !o->backlog)   /* say the day judged on, so none is not a guess */
    fprintf(o->f, ", none overdue (due before %s%s%s)", kz_date_format(o->as_of, day),
            o->as_of_why ? ", " : "", o->as_of_why ? o->as_of_why : "");
  if (o->backlog_apart > 0)
    fprintf(o->f, "; %lld backlog task%s listed apart (--backlog)", o->backlog_apart,
            o->backlog_apart == 1 ? "" : "s");
  fputc('\n', o->f);
}

/* }====== */

void kz_task_out_begin(struct kz_task_out *o) {
  if (o->format == KZ_OUT_CSV) {
    fputs("\xEF\xBB\xBF", o->f);     /* the BOM: Excel reads UTF-8 only with it */
    for (int i = 0; i < K_N; i++) csv_cell(o, CSV_HEAD[i], i == 0);
    fputs("\r\n", o->f);
  } else if (o->format == KZ_OUT_JSON) {
    fputc('[', o->f);
  }
}

int kz_task_out_row(void *ctx, const struct kz_task_row *r) {
  struct kz_task_out *o = ctx;
  switch (o->format) {
    case KZ_OUT_TEXT:
      if (text_add(o, r)) { o->oom = 1; return -1; }
      break;
    case KZ_OUT_CSV: csv_row(o, r); break;
    case KZ_OUT_JSON:
    case KZ_OUT_JSONL:
      json_row(o, r);
      if (o->format == KZ_OUT_JSON) fputs(o->n ? ",\n" : "\n", o->f);
      fputs(kz_strbuf_str(&o->b), o->f);
      if (o->format == KZ_OUT_JSONL) fputc('\n', o->f);
      break;
  }
  o->n++;
  o->overdue += r->overdue != 0;
  return o->oom ? -1 : 0;
}

void kz_task_out_end(struct kz_task_out *o) {
  if (o->format == KZ_OUT_TEXT) text_print(o);
  else if (o->format == KZ_OUT_JSON) fputs(o->n ? "\n]\n" : "]\n", o->f);
}

void kz_task_out_free(struct kz_task_out *o) {
  for (size_t i = 0; i < o->ntext; i++)
    for (int c = 0; c < TC_N; c++) free(o->text[i][c]);
  free(o->text);
  o->text = NULL;
  o->ntext = o->captext = 0;
  kz_strbuf_free(&o->b);
}

/* {====== kizuki explain ====== */

/* One event of the task, copied out of its row. */
struct event {
  char on[KZ_DATE_LEN], event[16], unit[160], due[KZ_DATE_LEN];
  int level;
  long long run;
  char *note;      /* owned; may be NULL */
};

struct explain {
  FILE *f;
  sqlite3 *db;
  const struct kz_profile *prof;
  const struct kz_ruleset *rules;
  kz_day as_of;
  long long replaced;
  struct kz_diag *d;
  struct event *ev;
  size_t nev;
  size_t nitems;     /* evidence items printed */
  int oom;
};

/* printf to x->f as valid UTF-8. */
__attribute__((format(printf, 2, 3)))
static void put(struct explain *x, const char *fmt, ...) {
  struct kz_strbuf clean = {0};
  char small[512], *s = small;
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof small && (s = malloc((size_t)n + 1)) != NULL) vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  if (n < 0 || !s) { x->oom = 1; return; }
  x->replaced += kz_taskq_utf8(&clean, s, (size_t)n);
  if (clean.oom) x->oom = 1;
  else fputs(kz_strbuf_str(&clean), x->f);
  if (s != small) free(s);
  kz_strbuf_free(&clean);
}

static const char *or(const char *s, const char *dflt) { return s ? s : dflt; }

static int add_event(void *ctx, const struct kz_task_row *r) {
  struct explain *x = ctx;
  struct event *v = realloc(x->ev, (x->nev + 1) * sizeof *v);
  if (!v) return -1;
  x->ev = v;
  struct event *e = &v[x->nev++];
  snprintf(e->on, sizeof e->on, "%s", or(r->on_date, ""));
  snprintf(e->event, sizeof e->event, "%s", or(r->event, ""));
  snprintf(e->unit, sizeof e->unit, "%s", or(r->unit, ""));
  snprintf(e->due, sizeof e->due, "%s", or(r->due_on, ""));
  e->level = r->level;
  e->run = r->run_id;
  e->note = r->note ? strdup(r->note) : NULL;
  return 0;
}

static void explain_rule(struct explain *x, const struct kz_task_row *t) {
  const struct kz_rule *r = x->rules ? kz_ruleset_find(x->rules, t->rule) : NULL;
  const char *version = or(t->rule_version, "");
  if (r) put(x, "rule      %s — %s  [%s]\n", r->id, r->title, r->label);
  else put(x, "rule      %s\n", t->rule);
  if (t->rule_line > 0) put(x, "          %s:%d, version %s", or(t->rule_file, "?"), t->rule_line, version);
  else put(x, "          %s:?, version %s", or(t->rule_file, "?"), version);
  if (!x->rules) put(x, " (rules not loaded)\n");
  else if (!r) put(x, " (no such rule is loaded now)\n");
  else if (strcmp(r->version, version) == 0) put(x, " (the loaded rule)\n");
  else put(x, " (the rule file has changed since: now %s at %s:%d)\n", r->version, r->file, r->line);
}

static int explain_item(void *ctx, const struct kz_taskq_evidence *e) {
  struct explain *x = ctx;
  if (e->object) put(x, "  %-12s %-10s %s\n", or(e->table, ""), or(e->id, ""), or(e->fields, ""));
  else put(x, "  %s\n", or(e->json, ""));
  x->nitems++;
  return 0;
}

/* The routing of the task: where its ladder starts, each step, where it is. */
static void explain_routing(struct explain *x, const struct kz_task_row *t) {
  const struct kz_profile *p = x->prof;
  const char *agency = or(t->agency, ""), *ward = t->ward;
  int level = t->level;
  const struct kz_agency *a = p ? kz_profile_agency(p, agency) : NULL;
  const struct kz_ward *w = p && ward ? kz_profile_ward(p, ward) : NULL;
  const struct event *ev = x->ev;
  size_t nev = x->nev, start = 0;      /* the episode's last opened/reopened/promoted event */
  for (size_t i = 0; i < nev; i++)
    if (!strcmp(ev[i].event, "opened") || !strcmp(ev[i].event, "reopened") ||
        !strcmp(ev[i].event, "promoted"))
      start = i;
  put(x, "\nrouting\n");
  put(x, "  agency    %s%s%s%s\n", agency, a ? " (" : "", a ? a->name : "", a ? ")" : "");
  put(x, "  ward      %s%s%s%s\n", ward ? ward : "(none: city level)", w ? " (" : "",
      w ? w->name : "", w ? ")" : "");
  put(x, "  unit now  %s, level %d\n", or(t->unit, ""), level);
  const struct kz_ladder *l = p ? kz_profile_ladder(p, agency) : NULL;
  int top = l ? (int)l->nsteps : 0;
  int last = level > top ? level : top;
  put(x, "  ladder   %s\n", p ? (l ? " one step up each run the task is open past its due date"
                                  : " none for this agency: the task stays with its unit")
                              : " (rules not loaded: the steps taken so far)");
  for (int lv = 0; lv <= last; lv++) {
    char unit[160] = "";
    const char *when = NULL, *what = "";
    if (p) kz_profile_ladder_unit(p, agency, ward, lv, unit, sizeof unit);
    for (size_t i = start; i < nev; i++) {
      if (ev[i].level != lv || !strcmp(ev[i].event, "cleared") || !strcmp(ev[i].event, "done")) continue;
      if (!p) snprintf(unit, sizeof unit, "%s", ev[i].unit);
      when = ev[i].on;
      what = ev[i].event;
    }
    if (!p && !when) continue;
    if (when) put(x, "    %d  %-44s %s %s%s\n", lv, unit, what, when, lv == level ? "  <- now" : "");
    else put(x, "    %d  %s%s\n", lv, unit, lv == level ? "  <- now" : "");
  }
  if (l && level >= top)
    put(x, "  at the top of its ladder: it stays with this unit (its level still counts up)\n");
}

static void explain_history(struct explain *x) {
  put(x, "\nhistory\n");
  for (size_t i = 0; i < x->nev; i++) {
    const struct event *e = &x->ev[i];
    put(x, "  %s  %-9s  %-44s level %d", e->on, e->event, e->unit, e->level);
    if (e->due[0]) put(x, "  due %s", e->due);
    if (e->run) put(x, "  (run %lld)", e->run);
    if (e->note) put(x, "  note: %s", e->note);
    put(x, "\n");
  }
  if (!x->nev) put(x, "  (no events)\n");
}

static int explain_task(void *ctx, const struct kz_task_row *t) {
  struct explain *x = ctx;
  const char *status = or(t->status, "");
  char day[KZ_DATE_LEN];
  kz_date_format(x->as_of, day);
  put(x, "task %lld: %s, %s, level %d, with %s\n", t->id, status, or(t->severity, ""), t->level,
      or(t->unit, ""));
  explain_rule(x, t);
  put(x, "subject   %s (household %s), key %s\n", or(t->subject, ""), or(t->household_id, ""),
      or(t->key, ""));
  put(x, "dates     trigger %s, opened %s, due %s%s, last seen by a run %s\n", or(t->since, "?"),
      or(t->opened_on, ""), t->backlog ? "none" : or(t->due_on, ""),
      !t->backlog && t->due_on && strcmp(status, "open") == 0 && strcmp(t->due_on, day) < 0
        ? " (overdue)" : "",
      or(t->last_seen_on, ""));
  if (t->backlog)
    put(x, "backlog   the trigger was older than open_within_days when the task opened: no due\n"
           "          date, never escalated; listed apart for a review, and promoted to a\n"
           "          normal task if a new trigger makes it recent\n");
  if (strcmp(status, "cleared") == 0) put(x, "cleared   %s: the data no longer shows the condition\n", or(t->cleared_on, ""));
  if (strcmp(status, "done") == 0) put(x, "done      %s: %s\n", or(t->done_on, ""), or(t->done_note, ""));
  put(x, "\nreason\n  %s\n", or(t->reason, ""));
  put(x, "\nevidence\n");
  if (kz_taskq_each_evidence(x->db, t->id, explain_item, x, x->d)) return -1;
  if (!x->nitems) put(x, "  (none recorded)\n");
  if (kz_taskq_each_event(x->db, t->id, add_event, x, x->d)) return -1;
  explain_routing(x, t);
  explain_history(x);
  return x->oom ? -1 : 0;
}

int kz_task_out_explain(FILE *f, sqlite3 *db, long long id, const struct kz_profile *prof,
                        const struct kz_ruleset *rules, kz_day as_of, long long *replaced,
                        struct kz_diag *d) {
  struct explain x = {f, db, prof, rules, as_of, 0, d, NULL, 0, 0, 0};
  int rc = kz_taskq_get(db, id, as_of, explain_task, &x, d);
  if (rc == -1 && x.oom) kz_diag_add(d, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < x.nev; i++) free(x.ev[i].note);
  free(x.ev);
  *replaced = x.replaced;
  return rc;
}

/* }====== */
