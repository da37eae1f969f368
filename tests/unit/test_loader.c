/*
** test_loader.c — the one ordered pass over the case DB: household bundles
** as of D (rows recorded after D unseen, dates after D not happened), one
** record per person however many memberships, households in id order; bad
** data validated before it decides anything and quarantined household by
** household (issues), never stopping the pass; and kz_loader_validate naming
** what is missing.
** Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "kizuki.h"
#include "loader.h"

#define AS_OF "2024-06-30"



static kz_day day(const char *s) {
  kz_day d;
  if (kz_date_parse(s, &d)) fail_msg("bad date %s", s);
  return d;
}

/* Table t of b as text: rows ';'-separated, values '|'-separated, nil '-'. */
static const char *rows_of(const struct kz_bundle *b, int t) {
  static char buf[2048];
  buf[0] = '\0';
  for (size_t i = 0; i < b->rows[t].n; i++) {
    if (i) strcat(buf, ";");
    for (int c = 0; c < kz_tables[t].ncols; c++) {
      const char *v = kz_bundle_value(b, t, i, c);
      if (c) strcat(buf, "|");
      strncat(buf, v ? v : "-", sizeof buf - strlen(buf) - 1);
    }
  }
  return buf;
}

/* H1 has a record of every kind, some recorded after D, some with dates
** after D; H2 is small; H3 is recorded after D. Inserted out of id order. */
static const char CITY[] =
  "INSERT INTO households (id, recorded_on) VALUES ('H3','2024-07-10'), ('H2',NULL), ('H1','2020-01-01');"
  "INSERT INTO persons (id, birth_on, sex, recorded_on) VALUES"
  " ('C1','2023-01-10','F',NULL), ('M1','1995-03-03','F',NULL), ('C2','2022-02-02','M',NULL),"
  " ('X1','1990-01-01','M',NULL), ('C9','2024-06-01','F','2024-07-01'), ('C3','2024-07-01','F',NULL);"
  "INSERT INTO members (household_id, person_id, relation, start_on, end_on, recorded_on) VALUES"
  " ('H1','C1','child','2023-01-10',NULL,NULL),"
  " ('H1','M1','mother','2020-01-01','2023-12-31',NULL),"        /* M1: two memberships */
  " ('H1','M1','mother','2024-03-01','2024-09-01',NULL),"        /* end after D: nil */
  " ('H1','X1','partner','2024-06-01',NULL,'2024-07-05'),"       /* recorded after D */
  " ('H1','C9','child','2024-06-01',NULL,NULL),"                 /* person recorded after D */
  " ('H2','C2','child','2022-02-02',NULL,NULL),"
  " ('H3','C3','child','2024-07-01',NULL,'2024-07-10');"
  "INSERT INTO residences (id, household_id, municipality, ward, start_on, end_on, recorded_on) VALUES"
  " ('R2','H1','sapporo','kita','2024-07-01',NULL,'2024-06-20'),"   /* planned move: start shown */
  " ('R1','H1','sapporo','chuo','2023-01-10','2024-07-01',NULL),"
  " ('R3','H2','otaru',NULL,'2022-02-02',NULL,NULL),"
  " ('R4','H3','sapporo','nishi','2024-07-01',NULL,'2024-07-10');"
  "INSERT INTO pregnancies (id, mother_id, notified_on, due_on, end_on, outcome, child_id, specific, recorded_on) VALUES"
  " ('G1','M1','2022-06-01','2023-01-15','2023-01-10','birth','C1',0,NULL),"
  " ('G2','M1','2024-03-01','2024-10-01','2024-07-15','miscarriage','C3',1,'2024-03-02'),"
  " ('G3','M1','2024-06-01',NULL,NULL,NULL,NULL,0,'2024-07-02');"
  "INSERT INTO checkups (id, child_id, kind, scheduled_on, attended_on, recorded_on) VALUES"
  " ('K3','C1','18m','2024-07-10','2024-07-10','2024-06-01'),"
  " ('K1','C1','4m','2023-05-10','2023-05-10',NULL),"
  " ('K2','C1','10m','2023-11-10',NULL,NULL),"
  " ('K4','C1','36m','2026-01-10',NULL,'2024-07-01'),"
  " ('K9','C2','4m','2022-06-02',NULL,NULL);"
  "INSERT INTO welfare (id, household_id, start_on, end_on, end_reason, recorded_on) VALUES"
  " ('W1','H1','2023-02-01','2024-05-31','income',NULL),"
  " ('W2','H1','2024-06-01','2024-08-31','moved','2024-06-01');"
  "INSERT INTO assignments (id, household_id, person_id, agency, ward, staff_id, role, start_on, end_on, recorded_on) VALUES"
  " ('A1','H1','C1','family_consultation','chuo','S1','primary','2024-01-10',NULL,NULL),"
  " ('A2','H1',NULL,'health_center','chuo','S2','support','2023-01-10','2024-12-31',NULL);"
  "INSERT INTO council (id, household_id, primary_agency, start_on, end_on, recorded_on) VALUES"
  " ('U1','H1','family_consultation','2024-02-01',NULL,NULL);"
  "INSERT INTO contacts (id, household_id, person_id, agency, ward, staff_id, kind, occurred_on, child_seen, recorded_on) VALUES"
  " ('T1','H1','C1','family_consultation','chuo','S1','visit','2024-06-15',1,NULL),"
  " ('T2','H1','C1','family_consultation','chuo','S1','visit','2024-07-01',1,'2024-06-01'),"
  " ('T3','H1',NULL,'health_center','chuo','S2','phone','2024-06-20',0,'2024-07-02');"
  "INSERT INTO assessments (id, household_id, agency, assessed_on, risk, recorded_on) VALUES"
  " ('S1','H1','family_consultation','2024-02-10','high',NULL),"
  " ('S2','H1','family_consultation','2024-07-01','severe',NULL);"
  "INSERT INTO reviews (id, household_id, forum, reviewed_on, recorded_on) VALUES"
  " ('V1','H1','progress','2024-05-01',NULL), ('V2','H2','case_conference','2024-06-30','2024-06-30');"
  "INSERT INTO reports (id, household_id, person_id, source, kind, received_on, agency, recorded_on) VALUES"
  " ('P1','H1','C1','police','concern','2024-06-01','child_guidance',NULL),"
  " ('P2','H1','C1','nursery','absence','2024-07-01','family_consultation',NULL);"
  "INSERT INTO transfers (id, household_id, agency, from_ward, to_ward, documented_on, follow_up_on, recorded_on) VALUES"
  " ('TR1','H1','family_consultation','chuo','kita','2024-06-25','2024-07-05',NULL),"
  " ('TR2','H1','family_consultation','kita','nishi','2024-07-02',NULL,NULL);";

