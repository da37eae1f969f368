#!/bin/sh
# tests/e2e/needs.sh — a rule's `needs` only saves work: over a generated
# city, three nights with the rules as they are and with every `needs` line
# taken out give the same summaries, tasks and task events, every rule that
# declares needs opens tasks in that city (so the comparison is not empty
# for it), and `kizuki diff` between the two rule sets — how a supervisor
# checks a new `needs` against the real city — shows no difference.
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/needs.sh
set -eu

. tests/e2e/lib/common.sh

CASES=$T/city.db
"$KIZUKI" gen --quiet --households 10000 --seed 2019 --out "$CASES" >/dev/null
cp -r "$ROOT/rules" "$T/plain"
sed -i '/^  needs = /d' "$T/plain"/*.lua
same "needs lines taken out" "$(grep -c '^  needs = ' "$T/plain"/*.lua | awk -F: '{s += $2} END {print s}')" 0
declared=$(grep -h -B20 '^  needs = ' rules/*.lua | sed -n 's/^  id = "\(.*\)",$/\1/p' | sort -u)
if [ "$(echo "$declared" | wc -l)" -ge 10 ]; then ok; else bad "only $(echo "$declared" | wc -l) rules declare needs"; fi

for day in 2024-09-01 2024-10-01 2024-10-20; do
  check "run with needs $day" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/needs.db" --as-of $day
  mv "$T/out" "$T/needs-$day.txt"
  check "run without needs $day" 0 "$KIZUKI" run --quiet --rules "$T/plain" --cases "$CASES" --tasks "$T/plain.db" --as-of $day
  mv "$T/out" "$T/plain-$day.txt"
  if cmp -s "$T/needs-$day.txt" "$T/plain-$day.txt"; then ok; else bad "summaries differ on $day"; diff "$T/needs-$day.txt" "$T/plain-$day.txt" | head >&2; fi
done
same "the same tasks" "$(tasks_digest "$T/needs.db")" "$(tasks_digest "$T/plain.db")"
same "the same task events" "$(events_digest "$T/needs.db")" "$(events_digest "$T/plain.db")"
for r in $declared; do
  n=$(sqlite3 "$T/needs.db" "SELECT count(*) FROM tasks WHERE rule = '$r'")
  if [ "$n" -gt 0 ]; then ok; else bad "$r opened no task in the city: the comparison says nothing of its needs"; fi
done

check "diff of the two rule sets" 0 "$KIZUKI" diff --quiet --rules "$T/plain" --base-rules rules --cases "$CASES" --as-of 2024-10-01
expect "diff shows no difference" "$T/out" "total: 0 would open, 0 would no longer open, 0 would open differently"

summary needs
