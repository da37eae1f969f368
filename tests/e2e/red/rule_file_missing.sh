#!/bin/sh
# A deployment leaves checkups.lua out of the rules folder. The next nights
# run 16 rules instead of 18 with exit 0 and not a word: no new missed
# checkup is ever found, and the open checkup tasks sit as they are (never
# cleared, never escalated) -- the summary's "16 rules" is the only trace.
# Expected: every night, a warning naming each rule that has open tasks but
# is not in the rules folder.
. tests/e2e/red/lib.sh
city 400 3
night "$T/c.db" "$T/t.db" 2024-10-01
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks WHERE status = 'open' AND rule LIKE 'checkup.%'")
[ "$n" -gt 0 ] || { echo "LOST: test setup: no open checkup task" >&2; exit 1; }
cp -r "$ROOT/rules" "$T/r"
rm "$T/r/checkups.lua"
RUN="$KIZUKI run --quiet --rules $T/r"
night "$T/c.db" "$T/t.db" 2024-10-02
[ "$rc" -eq 0 ] || { echo "LOST: test setup: the second night exit $rc: $(head -n 2 "$T/err")" >&2; exit 1; }
for r in $(sqlite3 "$T/t.db" "SELECT DISTINCT rule FROM tasks WHERE status = 'open' AND rule LIKE 'checkup.%'"); do
  grep -q "rule $r," "$T/err" || lose "a night without $r (open tasks of it in the task DB) says nothing about it"
done
# the full rules folder: no such warning
RUN="$KIZUKI run --quiet --rules $ROOT/rules"
night "$T/c.db" "$T/t.db" 2024-10-03
grep -q "does not have" "$T/err" && lose "the full rules folder still warns: $(grep 'does not have' "$T/err" | head -n 1)"
finish
