/*
** fixture_match.c — a fixture's expected tasks against the tasks a run left:
** field-by-field matching, the bipartite matching of the two sets, and the
** failure messages (text and JSON) of one run. See fixture_match.h.
*/
#include <stdlib.h>
#include <string.h>

#include "fixture_match.h"
#include "i18n.h"

void kz_fixture_found_free(struct kz_fixture_found_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    struct kz_fixture_found *t = &s->v[i];
    free(t->rule); free(t->subject); free(t->key); free(t->unit); free(t->severity); free(t->due_on);
  }
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

/* {====== Matching ====== */

static int same(const char *want, const char *got) {
  return !want || (got && strcmp(want, got) == 0);
}

int kz_fixture_task_matches(const struct kz_fixture_task *e, const struct kz_fixture_found *t) {
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

/* Kuhn's augmenting path: can expected i be paired, moving earlier pairs? */
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

int kz_fixture_match(const struct kz_fixture_expect *want, const struct kz_fixture_found_set *got,
                     struct kz_fixture_match *m) {
  size_t ne = want->n, na = got->n;
  char *ok = calloc(ne * na + 1, 1), *visited = calloc(na + 1, 1);
  int rc = -1;
  memset(m, 0, sizeof *m);
  m->owner = malloc((na + 1) * sizeof *m->owner);
  m->paired = calloc(ne + 1, 1);
  if (!ok || !visited || !m->owner || !m->paired) goto done;
  for (size_t i = 0; i < ne; i++)
    for (size_t j = 0; j < na; j++)
      ok[i * na + j] = (char)kz_fixture_task_matches(&want->tasks[i], &got->v[j]);
  for (size_t j = 0; j < na; j++) m->owner[j] = -1;
  for (size_t i = 0; i < ne; i++) {
    memset(visited, 0, na + 1);
    augment(i, ok, na, m->owner, visited);
  }
  for (size_t j = 0; j < na; j++) if (m->owner[j] >= 0) m->paired[m->owner[j]] = 1;
  for (size_t i = 0; i < ne; i++) m->missing += !m->paired[i];
  for (size_t j = 0; j < na; j++) m->unexpected += m->owner[j] < 0;
  rc = 0;
done:
  free(ok);
  free(visited);
  if (rc) kz_fixture_match_free(m);
  return rc;
}

void kz_fixture_match_free(struct kz_fixture_match *m) {
  free(m->owner);
  free(m->paired);
  memset(m, 0, sizeof *m);
}

/* }====== */

/* {====== Failure messages ====== */

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

void kz_fixture_found_text(struct kz_strbuf *b, const struct kz_fixture_found *t) {
  kz_strbuf_addf(b, "{rule: %s, subject: %s, key: %s, unit: %s, severity: %s, level: %d, "
                 "due_on: %s, backlog: %s}", t->rule, t->subject, t->key, t->unit, t->severity,
                 t->level, t->due_on ? t->due_on : "null", t->backlog ? "true" : "false");
}

static void json_task_expected(struct kz_strbuf *b, const char *file,
                               const struct kz_fixture_task *e) {
  char due[KZ_DATE_LEN];
  kz_strbuf_adds(b, "{");
  kz_strbuf_add_json_field(b, "rule", e->rule, 1);
  kz_strbuf_add_json_field(b, "subject", e->subject, 0);
  kz_strbuf_add_json_field(b, "key", e->key, 0);
  kz_strbuf_add_json_field(b, "unit", e->unit, 0);
  kz_strbuf_add_json_field(b, "severity", e->severity, 0);
  if (e->level >= 0) kz_strbuf_addf(b, ",\"level\":%d", e->level);
  else kz_strbuf_adds(b, ",\"level\":null");
  kz_strbuf_add_json_field(b, "due_on",
                           e->due_on != KZ_DAY_NONE ? kz_date_format(e->due_on, due) : NULL, 0);
  if (e->backlog >= 0) kz_strbuf_addf(b, ",\"backlog\":%s", e->backlog ? "true" : "false");
  else kz_strbuf_adds(b, ",\"backlog\":null");
  kz_strbuf_add_json_field(b, "file", file, 0);
  kz_strbuf_addf(b, ",\"line\":%d}", e->line);
}

static void json_task_found(struct kz_strbuf *b, const struct kz_fixture_found *t) {
  kz_strbuf_adds(b, "{");
  kz_strbuf_add_json_field(b, "rule", t->rule, 1);
  kz_strbuf_add_json_field(b, "subject", t->subject, 0);
  kz_strbuf_add_json_field(b, "key", t->key, 0);
  kz_strbuf_add_json_field(b, "unit", t->unit, 0);
  kz_strbuf_add_json_field(b, "severity", t->severity, 0);
  kz_strbuf_addf(b, ",\"level\":%d", t->level);
  kz_strbuf_add_json_field(b, "due_on", t->due_on, 0);
  kz_strbuf_addf(b, ",\"backlog\":%s}", t->backlog ? "true" : "false");
}

void kz_fixture_fail(struct kz_fixture_failures *r, const char *kind, const char *msg) {
  kz_strbuf_addf(&r->text, "    %s: %s\n", _(kind), msg);
  kz_strbuf_adds(&r->json, r->n ? ",{" : "{");
  kz_strbuf_add_json_field(&r->json, "kind", kind, 1);
  kz_strbuf_add_json_field(&r->json, "message", msg, 0);
  kz_strbuf_adds(&r->json, "}");
  r->n++;
}

int kz_fixture_compare(struct kz_fixture_failures *r, const char *file, enum kz_fixture_set s,
                       const struct kz_fixture_expect *want,
                       const struct kz_fixture_found_set *got) {
  struct kz_fixture_match m;
  if (kz_fixture_match(want, got, &m)) {
    kz_fixture_fail(r, "error", _("out of memory comparing tasks"));
    return 1;
  }
  int differ = m.missing || m.unexpected;
  if (!differ) goto done;
  kz_strbuf_addf(&r->text, _("    %s: %zu expected, %zu found"), kz_fixture_set_names[s], want->n,
                 got->n);
  if (m.missing) kz_strbuf_addf(&r->text, _("; %zu missing"), m.missing);
  if (m.unexpected) kz_strbuf_addf(&r->text, _("; %zu unexpected"), m.unexpected);
  kz_strbuf_adds(&r->text, "\n");
  kz_strbuf_adds(&r->json, r->n ? ",{" : "{");
  kz_strbuf_add_json_field(&r->json, "kind", "mismatch", 1);
  kz_strbuf_add_json_field(&r->json, "set", kz_fixture_set_names[s], 0);
  kz_strbuf_adds(&r->json, ",\"missing\":[");
  int k = 0;
  for (size_t i = 0; i < want->n; i++) {
    if (m.paired[i]) continue;
    kz_strbuf_adds(&r->text, _("      missing:    "));
    text_task_expected(&r->text, &want->tasks[i]);
    kz_strbuf_addf(&r->text, _("  (expected at %s:%d)\n"), file, want->tasks[i].line);
    if (k++) kz_strbuf_adds(&r->json, ",");
    json_task_expected(&r->json, file, &want->tasks[i]);
  }
  kz_strbuf_adds(&r->json, "],\"unexpected\":[");
  k = 0;
  for (size_t j = 0; j < got->n; j++) {
    if (m.owner[j] >= 0) continue;
    kz_strbuf_adds(&r->text, _("      unexpected: "));
    kz_fixture_found_text(&r->text, &got->v[j]);
    kz_strbuf_adds(&r->text, "\n");
    if (k++) kz_strbuf_adds(&r->json, ",");
    json_task_found(&r->json, &got->v[j]);
  }
  kz_strbuf_adds(&r->json, "]}");
  r->n++;
done:
  kz_fixture_match_free(&m);
  return differ;
}

void kz_fixture_failures_free(struct kz_fixture_failures *r) {
  kz_strbuf_free(&r->text);
  kz_strbuf_free(&r->json);
  memset(r, 0, sizeof *r);
}

/* }====== */