static void test_bundles_as_of(void **state) {
  (void)state;
  sqlite3 *db = kzt_cases_db(CITY);
  struct kz_loader *ld = NULL;
  struct kz_bundle b = {0};
  struct kz_diag d = {0};
  assert_int_equal(kz_loader_validate(db, &d), 0);
  assert_int_equal(kz_loader_open(&ld, db, day(AS_OF), &d), 0);

  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_string_equal(b.household_id, "H1");
  assert_string_equal(rows_of(&b, KZ_T_HOUSEHOLDS), "H1");
  /* M1 once (two memberships); X1 only through a membership recorded after
  ** D: not there; C9 recorded after D: not there. Sorted by id. */
  assert_string_equal(rows_of(&b, KZ_T_PERSONS), "C1|2023-01-10|F;M1|1995-03-03|F");
  assert_string_equal(rows_of(&b, KZ_T_MEMBERS),
                      "H1|M1|mother|2020-01-01|2023-12-31;H1|C1|child|2023-01-10|-;"
                      "H1|M1|mother|2024-03-01|-;H1|C9|child|2024-06-01|-");
  assert_string_equal(rows_of(&b, KZ_T_RESIDENCES),
                      "R1|H1|sapporo|chuo|2023-01-10|-;R2|H1|sapporo|kita|2024-07-01|-");
  /* G2 ends after D: end, outcome and child hidden; G3 recorded after D. */
  assert_string_equal(rows_of(&b, KZ_T_PREGNANCIES),
                      "G1|M1|2022-06-01|2023-01-15|2023-01-10|birth|C1|0;"
                      "G2|M1|2024-03-01|2024-10-01|-|-|-|1");
  /* K3 attended after D: not yet; K4 recorded after D. */
  assert_string_equal(rows_of(&b, KZ_T_CHECKUPS),
                      "K1|C1|4m|2023-05-10|2023-05-10;K2|C1|10m|2023-11-10|-;K3|C1|18m|2024-07-10|-");
  assert_string_equal(rows_of(&b, KZ_T_WELFARE),
                      "W1|H1|2023-02-01|2024-05-31|income;W2|H1|2024-06-01|-|-");
  assert_string_equal(rows_of(&b, KZ_T_ASSIGNMENTS),
                      "A2|H1|-|health_center|chuo|S2|support|2023-01-10|-;"
                      "A1|H1|C1|family_consultation|chuo|S1|primary|2024-01-10|-");
  assert_string_equal(rows_of(&b, KZ_T_COUNCIL), "U1|H1|family_consultation|2024-02-01|-");
  /* T2 happens after D, T3 was recorded after D. */
  assert_string_equal(rows_of(&b, KZ_T_CONTACTS),
                      "T1|H1|C1|family_consultation|chuo|S1|visit|2024-06-15|1");
  assert_string_equal(rows_of(&b, KZ_T_ASSESSMENTS), "S1|H1|family_consultation|2024-02-10|high");
  assert_string_equal(rows_of(&b, KZ_T_REVIEWS), "V1|H1|progress|2024-05-01");
  assert_string_equal(rows_of(&b, KZ_T_REPORTS), "P1|H1|C1|police|concern|2024-06-01|child_guidance");
  /* follow_up_on is a plan, shown as it is; TR2 is documented after D. */
  assert_string_equal(rows_of(&b, KZ_T_TRANSFERS),
                      "TR1|H1|family_consultation|chuo|kita|2024-06-25|2024-07-05");
  uint32_t gen = b.gen;

  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_true(b.gen != gen);
  assert_string_equal(b.household_id, "H2");
  assert_string_equal(rows_of(&b, KZ_T_PERSONS), "C2|2022-02-02|M");
  assert_string_equal(rows_of(&b, KZ_T_MEMBERS), "H2|C2|child|2022-02-02|-");
  assert_string_equal(rows_of(&b, KZ_T_RESIDENCES), "R3|H2|otaru|-|2022-02-02|-");
  assert_string_equal(rows_of(&b, KZ_T_CHECKUPS), "K9|C2|4m|2022-06-02|-");
  assert_string_equal(rows_of(&b, KZ_T_REVIEWS), "V2|H2|case_conference|2024-06-30");
  for (int t = KZ_T_PREGNANCIES; t < KZ_NTABLES; t++)
    if (t != KZ_T_CHECKUPS && t != KZ_T_REVIEWS && b.rows[t].n)
      fail_msg("H2 has %s rows: %s", kz_tables[t].name, rows_of(&b, t));

  /* H3 is recorded after D: the pass ends, its rows are not orphans. */
  assert_int_equal(kz_loader_next(ld, &b, &d), 0);
  assert_int_equal(kz_loader_next(ld, &b, &d), 0);
  assert_int_equal((int)d.n, 0);
  assert_int_equal(kz_loader_count(db, day(AS_OF)), 2);
  kz_loader_close(ld);

  /* Later, H3 is there too, and G2's outcome is known. */
  assert_int_equal(kz_loader_open(&ld, db, day("2024-07-20"), &d), 0);
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_string_equal(rows_of(&b, KZ_T_PREGNANCIES),
                      "G1|M1|2022-06-01|2023-01-15|2023-01-10|birth|C1|0;"
                      "G2|M1|2024-03-01|2024-10-01|2024-07-15|miscarriage|C3|1;"
                      "G3|M1|2024-06-01|-|-|-|-|0");
  assert_string_equal(rows_of(&b, KZ_T_PERSONS), "C1|2023-01-10|F;C9|2024-06-01|F;M1|1995-03-03|F;"
                      "X1|1990-01-01|M");
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_string_equal(b.household_id, "H3");
  assert_string_equal(rows_of(&b, KZ_T_PERSONS), "C3|2024-07-01|F");
  assert_int_equal(kz_loader_next(ld, &b, &d), 0);
  kz_loader_close(ld);
  kz_bundle_free(&b);
  sqlite3_close(db);
}

