#!/bin/sh
# The README's example rule works when copied into rules/: extract it,
# check it, run it on a small case DB and see the task it opens.
set -eu

. tests/e2e/lib/common.sh
cp -r rules "$T/rules"
sed -n '/<!-- example-rule:begin -->/,/<!-- example-rule:end -->/p' README.md \
  | sed '1,2d;$d' | sed '$d' > "$T/rules/late_notice.lua"
"$KIZUKI" check "$T/rules" >/dev/null
sqlite3 "$T/pf.db" < schema/cases.sql
sqlite3 "$T/pf.db" "
insert into persons(id, birth_on, sex) values ('M1', '1995-03-01', 'F');
insert into households(id) values ('H1');
insert into members(household_id, person_id, relation, start_on) values ('H1', 'M1', 'mother', '2020-01-10');
insert into residences(id, household_id, municipality, ward, start_on) values ('R1', 'H1', 'sapporo', 'nishi', '2020-01-10');
insert into pregnancies(id, mother_id, notified_on, due_on) values ('G1', 'M1', '2024-08-01', '2024-11-20');"
"$KIZUKI" run --quiet --rules "$T/rules" --cases "$T/pf.db" --tasks "$T/tasks.db" --as-of 2024-08-05 >/dev/null
same "README example rule: its task" \
  "$(sqlite3 "$T/tasks.db" "select rule || ' ' || subject || ' ' || unit || ' ' || due_on from tasks")" \
  "pregnancy.late_notice M1 nishi.health_center 2024-08-20"
summary readme_example
