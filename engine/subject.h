/*
** subject.h — the subject kinds a rule can be written for: one table of
** {name, producer}. A rule with `subject = "child"` is checked once per
** child of each household; the producer says who those are. Adding a
** subject kind is one row here (and its kz.subjects.<name> in kz.lua, when
** its producer is the Lua one).
*/
#ifndef KZ_SUBJECT_H
#define KZ_SUBJECT_H

#include <lua.h>
#include <stddef.h>
#include "sandbox.h"

/* One subject kind. */
struct kz_subject_kind {
  const char *name;    /* as rules spell it: subject = "child" */
  /* Push the list of this kind's subjects of the household (view) at hh, in
  ** the sandbox; returns LUA_OK, or an error status with the message
  ** pushed. NULL: the household itself is the subject, checked as
  ** check(hh, params) (any other kind: check(subject, hh, params)). */
  int (*produce)(struct kz_sandbox *sb, int hh, const char *name);
};

#define KZ_SUBJECT_HOUSEHOLD 0     /* kz_subjects[0]: the household itself */

extern const struct kz_subject_kind kz_subjects[];
extern const size_t kz_nsubjects;

/* The index in kz_subjects of the kind called name, or -1. */
int kz_subject_find(const char *name);

/* Write the kinds' names as a list for a message ("household, child,
** mother") into buf (n bytes, cut to fit); returns buf. */
const char *kz_subject_list(char *buf, size_t n);

/* Push the per-household cache of subject lists: one slot per kind, empty.
** Returns the index of the first slot (the caller pops them with the
** household). */
int kz_subject_slots(lua_State *L);

/* Push the list of subjects of kind k of the household at hh: for the
** household kind a list of hh itself; else produced on the first ask and
** kept in its slot (slots: kz_subject_slots) for the household's other
** rules. Returns LUA_OK, or the producer's error status with its message
** pushed instead (nothing kept: the next rule asks again). What the
** producer returned is pushed as it is: the caller checks it is a list. */
int kz_subject_push(struct kz_sandbox *sb, int slots, int hh, int k);

#endif
