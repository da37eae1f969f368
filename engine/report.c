/*
** report.c — the pages `kizuki report` makes from a snapshot of open tasks
** (read by task_snapshot.c): the city's index and one page per unit, each
** with its counts, charts, ladder and task list.
*/
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "era.h"
#include "kizuki.h"
#include "report_html.h"
#include "severity.h"
#include "staff_names.h"
#include "strbuf.h"
#include "task_lifecycle.h"

/* {====== Names staff read ====== */

/* The names themselves live in staff_names.c (tables, columns, units,
** ladder steps, wards, agency kinds), shared with tasks, export and explain. */

/* A unit name is a safe file name: [A-Za-z0-9_.-], not starting with '.'. */
static int safe_file_name(const char *s) {
  if (!*s || *s == '.' || strlen(s) > 120) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '.' || *s == '-'))
      return 0;
  return 1;
}

/* "2024-10-16" with the era date under it. */
static void add_date(struct kz_strbuf *b, const char *iso) {
  kz_day dd;
  if (!iso || kz_date_parse(iso, &dd)) {
    kz_html_text(b, iso ? iso : "—");
    return;
  }
  char era[KZ_ERA_LEN];
  kz_era_format(dd, era, sizeof era);
  kz_strbuf_adds(b, "<time class=\"date\" datetime=\"");
  kz_html_text(b, iso);
  kz_strbuf_adds(b, "\">");
  kz_html_text(b, iso);
  kz_strbuf_adds(b, "</time><span class=\"era\">");
  kz_html_text(b, era);
  kz_strbuf_adds(b, "</span>");
}

/* }====== */

/* {====== Pages ====== */

/* The units that get a page: every unit of the profile, then any other
** unit the tasks name (a unit of an older profile), in name order. */
struct unit_list {
  char (*units)[128];
  size_t n, cap;
};

static int unit_list_add(struct unit_list *l, const char *u) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->units[i], u) == 0) return 0;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    char (*p)[128] = realloc(l->units, cap * sizeof *p);
    if (!p) return -1;
    l->units = p;
    l->cap = cap;
  }
  snprintf(l->units[l->n++], 128, "%s", u);
  return 0;
}

static int cmp_unit(const void *a, const void *b) { return strcmp(a, b); }

static int build_units(const struct kz_report *r, const struct kz_profile *p, struct unit_list *l,
                       size_t *nprofile) {
  char u[128];
  for (size_t w = 0; w < p->nwards; w++)
    for (size_t a = 0; a < p->nagencies; a++)
      if (!p->agencies[a].city_level) {
        snprintf(u, sizeof u, "%s.%s", p->wards[w].code, p->agencies[a].kind);
        if (unit_list_add(l, u)) return -1;
      }
  for (size_t a = 0; a < p->nagencies; a++)
    if (p->agencies[a].city_level) {
      snprintf(u, sizeof u, "city.%s", p->agencies[a].kind);
      if (unit_list_add(l, u)) return -1;
    }
  *nprofile = l->n;
  for (size_t i = 0; i < r->n; i++) {
    kz_staff_base_unit(r->tasks[i].row.unit, u, sizeof u);
    if (unit_list_add(l, u)) return -1;
  }
  for (size_t i = 0; i < r->nbacklog; i++) {   /* a unit with only backlog tasks gets a page */
    kz_staff_base_unit(r->backlog[i].row.unit, u, sizeof u);
    if (unit_list_add(l, u)) return -1;
  }
  qsort(l->units + *nprofile, l->n - *nprofile, sizeof *l->units, cmp_unit);
  return 0;
}

/* What one page shows: unit NULL for the city. */
struct page {
  const struct kz_report *r;
  const struct kz_profile *prof;
  const struct kz_ruleset *rules;
  const struct unit_list *units;
  size_t nprofile;              /* units[0..nprofile) come from the profile */
  const char *unit;             /* NULL: the city index */
  char *in;                     /* owned: in[i] = task i is on this page */
};

static int on_page(const struct page *pg, const struct kz_report_task *t) {
  if (!pg->unit) return 1;
  char base[128];
  kz_staff_base_unit(t->row.unit, base, sizeof base);
  return strcmp(base, pg->unit) == 0;
}

/* Overdue as every reader judges it (kz_task_overdue), on the report's day:
** the run's date, or --as-of. r->tasks holds only open, non-backlog tasks. */
static int is_overdue(const struct kz_report *r, const struct kz_report_task *t) {
  return kz_task_overdue(1, 0, t->due, r->as_of);
}

/* Staff's name of the city-level units taken together, as the unit table,
** the ward chart and the unit pages show them: "市（児童相談所）". */
static void city_label(const struct kz_profile *p, struct kz_strbuf *b) {
  int first = 1;
  kz_strbuf_adds(b, "市（");
  for (size_t a = 0; a < p->nagencies; a++)
    if (p->agencies[a].city_level) {
      kz_strbuf_adds(b, first ? "" : "・");
      kz_strbuf_adds(b, p->agencies[a].name);
      first = 0;
    }
  kz_strbuf_adds(b, "）");
}

