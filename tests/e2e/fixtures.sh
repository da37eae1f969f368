#!/bin/sh
# fixtures.sh — end-to-end checks of `kizuki test` and `kizuki replay`:
# a wrong expectation fails (exit 1) naming the run and the task; a typo'd
# column fails to load (exit 2) naming file:line and the suggestion; a rule
# that raises an error fails the fixture naming the rule's file:line; the 2019
# case replays into a timeline; --format json parses.
#
# Run from the repo root: KIZUKI=/abs/path/to/kizuki sh tests/e2e/fixtures.sh
set -eu

: "${KIZUKI:?set KIZUKI to the kizuki binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kizuki-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; sed 's/^/     | /' "$TMP/out" | head -40; }

# has TEXT: the last command's output holds TEXT (fixed string).
has() { grep -qF -- "$1" "$TMP/out"; }

# run_kz CMD...: run kizuki, output in $TMP/out, exit code in $rc.
run_kz() {
  rc=0
  "$KIZUKI" "$@" >"$TMP/out" 2>&1 || rc=$?
}

# json_ok FILE: the file is one valid JSON document.
json_ok() {
  [ "$(sqlite3 :memory: "select json_valid(readfile('$1'))")" = 1 ]
}

# 1. The fixtures of the repo pass.
run_kz test fixtures/
if [ "$rc" = 0 ] && tail -n 1 "$TMP/out" | grep -Eq '^[0-9]+ passed, 0 failed$'; then
  ok "kizuki test fixtures/ passes"
else
  bad "kizuki test fixtures/ passes (exit $rc)"
fi

# 2. A wrong expectation: exit 1, naming the run, the missing and the unexpected task.
sed 's/unit: kita.health_center,$/unit: nishi.health_center,/' fixtures/checkup-missed.yaml \
  >"$TMP/wrong.yaml"
grep -q 'nishi.health_center' "$TMP/wrong.yaml"
run_kz test "$TMP/wrong.yaml"
if [ "$rc" = 1 ] && has "run 2 (as_of 2024-07-30, $TMP/wrong.yaml:" &&
   has "missing:    {rule: checkup.missed, subject: C1, key: K1, unit: nishi.health_center" &&
   has "unexpected: {rule: checkup.missed, subject: C1, key: K1, unit: kita.health_center" &&
   tail -n 1 "$TMP/out" | grep -qx '0 passed, 1 failed'; then
  ok "a wrong expectation fails with exit 1, naming the run and the tasks"
else
  bad "a wrong expectation fails with exit 1 (exit $rc)"
fi

# 3. A typo'd column: exit 2, file:line:col and the suggestion.
sed 's/scheduled_on: 2024-07-16, attended_on/scheduled: 2024-07-16, attended_on/' \
  fixtures/checkup-missed.yaml >"$TMP/typo.yaml"
line=$(grep -n 'scheduled: 2024-07-16' "$TMP/typo.yaml" | cut -d: -f1)
run_kz test "$TMP/typo.yaml"
if [ "$rc" = 2 ] && has "$TMP/typo.yaml:$line:" &&
   has "unknown column 'scheduled' in table checkups (did you mean 'scheduled_on'?)" &&
   tail -n 1 "$TMP/out" | grep -qx '0 passed, 1 failed'; then
  ok "a typo'd column fails with exit 2 at file:line with the suggestion"
else
  bad "a typo'd column fails with exit 2 (exit $rc)"
fi

