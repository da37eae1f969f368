/*
** report_html.c — HTML escaping, the page shell and its stylesheet, inline
** SVG bar charts, and atomic 0600 page files for `kizuki report`.
*/
#include "report_html.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kz_html_text(struct kz_strbuf *b, const char *s) {
  if (!s) return;
  const char *run = s;
  for (; *s; s++) {
    const char *rep;
    switch (*s) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: continue;
    }
    kz_strbuf_add(b, run, (size_t)(s - run));
    kz_strbuf_adds(b, rep);
    run = s + 1;
  }
  kz_strbuf_add(b, run, (size_t)(s - run));
}

/* {====== The page shell ====== */

/* Inline, so that a page is one self-contained file. Print-friendly: the
** same page is what a supervisor hands out at a case conference. */
static const char CSS[] =
  ":root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;"
  "--crit:#b00020;--high:#d9480f;--med:#b08800;--low:#2f855a;--accent:#1c5d99}\n"
  "*{box-sizing:border-box}\n"
  "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.6 \"Noto Sans CJK JP\","
  "\"Hiragino Kaku Gothic ProN\",\"Yu Gothic\",Meiryo,sans-serif}\n"
  "header{background:var(--accent);color:#fff;padding:16px 32px}\n"
  "header h1{margin:0;font-size:22px;font-weight:700}\n"
  "header p{margin:4px 0 0;opacity:.9}\n"
  "header a{color:#fff}\n"
  "main{padding:16px 32px 48px;max-width:1400px}\n"
  "h2{font-size:17px;border-left:5px solid var(--accent);padding-left:8px;margin:28px 0 10px}\n"
  "nav.crumb{font-size:13px;margin:8px 0}\n"
  ".cards{display:flex;flex-wrap:wrap;gap:12px}\n"
  ".card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 16px;"
  "min-width:150px}\n"
  ".card .n{display:block;font-size:26px;font-weight:700}\n"
  ".card.alert .n{color:var(--crit)}\n"
  ".card .l{color:var(--muted);font-size:12px}\n"
  ".charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
  ".chart{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px}\n"
  ".chart h3{margin:0 0 4px;font-size:14px}\n"
  "svg text{font-family:inherit;font-size:12px;fill:var(--ink)}\n"
  "svg .bar rect{fill:var(--accent)}\n"
  "svg .bar.zero text.v{fill:var(--muted)}\n"
  "svg a text{fill:var(--accent);text-decoration:underline}\n"
  "svg .grid{stroke:var(--line)}svg .axis{stroke:var(--muted)}\n"
  "svg text.tick,svg text.day,svg text.year,svg text.bv{font-size:11px;fill:var(--muted)}\n"
  "svg text.caption{font-size:12px;font-weight:700}\n"
  ".chart.trend{max-width:100%;overflow-x:auto}\n"
  ".legend{margin:0 0 4px;font-size:12px}.legend .key{margin-right:14px;white-space:nowrap}\n"
  ".swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:baseline;"
  "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
  "table{border-collapse:collapse;background:var(--card);width:100%}\n"
  "th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}\n"
  "th{background:#e4ecf5;font-weight:700;white-space:nowrap}\n"
  "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
  "td.zero,td.zero a{color:#9aa5b1}\n"
  "table.ladder td{text-align:center}\n"
  "table.units td{text-align:center}\n"
  "tr.overdue td{background:#fff1f0}\n"
  "tr.overdue td:first-child{border-left:5px solid var(--crit)}\n"
  ".sev{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:12px;"
  "white-space:nowrap}\n"
  ".sev.critical{background:var(--crit)}.sev.high{background:var(--high)}"
  ".sev.medium{background:var(--med)}.sev.low{background:var(--low)}\n"
  ".mark{display:inline-block;max-width:100%;margin-top:2px;padding:0 6px;border-radius:3px;"
  "font-size:12px;font-weight:700;white-space:normal;overflow-wrap:anywhere}\n"
  ".note{font-size:12px;margin:6px 0 0}\n"
  ".mark.overdue{background:var(--crit);color:#fff}\n"
  ".mark.today{background:#ffe8a3;color:#5c4400}\n"
  ".mark.level{background:#fde2cf;color:#7a2e00}\n"
  ".era{display:block;color:var(--muted);font-size:12px;white-space:nowrap}\n"
  ".date{white-space:nowrap}\n"
  ".ids{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:12px}\n"
  "table.tasks{table-layout:fixed}\n"
  "table.tasks td{overflow-wrap:anywhere}\n"
  "ul.ev{margin:0;padding-left:16px;font-size:12px;color:var(--muted)}\n"
  ".muted{color:var(--muted)}\n"
  "footer{color:var(--muted);font-size:12px;padding:0 32px 24px}\n"
  "@media print{header{background:none;color:var(--ink)}header a{color:var(--ink)}"
  "tr{break-inside:avoid}}\n";