/* Is unit (or its supervisor's) the profile's fallback_unit of an agency
** kind: where a task goes whose household has no known ward? */
static int is_fallback_unit(const struct kz_profile *p, const char *unit) {
  char base[128];
  kz_staff_base_unit(unit, base, sizeof base);
  for (size_t a = 0; a < p->nagencies; a++)
    if (p->agencies[a].fallback_unit && strcmp(p->agencies[a].fallback_unit, base) == 0) return 1;
  return 0;
}

/* Where a task is counted by ward: the ward of the unit that holds it now
** (its page's ward), so the ward chart and the unit table agree. Returns the
** ward's index in the profile, p->nwards for a city-level unit, p->nwards +
** 1 for a fallback unit (a household with no known ward), or p->nwards + 2
** for a unit the profile does not know. */
static size_t unit_ward(const struct kz_profile *p, const char *unit) {
  if (is_fallback_unit(p, unit)) return p->nwards + 1;
  const char *dot = strchr(unit, '.');
  if (!dot) return p->nwards + 2;
  size_t len = (size_t)(dot - unit);
  if (len == 4 && strncmp(unit, "city", 4) == 0) {
    char kind[64];            /* "child_guidance" of "city.child_guidance.supervisor" */
    snprintf(kind, sizeof kind, "%s", dot + 1);
    char *sup = strchr(kind, '.');
    if (sup) *sup = 0;
    const struct kz_agency *a = kz_profile_agency(p, kind);
    return a && a->city_level ? p->nwards : p->nwards + 2;
  }
  for (size_t w = 0; w < p->nwards; w++)
    if (strlen(p->wards[w].code) == len && strncmp(p->wards[w].code, unit, len) == 0)
      return w;
  return p->nwards + 2;
}

/* The note under the unit table and the ward chart: why the city's row. */
static void add_city_note(struct kz_strbuf *b, const struct kz_profile *p) {
  kz_strbuf_adds(b, "<p class=\"muted note\" id=\"city-note\">");
  city_label(p, b);
  kz_strbuf_adds(b, "：区ではなく市の部署が持つタスクです。区の世帯のタスクでも、エスカレーションで"
                    "市の部署に移ったものはここに数えます（部署別の表と区別のグラフは同じ数え方です）。</p>\n");
}

static void add_card(struct kz_strbuf *b, const char *id, long long n, const char *label,
                     int alert) {
  kz_strbuf_addf(b, "<div class=\"card%s\"><span class=\"n\" id=\"%s\" data-count=\"%lld\">"
                 "%lld</span><span class=\"l\">", alert && n ? " alert" : "", id, n, n);
  kz_html_text(b, label);
  kz_strbuf_adds(b, "</span></div>\n");
}

static void add_cards(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_report *r = pg->r;
  long long open = 0, overdue = 0, today = 0, escalated = 0, crit = 0, high = 0, backlog = 0;
  for (size_t i = 0; i < r->n; i++) {
    const struct kz_report_task *t = &r->tasks[i];
    if (!pg->in[i]) continue;
    open++;
    overdue += is_overdue(r, t);
    today += t->due == r->as_of;
    escalated += t->row.level > 0;
    crit += strcmp(t->row.severity, "critical") == 0;
    high += strcmp(t->row.severity, "high") == 0;
  }
  for (size_t i = 0; i < r->nbacklog; i++) backlog += on_page(pg, &r->backlog[i]);
  kz_strbuf_adds(b, "<section class=\"cards\" aria-label=\"件数\">\n");
  add_card(b, "open-count", open, "未対応のタスク", 0);
  add_card(b, "overdue-count", overdue, "⚠ 期限超過", 1);
  add_card(b, "due-today-count", today, "本日期限", 0);
  add_card(b, "escalated-count", escalated, "エスカレーション中（段階1以上）", 0);
  add_card(b, "critical-count", crit, "重要度：緊急", 1);
  add_card(b, "high-count", high, "重要度：高", 0);
  add_card(b, "backlog-card-count", backlog, "バックログ（別掲）", 0);
  kz_strbuf_adds(b, "</section>\n");
  char day[KZ_DATE_LEN];
  kz_strbuf_addf(b, "<p class=\"muted note\" id=\"overdue-note\">「期限超過」は基準日 %s に期限を過ぎている"
                 "未対応タスクの数で、この報告のどこでも同じ数え方です%s。夜間実行は期限を過ぎたタスクを次の段階へ上げて新しい期限を付けるので、実行日当日の期限超過は"
                 "ふつう0件です。上げられたタスクは「エスカレーション中」に数えます。</p>\n",
                 kz_date_format(r->as_of, day),
                 pg->unit ? "" : "（段階表の各段の「期限超過」を合計するとこの数になります）");
}

