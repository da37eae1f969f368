/*
** records.c — the case-record contract as data (see records.h).
*/
#include "records.h"

#include <string.h>

#define C(n, r) {n, KZ_COL_##r}

const struct kz_table kz_tables[KZ_NTABLES] = {
  [KZ_T_HOUSEHOLDS] = {"households", {C("id", TEXT)}, 1, NULL, NULL},
  [KZ_T_PERSONS] = {"persons", {C("id", TEXT), C("birth_on", DATE), C("sex", TEXT)}, 3,
                    "id", NULL},
  [KZ_T_MEMBERS] = {"members", {C("household_id", TEXT), C("person_id", TEXT),
                    C("relation", TEXT), C("start_on", DATE), C("end_on", END)}, 5,
                    NULL, "start_on"},
  [KZ_T_RESIDENCES] = {"residences", {C("id", TEXT), C("household_id", TEXT),
                       C("municipality", TEXT), C("ward", TEXT), C("start_on", DATE),
                       C("end_on", END)}, 6, NULL, "start_on"},
  [KZ_T_PREGNANCIES] = {"pregnancies", {C("id", TEXT), C("mother_id", TEXT),
                        C("notified_on", DATE), C("due_on", DATE), C("end_on", END),
                        C("outcome", OUTCOME), C("child_id", OUTCOME), C("specific", INT)}, 8,
                        "mother_id", "notified_on"},
  [KZ_T_CHECKUPS] = {"checkups", {C("id", TEXT), C("child_id", TEXT), C("kind", TEXT),
                     C("scheduled_on", DATE), C("attended_on", END)}, 5,
                     "child_id", "scheduled_on"},
  [KZ_T_WELFARE] = {"welfare", {C("id", TEXT), C("household_id", TEXT), C("start_on", DATE),
                    C("end_on", END), C("end_reason", OUTCOME)}, 5, NULL, "start_on"},
  [KZ_T_ASSIGNMENTS] = {"assignments", {C("id", TEXT), C("household_id", TEXT),
                        C("person_id", TEXT), C("agency", TEXT), C("ward", TEXT),
                        C("staff_id", TEXT), C("role", TEXT), C("start_on", DATE),
                        C("end_on", END)}, 9, NULL, "start_on"},
  [KZ_T_COUNCIL] = {"council", {C("id", TEXT), C("household_id", TEXT),
                    C("primary_agency", TEXT), C("start_on", DATE), C("end_on", END)}, 5,
                    NULL, "start_on"},
  [KZ_T_CONTACTS] = {"contacts", {C("id", TEXT), C("household_id", TEXT),
                     C("person_id", TEXT), C("agency", TEXT), C("ward", TEXT),
                     C("staff_id", TEXT), C("kind", TEXT), C("occurred_on", EVENT),
                     C("child_seen", INT)}, 9, NULL, "occurred_on"},
  [KZ_T_ASSESSMENTS] = {"assessments", {C("id", TEXT), C("household_id", TEXT),
                        C("agency", TEXT), C("assessed_on", EVENT), C("risk", TEXT)}, 5,
                        NULL, "assessed_on"},
  [KZ_T_REVIEWS] = {"reviews", {C("id", TEXT), C("household_id", TEXT), C("forum", TEXT),
                    C("reviewed_on", EVENT)}, 4, NULL, "reviewed_on"},
  [KZ_T_REPORTS] = {"reports", {C("id", TEXT), C("household_id", TEXT),
                    C("person_id", TEXT), C("source", TEXT), C("kind", TEXT),
                    C("received_on", EVENT), C("agency", TEXT)}, 7, NULL, "received_on"},
  [KZ_T_TRANSFERS] = {"transfers", {C("id", TEXT), C("household_id", TEXT),
                      C("agency", TEXT), C("from_ward", TEXT), C("to_ward", TEXT),
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
