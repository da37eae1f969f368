#!/bin/sh
# A child with open tasks moves (members row) into another household, and
# that household is quarantined tonight (its recorded_on is '2024-6-3').
# She is evaluated nowhere; her tasks remember the old household, which is
# evaluated without her: her tasks were CLEARED, exit 8.
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
kid=$(sqlite3 "$T/t.db" "SELECT subject FROM tasks WHERE status='open' AND rule LIKE 'checkup.%' LIMIT 1")
hh=$(sqlite3 "$T/c.db" "SELECT household_id FROM members WHERE person_id='$kid'")
to=$(sqlite3 "$T/c.db" "SELECT id FROM households WHERE id > '$hh' ORDER BY id LIMIT 1")
before=$(sqlite3 "$T/t.db" "SELECT rule, key FROM tasks WHERE subject='$kid' AND status='open' ORDER BY 1,2")
sqlite3 "$T/c.db" "PRAGMA ignore_check_constraints=1; UPDATE members SET household_id='$to' WHERE person_id='$kid';
  UPDATE households SET recorded_on='2024-6-3' WHERE id='$to'"
night "$T/c.db" "$T/t.db" 2024-10-02
after=$(sqlite3 "$T/t.db" "SELECT rule, key FROM tasks WHERE subject='$kid' AND status='open' ORDER BY 1,2")
[ "$rc" -eq 8 ] || lose "exit $rc, expected 8"
[ "$before" = "$after" ] || lose "$kid moved $hh -> $to (quarantined): open tasks [$before] became [$after]"
finish
