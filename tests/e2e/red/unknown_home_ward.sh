#!/bin/sh
# The PF starts using a ward code the profile does not have yet (a new ward,
# a renamed code). Rules that let the router find the household's ward fall
# back as DESIGN.md says ("a finding whose household has no known ward is
# routed by the profile's fallback, never dropped and never a rule error").
# But move.out_of_city names the ward itself (ward = hh:ward()): "cannot
# route agency 'family_consultation' in ward 'newward'", a rule error every
# night (exit 3), and the household's hand-over task was never opened.
# Expected: the household's own unknown ward takes the fallback, like every
# other rule's finding; exit 0.
. tests/e2e/red/lib.sh
city 400 3
night "$T/c.db" "$T/t0.db" 2024-10-01
h=$(sqlite3 "$T/t0.db" "SELECT household_id FROM tasks WHERE rule = 'move.out_of_city' LIMIT 1")
[ -n "$h" ] || { echo "LOST: test setup: no move.out_of_city task" >&2; exit 1; }
sqlite3 "$T/c.db" "UPDATE residences SET ward = 'newward' WHERE household_id = '$h' AND ward IS NOT NULL"
night "$T/c.db" "$T/t.db" 2024-10-01
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks WHERE rule = 'move.out_of_city' AND household_id = '$h'")
[ "$n" -eq 1 ] || lose "household $h in ward 'newward': its move.out_of_city task was not opened (exit $rc: $(grep -m 1 'cannot route' "$T/err"))"
[ "$rc" -eq 0 ] || lose "exit $rc, not 0: $(head -n 1 "$T/err")"
finish
