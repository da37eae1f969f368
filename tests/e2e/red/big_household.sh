#!/bin/sh
# CHECK AFTER VOCABULARY MERGE (vocab.c/kz.lua; issue 12 "Large households").
# One household gets 50,000 contacts (a PF import that repeated a household's
# visits): the whole 300-household night took ~9 s (31 s under load) instead of ~0.1 s (the
# per-household vocabulary is quadratic in its rows). With a wall-clock
# deadline per rule call (issue 11) this household's rules would err instead.
# Bound here: 2 s (linear work on 50k rows is well under a second).
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t0.db" 2024-10-01
kid=$(sqlite3 "$T/t0.db" "SELECT subject FROM tasks WHERE rule='child.not_seen' LIMIT 1")
hh=$(sqlite3 "$T/c.db" "SELECT household_id FROM members WHERE person_id='$kid'")
sqlite3 "$T/c.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 50000)
  INSERT INTO contacts (id, household_id, person_id, agency, staff_id, kind, occurred_on, child_seen, recorded_on)
  SELECT 'TT'||i, '$hh', '$kid', 'family_consultation', 'S1', 'visit', date('2020-01-01', '+'||(i%1500)||' days'), 0,
         date('2020-01-01', '+'||(i%1500)||' days') FROM n"
s=$(date +%s.%N)
night "$T/c.db" "$T/t.db" 2024-10-01
e=$(date +%s.%N)
secs=$(echo "$e - $s" | bc)
[ "$(echo "$secs > 2" | bc)" = 0 ] || lose "one household with 50k contacts: the night took ${secs}s (exit $rc)"
finish