/* The city index's table: wards down, agency kinds across, each cell the
** open tasks of that unit (its supervisor included), linked to its page. */
static void add_unit_matrix(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_profile *p = pg->prof;
  const struct kz_report *r = pg->r;
  const struct unit_list *l = pg->units;
  long long *open = calloc(l->n ? l->n : 1, sizeof *open);
  long long *late = calloc(l->n ? l->n : 1, sizeof *late);
  if (!open || !late) {
    b->oom = 1;
    goto cleanup;
  }
  for (size_t i = 0; i < r->n; i++) {
    char base[128];
    kz_staff_base_unit(r->tasks[i].row.unit, base, sizeof base);
    for (size_t u = 0; u < l->n; u++)
      if (strcmp(l->units[u], base) == 0) {
        open[u]++;
        late[u] += is_overdue(r, &r->tasks[i]);
        break;
      }
  }
  kz_strbuf_adds(b, "<h2>部署別の未対応タスク</h2>\n<table class=\"units\">\n<tr><th>区</th>");
  for (size_t a = 0; a < p->nagencies; a++) {
    kz_strbuf_adds(b, "<th>");
    kz_html_text(b, p->agencies[a].name);
    kz_strbuf_adds(b, "</th>");
  }
  kz_strbuf_adds(b, "</tr>\n");
  /* One row per ward, then one for the city-level units. */
  for (size_t w = 0; w <= p->nwards; w++) {
    kz_strbuf_adds(b, w < p->nwards ? "<tr><th>" : "<tr class=\"city\"><th>");
    if (w < p->nwards) {
      kz_html_text(b, p->wards[w].name);
    } else {
      struct kz_strbuf name = {0};
      city_label(p, &name);
      kz_html_text(b, kz_strbuf_str(&name));
      kz_strbuf_free(&name);
    }
    kz_strbuf_adds(b, "</th>");
    for (size_t a = 0; a < p->nagencies; a++) {
      const struct kz_agency *ag = &p->agencies[a];
      if ((w < p->nwards) == ag->city_level) {
        kz_strbuf_adds(b, "<td class=\"zero\">—</td>");
        continue;
      }
      char u[128];
      snprintf(u, sizeof u, "%s.%s", w < p->nwards ? p->wards[w].code : "city", ag->kind);
      size_t k = 0;
      while (k < l->n && strcmp(l->units[k], u) != 0) k++;
      long long n = k < l->n ? open[k] : 0, o = k < l->n ? late[k] : 0;
      kz_strbuf_addf(b, "<td class=\"num%s\" data-unit=\"", n ? "" : " zero");
      kz_html_text(b, u);
      kz_strbuf_addf(b, "\" data-count=\"%lld\"><a href=\"", n);
      kz_html_text(b, u);
      kz_strbuf_addf(b, ".html\">%lld件</a>", n);
      if (o) kz_strbuf_addf(b, " <span class=\"mark overdue\">⚠ 超過%lld</span>", o);
      kz_strbuf_adds(b, "</td>");
    }
    kz_strbuf_adds(b, "</tr>\n");
  }
  kz_strbuf_adds(b, "</table>\n");
  add_city_note(b, p);
  /* Units not in the table: the fallback units (households with no known
  ** ward; DESIGN.md: never dropped), then units of an older profile. */
  for (int fb = 1; fb >= 0; fb--) {
    int any = 0;
    for (size_t u = pg->nprofile; u < l->n; u++) {
      if (is_fallback_unit(p, l->units[u]) != fb) continue;
      kz_strbuf_adds(b, any++ ? "、" : fb ? "<p class=\"muted\" id=\"fallback-units\">区が不明な世帯の"
                     "タスク（プロファイルの既定の送付先 fallback_unit）：" : "<p class=\"muted\">"
                     "プロファイルにない部署（以前の設定のタスク）：");
      kz_strbuf_adds(b, "<span data-unit=\"");
      kz_html_text(b, l->units[u]);
      kz_strbuf_addf(b, "\" data-count=\"%lld\">", open[u]);
      if (safe_file_name(l->units[u])) {
        kz_strbuf_adds(b, "<a href=\"");
        kz_html_text(b, l->units[u]);
        kz_strbuf_adds(b, ".html\">");
      }
      kz_html_text(b, l->units[u]);
      if (safe_file_name(l->units[u])) kz_strbuf_adds(b, "</a>");
      kz_strbuf_addf(b, " %lld件</span>", open[u]);
    }
    if (any) kz_strbuf_adds(b, "</p>\n");
  }
cleanup:
  free(open);
  free(late);
}

