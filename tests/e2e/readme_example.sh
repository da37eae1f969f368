#!/bin/sh
# The README's example rule works when copied into rules/: extract it,
# check it, run it on a small case DB and see the task it opens.
set -eu
: "${KIZUKI:?set KIZUKI to the kizuki binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r rules "$tmp/rules"
sed -n '/<!-- example-rule:begin -->/,/<!-- example-rule:end -->/p' README.md \
  | sed '1,2d;$d' | sed '$d' > "$tmp/rules/late_notice.lua"
"$KIZUKI" check "$tmp/rules" >/dev/null
sqlite3 "$tmp/pf.db" < schema/cases.sql
sqlite3 "$tmp/pf.db" "
insert into persons(id, birth_on, sex) values ('M1', '1995-03-01', 'F');
insert into households(id) values ('H1');
insert into members(household_id, person_id, relation, start_on) values ('H1', 'M1', 'mother', '2020-01-10');
insert into residences(id, household_id, municipality, ward, start_on) values ('R1', 'H1', 'sapporo', 'nishi', '2020-01-10');
insert into pregnancies(id, mother_id, notified_on, due_on) values ('G1', 'M1', '2024-08-01', '2024-11-20');"
"$KIZUKI" run --quiet --rules "$tmp/rules" --cases "$tmp/pf.db" --tasks "$tmp/tasks.db" --as-of 2024-08-05 >/dev/null
got=$(sqlite3 "$tmp/tasks.db" "select rule || ' ' || subject || ' ' || unit || ' ' || due_on from tasks")
want="pregnancy.late_notice M1 nishi.health_center 2024-08-20"
if [ "$got" != "$want" ]; then
  echo "README example rule: expected '$want', got '$got'" >&2
  echo "e2e readme: 0 passed, 1 failed"
  exit 1
fi
echo "e2e readme: 1 passed, 0 failed"
