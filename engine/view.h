/*
** view.h — read-only Lua views of a household bundle.
**
** A rule sees the household, its record lists and each record as userdata
** whose fields are read straight from the C bundle: nothing is copied into
** Lua tables, and nothing can be written. A view remembers the bundle's
** generation and works only while that generation is the bundle's `live`
** one, so a view kept past its household's evaluation fails loudly instead
** of reading another family's data.
*/
#ifndef KZ_VIEW_H
#define KZ_VIEW_H

#include <lua.h>
#include "bundle.h"
#include "strbuf.h"

/* Create the metatables (once per state); methods are looked up in
** kz.Household and kz.Record[<table>] (filled by kz.lua). Expects kz on the
** top of the stack. */
void kz_view_init(lua_State *L);

/* Push the household view of b, which is live (b->live == b->gen). b must
** outlive every use of the view. */
void kz_view_push_household(lua_State *L, const struct kz_bundle *b);


/* If the value at idx is a record view, append it to out as a JSON object of
** its table, id and dates, and return 1; else return 0. */
int kz_view_record_json(lua_State *L, int idx, struct kz_strbuf *out);


/* The bundle behind the household view at idx; raises a Lua error when idx
** is not a live household view. */
const struct kz_bundle *kz_view_check_household(lua_State *L, int idx);

/* Push the view of row `row` of table t of the (checked) household at hh_idx. */
void kz_view_push_record(lua_State *L, int hh_idx, int t, size_t row);

/* 1 and *t, *row when the value at idx is a live record view of bundle b. */
int kz_view_locate(lua_State *L, int idx, const struct kz_bundle *b, int *t, size_t *row);

/* If the value at idx is a record view, return its id column (or NULL). */
const char *kz_view_record_id(lua_State *L, int idx);

#endif