void kz_html_page_begin(struct kz_strbuf *b, const char *title, const char *body_attrs) {
  kz_strbuf_adds(b, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta name=\"robots\" content=\"noindex\">\n<title>");
  kz_html_text(b, title);
  kz_strbuf_adds(b, "</title>\n<style>\n");
  kz_strbuf_adds(b, CSS);
  kz_strbuf_adds(b, "</style>\n</head>\n<body");
  if (body_attrs && *body_attrs) {
    kz_strbuf_adds(b, " ");
    kz_strbuf_adds(b, body_attrs);
  }
  kz_strbuf_adds(b, ">\n");
}

void kz_html_page_end(struct kz_strbuf *b) { kz_strbuf_adds(b, "</body>\n</html>\n"); }

/* }====== */

/* {====== Bar charts ====== */

#define CHART_LABEL_W 230   /* px for the labels, right-aligned */
#define CHART_BAR_W 250     /* px for the longest bar */
#define CHART_ROW_H 22
#define CHART_LABEL_UNITS 34  /* display width of a label: CJK counts 2, ASCII 1 */

/* Append s cut to at most `units` of display width (a CJK character is 2
** units wide), with "…" when cut; never splits a UTF-8 sequence. */
static void add_label(struct kz_strbuf *b, const char *s, int units) {
  const unsigned char *p = (const unsigned char *)s;
  int w = 0;
  size_t keep = 0, i = 0;
  while (p[i]) {
    size_t len = p[i] < 0x80 ? 1 : p[i] < 0xE0 ? 2 : p[i] < 0xF0 ? 3 : 4;
    int cw = p[i] < 0x80 ? 1 : 2;
    for (size_t k = 1; k < len; k++)
      if (!p[i + k]) { len = k; break; }   /* a cut-off sequence ends the label */
    if (w + cw > units) break;
    w += cw;
    i += len;
    keep = i;
  }
  struct kz_strbuf tmp = {0};
  kz_strbuf_add(&tmp, s, keep);
  if (p[keep]) kz_strbuf_adds(&tmp, "…");
  kz_html_text(b, kz_strbuf_str(&tmp));
  kz_strbuf_free(&tmp);
}

void kz_html_bar_chart(struct kz_strbuf *b, const char *chart, const char *title,
                       const struct kz_html_bar *bars, size_t n) {
  long long max = 0;
  for (size_t i = 0; i < n; i++)
    if (bars[i].value > max) max = bars[i].value;
  int w = CHART_LABEL_W + CHART_BAR_W + 60, h = (int)n * CHART_ROW_H + 8;
  kz_strbuf_adds(b, "<div class=\"chart\"><h3>");
  kz_html_text(b, title);
  kz_strbuf_addf(b, "</h3>\n<svg width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" role=\"img\" data-chart=\"", w, h, w, h);
  kz_html_text(b, chart);
  kz_strbuf_adds(b, "\" aria-label=\"");
  kz_html_text(b, title);
  kz_strbuf_adds(b, "\">\n");
  for (size_t i = 0; i < n; i++) {
    const struct kz_html_bar *r = &bars[i];
    int y = (int)i * CHART_ROW_H + 4;
    int bw = max ? (int)((double)r->value * CHART_BAR_W / (double)max + 0.5) : 0;
    if (r->value > 0 && bw < 2) bw = 2;     /* a non-zero count is always visible */
    kz_strbuf_addf(b, "<g class=\"bar%s\" data-chart=\"", r->value ? "" : " zero");
    kz_html_text(b, chart);
    kz_strbuf_adds(b, "\" data-key=\"");
    kz_html_text(b, r->key);
    kz_strbuf_addf(b, "\" data-count=\"%lld\"><title>", r->value);
    kz_html_text(b, r->label);
    kz_strbuf_addf(b, ": %lld件</title>", r->value);
    if (r->href) {
      kz_strbuf_adds(b, "<a href=\"");
      kz_html_text(b, r->href);
      kz_strbuf_adds(b, "\">");
    }
    kz_strbuf_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CHART_LABEL_W - 8, y + 15);
    add_label(b, r->label, CHART_LABEL_UNITS);
    kz_strbuf_adds(b, "</text>");
    if (r->href) kz_strbuf_adds(b, "</a>");
    kz_strbuf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\"/>"
                   "<text class=\"v\" x=\"%d\" y=\"%d\">%lld</text></g>\n",
                   CHART_LABEL_W, y + 3, bw, CHART_ROW_H - 6, CHART_LABEL_W + bw + 6, y + 15,
                   r->value);
  }
  kz_strbuf_adds(b, "</svg></div>\n");
}

