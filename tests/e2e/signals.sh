#!/bin/sh
# tests/e2e/signals.sh — a run stuck inside one rule call: SIGTERM and SIGINT
# stop it within about a second, exit 7, and the task DB is as it was; the
# wall-clock limit per call ends a call the instruction budget would let go
# on; `kizuki check` ends on a rule file whose finalizer would loop.
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/signals.sh
set -eu

. tests/e2e/lib/common.sh

CASES=$T/cases.db
"$KIZUKI" gen --households 40 --seed 11 --out "$CASES" --quiet

# rules_with DIR BUDGET SECONDS FILE...: the city's rules and profile, with
# the given sandbox limits, plus the hostile rule files given.
rules_with() {
  dir=$1 budget=$2 secs=$3
  shift 3
  mkdir -p "$dir"
  cp "$ROOT"/rules/*.lua "$dir"/
  sed -e "s/^  instructions: .*/  instructions: $budget/" \
      -e "s/^  seconds_per_call: .*/  seconds_per_call: $secs/" "$ROOT/rules/kizuki.yaml" >"$dir/kizuki.yaml"
  for f in "$@"; do cp "$f" "$dir"/; done
}

cat >"$T/stuck_loop.lua" <<'EOF'
-- A rule that never returns: only a signal or the clock ends it.
rule {
  id = "hostile.stuck_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p) local n = 0 while true do n = n + 1 end end,
}
EOF
cat >"$T/stuck_compare.lua" <<'EOF'
-- A rule that compares two 16 MB strings again and again: milliseconds an
-- instruction, so the count hook comes only every few seconds.
local a, b = ("x"):rep(16000000) .. "a", ("x"):rep(16000000) .. "b"
rule {
  id = "hostile.stuck_compare", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p) while a < b do end end,
}
EOF

TASKS=$T/tasks.db
check "a clean night" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of 2024-08-05
BEFORE=$(tasks_digest "$TASKS")
RUNS_BEFORE=$(sqlite3 "$TASKS" "SELECT count(*) FROM runs")

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# stop_stuck NAME SIGNAL RULES: start a night on RULES, let it get stuck in
# its first household, send SIGNAL, and check the exit and the task DB.
stop_stuck() {
  name=$1 sig=$2 rules=$3
  "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of 2024-08-06 --rules "$rules" \
    >"$T/out" 2>"$T/err" &
  pid=$!
  sleep 2
  if ! kill -0 "$pid" 2>/dev/null; then bad "$name: the run ended before the signal"; return; fi
  t0=$(now_ms)
  kill -"$sig" "$pid"
  set +e
  wait "$pid"
  got=$?
  set -e
  took=$(( $(now_ms) - t0 ))
  echo "  $name: exit $got, ${took} ms after SIG$sig"
  same "$name: exit code" "$got" 7
  if [ "$took" -le 1500 ]; then ok; else bad "$name: took $took ms after SIG$sig (expected about 1 s)"; fi
  expect "$name: told" "$T/err" "interrupted: the run was stopped; nothing was written"
  same "$name: tasks unchanged" "$(tasks_digest "$TASKS")" "$BEFORE"
  same "$name: no run recorded" "$(sqlite3 "$TASKS" "SELECT count(*) FROM runs")" "$RUNS_BEFORE"
}

# {====== Signals inside one rule call ======
# A budget of 10^15 instructions and an hour a call: nothing but the signal
# stops these.
rules_with "$T/r_loop" 1000000000000000 3600 "$T/stuck_loop.lua"
stop_stuck "loop, SIGTERM" TERM "$T/r_loop"
stop_stuck "loop, SIGINT" INT "$T/r_loop"
rules_with "$T/r_compare" 1000000000000000 3600 "$T/stuck_compare.lua"
stop_stuck "string compares, SIGTERM" TERM "$T/r_compare"
# }======

# {====== The wall clock backs up the budget ======
rules_with "$T/r_clock" 1000000000000000 0.5 "$T/stuck_loop.lua"
TASKS2=$T/tasks2.db
CLEAN2=$T/clean2.db
SMALL=$T/small.db
"$KIZUKI" gen --households 8 --seed 11 --out "$SMALL" --quiet
check "clean night for the clock" 0 "$KIZUKI" run --quiet --cases "$SMALL" --tasks "$CLEAN2" --as-of 2024-08-05
check "a night with a rule the clock stops" 3 timeout 300 "$KIZUKI" run --quiet --cases "$SMALL" \
  --tasks "$TASKS2" --as-of 2024-08-05 --rules "$T/r_clock"
expect "clock: the rule's error" "$T/err" "rule hostile.stuck_loop, subject H"
expect "clock: the limit named" "$T/err" "wall-clock limit of 0.5 s per call exceeded"
# (every household's call ends by the clock, unless a circuit breaker
# suspends the rule first: at least one did)
same "clock: the calls ended by the clock" \
  "$(sqlite3 "$TASKS2" "SELECT count(*) > 0 FROM run_errors WHERE rule = 'hostile.stuck_loop' AND
                        message LIKE '%wall-clock limit%'")" 1
same "clock: the other rules' tasks as on a clean night" \
  "$(sqlite3 "$TASKS2" "SELECT rule, subject, key, unit, reason, evidence FROM tasks ORDER BY rule, subject, key" | md5sum)" \
  "$(sqlite3 "$CLEAN2" "SELECT rule, subject, key, unit, reason, evidence FROM tasks ORDER BY rule, subject, key" | md5sum)"
# }======

# {====== kizuki check ends on a finalizer that would loop ======
mkdir -p "$T/r_gc"
cp "$ROOT/rules/kizuki.yaml" "$T/r_gc/"
cat >"$T/r_gc/gc.lua" <<'EOF'
-- A finalizer that loops, made when the file loads: it used to run at
-- lua_close, after everything, and `kizuki check` never ended.
local keep = setmetatable({}, { __gc = function() while true do end end })
EOF
check "check: a __gc hang" 2 timeout 60 "$KIZUKI" check "$T/r_gc"
expect "check: __gc refused" "$T/err" "gc.lua:3: setmetatable: metatable field '__gc' is not allowed in rules"
check "run: a __gc hang" 2 timeout 60 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/t_gc.db" \
  --as-of 2024-08-05 --rules "$T/r_gc"
# }======

summary signals