static int add_charts(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_profile *p = pg->prof;
  const struct kz_ruleset *rs = pg->rules;
  const struct kz_report *r = pg->r;
  size_t nb = p->nwards + 3 + rs->n + r->n;
  struct kz_html_bar *bars = calloc(nb ? nb : 1, sizeof *bars);
  if (!bars) return -1;

  /* Per ward, in the profile's order, counted by the ward of the unit that
  ** holds each task (as the unit table counts); then the city-level units,
  ** and units the profile does not know when there are any. A unit page
  ** draws only its own ward. */
  struct kz_strbuf city = {0};
  city_label(p, &city);
  size_t n = 0, mine = pg->unit ? unit_ward(p, pg->unit) : (size_t)-1;
  for (size_t w = 0; w < p->nwards; w++)
    bars[n++] = (struct kz_html_bar){p->wards[w].code, p->wards[w].name, NULL, 0};
  bars[n++] = (struct kz_html_bar){"city", kz_strbuf_str(&city), NULL, 0};
  bars[n++] = (struct kz_html_bar){"fallback", "区が不明（既定の送付先）", NULL, 0};
  bars[n++] = (struct kz_html_bar){"other", "プロファイルにない部署", NULL, 0};
  for (size_t i = 0; i < r->n; i++)
    if (pg->in[i]) bars[unit_ward(p, r->tasks[i].row.unit)].value++;
  kz_strbuf_adds(b, "<h2>区別・ルール別の件数</h2>\n<div class=\"charts\">\n");
  if (pg->unit) {
    kz_html_bar_chart(b, "ward", "区別の未対応タスク", &bars[mine], 1);
  } else {                                      /* the last two only when they count something */
    if (!bars[n - 2].value) { bars[n - 2] = bars[n - 1]; n--; }
    if (!bars[n - 1].value && strcmp(bars[n - 1].key, "city") != 0) n--;
    kz_html_bar_chart(b, "ward", "区別の未対応タスク", bars, n);
  }

  /* Per rule, in the rule set's order, then rules it no longer has. */
  n = 0;
  for (size_t k = 0; k < rs->n; k++)
    bars[n++] = (struct kz_html_bar){rs->rules[k].id, rs->rules[k].label ? rs->rules[k].label
                                                                        : rs->rules[k].id, NULL, 0};
  for (size_t i = 0; i < r->n; i++) {
    if (!pg->in[i]) continue;
    size_t k = 0;
    while (k < n && strcmp(bars[k].key, r->tasks[i].row.rule) != 0) k++;
    if (k == n) bars[n++] = (struct kz_html_bar){r->tasks[i].row.rule, r->tasks[i].row.rule, NULL, 0};
    bars[k].value++;
  }
  if (pg->unit) {                 /* a unit page: only the rules it has tasks of */
    size_t kept = 0;
    for (size_t k = 0; k < n; k++)
      if (bars[k].value) bars[kept++] = bars[k];
    n = kept;
  }
  kz_html_bar_chart(b, "rule", "ルール別の未対応タスク", bars, n);
  kz_strbuf_adds(b, "</div>\n");
  if (pg->unit && mine == p->nwards) add_city_note(b, p);   /* the index: under its table */
  free(bars);
  kz_strbuf_free(&city);
  return 0;
}

/* The escalation ladder: for each agency kind, the open tasks it routed
** (on a unit page: that unit routed) at each step of its ladder. A task past
** the top stays at the top. */
static void add_ladder(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_profile *p = pg->prof;
  const struct kz_report *r = pg->r;
  char ward[64] = "", kind[64] = "";
  if (pg->unit) {
    const char *dot = strchr(pg->unit, '.');
    if (!dot) return;
    snprintf(ward, sizeof ward, "%.*s", (int)(dot - pg->unit), pg->unit);
    snprintf(kind, sizeof kind, "%s", dot + 1);
    if (!kz_profile_agency(p, kind)) return;   /* a unit of an older profile */
  }
  int fallback = pg->unit && is_fallback_unit(p, pg->unit);
  size_t maxsteps = 0;
  for (size_t a = 0; a < p->nagencies; a++) {
    const struct kz_ladder *lad = kz_profile_ladder(p, p->agencies[a].kind);
    if (pg->unit && strcmp(p->agencies[a].kind, kind) != 0) continue;
    if (lad && lad->nsteps > maxsteps) maxsteps = lad->nsteps;
  }
  kz_strbuf_adds(b, pg->unit ? "<h2>エスカレーションの段階（この部署から始まったタスクの現在地）</h2>\n"
                             : "<h2>エスカレーションの段階（機関別）</h2>\n");
  kz_strbuf_adds(b, "<table class=\"ladder\">\n<tr><th>機関</th>");
  for (size_t s = 0; s <= maxsteps; s++)
    kz_strbuf_addf(b, s ? "<th>段階%zu</th>" : "<th>段階0（担当部署）</th>", s);
  kz_strbuf_adds(b, "</tr>\n");
  for (size_t a = 0; a < p->nagencies; a++) {
    const struct kz_agency *ag = &p->agencies[a];
    if (pg->unit && strcmp(ag->kind, kind) != 0) continue;
    const struct kz_ladder *lad = kz_profile_ladder(p, ag->kind);
    size_t nsteps = lad ? lad->nsteps : 0;
    kz_strbuf_adds(b, "<tr><th>");
    kz_html_text(b, ag->name);
    kz_strbuf_adds(b, "</th>");
    for (size_t s = 0; s <= maxsteps; s++) {
      if (s > nsteps) {
        kz_strbuf_adds(b, "<td class=\"zero\"></td>");
        continue;
      }
      long long n = 0, stuck = 0, late = 0;
      for (size_t i = 0; i < r->n; i++) {
        const struct kz_report_task *t = &r->tasks[i];
        if (strcmp(t->row.agency, ag->kind) != 0) continue;
        if (pg->unit && !ag->city_level &&
            !(fallback ? !t->row.ward : t->row.ward && strcmp(t->row.ward, ward) == 0))
          continue;                   /* a fallback unit's page: the tasks routed with no ward */
        size_t lv = t->row.level < 0 ? 0 : (size_t)t->row.level;
        if (lv == s || (s == nsteps && lv > nsteps)) {
          n++;
          late += is_overdue(r, t);
        }
        if (s == nsteps && s > 0 && lv > nsteps) stuck++;
      }
      kz_strbuf_addf(b, "<td class=\"num%s\" data-agency=\"", n ? "" : " zero");
      kz_html_text(b, ag->kind);
      kz_strbuf_addf(b, "\" data-level=\"%zu\" data-count=\"%lld\" data-overdue=\"%lld\" "
                     "data-past-top=\"%lld\"><span class=\"muted\">", s, n, late, stuck);
      if (s == 0) kz_html_text(b, ag->name);
      else kz_staff_step_name(p, lad->steps[s - 1], b);
      kz_strbuf_addf(b, "</span><br><strong>%lld件</strong>", n);
      if (late) kz_strbuf_addf(b, "<br><span class=\"mark overdue\">⚠ 期限超過 %lld</span>", late);
      if (stuck) kz_strbuf_addf(b, "<br><span class=\"mark level\">最上段で期限切れ・再設定 %lld</span>", stuck);
      kz_strbuf_adds(b, "</td>");
    }
    kz_strbuf_adds(b, "</tr>\n");
  }
  kz_strbuf_adds(b, "</table>\n<p class=\"muted note\" id=\"ladder-note\">「⚠ 期限超過」は基準日に期限を"
                    "過ぎているタスクで、上の件数カードと同じ数え方です。「最上段で期限切れ・再設定」は最上段でも"
                    "期限までに対応されず、最上段のまま新しい期限が付いたタスクで、基準日には期限内です"
                    "（「エスカレーション中」に含みます）。");
  if (pg->unit)
    kz_strbuf_adds(b, "この表は、この部署に最初に割り当てられたタスクが今どの段階にあるかを数えます。"
                      "他の部署から上がってきたタスクは含まず、上へ移ったタスクは含むため、上の件数とは一致"
                      "しないことがあります。");
  kz_strbuf_adds(b, "</p>\n");
}