/* {====== Bad data: quarantine, not stop ====== */

/* The whole pass over db as of as_of, one line a bundle: the household id,
** "!" when quarantined (phantom: "?N" with the number of ids), then each
** issue as [kind table.column row 'value' why @household]. */
static const char *pass_latest(sqlite3 *db, const char *as_of, const char *latest) {
  static char out[8192];
  struct kz_loader *ld = NULL;
  struct kz_bundle b = {0};
  struct kz_diag d = {0};
  int got;
  out[0] = '\0';
  assert_int_equal(kz_loader_open(&ld, db, day(as_of), &d), 0);
  if (latest) kz_loader_set_latest(ld, day(latest));
  while ((got = kz_loader_next(ld, &b, &d)) == 1) {
    char line[2048];
    size_t n = 0;
    if (b.phantom) n += (size_t)snprintf(line + n, sizeof line - n, "?%d", b.quarantined);
    else n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", b.household_id,
                               b.quarantined ? "!" : "");
    for (size_t i = 0; i < b.nissues && n < sizeof line; i++) {
      const struct kz_issue *is = &b.issues[i];
      n += (size_t)snprintf(line + n, sizeof line - n, " [%s %s.%s %s '%s' %s @%s]",
                            is->invalid ? "invalid" : "quality", kz_tables[is->table].name,
                            is->column ? is->column : "-", is->row_id ? is->row_id : "-",
                            is->value ? is->value : "-", is->why, is->household_id ? is->household_id : "-");
    }
    strncat(out, line, sizeof out - strlen(out) - 2);
    strcat(out, "\n");
  }
  assert_int_equal(got, 0);
  assert_int_equal((int)d.n, 0);
  kz_loader_close(ld);
  kz_bundle_free(&b);
  return out;
}

