#!/bin/sh
# A child with an open checkup.missed task moves (members row) to another
# household, where checkup.missed raises an error tonight (a careless rule
# edit that fails on one household). A rule's error keeps that rule's tasks
# of the household it erred in, but the task remembers the OLD household,
# which is evaluated without the child: the task is CLEARED (exit 3).
# Owner: run.c/task_store.c (errored is keyed by household, not subject).
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
kid=$(sqlite3 "$T/t.db" "SELECT subject FROM tasks WHERE status='open' AND rule='checkup.missed' LIMIT 1")
hh=$(sqlite3 "$T/c.db" "SELECT household_id FROM members WHERE person_id='$kid'")
to=$(sqlite3 "$T/c.db" "SELECT id FROM households WHERE id > '$hh' ORDER BY id LIMIT 1")
cp -r "$ROOT/rules" "$T/rules"
sed -i "s/^  check = function(child, hh, p)\$/&\n    if hh.id == \"$to\" then error(\"careless edit\") end/" "$T/rules/checkups.lua"
grep -q "careless edit" "$T/rules/checkups.lua" || { echo "patch failed" >&2; exit 2; }
sqlite3 "$T/c.db" "UPDATE members SET household_id='$to' WHERE person_id='$kid'"
set +e; $KIZUKI run --quiet --rules "$T/rules" --cases "$T/c.db" --tasks "$T/t.db" --as-of 2024-10-02 >/dev/null 2>"$T/err"; rc=$?; set -e
st=$(sqlite3 "$T/t.db" "SELECT status FROM tasks WHERE subject='$kid' AND rule='checkup.missed'")
[ "$rc" -eq 3 ] || lose "exit $rc, expected 3"
[ "$st" = open ] || lose "$kid moved $hh -> $to, checkup.missed erred in $to: her checkup.missed task is '$st' (kept open expected)"
finish
