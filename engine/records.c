/*
** records.c — the case-record contract as data (see records.h).
*/
#include "records.h"

#include <string.h>

#include "date.h"
#include "finding.h"

#define C(n, r) {n, KZ_COL_##r, NULL}
#define E(n, r, v) {n, KZ_COL_##r, v}

/* The enumerations of schema/cases.sql's CHECK constraints. */
static const char *const SEX[] = {"F", "M", "X", NULL};
static const char *const RELATION[] = {"child", "mother", "father", "partner", "guardian",
                                       "other", NULL};
static const char *const OUTCOME[] = {"birth", "miscarriage", "abortion", "stillbirth", NULL};
static const char *const FLAG[] = {"0", "1", NULL};
static const char *const CHECKUP[] = {"4m", "10m", "18m", "36m", NULL};
static const char *const AGENCY[] = {"health_center", "family_consultation", "welfare",
                                     "child_guidance", NULL};
static const char *const ROLE[] = {"primary", "support", NULL};
static const char *const CONTACT[] = {"visit", "phone", "office", "meeting", "letter", NULL};
static const char *const RISK[] = {"low", "medium", "high", "severe", NULL};
static const char *const FORUM[] = {"progress", "case_conference", NULL};
static const char *const SOURCE[] = {"nursery", "unlicensed_nursery", "school", "hospital",
                                     "police", "neighbor", "other", NULL};
static const char *const REPORT[] = {"concern", "absence", "notification", "accompany_request",
                                     NULL};

const struct kz_table kz_tables[KZ_NTABLES] = {
  [KZ_T_HOUSEHOLDS] = {"households", {C("id", TEXT)}, 1, NULL, NULL},
  [KZ_T_PERSONS] = {"persons", {C("id", TEXT), C("birth_on", DATE), E("sex", TEXT, SEX)}, 3,
                    "id", NULL},
  [KZ_T_MEMBERS] = {"members", {C("household_id", TEXT), C("person_id", TEXT),
                    E("relation", TEXT, RELATION), C("start_on", DATE), C("end_on", END)}, 5,
                    NULL, "start_on"},
  [KZ_T_RESIDENCES] = {"residences", {C("id", TEXT), C("household_id", TEXT),
                       C("municipality", TEXT), C("ward", TEXT), C("start_on", DATE),
                       C("end_on", END)}, 6, NULL, "start_on"},
  [KZ_T_PREGNANCIES] = {"pregnancies", {C("id", TEXT), C("mother_id", TEXT),
                        C("notified_on", DATE), C("due_on", DATE), C("end_on", END),
                        E("outcome", OUTCOME, OUTCOME), C("child_id", OUTCOME), E("specific", INT, FLAG)}, 8,
                        "mother_id", "notified_on"},
  [KZ_T_CHECKUPS] = {"checkups", {C("id", TEXT), C("child_id", TEXT), E("kind", TEXT, CHECKUP),
                     C("scheduled_on", DATE), C("attended_on", END)}, 5,
                     "child_id", "scheduled_on"},
  [KZ_T_WELFARE] = {"welfare", {C("id", TEXT), C("household_id", TEXT), C("start_on", DATE),
                    C("end_on", END), C("end_reason", OUTCOME)}, 5, NULL, "start_on"},
  [KZ_T_ASSIGNMENTS] = {"assignments", {C("id", TEXT), C("household_id", TEXT),
                        C("person_id", TEXT), E("agency", TEXT, AGENCY), C("ward", TEXT),
                        C("staff_id", TEXT), E("role", TEXT, ROLE), C("start_on", DATE),
                        C("end_on", END)}, 9, NULL, "start_on"},
  [KZ_T_COUNCIL] = {"council", {C("id", TEXT), C("household_id", TEXT),
                    E("primary_agency", TEXT, AGENCY), C("start_on", DATE), C("end_on", END)}, 5,
                    NULL, "start_on"},
  [KZ_T_CONTACTS] = {"contacts", {C("id", TEXT), C("household_id", TEXT),
                     C("person_id", TEXT), E("agency", TEXT, AGENCY), C("ward", TEXT),
                     C("staff_id", TEXT), E("kind", TEXT, CONTACT), C("occurred_on", EVENT),
                     E("child_seen", INT, FLAG)}, 9, NULL, "occurred_on"},
  [KZ_T_ASSESSMENTS] = {"assessments", {C("id", TEXT), C("household_id", TEXT),
                        E("agency", TEXT, AGENCY), C("assessed_on", EVENT), E("risk", TEXT, RISK)}, 5,
                        NULL, "assessed_on"},
  [KZ_T_REVIEWS] = {"reviews", {C("id", TEXT), C("household_id", TEXT), E("forum", TEXT, FORUM),
                    C("reviewed_on", EVENT)}, 4, NULL, "reviewed_on"},
  [KZ_T_REPORTS] = {"reports", {C("id", TEXT), C("household_id", TEXT),
                    C("person_id", TEXT), E("source", TEXT, SOURCE), E("kind", TEXT, REPORT),
                    C("received_on", EVENT), E("agency", TEXT, AGENCY)}, 7, NULL, "received_on"},
  [KZ_T_TRANSFERS] = {"transfers", {C("id", TEXT), C("household_id", TEXT),
                      E("agency", TEXT, AGENCY), C("from_ward", TEXT), C("to_ward", TEXT),
                      C("documented_on", EVENT), C("follow_up_on", DATE)}, 7,
                      NULL, "documented_on"},
};

