/*
** subject.c — the table of subject kinds and the per-household cache of
** their lists (see subject.h).
*/
#include "subject.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* kz.subjects[name](hh): the Lua producer (engine/kz.lua). */
static int produce_lua(struct kz_sandbox *sb, int hh, const char *name) {
  lua_State *L = sb->L;
  lua_getglobal(L, "kz");
  lua_getfield(L, -1, "subjects");
  lua_getfield(L, -1, name);
  lua_pushvalue(L, hh);
  int rc = kz_sandbox_call(sb, 1, 1);
  lua_replace(L, -3);                        /* the result (or error) where kz was */
  lua_pop(L, 1);
  return rc;
}

const struct kz_subject_kind kz_subjects[] = {
  {"household", NULL},
  {"child", produce_lua},
  {"mother", produce_lua},
};
const size_t kz_nsubjects = sizeof kz_subjects / sizeof *kz_subjects;

int kz_subject_find(const char *name) {
  for (size_t i = 0; name && i < kz_nsubjects; i++)
    if (strcmp(name, kz_subjects[i].name) == 0) return (int)i;
  return -1;
}

const char *kz_subject_list(char *buf, size_t n) {
  size_t at = 0;
  if (n) buf[0] = '\0';
  for (size_t i = 0; i < kz_nsubjects && at < n; i++)
    at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "", kz_subjects[i].name);
  return buf;
}

int kz_subject_slots(lua_State *L) {
  int first = lua_gettop(L) + 1;
  for (size_t i = 0; i < kz_nsubjects; i++) lua_pushnil(L);
  return first;
}

int kz_subject_push(struct kz_sandbox *sb, int slots, int hh, int k) {
  lua_State *L = sb->L;
  int slot = slots + k;
  if (lua_isnil(L, slot)) {
    if (!kz_subjects[k].produce) {
      lua_createtable(L, 1, 0);
      lua_pushvalue(L, hh);
      lua_rawseti(L, -2, 1);
    } else {
      int rc = kz_subjects[k].produce(sb, hh, kz_subjects[k].name);
      if (rc != LUA_OK) return rc;
    }
    lua_replace(L, slot);
  }
  lua_pushvalue(L, slot);
  return LUA_OK;
}