/* The city's trend: for each of the last runs up to the one shown, the open
** work it left (a line) and what the night opened, cleared and escalated
** (bars), as the runs table and task_events have them (task_snapshot.c). */
static int add_trend(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_report *r = pg->r;
  size_t n = r->ntrend;
  int rc = -1;
  long long *v = calloc(n ? 5 * n : 1, sizeof *v);
  char (*days)[KZ_DATE_LEN] = calloc(n ? n : 1, sizeof *days);
  const char **dayp = calloc(n ? n : 1, sizeof *dayp);
  if (!v || !days || !dayp) goto cleanup;
  for (size_t i = 0; i < n; i++) {
    const struct kz_report_night *nt = &r->trend[i];
    v[i] = nt->run_id;
    v[n + i] = nt->open;
    v[2 * n + i] = nt->opened;
    v[3 * n + i] = nt->cleared;
    v[4 * n + i] = nt->escalated;
    dayp[i] = kz_date_format(nt->as_of, days[i]);
  }
  const struct kz_html_series series[] = {
    {"open", "未対応（実行後）", v + n}, {"opened", "新規・再開", v + 2 * n},
    {"cleared", "解消", v + 3 * n}, {"escalated", "エスカレーション", v + 4 * n},
  };
  kz_strbuf_addf(b, "<section class=\"trend\" id=\"trend\">\n<h2>夜間実行ごとの推移（直近%zu回）</h2>\n", n);
  kz_html_trend_chart(b, "trend", "未対応タスクと、夜ごとの新規・解消・エスカレーション", dayp, v, n,
                      series, sizeof series / sizeof *series);
  kz_strbuf_addf(b, "<p class=\"muted note\" id=\"trend-note\">夜間実行1回が1点です（最大%d回）。"
                    "未対応＝その実行の後に残った未対応タスク（バックログを除く）、新規・再開＝その夜に開いた"
                    "タスク、解消＝条件がなくなり閉じたタスク、エスカレーション＝期限を過ぎて上の段階へ移った"
                    "タスク。実行の記録（runs 表）とタスクの履歴から数えます。</p>\n</section>\n",
                 KZ_REPORT_TREND_RUNS);
  rc = 0;
cleanup:
  free(v);
  free(days);
  free(dayp);
  return rc;
}

static void add_evidence(struct kz_strbuf *b, const struct kz_report_task *t) {
  if (!t->nev) return;
  kz_strbuf_adds(b, "<ul class=\"ev\">");
  for (size_t k = 0; k < t->nev; k++) {
    const struct kz_report_evidence *x = &t->ev[k];
    kz_strbuf_adds(b, "<li>");
    if (x->table) {
      kz_html_text(b, kz_staff_field_name(x->table));
      kz_strbuf_adds(b, " ");
    }
    if (x->id) {
      kz_strbuf_adds(b, "<span class=\"ids\">");
      kz_html_text(b, x->id);
      kz_strbuf_adds(b, "</span>");
    }
    /* name=value pairs, \x1f-separated; a non-object item is shown whole */
    const char *s = x->fields;
    int first = 1;
    while (s && *s) {
      const char *end = strchr(s, '\x1f');
      size_t len = end ? (size_t)(end - s) : strlen(s);
      const char *eq = x->table || x->id ? memchr(s, '=', len) : NULL;
      struct kz_strbuf part = {0};
      kz_strbuf_add(&part, s, len);
      kz_strbuf_adds(b, first ? (x->table || x->id ? "（" : "") : "・");
      if (eq) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - s), s);
        kz_html_text(b, kz_staff_field_name(name));
        kz_strbuf_adds(b, " ");
        kz_html_text(b, kz_strbuf_str(&part) + (eq - s) + 1);
      } else {
        kz_html_text(b, kz_strbuf_str(&part));
      }
      kz_strbuf_free(&part);
      first = 0;
      s = end ? end + 1 : NULL;
    }
    if (!first && (x->table || x->id)) kz_strbuf_adds(b, "）");
    kz_strbuf_adds(b, "</li>");
  }
  kz_strbuf_adds(b, "</ul>");
}