/* {====== Trend chart ====== */

#define TREND_LEFT 56        /* px for the value ticks */
#define TREND_PLOT_W 900     /* px for the nights */
#define TREND_LINE_H 150     /* the upper panel: the open work */
#define TREND_BAR_H 120      /* the lower panel: what each night did */
#define TREND_GAP 44         /* between the panels: the lower one's caption */
#define TREND_TOP 22         /* above the upper panel: its caption */

/* Colours of the series, in order (the line first); also in the legend. */
static const char *const TREND_COLOURS[] = {"#1c5d99", "#d9480f", "#2f855a", "#b00020"};

/* A round ceiling for an axis: 1, 2 or 5 times a power of ten, at least v. */
static long long nice_max(long long v) {
  long long step = 1;
  if (v < 1) return 1;
  for (;;) {
    if (v <= step) return step;
    if (v <= 2 * step) return 2 * step;
    if (v <= 5 * step) return 5 * step;
    step *= 10;
  }
}

/* The value ticks of a panel whose top (y0) stands for max. */
static void trend_ticks(struct kz_strbuf *b, int y0, int h, long long max) {
  for (int k = 0; k <= 2; k++) {
    int y = y0 + h - h * k / 2;
    kz_strbuf_addf(b, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                   "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>\n",
                   TREND_LEFT, y, TREND_LEFT + TREND_PLOT_W, y, TREND_LEFT - 6, y + 4, max * k / 2);
  }
}

/* A panel's caption, at its top left. */
static void trend_caption(struct kz_strbuf *b, int y, const char *text) {
  kz_strbuf_addf(b, "<text class=\"caption\" x=\"%d\" y=\"%d\">", TREND_LEFT, y);
  kz_html_text(b, text);
  kz_strbuf_adds(b, "</text>\n");
}

/* A trend chart's layout: its nights, series, scales and panel positions. */
struct trend {
  const char *const *days;
  const long long *runs;
  size_t n;
  const struct kz_html_series *series;
  size_t nseries;
  double step;                 /* px per night */
  int line_top, bar_top, axis_y;
  long long lmax, bmax;        /* the panels' tops, rounded up */
};

static struct trend trend_layout(const char *const *days, const long long *runs, size_t n,
                                 const struct kz_html_series *series, size_t nseries) {
  struct trend t = {days, runs, n, series, nseries > 4 ? 4 : nseries, 0, 0, 0, 0, 0, 0};
  t.step = n ? (double)TREND_PLOT_W / (double)n : TREND_PLOT_W;
  t.line_top = TREND_TOP;
  t.bar_top = t.line_top + TREND_LINE_H + TREND_GAP;
  t.axis_y = t.bar_top + TREND_BAR_H;
  for (size_t i = 0; i < n; i++) {
    if (t.nseries && series[0].values[i] > t.lmax) t.lmax = series[0].values[i];
    for (size_t s = 1; s < t.nseries; s++)
      if (series[s].values[i] > t.bmax) t.bmax = series[s].values[i];
  }
  t.lmax = nice_max(t.lmax);
  t.bmax = nice_max(t.bmax);
  return t;
}

