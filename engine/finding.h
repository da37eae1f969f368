/*
** finding.h — what a rule returned, checked before it may become a task.
**
** A finding is Lua data made by rule code: any of its strings may hold a
** NUL, bytes that are not UTF-8 or megabytes of text, and its evidence may
** hold NaN. The functions here read it with lengths and limits and say why
** it cannot be stored, so that the run makes it that rule's error in that
** household, never the night's. A finding read is then completed from its
** rule (kz_finding_complete) into a plain C struct the router and the task
** store take, with its evidence as JSON (kz_finding_evidence). The checks of
** a `due` and of a severity are here, shared by `kizuki check` (ruleset.c)
** and the run. Error messages are made safe to print on a terminal and to
** store (bounded, control characters escaped).
**
** What a rule's check returned is read here: kz_finding_is tells a finding,
** kz_finding_read reads one (its signature is the stable entry point). A
** check of the whole return value (nil, a finding or a list of findings:
** today run.c's take_result says "check must return nil, kz.finding{...}
** or a list of findings") belongs in this file, beside kz_finding_is, with
** run.c calling it.
*/
#ifndef KZ_FINDING_H
#define KZ_FINDING_H

#include <lua.h>
#include <stddef.h>
#include "date.h"
#include "profile.h"
#include "sandbox.h"
#include "strbuf.h"

#define KZ_FINDING_FIELD_MAX    256        /* bytes of a key, subject, agency, ward ... */
#define KZ_FINDING_REASON_MAX   8192       /* bytes of a reason */
#define KZ_FINDING_EVIDENCE_MAX 65536      /* bytes of the evidence JSON */
#define KZ_DUE_MIN 1                       /* a due date: 1 to 60 days after opening */
#define KZ_DUE_MAX 60
#define KZ_MESSAGE_MAX 1024                /* bytes of an error message kept */

/* The fields of a finding, as plain C strings (no NUL inside, valid UTF-8,
** within their limits). Each points into a Lua string left on the stack by
** kz_finding_read: valid until the caller pops it. NULL: not given. */
struct kz_finding {
  const char *since, *reason, *key, *subject, *severity, *agency, *ward;
  int has_due, due_days, due_calendar;
  kz_day since_day;      /* since, parsed (kz_finding_complete) */
};

/* What a finding leaves out, it takes from its rule and the subject it was
** found for. */
struct kz_finding_rule {
  const char *subject, *severity, *agency;
  int due_days, due_calendar;
};

/* 1 when the value at idx is a finding (made by kz.finding{...}), else 0. */
int kz_finding_is(lua_State *L, int idx);

/* Read the finding table at idx (absolute) into f. Pushes the values it reads
** (the caller restores the stack top afterwards). Returns 0, or -1 with why
** (reset first) saying what cannot be stored. Reads raw: no rule code runs. */
int kz_finding_read(lua_State *L, int idx, struct kz_finding *f, struct kz_strbuf *why);

/* Complete f (read by kz_finding_read) from its rule: subject, key (the
** subject), severity, agency and due where f gives none; then check what a
** task needs: since a date not after as_of, a reason, a subject, a severity
** (kz_finding_severity) and an agency kind of prof. Returns 0, or -1 with
** why (reset first) saying what is wrong; f->subject is set either way. */
int kz_finding_complete(struct kz_finding *f, const struct kz_finding_rule *rule, kz_day as_of,
                        const struct kz_profile *prof, struct kz_strbuf *why);

/* Write the evidence of the finding at idx (its `evidence` list: record
** views, tables of plain fields, strings) into ev (reset first) as a JSON
** array. A view's or a value's __tostring is code: it runs through the
** sandbox sb, never unprotected. Returns 0, or -1 with why (reset first)
** when an item cannot be shown (its __tostring failed) or stored (NaN, not
** UTF-8, past KZ_FINDING_EVIDENCE_MAX: checked before each piece is
** copied). */
int kz_finding_evidence(struct kz_sandbox *sb, int idx, struct kz_strbuf *ev,
                        struct kz_strbuf *why);

/* 0 when sev names a severity (severity.h), else -1 with "severity 'SEV'
** is not one of low, medium, high, critical" appended to why. */
int kz_finding_severity(const char *sev, struct kz_strbuf *why);
/* The number of findings in the table at idx that a check returned (not a
** finding itself): its length, in *n. Returns 0, or -1 with why when it is
** no list but has other keys (a plain { key = ..., reason = ... } meant to
** be kz.finding{...}: it would open nothing, without a word), or a list
** with a key outside 1..n (a gap: the findings past it would be lost). */
int kz_finding_list_len(lua_State *L, int idx, lua_Integer *n, struct kz_strbuf *why);
/* Do two findings of the list at idx (n items) stand for the same task --
** the same subject and key, subject defaulting to `subject` and key to the
** subject as kz_finding_complete does? The store would merge the second
** into the first without a word. Returns 0, or -1 with why. */
int kz_finding_list_same_task(lua_State *L, int idx, lua_Integer n, const char *subject,
                              struct kz_strbuf *why);

/* A due at idx: a whole number of business days, or a table from
** kz.business_days / kz.calendar_days, read raw, from KZ_DUE_MIN to
** KZ_DUE_MAX days. Returns 0 with *days and *calendar, or -1 (why, when not
** NULL, gets a sentence saying what was wrong, appended). */
int kz_finding_due(lua_State *L, int idx, int *days, int *calendar, struct kz_strbuf *why);

/* 1 when the n bytes at s are well-formed UTF-8 (no overlong forms, no
** surrogates, nothing past U+10FFFF), else 0. NUL bytes count as valid. */
int kz_finding_utf8_valid(const char *s, size_t n);

/* Append s (n bytes) to the evidence JSON b as a JSON string, unless it would
** take b past KZ_FINDING_EVIDENCE_MAX or is not UTF-8: then -1 with why
** (appended). The size is checked before anything is copied. */
int kz_finding_json_string(struct kz_strbuf *b, const char *s, size_t n, struct kz_strbuf *why);

/* Append the number v to b as JSON; -1 with why (appended) for NaN or an
** infinity, which JSON cannot hold. */
int kz_finding_json_number(struct kz_strbuf *b, lua_Number v, struct kz_strbuf *why);

/* Append the message s (n bytes) to out, safe for a terminal and a log:
** control characters (newline, CR, ESC, DEL, C1, bidi overrides ...) and bytes
** that are not UTF-8 escaped as \n, \r, \t, \xNN or \uNNNN; cut on a
** character boundary after max bytes of s, with "… (N bytes in all)". */
void kz_finding_clean_message(struct kz_strbuf *out, const char *s, size_t n, size_t max);

#endif