/* The rule cell (its label and id) and the subject cell (the subject, its
** household when with_household and it differs, the episode key when it
** differs, the day it opened) of one task row; the cell after is the
** caller's. Shared by the open tasks and the backlog. */
static void add_rule_and_subject(struct kz_strbuf *b, const struct page *pg,
                                 const struct kz_report_task *t, int with_household) {
  const struct kz_rule *rule = kz_ruleset_find(pg->rules, t->row.rule);
  if (rule && rule->label) {
    kz_html_text(b, rule->label);
    kz_strbuf_adds(b, "<br>");
  }
  kz_strbuf_adds(b, "<span class=\"ids\">");
  kz_html_text(b, t->row.rule);
  kz_strbuf_adds(b, "</span></td><td><span class=\"ids\">");
  kz_html_text(b, t->row.subject);
  kz_strbuf_adds(b, "</span>");
  if (with_household && t->row.household_id && strcmp(t->row.household_id, t->row.subject) != 0) {
    kz_strbuf_adds(b, "<br><span class=\"muted\">世帯 </span><span class=\"ids\">");
    kz_html_text(b, t->row.household_id);
    kz_strbuf_adds(b, "</span>");
  }
  if (strcmp(t->row.key, t->row.subject) != 0) {
    kz_strbuf_adds(b, "<br><span class=\"muted\">事案 </span><span class=\"ids\">");
    kz_html_text(b, t->row.key);
    kz_strbuf_adds(b, "</span>");
  }
  kz_strbuf_adds(b, "<br><span class=\"muted\">開始 </span>");
  kz_html_text(b, t->row.opened_on);
}

/* The attributes that name a task in a page's table row (the e2e tests and
** browser checks find rows by them): data-rule, data-subject, data-key,
** left open for the caller's next attribute. */
static void add_task_ids(struct kz_strbuf *b, const struct kz_report_task *t) {
  kz_strbuf_adds(b, "data-rule=\"");
  kz_html_text(b, t->row.rule);
  kz_strbuf_adds(b, "\" data-subject=\"");
  kz_html_text(b, t->row.subject);
  kz_strbuf_adds(b, "\" data-key=\"");
  kz_html_text(b, t->row.key);
}

static void add_tasks(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_report *r = pg->r;
  kz_strbuf_adds(b, "<h2>未対応のタスク（重要度・期限順）</h2>\n");
  kz_strbuf_adds(b, "<p class=\"muted\">期限を過ぎたタスクは赤で示し「⚠ 期限超過」と表示します。"
                    "段階はエスカレーションの回数（期限までに対応されず上位へ移った回数）です。</p>\n");
  kz_strbuf_adds(b, "<table class=\"tasks\">\n<colgroup><col style=\"width:64px\">"
                    "<col style=\"width:130px\"><col style=\"width:175px\"><col style=\"width:150px\">"
                    "<col style=\"width:200px\"><col><col style=\"width:250px\"></colgroup>\n"
                    "<tr><th>重要度</th><th>期限</th><th>ルール</th>"
                    "<th>対象</th><th>担当・段階</th><th>理由</th><th>根拠（記録）</th></tr>\n");
  size_t shown = 0;
  for (size_t i = 0; i < r->n; i++) {
    const struct kz_report_task *t = &r->tasks[i];
    if (!pg->in[i]) continue;
    shown++;
    int late = is_overdue(r, t);
    kz_strbuf_addf(b, "<tr class=\"task%s\" ", late ? " overdue" : "");
    add_task_ids(b, t);
    kz_strbuf_adds(b, "\" data-unit=\"");
    kz_html_text(b, t->row.unit);
    kz_strbuf_adds(b, "\" data-severity=\"");
    kz_html_text(b, t->row.severity);
    kz_strbuf_addf(b, "\" data-level=\"%d\" data-due=\"", t->row.level);
    kz_html_text(b, t->row.due_on);
    kz_strbuf_addf(b, "\" data-overdue=\"%d\">", late);

    kz_strbuf_adds(b, "<td><span class=\"sev ");
    kz_html_text(b, t->row.severity);
    kz_strbuf_adds(b, "\">");
    kz_html_text(b, kz_severity_ja(t->row.severity));
    kz_strbuf_adds(b, "</span></td><td>");
    add_date(b, t->row.due_on);
    if (late)
      kz_strbuf_addf(b, "<span class=\"mark overdue\">⚠ 期限超過 %d日</span>", (int)(r->as_of - t->due));
    else if (t->due == r->as_of)
      kz_strbuf_adds(b, "<span class=\"mark today\">本日期限</span>");
    kz_strbuf_adds(b, "</td><td>");
    add_rule_and_subject(b, pg, t, 1);
    kz_strbuf_adds(b, "</td><td>");
    struct kz_strbuf name = {0};
    kz_staff_unit_name(pg->prof, t->row.unit, &name);
    char base[128];
    kz_staff_base_unit(t->row.unit, base, sizeof base);
    if (!pg->unit && safe_file_name(base)) {
      kz_strbuf_adds(b, "<a href=\"");
      kz_html_text(b, base);
      kz_strbuf_adds(b, ".html\">");
      kz_html_text(b, kz_strbuf_str(&name));
      kz_strbuf_adds(b, "</a>");
    } else {
      kz_html_text(b, kz_strbuf_str(&name));
    }
    kz_strbuf_free(&name);
    if (t->row.level > 0)
      kz_strbuf_addf(b, "<br><span class=\"mark level\">段階%d（エスカレーション）</span>", t->row.level);
    kz_strbuf_adds(b, "</td><td class=\"reason\">");
    kz_html_text(b, t->row.reason);
    kz_strbuf_adds(b, "</td><td>");
    add_evidence(b, t);
    kz_strbuf_adds(b, "</td></tr>\n");
  }
  kz_strbuf_adds(b, "</table>\n");
  if (!shown) kz_strbuf_adds(b, "<p class=\"muted\" id=\"no-tasks\">未対応のタスクはありません。</p>\n");
}

