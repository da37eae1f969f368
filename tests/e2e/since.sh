#!/bin/sh
# tests/e2e/since.sh — the `since` a task keeps (RULES.md "When a finding
# began"), read from the task DB after a run, for the rules whose since is
# not the day of a record: checkup.missed (the day the checkup counts as
# missed), checkup.unreachable (the first day of >= checkup_unreachable_days),
# risk.rising (the first day of the unbroken run of days with the score at
# or over the threshold, each day with its own window) and child.not_seen
# counted from an attended checkup. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/since.sh
set -eu

. tests/e2e/lib/common.sh

CASES=$T/cases.db
sqlite3 "$CASES" <"$ROOT/schema/cases.sql"
sqlite3 "$CASES" "
  INSERT INTO persons (id, birth_on, sex) VALUES ('C1','2023-01-10','F'), ('C2','2020-02-02','M'),
                                                 ('C3','2021-03-03','F');
  INSERT INTO households (id) VALUES ('H1'), ('H2'), ('H3');
  INSERT INTO members (household_id, person_id, relation, start_on) VALUES
    ('H1','C1','child','2023-01-10'), ('H2','C2','child','2020-02-02'), ('H3','C3','child','2021-03-03');
  INSERT INTO residences (id, household_id, municipality, ward, start_on) VALUES
    ('R1','H1','sapporo','chuo','2023-01-10'), ('R2','H2','sapporo','kita','2020-02-02'),
    ('R3','H3','sapporo','nishi','2021-03-03');
  -- H1: the 18-month checkup of 07-16 is missed from 07-30, unreachable from 09-14
  INSERT INTO checkups (id, child_id, kind, scheduled_on) VALUES ('K1','C1','18m','2024-07-16');
  -- H2: three reports (3 points each, window 180 days): from 05-01 the score is 6
  -- (E1 + E2), 9 from 07-05, 6 again when E1 leaves the window on 07-09: never
  -- under 5 since 05-01 (not 07-05, where today's window alone would put it)
  INSERT INTO reports (id, household_id, source, kind, received_on, agency) VALUES
    ('E1','H2','school','concern','2024-01-10','family_consultation'),
    ('E2','H2','school','concern','2024-05-01','family_consultation'),
    ('E3','H2','school','concern','2024-07-05','family_consultation');
  -- H3: supported since 2024-01-01; C3 seen at a visit on 06-01 and at her
  -- checkup on 07-01: unseen for more than 90 days from 09-30
  INSERT INTO assignments (id, household_id, agency, ward, staff_id, role, start_on) VALUES
    ('A3','H3','family_consultation','nishi','nishi-fc-01','primary','2024-01-01');
  INSERT INTO contacts (id, household_id, agency, ward, kind, occurred_on, child_seen) VALUES
    ('T3','H3','family_consultation','nishi','visit','2024-06-01',1);
  INSERT INTO checkups (id, child_id, kind, scheduled_on, attended_on) VALUES
    ('K3','C3','36m','2024-06-28','2024-07-01');"

TASKS=$T/tasks.db
check "run" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of 2024-10-01 --rules "$ROOT/rules"

since() {
  sqlite3 "$TASKS" "SELECT since FROM tasks WHERE rule = '$1' AND subject = '$2' AND key = '$3'"
}
same "checkup.missed since" "$(since checkup.missed C1 K1)" 2024-07-30
same "checkup.unreachable since" "$(since checkup.unreachable C1 K1)" 2024-09-14
same "risk.rising since" "$(since risk.rising H2 H2:family_consultation)" 2024-05-01
same "child.not_seen since" "$(since child.not_seen C3 C3)" 2024-09-30

summary since
