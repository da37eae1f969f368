/*
** report_html.h — the HTML pieces `kizuki report` is built from: escaping,
** the page shell with its inline stylesheet, inline-SVG bar charts, and
** writing a finished page to disk. No JavaScript and no external asset: a
** page works opened from a USB stick on a machine with no network.
*/
#ifndef KZ_REPORT_HTML_H
#define KZ_REPORT_HTML_H

#include <stddef.h>
#include "diag.h"
#include "strbuf.h"

/* Append s (may be NULL: nothing) HTML-escaped (& < > " '), valid in text
** and in quoted attribute values alike. */
void kz_html_text(struct kz_strbuf *b, const char *s);

/* Append the doctype, <head> (charset, title, inline CSS) and open <body>
** with the given attributes text (already escaped; may be NULL). */
void kz_html_page_begin(struct kz_strbuf *b, const char *title, const char *body_attrs);

/* Close <body> and <html>. */
void kz_html_page_end(struct kz_strbuf *b);

/* One bar of a chart. */
struct kz_html_bar {
  const char *key;      /* data-key: a machine name (ward code, rule id) */
  const char *label;    /* what staff read */
  const char *href;     /* link of the label, or NULL */
  long long value;
};

/* Append a horizontal bar chart as inline SVG: one row per bar, label on
** the left, the bar and its value on the right. Each bar is a <g
** class="bar" data-chart="chart" data-key=".." data-count="N">, so tests
** can read the figures shown. */
void kz_html_bar_chart(struct kz_strbuf *b, const char *chart, const char *title,
                       const struct kz_html_bar *bars, size_t n);

/* One series of a trend chart: values[0..n) for the chart's n nights. */
struct kz_html_series {
  const char *key;            /* data-series: a machine name ("open", "opened") */
  const char *label;          /* what staff read (the legend, each point's title) */
  const long long *values;
};

/* Append a trend chart over n nights as inline SVG (no script; prints as
** drawn): the first series as a line in an upper panel, the others (at most
** 3) as grouped bars per night in a lower panel, one x axis of dates
** ("10/1", a year where it changes) under both, value ticks on each panel,
** and a legend. days[i] is night i's date "YYYY-MM-DD", runs[i] its run id.
** Every point and bar carries data-series, data-run, data-date and
** data-count, so tests can read the figures drawn. */
void kz_html_trend_chart(struct kz_strbuf *b, const char *chart, const char *title,
                         const char *const *days, const long long *runs, size_t n,
                         const struct kz_html_series *series, size_t nseries);

/* Write b to dir/name (mode 0600) by way of a temporary file and rename, so
** a reader never sees half a page. Returns 0, or -1 with the reason in d. */
int kz_html_write_file(const char *dir, const char *name, const struct kz_strbuf *b,
                       struct kz_diag *d);

#endif
