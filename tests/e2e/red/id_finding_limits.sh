#!/bin/sh
# The loader took ids a finding cannot hold: a household whose ids come from
# an old system in Shift_JIS (not UTF-8), or are 300 characters long. Every
# rule that keys a task by such an id erred in that household ("finding's
# key is not valid UTF-8 text" / "is 908 bytes long (at most 256)"): exit 3,
# its tasks never opened -- bad data turned into rule errors. Expected: the
# household quarantined (exit 8, every row in run_issues), the other
# households' tasks as on a clean night.
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
hh=$(sqlite3 "$T/t.db" "SELECT household_id FROM tasks WHERE status='open' AND key = household_id LIMIT 1")
long=$(printf '%0300d' 0)
for v in "x'8365' || '$hh'" "'$long' || '$hh'"; do
  cp "$T/c.db" "$T/bad.db"; rm -f "$T/t2.db"
  sqlite3 "$T/bad.db" "PRAGMA foreign_keys=0; UPDATE households SET id = CAST($v AS TEXT) WHERE id='$hh';"
  for tab in members residences welfare assignments council contacts assessments reviews reports transfers; do
    sqlite3 "$T/bad.db" "UPDATE $tab SET household_id = CAST($v AS TEXT) WHERE household_id='$hh'"; done
  night "$T/bad.db" "$T/t2.db" 2024-10-01
  grep -q "finding's key" "$T/err" && lose "household id $v: rule errors for a data problem: $(grep -c "finding's" "$T/err") error line(s), exit $rc"
  [ "$rc" -eq 8 ] || lose "household id $v: exit $rc (expected 8)"
  a=$(sqlite3 "$T/t.db" "SELECT rule,subject,key,status FROM tasks WHERE household_id<>'$hh' ORDER BY 1,2,3" | md5sum)
  b=$(sqlite3 "$T/t2.db" "SELECT rule,subject,key,status FROM tasks WHERE household_id NOT LIKE '%$hh' ORDER BY 1,2,3" | md5sum)
  [ "$a" = "$b" ] || lose "household id $v: other households' tasks differ from a clean night"
done
finish
