#!/bin/sh
# A household with no known ward: its task goes to the profile's
# fallback_unit (city.health_center; DESIGN.md: never dropped). The report's
# index listed that unit as "プロファイルにない部署（以前の設定のタスク）" -- a
# unit of an old configuration, to be ignored -- and drew it as such in the
# ward chart; the unit's own page counted 0 tasks at every ladder step. Staff
# were told the one place these households' tasks live was stale.
# Expected: the index names them as the fallback for households with no
# known ward; the unit page's ladder counts its tasks.
. tests/e2e/red/lib.sh
city 400 3
night "$T/c.db" "$T/t0.db" 2024-10-01
hs=$(sqlite3 "$T/t0.db" "SELECT DISTINCT household_id FROM tasks WHERE agency = 'health_center' AND backlog = 0 LIMIT 3")
for h in $hs; do
  sqlite3 "$T/c.db" "DELETE FROM residences WHERE household_id = '$h'; DELETE FROM assignments WHERE household_id = '$h'"
done
night "$T/c.db" "$T/t.db" 2024-10-01
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks WHERE unit = 'city.health_center' AND status = 'open' AND backlog = 0")
[ "$n" -gt 0 ] || { echo "LOST: test setup: no task routed to city.health_center" >&2; exit 1; }
"$KIZUKI" report --tasks "$T/t.db" --out "$T/rep" --rules "$ROOT/rules" --quiet
I="$T/rep/index.html"
if grep -q 'プロファイルにない部署（以前の設定のタスク）：.*city\.health_center' "$I"; then
  lose "index.html lists city.health_center ($n task(s) of households with no known ward) as a unit of an old profile"
fi
grep -q 'data-key="other"' "$I" && lose "the ward chart counts the fallback unit's tasks as プロファイルにない部署"
U="$T/rep/city.health_center.html"
ladder=$(grep -o 'data-agency="health_center" data-level="[0-9]*" data-count="[0-9]*"' "$U" \
  | sed 's/.*data-count="\([0-9]*\)"/\1/' | awk '{s += $1} END {print s + 0}')
[ "$ladder" -eq "$n" ] || lose "city.health_center.html: the ladder counts $ladder of its $n open task(s)"
finish
