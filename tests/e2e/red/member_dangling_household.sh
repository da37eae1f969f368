#!/bin/sh
# A child with open tasks; the next extract's members row names her
# household with a trailing space ('H0000035 ', a household that does not
# exist). The row is quarantined (charged to 'H0000035 '), but her tasks
# remember household H0000035, which is evaluated without her: her
# checkup tasks were CLEARED (exit 8; the contract: not lost, kept).
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
kid=$(sqlite3 "$T/t.db" "SELECT subject FROM tasks WHERE status='open' AND rule LIKE 'checkup.%' LIMIT 1")
hh=$(sqlite3 "$T/c.db" "SELECT household_id FROM members WHERE person_id='$kid'")
before=$(sqlite3 "$T/t.db" "SELECT rule, key FROM tasks WHERE subject='$kid' AND status='open' ORDER BY 1,2")
for bad in "$hh " "$hh\\0x" "$(echo "$hh" | tr H h)"; do
  cp "$T/c.db" "$T/bad.db"; cp "$T/t.db" "$T/t2.db"
  case $bad in *\\0x) v="'$hh' || char(0) || 'x'";; *) v="'$bad'";; esac
  sqlite3 "$T/bad.db" "UPDATE members SET household_id = $v WHERE person_id='$kid'"
  night "$T/bad.db" "$T/t2.db" 2024-10-02
  after=$(sqlite3 "$T/t2.db" "SELECT rule, key FROM tasks WHERE subject='$kid' AND status='open' ORDER BY 1,2")
  [ "$before" = "$after" ] || lose "members.household_id=$v: exit $rc, $kid's open tasks [$before] became [$after]"
done
finish
