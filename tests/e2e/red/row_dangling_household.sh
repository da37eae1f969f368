#!/bin/sh
# The row that triggered a household's task (a report, a welfare record, an
# assignment) names its household with a typo ('H0000016 ', a NUL, lower
# case). The row is quarantined under the id it names (a household that does
# not exist), but its real household is evaluated without it: the
# report.safety_check / welfare.ended / move.handover task was CLEARED.
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
for spec in "reports report.safety_check" "welfare welfare.ended" "assignments move.handover"; do
  set -- $spec; tab=$1 rule=$2
  row=$(sqlite3 "$T/t.db" "ATTACH '$T/c.db' AS c; SELECT r.id, r.household_id FROM c.$tab r JOIN tasks t
        ON t.household_id = r.household_id AND (t.key = r.id OR t.key LIKE r.id || ':%')
        WHERE t.rule = '$rule' AND t.status = 'open' LIMIT 1")
  [ -n "$row" ] || { echo "no $rule task in this city" >&2; continue; }
  id=${row%%|*} hh=${row#*|}
  for v in "'$hh '" "'$hh' || char(0)" "lower('$hh')"; do
    cp "$T/c.db" "$T/bad.db"; cp "$T/t.db" "$T/t2.db"
    sqlite3 "$T/bad.db" "UPDATE $tab SET household_id = $v WHERE id = '$id'"
    night "$T/bad.db" "$T/t2.db" 2024-10-02
    st=$(sqlite3 "$T/t2.db" "SELECT group_concat(status) FROM tasks WHERE rule='$rule' AND household_id='$hh' AND (key='$id' OR key LIKE '$id:%')")
    case $st in *cleared*) lose "$tab $id household_id = $v: exit $rc, its $rule task of $hh: $st";; esac
  done
done
finish
