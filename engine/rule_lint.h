/*
** rule_lint.h — the mistakes a rule file's text and compiled listing show
** before it runs: characters Lua cannot read (full-width ones an IME types),
** syntax errors pointed at the line where the comma or brace is missing,
** and, from `luac5.4 -l -l`, the names a rule reads (globals, kz.NAME, record
** fields, methods), date constants not written YYYY-MM-DD, and plain tables
** that were meant to be kz.finding{...}.
*/
#ifndef KZ_RULE_LINT_H
#define KZ_RULE_LINT_H

#include <lua.h>
#include <stddef.h>

#include "diag.h"
#include "profile.h"

/* The names a rule may read: kz's words, record columns and methods, params
** and library members. Owns its strings. */
struct kz_lint_names {
  char **kz; size_t nkz, capkz;             /* kz.NAME */
  char **fields; size_t nfields, capfields; /* anything a field read may name */
  char **typos; size_t ntypos, captypos;    /* the names a near miss is measured against:
                                            ** tables, columns, methods */
};

/* Fill n from the kz table of L (its global "kz", as loaded; L may be NULL:
** then only the schema and the profile) and the profile (may be NULL).
** Returns 0, or -1 on out-of-memory (n is usable but partial). Free with
** kz_lint_names_free. */
int kz_lint_names_build(struct kz_lint_names *n, lua_State *L, const struct kz_profile *prof);

void kz_lint_names_free(struct kz_lint_names *n);

/* Report to d, with path:line:col, every character outside strings and
** comments of src that Lua cannot read, naming it (「全角スペース」,
** 「全角括弧」, ...) and what to type instead. Returns how many it found. */
int kz_lint_chars(const char *path, const char *src, size_t len, struct kz_diag *d);

/* Add Lua's syntax error luamsg ("path:N: ...") for src to d; when it is a
** missing ',' or closing bracket that Lua noticed only on the next line,
** the message names the line where it is missing instead. */
void kz_lint_syntax(const char *path, const char *src, size_t len, const char *luamsg,
                    struct kz_diag *d);

/* Read the listing of path (`luac5.4 -p -l -l`) and report to d: globals the
** sandbox does not provide or that a rule sets, os.*, kz.NAME not in names,
** string patterns, fields that are a near miss of a column or method (to
** warn, when a field is unknown but near nothing), date constants not
** YYYY-MM-DD, and tables with `reason` not made by kz.finding{...}.
** allowed_globals: the sandbox's globals (NULL-terminated). src/len: the
** file's text. Returns 0 when the listing was read, 1 when luac5.4 is not
** installed, 2 when the file did not compile (its syntax error is reported
** by the loader). */
int kz_lint_listing(const char *path, const char *src, size_t len,
                    const char *const *allowed_globals, const struct kz_lint_names *names,
                    struct kz_diag *d, struct kz_diag *warn);

/* 1 when s (n bytes) looks like a date (digits, then a separator, twice)
** but is not YYYY-MM-DD; then fix (at least 11 bytes) holds it so written. */
int kz_lint_bad_date(const char *s, size_t n, char *fix);

#endif
