#!/bin/sh
# tests/e2e/hostile_night.sh — no rule can harm the night (issue #11).
#
# One generated city, two clean nights with rules/ (2024-10-01, 10-02), and a
# digest of every task and task event of the rules. Then for each night file
# tests/rules/night/*.lua (rule ids hostile.*, header `-- expect-exit: N`):
# night 1 clean, night 2 with the file added to a copy of rules/, and
#   (a) the other rules' tasks and events equal the clean night's,
#   (b) the run ends within 60 s (the seconds are printed),
#   (c) the exit code is the file's expect-exit (2: refused at load, and the
#       task DB is as night 1 left it),
#   (d) stderr is under 64 KiB, at most 40 lines, with no raw control
#       character.
# Last, a rule that worked on night 1 and fails everywhere on night 2 is
# suspended, and its open tasks of night 1 stay open.
# HOSTILE_HOUSEHOLDS sets the size of the city (default 1500).
set -eu
. tests/e2e/lib/common.sh

HH=${HOSTILE_HOUSEHOLDS:-1500}
N1=2024-10-01
N2=2024-10-02
"$KIZUKI" gen --households "$HH" --seed 11 --out "$T/city.db" --force --quiet

# night RULES TASKS DATE: one nightly run, stdout to $T/out, stderr to $T/err,
# exit code in $rc, wall seconds in $secs.
night() {
  t0=$(date +%s%N)
  set +e
  timeout 60 "$KIZUKI" run --cases "$T/city.db" --tasks "$2" --as-of "$3" --rules "$1" --quiet \
    >"$T/out" 2>"$T/err"
  rc=$?
  set -e
  t1=$(date +%s%N)
  secs=$(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / 1e9 }")
}

# others_digest TASKS.db: every task and task event of the rules that are not
# hostile.*, by (rule, subject, key) so that tasks a hostile rule opened in
# between change nothing.
others_digest() {
  sqlite3 "$1" "SELECT rule, subject, key, household_id, agency, ward, unit, severity, level, status,
                       since, opened_on, due_on, last_seen_on, cleared_on, reason, evidence
                FROM tasks WHERE rule NOT LIKE 'hostile.%' ORDER BY rule, subject, key;
                SELECT t.rule, t.subject, t.key, e.run_id, e.on_date, e.event, e.unit, e.level, e.due_on
                FROM task_events e JOIN tasks t ON t.id = e.task_id
                WHERE t.rule NOT LIKE 'hostile.%' ORDER BY t.rule, t.subject, t.key, e.id" | md5sum
}
whole_digest() {
  echo "$(tasks_digest "$1") $(events_digest "$1") $(sqlite3 "$1" 'SELECT count(*) FROM runs')"
}

# The clean nights.
night rules "$T/clean.db" $N1
same "clean night 1 exit" "$rc" 0
cp "$T/clean.db" "$T/night1.db"
night1_whole=$(whole_digest "$T/night1.db")
night rules "$T/clean.db" $N2
same "clean night 2 exit" "$rc" 0
clean=$(others_digest "$T/clean.db")
tasks=$(sqlite3 "$T/clean.db" "SELECT count(*) FROM tasks")
echo "hostile_night: $HH households, $tasks tasks after two clean nights"

