/*
** trace.h — what one rule did while it ran: the trace recorder, its Lua
** instrumentation, and `kizuki trace` (one rule on one household).
**
** The recorder is a bounded list of events: vocabulary calls (kz.* and the
** household's and records' methods) with their arguments and results, record
** fields read, and kz.log lines, each with the rule file:line it came from.
** It is attached to a sandbox (kz_sandbox_trace) only by `kizuki trace`
** (calls and reads and logs) and `kizuki test --verbose` (logs only); a
** nightly run never attaches one, so kz.log is a no-op there and the
** sandbox's kz copies and record metatables are the plain ones.
*/
#ifndef KZ_TRACE_H
#define KZ_TRACE_H

#include <lua.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

#include "date.h"
#include "diag.h"
#include "strbuf.h"

#define KZ_TRACE_MAX_EVENTS 5000   /* events kept; the rest are counted (dropped) */
#define KZ_TRACE_TEXT_MAX 400      /* bytes of one argument list, result or log line */

enum kz_trace_kind { KZ_TRACE_CALL, KZ_TRACE_READ, KZ_TRACE_LOG };

/* One event. Every string is owned by the recorder (may be NULL). */
struct kz_trace_event {
  enum kz_trace_kind kind;
  int depth;         /* 0: called by the rule; 1: by a vocabulary word it called ... */
  char *name;        /* call: "kz.days", "hh:children", "checkups:age"; read: the table */
  char *args;        /* call: its arguments; read: the record id; log: NULL */
  char *result;      /* call: its results (NULL: it raised an error); read: the value;
                     ** log: the text */
  char *field;       /* read: the field read */
  char *file;        /* the rule (or kz.lua) file it came from; NULL: unknown */
  int line;
};

struct kz_trace {
  int calls;                     /* 1: record calls and reads too; 0: kz.log lines only */
  size_t max_events;
  struct kz_trace_event *ev;     /* owned */
  size_t n, cap;
  size_t dropped;                /* events past max_events, not kept */
  int depth;                     /* nesting of the call in progress */
  int oom;                       /* an event was lost to out-of-memory */
};

/* Start an empty recorder; calls says whether vocabulary calls and record
** reads are recorded (kizuki trace) or only kz.log lines (kizuki test
** --verbose). max_events 0 means KZ_TRACE_MAX_EVENTS. */
void kz_trace_init(struct kz_trace *tr, int calls, size_t max_events);

/* Append an event (the strings are copied, cut to KZ_TRACE_TEXT_MAX bytes on
** a UTF-8 boundary). Returns its index, or -1 when it was not kept (past
** max_events: counted in dropped; out of memory: oom set). */
long kz_trace_add(struct kz_trace *tr, enum kz_trace_kind kind, const char *name,
                  const char *args, const char *result, const char *field, const char *file,
                  int line);

/* Set the result of call event i (from kz_trace_add; -1 is ignored). */
void kz_trace_set_result(struct kz_trace *tr, long i, const char *result);

/* Forget every event (the settings stay). */
void kz_trace_clear(struct kz_trace *tr);

void kz_trace_free(struct kz_trace *tr);

/* Write events [from, to) as text to f, for a supervisor: calls indented by
** depth as `file:line  name(args) → result`, log lines as `log: text`, then
** the records read, one line per record (table id: field=value, ...). */
void kz_trace_write_text(const struct kz_trace *tr, size_t from, size_t to, FILE *f);

/* Append events [from, to) to out as the JSON members
** "calls":[...],"reads":[...],"logs":[...] (no braces around them). */
void kz_trace_write_json(const struct kz_trace *tr, size_t from, size_t to, struct kz_strbuf *out);

/* {====== Lua instrumentation (trace_lua.c) ====== */

/* kz.log(...): with a recorder attached, append its arguments (strings as
** they are, other values described), separated by spaces, as a log event;
** otherwise do nothing. Charged to the sandbox's budget; past max_events a
** line is only counted. Registered in kzlib.c. */
int kz_trace_l_log(lua_State *L);

/* Wrap the function members of the kz copy (an unsealed table) at idx so
** that each call is recorded (kz.log itself excepted). */
void kz_trace_wrap_kz(lua_State *L, int idx);

/* Wrap the household and record metatables' __index, so that method calls
** and field reads are recorded. For the state of `kizuki trace` only: the
** metatables are shared by every view of the state. */
void kz_trace_wrap_views(lua_State *L);

/* Append a short description of the value at idx to out (strings quoted and
** cut, records as "table id", lists as [a, b, …]); runs no rule code. */
void kz_trace_describe(lua_State *L, int idx, struct kz_strbuf *out);

/* }====== */

/* {====== One rule on one household (trace_run.c) ====== */

struct kz_engine;
struct kz_rule;

/* What a trace found, for its report. */
enum kz_trace_verdict {
  KZ_TRACE_FIRED,          /* at least one finding */
  KZ_TRACE_NOTHING,        /* evaluated; every check returned nil or an empty list */
  KZ_TRACE_NEEDS,          /* not evaluated: the household lacks records the rule needs */
  KZ_TRACE_NO_SUBJECTS,    /* not evaluated: no child / mother in the household */
  KZ_TRACE_ERROR,          /* the check raised an error or returned something wrong */
};

struct kz_trace_subject {
  char *id;                /* owned */
  size_t from, to;         /* its events in the recorder */
  int outcome;             /* enum kz_trace_verdict, for this subject */
  char *why;               /* owned: a sentence (English, for the report); may be NULL */
  char *error_at;          /* owned: file:line of an error; may be NULL */
  struct kz_strbuf findings_text;   /* owned */
  struct kz_strbuf findings_json;   /* owned: JSON objects, comma separated */
  int nfindings;
};

struct kz_trace_result {
  enum kz_trace_verdict verdict;
  char *why;               /* owned: the household-level reason (needs, no subjects) */
  struct kz_trace_subject *subjects;   /* owned */
  size_t nsubjects;
};

/* Run rule r of e (open) on household `household` of cases as of as_of,
** recording into tr (attached to e's sandbox by this call). Returns
** KZ_EXIT_OK (res filled: fired or not, and why), KZ_EXIT_RULE_ERROR (res
** filled: a check raised an error), KZ_EXIT_NOT_FOUND (no such household as
** of as_of), KZ_EXIT_QUARANTINE (the household's data is invalid: the issues
** in d) or KZ_EXIT_CASES (reading the case DB failed: d). */
int kz_trace_rule(struct kz_engine *e, sqlite3 *cases, const struct kz_rule *r,
                  const char *household, kz_day as_of, struct kz_trace *tr,
                  struct kz_trace_result *res, struct kz_diag *d);

/* Write res as text for a supervisor (Japanese rule label, the profile's
** agency names, ISO dates) or as one JSON document. */
void kz_trace_print_text(const struct kz_engine *e, const struct kz_rule *r, const char *household,
                         kz_day as_of, const struct kz_trace *tr,
                         const struct kz_trace_result *res, FILE *f);
void kz_trace_print_json(const struct kz_engine *e, const struct kz_rule *r, const char *household,
                         kz_day as_of, const struct kz_trace *tr,
                         const struct kz_trace_result *res, FILE *f);

void kz_trace_result_free(struct kz_trace_result *res);

/* }====== */

#endif
