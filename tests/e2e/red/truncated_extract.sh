#!/bin/sh
# A PF extract cut short (a copy that stopped at 70%, a failed export that
# left the last wards out): the missing households' rows are simply not
# there. Every open task of theirs is CLEARED, exit 0 -- as if every child
# had been seen. Nothing compares tonight's households with the task DB's.
# UNFIXED (run.c/task_store.c): count the open tasks whose household is not
# in tonight's extract at all; over quarantine_max_share of the households
# with tasks -> exit 4 "the extract looks truncated", nothing written (and
# a single vanished household: keep its tasks, report it in run_issues).
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
open1=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks WHERE status='open'")
sqlite3 "$T/c.db" "PRAGMA foreign_keys=0; DELETE FROM households WHERE id > 'H0000210'"
for tab in members residences welfare assignments council contacts assessments reviews reports transfers; do
  sqlite3 "$T/c.db" "DELETE FROM $tab WHERE household_id > 'H0000210'"; done
night "$T/c.db" "$T/t.db" 2024-10-02
cl=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks WHERE status='cleared'")
[ "$cl" -eq 0 ] || lose "extract cut at 70%: exit $rc, $cl of $open1 open tasks cleared (their households are not in the extract)"
finish
