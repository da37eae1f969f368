/*
** vocab.h — the rules' vocabulary (RULES.md "Words used below"): the one
** list of every word a rule may say (engine/vocab_words.c), the C words
** (engine/vocab.c) and what they read from the municipality profile.
**
** Where each word is defined: in C (vocab.c, kzlib.c) when it runs for every
** household and speed needs it, else in Lua (engine/kz.lua); never both.
** tests/unit/test_vocab.c proves the list and the library agree, and
** tests/e2e/vocab.sh proves the C words agree with their pure-Lua reference
** (tests/rules/vocab/reference.lua) over generated cities.
*/
#ifndef KZ_VOCAB_H
#define KZ_VOCAB_H

#include <stddef.h>
#include <lua.h>
#include "date.h"

struct kz_sandbox;
struct kz_profile;
struct kz_strbuf;

/* One word of the vocabulary. */
struct kz_vocab_word {
  const char *name;        /* as a rule writes it: "kz.active", "hh:children", "person:age" */
  const char *signature;   /* "kz.active(rec, at)" */
  const char *where;       /* "C" (vocab.c / kzlib.c) or "Lua" (kz.lua) */
  const char *ja;          /* what it means, for supervisors (Japanese) */
  const char *en;          /* what it means (English) */
  const char *rules;       /* the RULES.md sentence it implements, or NULL */
};

/* Every word, in the order docs/authoring.md lists them; ends with a NULL
** name. Static data: never freed. */
extern const struct kz_vocab_word kz_vocab_words[];

/* The names NAME of the kz.NAME words (functions and tables, "today"
** included), NULL-terminated; static data (for `kizuki check`). */
const char *const *kz_vocab_names(void);

/* The fields of the tables words hand back besides record columns (hh:moves
** { on, from, to, out }, hh:risk_events { kind, on, known_on, record,
** weight, label }, a record's _table), NULL-terminated; static data (for
** `kizuki check`, which knows a field read on them is no typo). */
const char *const *kz_vocab_result_fields(void);

/* Append the vocabulary as the Markdown docs/authoring.md shows between its
** "vocabulary:begin" and "vocabulary:end" markers (the text between them, not
** the markers). Returns 0, or -1 when out of memory. */
int kz_vocab_markdown(struct kz_strbuf *out);

/* Register the C words: methods into kz.Household, functions into kz.
** Expects kz (with Household) at index kz_idx. (kzlib.c, at start-up) */
void kz_vocab_register(lua_State *L, int kz_idx);

/* Give the vocabulary what it reads from the profile prof: the agency names
** (kz.agency_name, a sealed table every rule file sees), checkup_grace_days
** and risk_weights (hh:missed_checkups' default grace, hh:risk_events'
** grace and weights). Call after the profile or a fixture's params change
** and before rules run (kz_ruleset_bind_params does). A profile without
** those params makes the words that need them raise an error naming the
** param when asked. Returns 0 (Lua raises on out of memory, as any push). */
int kz_vocab_bind(struct kz_sandbox *sb, const struct kz_profile *prof);

/* Set the run's day D: kz.today as every rule file sees it and the day the
** C words default to, both at once (the one place today is set; before any
** run it is 1970-01-01). */
void kz_vocab_set_today(struct kz_sandbox *sb, kz_day day);

#endif
