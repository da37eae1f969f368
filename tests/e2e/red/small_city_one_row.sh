#!/bin/sh
# A town (or a one-ward extract) of 60 households; one contact's occurred_on
# is '2024-9-1'. quarantine_max_share is 1%, and 1 of 60 is 1.67%: "the
# extract looks broken", exit 4, nothing written -- every household's night
# stops over one row (issue 12: "One bad row stops the city"). Under 100
# households ANY single bad row does this, every night until the PF fixes it.
# Owner: quarantine.c/profile.c (a floor, e.g. quarantine_min_households).
. tests/e2e/red/lib.sh
city 60 2
night "$T/c.db" "$T/t.db" 2024-10-01
sqlite3 "$T/c.db" "PRAGMA ignore_check_constraints=1;
  UPDATE contacts SET occurred_on='2024-9-1' WHERE rowid=(SELECT min(rowid) FROM contacts)"
night "$T/c.db" "$T/t.db" 2024-10-02
[ "$rc" -eq 8 ] || lose "one bad row in a 60-household city: exit $rc, no household evaluated: $(head -1 "$T/err")"
finish