for f in tests/rules/night/*.lua; do
  name=$(basename "$f" .lua)
  want=$(sed -n 's/^-- expect-exit: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
  if [ -z "$want" ]; then bad "$name: no '-- expect-exit: N' header line"; continue; fi
  rm -rf "$T/r" && cp -r rules "$T/r" && cp "$f" "$T/r/zz_night_$name.lua"
  cp "$T/night1.db" "$T/h.db"
  night "$T/r" "$T/h.db" $N2
  echo "hostile_night: $name: exit $rc in $secs s, stderr $(wc -l <"$T/err") lines"
  # (b) bounded time: timeout says 124
  if [ "$rc" -eq 124 ]; then bad "$name: still running after 60 s"; continue; fi
  # (c) the exit the file expects
  if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, expected $want"; head -c 2000 "$T/err" >&2; fi
  # (a) the other rules' tasks and events as on a clean night (or nothing
  # written at all when the rules were refused)
  if [ "$want" -eq 2 ]; then
    same "$name: refused, the task DB as night 1 left it" "$(whole_digest "$T/h.db")" "$night1_whole"
    expect "$name: the refusal names the file" "$T/err" "zz_night_$name.lua:"
  else
    same "$name: the other rules' tasks and events" "$(others_digest "$T/h.db")" "$clean"
    n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM runs WHERE as_of = '$N2' AND finished_at IS NOT NULL")
    same "$name: the night is written" "$n" 1
  fi
  # (d) stderr bounded, no raw control characters (a forged line, a
  # terminal escape), a few lines per rule
  size=$(wc -c <"$T/err")
  if [ "$size" -lt 65536 ]; then ok; else bad "$name: stderr is $size bytes"; fi
  lines=$(wc -l <"$T/err")
  if [ "$lines" -le 40 ]; then ok; else bad "$name: stderr has $lines lines"; head -n 5 "$T/err" >&2; fi
  ctl=$(LC_ALL=C tr -d '\n\t\040-\176\200-\377' <"$T/err" | wc -c)
  same "$name: raw control characters on stderr" "$ctl" 0
  if [ "$want" -eq 3 ]; then
    big=$(sqlite3 "$T/h.db" "SELECT count(*) FROM run_errors WHERE length(CAST(message AS BLOB)) > 1200
                              OR message GLOB '*[$(printf '\001-\037')]*'")
    same "$name: run_errors messages bounded and escaped" "$big" 0
  fi
done

# A rule that worked on night 1 and errs everywhere on night 2: suspended,
# and its open tasks of night 1 stay open (neither kept nor cleared).
keep_rule() {
  cat <<EOF
-- hostile.keeps: a task for every household whose id ends in 7; on night 2
-- it fails in every household.
rule {
  id = "hostile.keeps", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 5,
  check = function(hh, p)
    $1
    if hh.id:sub(-1) == "7" then
      return kz.finding { since = kz.today, reason = "世帯 " .. hh.id, evidence = { hh } }
    end
  end,
}
EOF
}
rm -rf "$T/r" && cp -r rules "$T/r"
keep_rule "" >"$T/r/zz_keeps.lua"
rm -f "$T/k.db"
night "$T/r" "$T/k.db" $N1
same "keeps: night 1 exit" "$rc" 0
opened=$(sqlite3 "$T/k.db" "SELECT count(*) FROM tasks WHERE rule = 'hostile.keeps' AND status = 'open'")
if [ "$opened" -gt 10 ]; then ok; else bad "keeps: night 1 opened only $opened tasks"; fi
keep_rule 'if kz.today > "2024-10-01" then error("broken on night 2") end' >"$T/r/zz_keeps.lua"
night "$T/r" "$T/k.db" $N2
same "keeps: night 2 exit" "$rc" 3
same "keeps: night 1's tasks still open, untouched" \
  "$(sqlite3 "$T/k.db" "SELECT count(*) FROM tasks WHERE rule = 'hostile.keeps' AND status = 'open'
                        AND last_seen_on = '$N1'")" "$opened"
same "keeps: no event on night 2" \
  "$(sqlite3 "$T/k.db" "SELECT count(*) FROM task_events e JOIN tasks t ON t.id = e.task_id
                        WHERE t.rule = 'hostile.keeps' AND e.on_date = '$N2'")" 0
expect "keeps: the summary marks it" "$T/out" "suspended"
expect "keeps: stderr says so once" "$T/err" "rule hostile.keeps: rule suspended for the rest of the run"
same "keeps: the suspension is in run_errors" \
  "$(sqlite3 "$T/k.db" "SELECT count(*) FROM run_errors WHERE rule = 'hostile.keeps' AND subject IS NULL
                        AND message LIKE 'rule suspended%'")" 1
same "keeps: the other rules as on a clean night" "$(others_digest "$T/k.db")" "$clean"

summary hostile_night