const struct kz_table *kz_records_table(const char *name) {
  for (int i = 0; i < KZ_NTABLES; i++)
    if (strcmp(kz_tables[i].name, name) == 0) return &kz_tables[i];
  return NULL;
}

int kz_records_column(const struct kz_table *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(t->cols[i].name, name) == 0) return i;
  return -1;
}

int kz_records_is_id(const struct kz_column *col) {
  size_t n = strlen(col->name);
  return strcmp(col->name, "id") == 0 || (n > 3 && strcmp(col->name + n - 3, "_id") == 0);
}

const char *kz_records_check(const struct kz_column *col, int is_text, const char *v, size_t len) {
  return kz_records_check_as(col, kz_records_is_id(col), is_text, v, len);
}

const char *kz_records_check_as(const struct kz_column *col, int is_id, int is_text, const char *v,
                                size_t len) {
  if (!v) return NULL;
  if (col->role == KZ_COL_DATE || col->role == KZ_COL_END || col->role == KZ_COL_EVENT)
    return kz_date_valid_n(v, len) ? NULL : "is not a real date (YYYY-MM-DD)";
  /* What a rule may put in a finding is what a task can be told apart by
  ** (finding.c): UTF-8 text, a key or subject of at most 256 bytes. A value
  ** the loader took but a finding cannot hold made every rule that keys by
  ** it err in the household (exit 3, its tasks never opened): a Shift_JIS
  ** id from an old system, a 300-character id. Refused here, the household
  ** is quarantined instead. Ids leave room for a suffix ("H1:health_center"). */
  if (!kz_finding_utf8_valid(v, len)) return "is not valid UTF-8 text";
  if (is_id) {
    if (!is_text) return "is not text (an id must be text)";
    if (len > KZ_RECORDS_ID_MAX) return "is longer than 200 bytes (a task key made of it would not fit)";
    for (size_t i = 0; i < len; i++) {
      unsigned char ch = (unsigned char)v[i];
      if (ch == 0) return "contains a NUL byte";
      if (ch < 0x20 || ch == 0x7f) return "contains a control character";
    }
  } else if (memchr(v, 0, len)) {
    return "contains a NUL byte";
  }
  if (col->values) {
    for (const char *const *e = col->values; *e; e++)
      if (strncmp(*e, v, len) == 0 && (*e)[len] == '\0') return NULL;
    return "is not one of its allowed values";
  }
  return NULL;
}
