/*
** quarantine.h — bad case data in a run: what the loader found wrong with
** the rows of each household (bundle.h, kz_issue) turned into the run's
** record and its summary.
**
** A quarantined household is not evaluated tonight: its open tasks are kept
** exactly as they were (kz_tasks_keep_household), each offending row goes
** to run_issues, and the counts per table and column, with the first
** examples, are told on stderr. When more than the profile's
** quarantine_max_share of the households would be quarantined, the extract
** itself is broken and the run writes nothing (KZ_EXIT_CASES).
*/
#ifndef KZ_QUARANTINE_H
#define KZ_QUARANTINE_H

#include "bundle.h"
#include "diag.h"
#include "task_store.h"

#define KZ_QUARANTINE_EXAMPLES 3

/* Issue rows of one table and column, of one kind. */
struct kz_quarantine_col {
  int table;                       /* enum kz_table_id */
  const char *column;              /* static (records.c or a literal); may be NULL */
  int invalid;
  long long n;
  char examples[KZ_QUARANTINE_EXAMPLES][200];
  int nexamples;
};

struct kz_quarantine {
  long long households;            /* household ids quarantined */
  long long invalid, quality;      /* issue rows of each kind */
  struct kz_quarantine_col *cols;  /* owned */
  size_t n, cap;
};

/* Take the issues of bundle b: record each in run_issues, keep the tasks of
** every household it quarantines, count them. Returns 0, or -1 on a task DB
** error (reason in d). */
int kz_quarantine_take(struct kz_quarantine *q, struct kz_tasks *ts, const struct kz_bundle *b,
                       struct kz_diag *d);

/* 1 when the quarantined households are more than max_share of all
** (evaluated + quarantined), else 0. */
int kz_quarantine_too_many(const struct kz_quarantine *q, long long evaluated, double max_share);

/* Add the summary to out, one line each: the headline, then the counts per
** table and column with the first examples. Nothing when there were no
** issues. */
void kz_quarantine_describe(const struct kz_quarantine *q, long long evaluated,
                            struct kz_diag *out);

void kz_quarantine_free(struct kz_quarantine *q);

#endif