/* The backlog, apart from the open work: tasks whose trigger was older than
** open_within_days when they opened. They have no due date and never climb
** the ladder, so they are in none of the counts above; here they are counted
** per rule and per unit, and (on a unit page) listed, for a review. */
static void add_backlog(struct kz_strbuf *b, const struct page *pg) {
  const struct kz_report *r = pg->r;
  const struct kz_ruleset *rs = pg->rules;
  size_t total = 0;
  for (size_t i = 0; i < r->nbacklog; i++) total += on_page(pg, &r->backlog[i]);
  kz_strbuf_addf(b, "<section class=\"backlog\" id=\"backlog\">\n<h2>バックログ（古い契機のタスク）"
                 "<span class=\"n\" id=\"backlog-count\" data-count=\"%zu\"> %zu件</span></h2>\n",
                 total, total);
  kz_strbuf_adds(b, "<p class=\"muted\">契機が open_within_days（既定180日）より前だったため、日々の"
                    "対応件数に入れず別に残したタスクです。期限はなく、エスカレーションもしません。"
                    "見直しのうえ対応・完了してください。新しい契機が生じると通常のタスクになります。</p>\n");
  if (!total) {
    kz_strbuf_adds(b, "<p class=\"muted\" id=\"no-backlog\">バックログはありません。</p>\n</section>\n");
    return;
  }
  /* Per rule (the backlog is sorted by rule, then unit). */
  kz_strbuf_adds(b, "<table class=\"backlog-rules\">\n<tr><th>ルール</th><th>件数</th></tr>\n");
  for (size_t i = 0, j; i < r->nbacklog; i = j) {
    const char *id = r->backlog[i].row.rule;
    size_t n = 0;
    for (j = i; j < r->nbacklog && strcmp(r->backlog[j].row.rule, id) == 0; j++)
      n += on_page(pg, &r->backlog[j]);
    if (!n) continue;
    const struct kz_rule *rule = kz_ruleset_find(rs, id);
    kz_strbuf_adds(b, "<tr><td>");
    if (rule && rule->label) {
      kz_html_text(b, rule->label);
      kz_strbuf_adds(b, " ");
    }
    kz_strbuf_adds(b, "<span class=\"ids\">");
    kz_html_text(b, id);
    kz_strbuf_adds(b, "</span></td><td class=\"num\" data-backlog-rule=\"");
    kz_html_text(b, id);
    kz_strbuf_addf(b, "\" data-count=\"%zu\">%zu件</td></tr>\n", n, n);
  }
  kz_strbuf_adds(b, "</table>\n");
  if (!pg->unit) {                 /* the city: per unit, linked to its page */
    kz_strbuf_adds(b, "<table class=\"backlog-units\">\n<tr><th>部署</th><th>件数</th></tr>\n");
    for (size_t u = 0; u < pg->units->n; u++) {
      struct page up = *pg;
      size_t n = 0;
      up.unit = pg->units->units[u];
      for (size_t i = 0; i < r->nbacklog; i++) n += on_page(&up, &r->backlog[i]);
      if (!n) continue;
      struct kz_strbuf name = {0};
      kz_staff_unit_name(pg->prof, up.unit, &name);
      kz_strbuf_adds(b, "<tr><td>");
      if (safe_file_name(up.unit)) {
        kz_strbuf_adds(b, "<a href=\"");
        kz_html_text(b, up.unit);
        kz_strbuf_adds(b, ".html\">");
      }
      kz_html_text(b, kz_strbuf_str(&name));
      if (safe_file_name(up.unit)) kz_strbuf_adds(b, "</a>");
      kz_strbuf_adds(b, "</td><td class=\"num\" data-backlog-unit=\"");
      kz_html_text(b, up.unit);
      kz_strbuf_addf(b, "\" data-count=\"%zu\">%zu件</td></tr>\n", n, n);
      kz_strbuf_free(&name);
    }
    kz_strbuf_adds(b, "</table>\n</section>\n");
    return;
  }
  kz_strbuf_adds(b, "<table class=\"tasks backlog-tasks\">\n<tr><th>契機</th><th>ルール</th><th>対象</th>"
                    "<th>理由</th><th>根拠（記録）</th></tr>\n");
  for (size_t i = 0; i < r->nbacklog; i++) {
    const struct kz_report_task *t = &r->backlog[i];
    if (!on_page(pg, t)) continue;
    kz_strbuf_adds(b, "<tr class=\"backlog-task\" ");
    add_task_ids(b, t);
    kz_strbuf_adds(b, "\" data-backlog=\"1\"><td>");
    add_date(b, t->row.since);
    kz_strbuf_adds(b, "</td><td>");
    add_rule_and_subject(b, pg, t, 0);
    kz_strbuf_adds(b, "</td><td class=\"reason\">");
    kz_html_text(b, t->row.reason);
    kz_strbuf_adds(b, "</td><td>");
    add_evidence(b, t);
    kz_strbuf_adds(b, "</td></tr>\n");
  }
  kz_strbuf_adds(b, "</table>\n</section>\n");
}

