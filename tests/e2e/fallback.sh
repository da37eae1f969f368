#!/bin/sh
# tests/e2e/fallback.sh — a finding whose household has no known ward is
# routed by the profile's fallback (DESIGN.md): the run exits 0 (no rule
# error), the task's reason says where it went and why, and the summary
# counts it as a data issue. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/fallback.sh
set -eu

. tests/e2e/lib/common.sh

# H1: a young mother's pregnancy is on record, her household's residence
# not yet; H2: no residence either, but family consultation (kita) holds it.
CASES=$T/cases.db
sqlite3 "$CASES" <"$ROOT/schema/cases.sql"
sqlite3 "$CASES" "
  INSERT INTO persons (id, birth_on, sex) VALUES ('M1','2008-05-01','F');
  INSERT INTO households (id) VALUES ('H1'), ('H2');
  INSERT INTO members (household_id, person_id, relation, start_on) VALUES ('H1','M1','mother','2024-06-01');
  INSERT INTO pregnancies (id, mother_id, notified_on, due_on, specific) VALUES ('P1','M1','2024-06-03','2024-12-20',0);
  INSERT INTO assignments (id, household_id, agency, ward, staff_id, role, start_on) VALUES
    ('A2','H2','family_consultation','kita','kita-fc-01','primary','2024-04-01');"

TASKS=$T/tasks.db
check "run with households of no known ward" 0 "$KIZUKI" run --cases "$CASES" --tasks "$TASKS" --as-of 2024-06-10 --rules "$ROOT/rules"
expect "summary counts the fallback routings" "$T/out" "findings of households with no known ward were routed by the fallback"
same "no rule errors" "$(sqlite3 "$TASKS" "SELECT count(*) FROM run_errors")" 0
same "pregnancy.unsupported at the fallback unit" \
  "$(sqlite3 "$TASKS" "SELECT unit FROM tasks WHERE rule = 'pregnancy.unsupported' AND subject = 'M1'")" city.health_center
sqlite3 "$TASKS" "SELECT reason FROM tasks WHERE rule = 'pregnancy.unsupported'" >"$T/reason"
expect "the reason says why" "$T/reason" "（世帯の住所の区が不明のため、既定の送付先 city.health_center に送付）"
same "council.unregistered at the ward of the household's own assignment" \
  "$(sqlite3 "$TASKS" "SELECT unit FROM tasks WHERE rule = 'council.unregistered' AND subject = 'H2'")" kita.family_consultation
sqlite3 "$TASKS" "SELECT reason FROM tasks WHERE rule = 'council.unregistered'" >"$T/reason"
expect "the reason names the assignment's ward" "$T/reason" "担当している北区の区家庭児童相談室に送付）"
sqlite3 "$TASKS" "SELECT why FROM run_issues" >"$T/tasks_issues"
same "each fallback routing is a data issue in run_issues" \
  "$(sqlite3 "$TASKS" "SELECT group_concat(household_id || ' ' || kind || ' ' || table_name || ' ' || column_name, ', ')
                       FROM (SELECT * FROM run_issues WHERE why LIKE '%routed by the fallback%' ORDER BY id)")" \
  "H1 quality residences ward, H2 quality residences ward, H2 quality residences ward"
expect "run_issues names the rule and the fallback" "$T/tasks_issues" "rule pregnancy.unsupported for subject M1 was routed by the fallback (fallback_unit)"

# the profile validates fallback_unit
cp -r "$ROOT/rules" "$T/rules"
sed -i 's/^  welfare: city.welfare$/  child_guidance: city.x/' "$T/rules/kizuki.yaml"
check "kizuki check refuses a fallback for a city-level kind" 2 "$KIZUKI" check "$T/rules"
expect "kizuki check says which" "$T/err" "'child_guidance' is a city-level kind"

summary fallback