/* The title, the legend and the opening <svg>. */
static void trend_open(struct kz_strbuf *b, const char *chart, const char *title,
                       const struct trend *t) {
  int w = TREND_LEFT + TREND_PLOT_W + 16, h = t->axis_y + 40;
  kz_strbuf_adds(b, "<div class=\"chart trend\"><h3>");
  kz_html_text(b, title);
  kz_strbuf_adds(b, "</h3>\n<p class=\"legend\">");
  for (size_t s = 0; s < t->nseries; s++) {
    kz_strbuf_addf(b, "<span class=\"key\"><span class=\"swatch\" style=\"background:%s\"></span>",
                   TREND_COLOURS[s]);
    kz_html_text(b, t->series[s].label);
    kz_strbuf_adds(b, s ? "（棒）</span>" : "（線）</span>");
  }
  kz_strbuf_addf(b, "</p>\n<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                 "data-chart=\"", w, h, w, h);
  kz_html_text(b, chart);
  kz_strbuf_addf(b, "\" data-nights=\"%zu\" aria-label=\"", t->n);
  kz_html_text(b, title);
  kz_strbuf_adds(b, "\">\n");
}

/* The panels' captions: "open（件）" above the line, "夜ごとの件数（…）" above the bars. */
static void trend_captions(struct kz_strbuf *b, const struct trend *t) {
  if (!t->nseries) return;
  struct kz_strbuf cap = {0};
  kz_strbuf_adds(&cap, t->series[0].label);
  kz_strbuf_adds(&cap, "（件）");
  trend_caption(b, t->line_top - 8, kz_strbuf_str(&cap));
  kz_strbuf_free(&cap);
  for (size_t s = 1; s < t->nseries; s++) {
    kz_strbuf_adds(&cap, s > 1 ? "・" : "夜ごとの件数（");
    kz_strbuf_adds(&cap, t->series[s].label);
  }
  kz_strbuf_adds(&cap, t->nseries > 1 ? "）" : "");
  if (t->nseries > 1) trend_caption(b, t->bar_top - 8, kz_strbuf_str(&cap));
  kz_strbuf_free(&cap);
}

/* Where night i's point of the line is drawn. */
static double trend_x(const struct trend *t, size_t i) {
  return TREND_LEFT + t->step * ((double)i + 0.5);
}

static double trend_y(const struct trend *t, size_t i) {
  return t->line_top + TREND_LINE_H * (1.0 - (double)t->series[0].values[i] / (double)t->lmax);
}

/* A mark's data-series/run/date/count attributes and its <title>, ending
** with close (the element's end tag). */
static void trend_mark_data(struct kz_strbuf *b, const struct trend *t, size_t s, size_t i,
                            const char *close) {
  long long v = t->series[s].values[i];
  kz_html_text(b, t->series[s].key);
  kz_strbuf_addf(b, "\" data-run=\"%lld\" data-date=\"", t->runs[i]);
  kz_html_text(b, t->days[i]);
  kz_strbuf_addf(b, "\" data-count=\"%lld\"><title>", v);
  kz_html_text(b, t->days[i]);
  kz_strbuf_adds(b, " ");
  kz_html_text(b, t->series[s].label);
  kz_strbuf_addf(b, " %lld件</title>%s\n", v, close);
}

/* The line: the open work after each night, a point per night, the last
** night's figure written out. */
static void trend_line(struct kz_strbuf *b, const struct trend *t) {
  size_t n = t->n;
  if (!t->nseries || !n) return;
  kz_strbuf_addf(b, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                 TREND_COLOURS[0]);
  for (size_t i = 0; i < n; i++)
    kz_strbuf_addf(b, "%s%.1f,%.1f", i ? " " : "", trend_x(t, i), trend_y(t, i));
  kz_strbuf_adds(b, "\"/>\n");
  for (size_t i = 0; i < n; i++) {
    kz_strbuf_addf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" data-series=\"",
                   trend_x(t, i), trend_y(t, i), TREND_COLOURS[0]);
    trend_mark_data(b, t, 0, i, "</circle>");
  }
  double x = TREND_LEFT + t->step * ((double)n - 0.5);
  double y = trend_y(t, n - 1);
  kz_strbuf_addf(b, "<text class=\"v\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%lld件</text>\n",
                 x, y < t->line_top + 16 ? y + 16 : y - 8, t->series[0].values[n - 1]);
}

