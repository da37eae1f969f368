#!/bin/sh
# tests/e2e/threads.sh — the prefetch thread changes nothing but speed: over
# a generated city, three nights run with the default second thread and with
# --one-thread give the same summaries, the same tasks and the same task
# events; a row naming no household is quarantined the same way (exit 8, the
# same message, the same tasks) whether it comes first or after many
# households.
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/threads.sh
set -eu

. tests/e2e/lib/common.sh

CASES=$T/city.db
"$KIZUKI" gen --quiet --households 3000 --seed 11 --out "$CASES" >/dev/null

check "run --help names --one-thread" 0 "$KIZUKI" run --help
expect "run --help" "$T/out" "--one-thread"

for day in 2024-09-20 2024-10-01 2024-10-02; do
  check "threaded run $day" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/two.db" --as-of $day
  mv "$T/out" "$T/two-$day.txt"
  check "one-thread run $day" 0 "$KIZUKI" run --quiet --one-thread --cases "$CASES" --tasks "$T/one.db" --as-of $day
  mv "$T/out" "$T/one-$day.txt"
  if cmp -s "$T/two-$day.txt" "$T/one-$day.txt"; then ok; else bad "summaries differ on $day"; diff "$T/two-$day.txt" "$T/one-$day.txt" | head >&2; fi
done
expect "the city opened tasks" "$T/two-2024-10-01.txt" "total"
n=$(sqlite3 "$T/two.db" "SELECT count(*) FROM tasks")
if [ "$n" -gt 30 ]; then ok; else bad "only $n tasks: the comparison says little"; fi
same "the same tasks" "$(tasks_digest "$T/two.db")" "$(tasks_digest "$T/one.db")"
same "the same task events" "$(events_digest "$T/two.db")" "$(events_digest "$T/one.db")"

# A row naming a household that does not exist, late in the pass (the thread
# has read far ahead) and first of all: charged to the id it names the same
# way with and without the thread (exit 8, named, the same tasks).
check "a clean first run" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/fresh.db" --as-of 2024-10-01
for where in late early; do
  cp "$CASES" "$T/bad-$where.db"
  if [ $where = late ]; then hh=$(sqlite3 "$CASES" "SELECT id || 'x' FROM households ORDER BY id LIMIT 1 OFFSET 2500")
  else hh=0; fi
  sqlite3 "$T/bad-$where.db" "INSERT INTO reviews (id, household_id, forum, reviewed_on) VALUES ('V-BAD','$hh','progress','2024-01-01')"
  for mode in "" --one-thread; do
    rm -f "$T/bad$mode.db"
    check "bad row $where $mode" 8 "$KIZUKI" run --quiet $mode --cases "$T/bad-$where.db" --tasks "$T/bad$mode.db" --as-of 2024-10-01
    expect "bad row $where $mode named" "$T/err" "reviews V-BAD of household $hh: '$hh' names a household that is not in households"
  done
  same "bad row $where: the same tasks" "$(tasks_digest "$T/bad.db")" "$(tasks_digest "$T/bad--one-thread.db")"
  same "bad row $where: the tasks of a clean run" "$(tasks_digest "$T/bad.db")" "$(tasks_digest "$T/fresh.db")"
done

summary threads