# 4. A rule that raises an error: the fixture fails, naming the rule's file:line.
mkdir "$TMP/rules"
cp rules/*.lua rules/kizuki.yaml "$TMP/rules/"
cat >"$TMP/rules/broken.lua" <<'EOF'
-- A rule that always errs, for the e2e test.
rule {
  id = "test.broken", label = "壊れた規則", title = "壊れた規則",
  subject = "child", agency = "health_center", severity = "low", due = 1,
  check = function(child, hh, p)
    error("deliberately broken")
  end,
}
EOF
run_kz test --rules "$TMP/rules" fixtures/checkup-missed.yaml
if [ "$rc" = 1 ] && has "rule error: $TMP/rules/broken.lua:6: rule test.broken, subject C1" &&
   has "deliberately broken"; then
  ok "a rule error fails the fixture, naming the rule's file:line"
else
  bad "a rule error fails the fixture (exit $rc)"
fi

# 4b. A rule whose `needs` are wrong: in tests it runs where they are unmet
# too, and finding something there fails the fixture, saying what to change.
mkdir "$TMP/rules-needs"
cp rules/*.lua rules/kizuki.yaml "$TMP/rules-needs/"
sed -i 's/  needs = { "welfare" },/  needs = { "welfare", "reports" },/' "$TMP/rules-needs/welfare.lua"
run_kz test --rules "$TMP/rules-needs" fixtures/welfare-ended.yaml
if [ "$rc" = 1 ] && grep -q 'needs = { "welfare", "reports" }' "$TMP/rules-needs/welfare.lua" &&
   has "rule welfare.ended, subject H1: the rule declares needs \"reports\", but found something in a household without reports records"; then
  ok "a rule that finds something where its needs are unmet fails the fixture"
else
  bad "wrong needs are caught by kizuki test (exit $rc)"
fi

# 5. --run selects fixtures by name or file.
run_kz test --run 'lifecycle-*' fixtures/
n=$(grep -c '^ok ' "$TMP/out" || true)
if [ "$rc" = 0 ] && [ "$n" -ge 7 ] && ! has 'checkup-missed.yaml'; then
  ok "--run selects fixtures"
else
  bad "--run selects fixtures (exit $rc, $n ok)"
fi

# 6. The 2019 case replays into a timeline.
run_kz replay fixtures/sapporo-2019.yaml
if [ "$rc" = 0 ] &&
   grep -Eq '^2017-10-31 +opened +checkup.missed +C2019 +higashi.health_center ' "$TMP/out" &&
   grep -Eq '^2018-06-14 +cleared +checkup.missed +C2019 ' "$TMP/out" &&
   grep -Eq '^2019-02-28 +opened +welfare.ended +H2019 +higashi.health_center ' "$TMP/out" &&
   has 'open tasks as of 2019-06-05:'; then
  ok "kizuki replay prints the 2019 timeline"
else
  bad "kizuki replay prints the 2019 timeline (exit $rc)"
fi

# 7. A rule error during a replay: it finishes, lists the error once, exits 3.
run_kz replay --rules "$TMP/rules" --from 2024-07-20 --to 2024-07-25 fixtures/checkup-missed.yaml
if [ "$rc" = 3 ] && has "broken.lua:6: rule test.broken" && has "(6 days, 2024-07-20 .. 2024-07-25)"; then
  ok "a rule error during replay exits 3 after finishing"
else
  bad "a rule error during replay exits 3 (exit $rc)"
fi

# 8. --format json parses, for test and for replay.
"$KIZUKI" test --format json fixtures/ >"$TMP/test.json" 2>"$TMP/test.err" || true
"$KIZUKI" test --format json "$TMP/wrong.yaml" >"$TMP/wrong.json" 2>/dev/null || true
"$KIZUKI" replay --format json fixtures/sapporo-2019.yaml >"$TMP/replay.json"
if json_ok "$TMP/test.json" && json_ok "$TMP/wrong.json" && json_ok "$TMP/replay.json" &&
   grep -Eq '^[0-9]+ passed, 0 failed$' "$TMP/test.err" &&
   [ "$(sqlite3 :memory: "select json_extract(readfile('$TMP/wrong.json'), '\$.failed')")" = 1 ] &&
   [ "$(sqlite3 :memory: "select count(*) from json_each(readfile('$TMP/replay.json'), '\$.events')
        where json_extract(value, '\$.event') = 'opened'")" -ge 2 ]; then
  ok "--format json parses"
else
  cp "$TMP/test.err" "$TMP/out"
  bad "--format json parses"
fi

# 9. Replay of a PF case DB, one household, never touching a task DB.
sqlite3 "$TMP/pf.db" <schema/cases.sql
sqlite3 "$TMP/pf.db" "
  INSERT INTO households (id) VALUES ('H1'), ('H2');
  INSERT INTO persons (id, birth_on) VALUES ('C1', '2023-01-10'), ('C2', '2023-01-10');
  INSERT INTO members VALUES ('H1', 'C1', 'child', '2023-01-10', NULL, NULL),
                             ('H2', 'C2', 'child', '2023-01-10', NULL, NULL);
  INSERT INTO residences VALUES ('R1', 'H1', 'sapporo', 'kita', '2023-01-10', NULL, NULL),
                                ('R2', 'H2', 'sapporo', 'nishi', '2023-01-10', NULL, NULL);
  INSERT INTO checkups VALUES ('K1', 'C1', '18m', '2024-07-16', NULL, '2024-07-16'),
                              ('K2', 'C2', '18m', '2024-07-16', NULL, '2024-07-16');"
run_kz replay --cases "$TMP/pf.db" --from 2024-07-25 --to 2024-08-05 --household H1
if [ "$rc" = 0 ] && grep -Eq '^2024-07-30 +opened +checkup.missed +C1 +kita.health_center' "$TMP/out" &&
   ! has ' C2 ' && [ ! -e "$TMP/tasks.db" ]; then
  ok "kizuki replay --cases --household"
else
  bad "kizuki replay --cases --household (exit $rc)"
fi

echo "e2e fixtures: $passed passed, $failed failed"
[ "$failed" = 0 ]