static const char *pass(sqlite3 *db, const char *as_of) {
  return pass_latest(db, as_of, NULL);
}

/* Three quiet households, each with a residence; rows added per test. */
static const char SMALL[] =
  "INSERT INTO households (id) VALUES ('H1'), ('H2'), ('H3');"
  "INSERT INTO persons (id, birth_on) VALUES ('C1','2023-01-10'), ('C2','2022-02-02'), ('C3','2021-03-03');"
  "INSERT INTO members (household_id, person_id, relation, start_on) VALUES"
  " ('H1','C1','child','2023-01-10'), ('H2','C2','child','2022-02-02'), ('H3','C3','child','2021-03-03');"
  "INSERT INTO residences (id, household_id, municipality, ward, start_on) VALUES"
  " ('R1','H1','sapporo','chuo','2023-01-10'), ('R2','H2','sapporo','kita','2022-02-02'),"
  " ('R3','H3','sapporo','nishi','2021-03-03');"
  "PRAGMA ignore_check_constraints = 1;";

static sqlite3 *small_city(const char *more) {
  sqlite3 *db = kzt_cases_db(SMALL);
  if (more) kzt_exec_sql(db, more);
  return db;
}

/* A row that names no household does not stop the pass: it is charged to the
** id it names (kept, reported), and every real household is read. */
static void test_orphan_row(void **state) {
  (void)state;
  sqlite3 *db = kzt_cases_db(CITY);
  kzt_exec_sql(db, "INSERT INTO reviews (id, household_id, forum, reviewed_on) VALUES ('V9','H15','progress','2024-01-01');"
                   "INSERT INTO contacts (id, household_id, agency, occurred_on) VALUES ('T9','H15','welfare','2024-01-01'),"
                   " ('T8','H9','welfare','2024-01-01');");
  assert_string_equal(pass(db, AS_OF),
    "H1\n"
    "?1 [invalid contacts.household_id T9 'H15' names a household that is not in households @H15]"
    " [invalid reviews.household_id V9 'H15' names a household that is not in households @H15]\n"
    "H2\n"
    "?1 [invalid contacts.household_id T8 'H9' names a household that is not in households @H9]\n");
  sqlite3_close(db);
}

