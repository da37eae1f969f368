/*
** staff_names.h — the names staff read instead of codes: case-record tables
** and columns (通告, 受理), units ("中央区 区保健センター（管理職）"),
** ladder steps, wards, agency kinds and task statuses; and the one resolver
** that turns what staff type (a code or its Japanese name) back into the
** code. Ward and agency names come from the profile (kizuki.yaml); the
** rest is a fixed table here. Used by the report, tasks, export and explain.
*/
#ifndef KZ_STAFF_NAMES_H
#define KZ_STAFF_NAMES_H

#include <stddef.h>

#include "profile.h"
#include "strbuf.h"

/* The Japanese name of a case-record table or column ("reports" -> 通告,
** "received_on" -> 受理); s itself when unknown, "" for NULL. Static
** strings or s: nothing to free. */
const char *kz_staff_field_name(const char *s);

/* The unit a page is about: "chuo.health_center" for both
** "chuo.health_center" and "chuo.health_center.supervisor", into out (n
** bytes, truncated). */
void kz_staff_base_unit(const char *unit, char *out, size_t n);

/* Append staff's name of a unit to b: "中央区 区保健センター",
** "札幌市 児童相談所（管理職）"; the unit's own text when p is NULL or does
** not know it. */
void kz_staff_unit_name(const struct kz_profile *p, const char *unit, struct kz_strbuf *b);

/* Append staff's name of a ladder step "kind" or "kind.supervisor" to b. */
void kz_staff_step_name(const struct kz_profile *p, const char *step, struct kz_strbuf *b);

/* The name of ward code (中央区); code itself when p is NULL or does not
** know it; "" for NULL. Borrowed from p or code. */
const char *kz_staff_ward_name(const struct kz_profile *p, const char *code);

/* The name of agency kind (区保健センター); as kz_staff_ward_name. */
const char *kz_staff_agency_name(const struct kz_profile *p, const char *kind);

/* The Japanese name of a task status: 対応中 (open), 解消 (cleared), 完了
** (done), すべて (all); s itself when unknown, "" for NULL. */
const char *kz_staff_status_name(const char *s);

/* What a filter option accepts: codes with their staff names. */
enum kz_staff_kind { KZ_NAME_UNIT, KZ_NAME_WARD };

/* Resolve what staff typed for --unit or --ward (kind) to its code, into
** out (n bytes): a code the profile knows, one of the `known` codes (nknown
** of them, e.g. the units of the task DB; may be NULL), or a staff name of
** one (中央区, 中央区保健センター, 中央区 区保健センター, 児童相談所 for the
** city's unit; spaces ignored). Returns 0, or -1 with out holding the
** nearest code or name as a did-you-mean ("" when there is none), or -2
** when given is a name more than one code goes by (out: those codes, comma
** separated; none is picked, which would hide the others). p may be
** NULL (codes in known only). `kizuki tasks`, `export` and any `--unit`
** option call this one function. */
int kz_staff_resolve(const struct kz_profile *p, enum kz_staff_kind kind, const char *given,
                     const char *const *known, size_t nknown, char *out, size_t n);

#endif