/* The bars: what each night did, side by side. */
static void trend_bars(struct kz_strbuf *b, const struct trend *t) {
  size_t nseries = t->nseries;
  double step = t->step;
  double bw = nseries > 1 ? step * 0.8 / (double)(nseries - 1) : 0;
  for (size_t i = 0; i < t->n; i++)
    for (size_t s = 1; s < nseries; s++) {
      long long v = t->series[s].values[i];
      double bh = (double)TREND_BAR_H * (double)v / (double)t->bmax;
      if (v > 0 && bh < 1.5) bh = 1.5;           /* a non-zero count is always visible */
      double x = TREND_LEFT + step * (double)i + step * 0.1 + bw * (double)(s - 1);
      kz_strbuf_addf(b, "<rect class=\"tb\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                     "fill=\"%s\" data-series=\"", x, t->axis_y - bh, bw, bh, TREND_COLOURS[s]);
      trend_mark_data(b, t, s, i, "</rect>");
      if (step >= 40 && v > 0)       /* room for the figure above its bar */
        kz_strbuf_addf(b, "<text class=\"bv\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>\n",
                       x + bw / 2, t->axis_y - bh - 3, v);
    }
}

/* The date axis: "10/1", with the year on the first label and where it
** changes; at most 15 labels, the last night's always. */
static void trend_days(struct kz_strbuf *b, const struct trend *t) {
  size_t n = t->n;
  size_t every = n > 15 ? (n + 14) / 15 : 1;
  int axis_y = t->axis_y;
  kz_strbuf_addf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                 TREND_LEFT, axis_y, TREND_LEFT + TREND_PLOT_W, axis_y);
  int last_year = 0;
  for (size_t i = 0; i < n; i++) {
    if (i % every != 0 && i != n - 1) continue;
    if (i != n - 1 && every > 1 && n - 1 - i <= every / 2) continue;   /* room for the last */
    int year = 0, month = 0, mday = 0;
    if (sscanf(t->days[i], "%4d-%2d-%2d", &year, &month, &mday) != 3) continue;
    double x = trend_x(t, i);
    kz_strbuf_addf(b, "<text class=\"day\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" data-date=\"", x,
                   axis_y + 16);
    kz_html_text(b, t->days[i]);
    kz_strbuf_addf(b, "\">%d/%d</text>", month, mday);
    if (year != last_year)
      kz_strbuf_addf(b, "<text class=\"year\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d年</text>",
                     x, axis_y + 32, year);
    last_year = year;
    kz_strbuf_adds(b, "\n");
  }
}

void kz_html_trend_chart(struct kz_strbuf *b, const char *chart, const char *title,
                         const char *const *days, const long long *runs, size_t n,
                         const struct kz_html_series *series, size_t nseries) {
  struct trend t = trend_layout(days, runs, n, series, nseries);
  trend_open(b, chart, title, &t);
  trend_captions(b, &t);
  trend_ticks(b, t.line_top, TREND_LINE_H, t.lmax);
  trend_ticks(b, t.bar_top, TREND_BAR_H, t.bmax);
  trend_line(b, &t);
  trend_bars(b, &t);
  trend_days(b, &t);
  kz_strbuf_adds(b, "</svg></div>\n");
}

/* }====== */

int kz_html_write_file(const char *dir, const char *name, const struct kz_strbuf *b,
                       struct kz_diag *d) {
  char path[4096], tmp[4200];
  int rc = -1, fd = -1;
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
    kz_diag_add(d, dir, 0, 0, "path too long for %s", name);
    return -1;
  }
  snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
  if (b->oom) {
    kz_diag_add(d, path, 0, 0, "out of memory while writing the page");
    return -1;
  }
  fd = mkstemp(tmp);                  /* O_CREAT | O_EXCL: never through a planted link */
  if (fd < 0) {
    kz_diag_add(d, tmp, 0, 0, "cannot create: %s", strerror(errno));
    return -1;
  }
  const char *p = kz_strbuf_str(b);
  size_t left = b->len;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      kz_diag_add(d, tmp, 0, 0, "cannot write: %s", strerror(errno));
      goto cleanup;
    }
    p += w;
    left -= (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    fd = -1;
    kz_diag_add(d, tmp, 0, 0, "cannot write: %s", strerror(errno));
    goto cleanup;
  }
  fd = -1;
  if (rename(tmp, path) != 0) {
    kz_diag_add(d, path, 0, 0, "cannot write: %s", strerror(errno));
    goto cleanup;
  }
  rc = 0;
cleanup:
  if (fd >= 0) close(fd);
  if (rc) unlink(tmp);
  return rc;
}