static int write_page(const struct page *pg, const char *dir, struct kz_diag *d) {
  const struct kz_report *r = pg->r;
  const struct kz_profile *p = pg->prof;
  struct kz_strbuf b = {0}, title = {0}, attrs = {0};
  char asof[KZ_DATE_LEN], run[KZ_DATE_LEN], era[KZ_ERA_LEN], file[160];
  int rc = -1;
  kz_date_format(r->as_of, asof);
  kz_date_format(r->run_as_of, run);
  kz_era_format(r->as_of, era, sizeof era);
  if (pg->unit) {
    kz_staff_unit_name(p, pg->unit, &title);
    kz_strbuf_adds(&title, " — 未対応タスク報告");
  } else {
    kz_strbuf_adds(&title, p->city ? p->city : "");
    kz_strbuf_adds(&title, " 子ども・家庭支援 エスカレーション報告");
  }
  kz_strbuf_addf(&attrs, "data-as-of=\"%s\" data-run=\"%lld\" data-run-as-of=\"%s\" data-unit=\"",
                 asof, r->run_id, run);
  kz_html_text(&attrs, pg->unit ? pg->unit : "city");
  kz_strbuf_adds(&attrs, "\"");

  kz_html_page_begin(&b, kz_strbuf_str(&title), kz_strbuf_str(&attrs));
  kz_strbuf_adds(&b, "<header><h1>");
  kz_html_text(&b, kz_strbuf_str(&title));
  kz_strbuf_addf(&b, "</h1>\n<p>基準日 <time datetime=\"%s\">%s</time>（%s）", asof, asof, era);
  if (r->run_as_of != r->as_of) kz_strbuf_addf(&b, "・表示は %s の実行時点", run);
  kz_strbuf_addf(&b, "・実行番号 %lld・対象世帯 %lld・ルール %lld件", r->run_id, r->households,
                 r->rules_count);
  if (r->errors) kz_strbuf_addf(&b, "・<strong>ルールエラー %lld件</strong>", r->errors);
  kz_strbuf_adds(&b, "</p>\n");
  if (pg->unit) kz_strbuf_adds(&b, "<nav class=\"crumb\"><a href=\"index.html\">← 市全体の報告へ</a></nav>\n");
  kz_strbuf_adds(&b, "</header>\n<main>\n");
  add_cards(&b, pg);
  if (!pg->unit && add_trend(&b, pg)) b.oom = 1;
  if (!pg->unit) add_unit_matrix(&b, pg);
  if (add_charts(&b, pg)) b.oom = 1;
  add_ladder(&b, pg);
  add_tasks(&b, pg);
  add_backlog(&b, pg);
  kz_strbuf_addf(&b, "</main>\n<footer>kizuki %s が作成（ルール %s）。このページは外部の資源を使わず、"
                 "オフラインで閲覧できます。氏名は含みません。取り扱いは個人情報に準じてください。</footer>\n",
                 KZ_VERSION, r->digest);
  kz_html_page_end(&b);
  snprintf(file, sizeof file, "%s.html", pg->unit ? pg->unit : "index");
  rc = kz_html_write_file(dir, file, &b, d);
  kz_strbuf_free(&b);
  kz_strbuf_free(&title);
  kz_strbuf_free(&attrs);
  return rc;
}

int kz_report_write(const struct kz_report *r, const struct kz_profile *prof,
                    const struct kz_ruleset *rules, const char *dir, size_t *pages,
                    struct kz_diag *d) {
  struct unit_list units = {0};
  struct page pg = {r, prof, rules, &units, 0, NULL, NULL};
  int rc = -1;
  *pages = 0;
  if (build_units(r, prof, &units, &pg.nprofile)) goto oom;
  pg.in = calloc(r->n ? r->n : 1, 1);
  if (!pg.in) goto oom;
  memset(pg.in, 1, r->n);
  if (write_page(&pg, dir, d)) goto cleanup;
  ++*pages;
  for (size_t u = 0; u < units.n; u++) {
    if (!safe_file_name(units.units[u])) {
      kz_diag_add(d, NULL, 0, 0, "warning: unit '%s' is not a safe file name; no page for it",
                  units.units[u]);
      continue;
    }
    pg.unit = units.units[u];
    for (size_t i = 0; i < r->n; i++) pg.in[i] = (char)on_page(&pg, &r->tasks[i]);
    if (write_page(&pg, dir, d)) goto cleanup;
    ++*pages;
  }
  rc = 0;
  goto cleanup;
oom:
  kz_diag_add(d, NULL, 0, 0, "out of memory writing the report");
cleanup:
  free(pg.in);
  free(units.units);
  return rc;
}

/* }====== */
