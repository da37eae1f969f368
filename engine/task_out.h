/*
** task_out.h — the one writer of task rows (struct kz_task_row) for people
** and other systems: the aligned text table of `kizuki tasks`, the one CSV
** dialect of `tasks --format csv` and `export` (UTF-8 with a BOM, CRLF,
** Japanese headers and values, codes in their own columns, cells that a
** spreadsheet would run as a formula neutralised), JSON arrays and JSON
** Lines (always valid UTF-8: a byte that is not is replaced by U+FFFD and
** counted), and the text of `kizuki explain` (a task, its evidence, its
** routing and its history). It reads through task_query.h only.
*/
#ifndef KZ_TASK_OUT_H
#define KZ_TASK_OUT_H

#include <sqlite3.h>
#include <stdio.h>

#include "date.h"
#include "diag.h"
#include "profile.h"
#include "ruleset.h"
#include "strbuf.h"
#include "task_read.h"

enum kz_out_format { KZ_OUT_TEXT, KZ_OUT_CSV, KZ_OUT_JSON, KZ_OUT_JSONL };

/* A writer of task rows to one stream. Set the public fields (zero the
** struct first), then kz_task_out_begin, kz_task_out_row per row (a
** kz_task_row_fn), kz_task_out_end, kz_task_out_free. */
struct kz_task_out {
  FILE *f;                        /* borrowed */
  enum kz_out_format format;
  const struct kz_profile *prof;  /* staff names of units, wards, agencies; NULL: codes */
  const struct kz_ruleset *rules; /* rule titles and labels; NULL: the rule id */
  /* text only */
  int with_status;                /* a status column (a --status other than open) */
  int backlog;                    /* the rows are backlog tasks (the footer says so) */
  long long backlog_apart;        /* backlog tasks not listed (the footer counts them) */
  kz_day as_of;                   /* the day overdue was judged on (the footer) */
  const char *as_of_why;          /* e.g. "the last run"; NULL: none */
  /* counts, kept by the writer */
  long long n, overdue;           /* rows written; of them overdue */
  long long replaced;             /* bytes that were not UTF-8, replaced by U+FFFD */
  int oom;                        /* out of memory: some row is missing */
  /* private */
  struct kz_strbuf b;
  char *(*text)[9];
  size_t ntext, captext;
};

/* Parse a --format value: "text", "csv", "json" or "jsonl" (those of
** allowed, a string such as "text,csv,json"). Returns 0 or -1. */
int kz_task_out_parse_format(const char *s, const char *allowed, enum kz_out_format *out);

/* Start: the BOM and the header (CSV), "[" (JSON). */
void kz_task_out_begin(struct kz_task_out *o);

/* Write one row (a kz_task_row_fn: ctx is the struct kz_task_out). Text
** rows are kept until kz_task_out_end. Returns 0, or -1 out of memory. */
int kz_task_out_row(void *ctx, const struct kz_task_row *r);

/* Finish: the table and its footer (text), "]" (JSON). */
void kz_task_out_end(struct kz_task_out *o);

void kz_task_out_free(struct kz_task_out *o);

/* Write `kizuki explain`'s account of task id in db to f: the rule (with
** rules when e_rules is not NULL), subject, dates (overdue judged at
** as_of), reason, evidence, routing (the ladder from prof, may be NULL) and
** history. Bytes that are not UTF-8 are replaced and counted in *replaced.
** Returns 0, 1 when there is no such task, or -1 with d. */
int kz_task_out_explain(FILE *f, sqlite3 *db, long long id, const struct kz_profile *prof,
                        const struct kz_ruleset *rules, kz_day as_of, long long *replaced,
                        struct kz_diag *d);

#endif
