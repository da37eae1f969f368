#!/bin/sh
# A report's received_on typed 2042 instead of 2024 (recorded_on stays
# 2024): the row is "not yet happened" as of D, the report vanishes and its
# report.* tasks are cleared, exit 0, not a word. An event after the day the
# PF recorded it is a contradiction: the household should be quarantined
# (exit 8) and its tasks kept. (Reports and assessments only: a contact or
# a review may be entered before it happens.)
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
hh=$(sqlite3 "$T/t.db" "SELECT household_id FROM tasks WHERE status='open' AND rule LIKE 'report.%' LIMIT 1")
[ -n "$hh" ] || { echo "no report task in this city" >&2; exit 2; }
before=$(sqlite3 "$T/t.db" "SELECT rule, subject, key FROM tasks WHERE household_id='$hh' AND status='open' ORDER BY 1,2,3")
for col in received_on; do
  cp "$T/c.db" "$T/bad.db"; cp "$T/t.db" "$T/t2.db"
  sqlite3 "$T/bad.db" "UPDATE reports SET $col = '2042' || substr($col, 5) WHERE household_id='$hh'"
  night "$T/bad.db" "$T/t2.db" 2024-10-02
  after=$(sqlite3 "$T/t2.db" "SELECT rule, subject, key FROM tasks WHERE household_id='$hh' AND status='open' ORDER BY 1,2,3")
  [ "$before" = "$after" ] || lose "reports.$col in 2042 (household $hh): exit $rc, open tasks [$before] became [$after]"
  [ "$rc" -eq 8 ] || lose "reports.$col in 2042: exit $rc, nothing said (expected 8, the row in run_issues)"
done
finish