/* Every date is validated before it decides anything: recorded_on of a
** household or a row, an event date (a report), padded, short or far. A bad
** one quarantines its household; the others are read as ever. */
static void test_dates_before_visibility(void **state) {
  (void)state;
  static const struct { const char *sql, *want; } cases[] = {
    {"UPDATE households SET recorded_on = '2024-6-3' WHERE id = 'H2'",
     "H1\nH2! [invalid households.recorded_on H2 '2024-6-3' is not a real date (YYYY-MM-DD) @H2]\nH3\n"},
    {"INSERT INTO reports (id, household_id, kind, received_on) VALUES ('P1','H2','notification','2024-9-30')",
     "H1\nH2! [invalid reports.received_on P1 '2024-9-30' is not a real date (YYYY-MM-DD) @H2]\nH3\n"},
    {"INSERT INTO reports (id, household_id, kind, received_on) VALUES ('P1','H2','notification',' 2024-09-30')",
     "H1\nH2! [invalid reports.received_on P1 ' 2024-09-30' is not a real date (YYYY-MM-DD) @H2]\nH3\n"},
    {"UPDATE households SET recorded_on = ' 2099-01-01' WHERE id = 'H3'",
     "H1\nH2\nH3! [invalid households.recorded_on H3 ' 2099-01-01' is not a real date (YYYY-MM-DD) @H3]\n"},
    {"UPDATE residences SET recorded_on = '2024-02-30' WHERE id = 'R1'",
     "H1! [invalid residences.recorded_on R1 '2024-02-30' is not a real date (YYYY-MM-DD) @H1]\nH2\nH3\n"},
    /* A membership recorded on a bad day: the person behind it is not taken either. */
    {"UPDATE members SET recorded_on = '20240101' WHERE person_id = 'C3'",
     "H1\nH2\nH3! [invalid members.recorded_on C3 '20240101' is not a real date (YYYY-MM-DD) @H3]\n"},
    /* A row recorded after D is not there: its values are not looked at. */
    {"INSERT INTO reports (id, household_id, kind, received_on, recorded_on) VALUES ('P1','H2','notification','2024-9-30','2024-12-01')",
     "H1\nH2\nH3\n"},
    /* A good event date after D: not happened yet, as ever. */
    {"INSERT INTO reports (id, household_id, kind, received_on) VALUES ('P1','H2','notification','2024-09-30')",
     "H1\nH2\nH3\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sqlite3 *db = small_city(cases[i].sql);
    const char *got = pass(db, AS_OF);
    if (strcmp(got, cases[i].want) != 0) fail_msg("case %zu: got\n%s\nwant\n%s", i, got, cases[i].want);
    sqlite3_close(db);
  }
}

/* One bad row of a kind the contract does not allow quarantines only its
** household; spans that end before they start make no sense either. */
static void test_bad_rows(void **state) {
  (void)state;
  static const struct { const char *sql, *want; } cases[] = {
    {"INSERT INTO reports (id, household_id, kind, received_on) VALUES ('P1','H2','rumour','2024-06-01')",
     "H1\nH2! [invalid reports.kind P1 'rumour' is not one of its allowed values @H2]\nH3\n"},
    {"INSERT INTO welfare (id, household_id, start_on, end_on) VALUES ('W1','H1','2024-03-01','2024-02-01')",
     "H1! [invalid welfare.end_on W1 '2024-02-01' is before start_on @H1]\nH2\nH3\n"},
    /* A member whose person is in no persons row: a dangling reference. */
    {"INSERT INTO members (household_id, person_id, relation, start_on) VALUES ('H2','C7','child','2024-01-01')",
     "H1\nH2! [invalid members.person_id C7 'C7' names a person who is not in persons @H2]\nH3\n"},
    /* A control character in an id, and a NUL in other text. */
    {"UPDATE persons SET id = 'C1' || char(9) WHERE id = 'C1'; UPDATE members SET person_id = 'C1' || char(9) WHERE person_id = 'C1'",
     "H1! [invalid persons.id C1\\x09 'C1\\x09' contains a control character @H1]"
     " [invalid members.person_id C1\\x09 'C1\\x09' contains a control character @H1]\nH2\nH3\n"},
    {"UPDATE residences SET municipality = 'sap' || char(0) || 'poro' WHERE id = 'R2'",
     "H1\nH2! [invalid residences.municipality R2 'sap\\x00poro' contains a NUL byte @H2]\nH3\n"},
    /* Every offending row of a quarantined household is reported. */
    {"INSERT INTO contacts (id, household_id, agency, occurred_on, child_seen) VALUES"
     " ('T1','H3','police','2024-01-01',0), ('T2','H3','welfare','2024-13-01',2)",
     "H1\nH2\nH3! [invalid contacts.agency T1 'police' is not one of its allowed values @H3]"
     " [invalid contacts.occurred_on T2 '2024-13-01' is not a real date (YYYY-MM-DD) @H3]"
     " [invalid contacts.child_seen T2 '2' is not one of its allowed values @H3]\n"},
    /* A report received after the day it was recorded (2042 for 2024): not
    ** "not yet happened" (its task would be cleared), a contradiction. A
    ** contact entered before it happens is planned, and only not there yet. */
    {"INSERT INTO reports (id, household_id, kind, received_on, recorded_on) VALUES ('P1','H2','concern','2042-06-01','2024-06-02');"
     "INSERT INTO contacts (id, household_id, agency, occurred_on, recorded_on) VALUES ('T1','H3','welfare','2042-06-01','2024-06-02')",
     "H1\nH2! [invalid reports.received_on P1 '2042-06-01' is after the row's recorded_on (recorded before it happened) @H2]\nH3\n"},
    /* Long values are truncated, odd bytes escaped. */
    {"UPDATE households SET recorded_on = 'x' || char(1) || '\\' || printf('%080d', 7) WHERE id = 'H1'",
     "H1! [invalid households.recorded_on H1 'x\\x01\\\\0000000000000000000000000000000000000000000000000000000000000...'"
     " is not a real date (YYYY-MM-DD) @H1]\nH2\nH3\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sqlite3 *db = small_city(cases[i].sql);
    const char *got = pass(db, AS_OF);
    if (strcmp(got, cases[i].want) != 0) fail_msg("case %zu: got\n%s\nwant\n%s", i, got, cases[i].want);
    sqlite3_close(db);
  }
}

/* Two household ids that differ only after a NUL are two households: the
** rows of one never reach the other's bundle; the one with the NUL is
** quarantined, named with the NUL escaped. */
static void test_nul_in_ids(void **state) {
  (void)state;
  sqlite3 *db = small_city(
    "INSERT INTO households (id) VALUES (CAST(X'48320078' AS TEXT));"
    "INSERT INTO persons (id, birth_on) VALUES ('C9','2020-01-01');"
    "INSERT INTO members (household_id, person_id, relation, start_on)"
    " VALUES (CAST(X'48320078' AS TEXT),'C9','child','2020-01-01');"
    "INSERT INTO residences (id, household_id, municipality, ward, start_on)"
    " VALUES ('R9', CAST(X'48320078' AS TEXT),'sapporo','chuo','2020-01-01');");
  struct kz_loader *ld = NULL;
  struct kz_bundle b = {0};
  struct kz_diag d = {0};
  assert_int_equal(kz_loader_open(&ld, db, day(AS_OF), &d), 0);
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_string_equal(b.household_id, "H2");
  assert_int_equal(b.quarantined, 0);
  assert_string_equal(rows_of(&b, KZ_T_PERSONS), "C2|2022-02-02|-");          /* not C9 */
  assert_string_equal(rows_of(&b, KZ_T_RESIDENCES), "R2|H2|sapporo|kita|2022-02-02|-");
  kz_loader_close(ld);
  kz_bundle_free(&b);
  assert_string_equal(pass(db, AS_OF),
    "H1\nH2\n"
    "H2\\x00x! [invalid households.id H2\\x00x 'H2\\x00x' contains a NUL byte @H2\\x00x]"
    " [invalid members.household_id C9 'H2\\x00x' contains a NUL byte @H2\\x00x]"
    " [invalid residences.household_id R9 'H2\\x00x' contains a NUL byte @H2\\x00x]\nH3\n");
  sqlite3_close(db);
}

/* No record is known before it is made: with the machine's today as the
** latest recorded_on, a row or a household recorded after it is invalid
** (its household quarantined), where without the check it would only be
** "not known yet" and vanish; a row recorded after D but not after today
** is just not there yet. */
static void test_recorded_after_today(void **state) {
  (void)state;
  sqlite3 *db = small_city(
    "INSERT INTO checkups (id, child_id, kind, scheduled_on, recorded_on) VALUES"
    " ('K1','C1','4m','2023-05-10','9999-12-31'), ('K2','C2','4m','2022-06-02','2024-12-01');"
    "UPDATE households SET recorded_on = '2999-01-01' WHERE id = 'H3';");
  assert_string_equal(pass_latest(db, AS_OF, "2026-12-01"),
    "H1! [invalid checkups.recorded_on K1 '9999-12-31' is after today: no record is known before it is made @H1]\n"
    "H2\n"
    "H3! [invalid households.recorded_on H3 '2999-01-01' is after today: no record is known before it is made @H3]\n");
  assert_string_equal(pass(db, AS_OF), "H1\nH2\n");   /* without the check: K1 and H3 vanish */
  sqlite3_close(db);
}

/* Data-quality findings are reported and change nothing: no residence as of
** D, two residences at once. */
static void test_quality(void **state) {
  (void)state;
  sqlite3 *db = small_city(
    "DELETE FROM residences WHERE id = 'R2';"
    "INSERT INTO residences (id, household_id, municipality, ward, start_on, end_on) VALUES"
    " ('R4','H3','sapporo','teine','2022-01-01','2023-01-01'),"       /* overlaps R3 */
    " ('R5','H1','sapporo','kita','2024-01-01',NULL),"                 /* overlaps R1 */
    " ('R6','H1','sapporo','kita','2025-01-01',NULL);");               /* starts after D */
  kzt_exec_sql(db, "UPDATE residences SET end_on = '2024-01-01' WHERE id = 'R1'");   /* ... not any more */
  assert_string_equal(pass(db, AS_OF),
    "H1\n"
    "H2 [quality households.- H2 '-' has no residence as of the run date @H2]\n"
    "H3 [quality residences.start_on R4 '2022-01-01' overlaps residence R3 @H3]\n");
  sqlite3_close(db);
}

/* }====== */

/* A person in two households is in both bundles. */
static void test_person_in_two_households(void **state) {
  (void)state;
  sqlite3 *db = kzt_cases_db(CITY);
  kzt_exec_sql(db, "INSERT INTO members (household_id, person_id, relation, start_on) VALUES ('H2','C1','child','2024-01-01')");
  struct kz_loader *ld = NULL;
  struct kz_bundle b = {0};
  struct kz_diag d = {0};
  assert_int_equal(kz_loader_open(&ld, db, day(AS_OF), &d), 0);
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_int_equal(kz_loader_next(ld, &b, &d), 1);
  assert_string_equal(b.household_id, "H2");
  assert_string_equal(rows_of(&b, KZ_T_PERSONS), "C1|2023-01-10|F;C2|2022-02-02|M");
  assert_string_equal(rows_of(&b, KZ_T_CHECKUPS),
                      "K9|C2|4m|2022-06-02|-;K1|C1|4m|2023-05-10|2023-05-10;K2|C1|10m|2023-11-10|-;"
                      "K3|C1|18m|2024-07-10|-");
  kz_loader_close(ld);
  kz_bundle_free(&b);
  sqlite3_close(db);
}

/* {====== Validation ====== */

static const char *validate_text(sqlite3 *db, int *rc) {
  static char buf[2048];
  struct kz_diag d = {0};
  *rc = kz_loader_validate(db, &d);
  buf[0] = '\0';
  for (size_t i = 0; i < d.n; i++) {
    strncat(buf, d.msgs[i], sizeof buf - strlen(buf) - 2);
    strcat(buf, "\n");
  }
  kz_diag_clear(&d);
  return buf;
}

static void test_validate(void **state) {
  (void)state;
  int rc;
  sqlite3 *db = kzt_cases_db(NULL);
  assert_string_equal(validate_text(db, &rc), "");
  assert_int_equal(rc, 0);
  kzt_exec_sql(db, "DROP TABLE reviews");
  assert_non_null(strstr(validate_text(db, &rc), "case DB has no table 'reviews'"));
  assert_int_equal(rc, -1);
  sqlite3_close(db);

  db = kzt_cases_db(NULL);
  kzt_exec_sql(db, "ALTER TABLE contacts DROP COLUMN child_seen");
  assert_non_null(strstr(validate_text(db, &rc), "case DB table 'contacts' has no column 'child_seen'"));
  assert_int_equal(rc, -1);
  sqlite3_close(db);

  db = kzt_cases_db(NULL);
  kzt_exec_sql(db, "ALTER TABLE welfare DROP COLUMN recorded_on");
  assert_non_null(strstr(validate_text(db, &rc), "case DB table 'welfare' has no column 'recorded_on'"));
  assert_int_equal(rc, -1);
  sqlite3_close(db);

  db = kzt_cases_db(NULL);
  kzt_exec_sql(db, "PRAGMA user_version = 7");
  assert_non_null(strstr(validate_text(db, &rc), "schema version 7"));
  assert_int_equal(rc, -1);
  sqlite3_close(db);

  /* Several problems at once: each named. */
  db = kzt_cases_db(NULL);
  kzt_exec_sql(db, "DROP TABLE transfers; DROP TABLE persons;");
  const char *t = validate_text(db, &rc);
  assert_non_null(strstr(t, "no table 'transfers'"));
  assert_non_null(strstr(t, "no table 'persons'"));
  sqlite3_close(db);

  /* An empty DB (no tables at all). */
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_non_null(strstr(validate_text(db, &rc), "no table 'households'"));
  assert_int_equal(rc, -1);
  sqlite3_close(db);
}

/* A bad value in an extract quarantines its household; the pass goes on. */
static void test_bad_value(void **state) {
  (void)state;
  sqlite3 *db = kzt_cases_db(NULL);
  kzt_exec_sql(db, "PRAGMA ignore_check_constraints = 1;"
               "INSERT INTO households (id) VALUES ('H1'), ('H2');"
               "INSERT INTO residences (id, household_id, municipality, ward, start_on) VALUES"
               " ('R1','H1','sapporo','chuo','2020-01-01'), ('R2','H2','sapporo','chuo','2020-01-01');"
               "INSERT INTO welfare (id, household_id, start_on) VALUES ('W1','H1','2024-02-30');");
  assert_string_equal(pass(db, AS_OF),
    "H1! [invalid welfare.start_on W1 '2024-02-30' is not a real date (YYYY-MM-DD) @H1]\nH2\n");
  sqlite3_close(db);
}

/* }====== */

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bundles_as_of),
    cmocka_unit_test(test_orphan_row),
    cmocka_unit_test(test_person_in_two_households),
    cmocka_unit_test(test_validate),
    cmocka_unit_test(test_bad_value),
    cmocka_unit_test(test_dates_before_visibility),
    cmocka_unit_test(test_bad_rows),
    cmocka_unit_test(test_nul_in_ids),
    cmocka_unit_test(test_recorded_after_today),
    cmocka_unit_test(test_quality),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
