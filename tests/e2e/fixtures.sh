#!/bin/sh
# fixtures.sh — end-to-end checks of `kizuki test` and `kizuki replay`:
# a wrong expectation fails (exit 1) naming the run and the task; a typo'd
# column fails to load (exit 2) naming file:line and the suggestion; a rule
# that raises an error fails the fixture naming the rule's file:line; the 2019
# case replays into a timeline; --format json parses.
#
# Run from the repo root: KIZUKI=/abs/path/to/kizuki sh tests/e2e/fixtures.sh
set -eu

. tests/e2e/lib/common.sh

# has TEXT: the last command's output holds TEXT (fixed string).
has() { grep -qF -- "$1" "$T/out"; }

# run_kz CMD...: run kizuki, output in $T/out, exit code in $rc.
run_kz() {
  rc=0
  "$KIZUKI" "$@" >"$T/out" 2>&1 || rc=$?
}

# json_ok FILE: the file is one valid JSON document.
json_ok() {
  [ "$(sqlite3 :memory: "select json_valid(readfile('$1'))")" = 1 ]
}

# 1. The fixtures of the repo pass.
run_kz test fixtures/
if [ "$rc" = 0 ] && tail -n 1 "$T/out" | grep -Eq '^[0-9]+ passed, 0 failed$'; then
  ok "kizuki test fixtures/ passes"
else
  bad "kizuki test fixtures/ passes (exit $rc)"; show "$T/out"
fi

# 2. A wrong expectation: exit 1, naming the run, the missing and the unexpected task.
sed 's/unit: kita.health_center,$/unit: nishi.health_center,/' fixtures/checkup-missed.yaml \
  >"$T/wrong.yaml"
grep -q 'nishi.health_center' "$T/wrong.yaml"
run_kz test "$T/wrong.yaml"
if [ "$rc" = 1 ] && has "run 2 (as_of 2024-07-30, $T/wrong.yaml:" &&
   has "missing:    {rule: checkup.missed, subject: C1, key: K1, unit: nishi.health_center" &&
   has "unexpected: {rule: checkup.missed, subject: C1, key: K1, unit: kita.health_center" &&
   tail -n 1 "$T/out" | grep -qx '0 passed, 1 failed'; then
  ok "a wrong expectation fails with exit 1, naming the run and the tasks"
else
  bad "a wrong expectation fails with exit 1 (exit $rc)"; show "$T/out"
fi

# 3. A typo'd column: exit 2, file:line:col and the suggestion.
sed 's/scheduled_on: 2024-07-16, attended_on/scheduled: 2024-07-16, attended_on/' \
  fixtures/checkup-missed.yaml >"$T/typo.yaml"
line=$(grep -n 'scheduled: 2024-07-16' "$T/typo.yaml" | cut -d: -f1)
run_kz test "$T/typo.yaml"
if [ "$rc" = 2 ] && has "$T/typo.yaml:$line:" &&
   has "unknown column 'scheduled' in table checkups (did you mean 'scheduled_on'?)" &&
   tail -n 1 "$T/out" | grep -qx '0 passed, 1 failed'; then
  ok "a typo'd column fails with exit 2 at file:line with the suggestion"
else
  bad "a typo'd column fails with exit 2 (exit $rc)"; show "$T/out"
fi

# 4. A rule that raises an error: the fixture fails, naming the rule's file:line.
mkdir "$T/rules"
cp rules/*.lua rules/kizuki.yaml "$T/rules/"
cat >"$T/rules/broken.lua" <<'EOF'
-- A rule that always errs, for the e2e test.
rule {
  id = "test.broken", label = "壊れた規則", title = "壊れた規則",
  subject = "child", agency = "health_center", severity = "low", due = 1,
  check = function(child, hh, p)
    error("deliberately broken")
  end,
}
EOF
run_kz test --rules "$T/rules" fixtures/checkup-missed.yaml
if [ "$rc" = 1 ] && has "rule error: $T/rules/broken.lua:6: rule test.broken, subject C1" &&
   has "deliberately broken"; then
  ok "a rule error fails the fixture, naming the rule's file:line"
else
  bad "a rule error fails the fixture (exit $rc)"; show "$T/out"
fi

# 4b. A rule whose `needs` are wrong: in tests it runs where they are unmet
# too, and finding something there fails the fixture, saying what to change.
mkdir "$T/rules-needs"
cp rules/*.lua rules/kizuki.yaml "$T/rules-needs/"
sed -i 's/  needs = { "welfare" },/  needs = { "welfare", "reports" },/' "$T/rules-needs/welfare.lua"
run_kz test --rules "$T/rules-needs" fixtures/welfare-ended.yaml
if [ "$rc" = 1 ] && grep -q 'needs = { "welfare", "reports" }' "$T/rules-needs/welfare.lua" &&
   has "rule welfare.ended, subject H1: the rule declares needs \"reports\", but found something in a household without reports records"; then
  ok "a rule that finds something where its needs are unmet fails the fixture"
else
  bad "wrong needs are caught by kizuki test (exit $rc)"; show "$T/out"
fi

# 5. --run selects fixtures by name or file.
run_kz test --run 'lifecycle-*' fixtures/
n=$(grep -c '^ok ' "$T/out" || true)
if [ "$rc" = 0 ] && [ "$n" -ge 7 ] && ! has 'checkup-missed.yaml'; then
  ok "--run selects fixtures"
else
  bad "--run selects fixtures (exit $rc, $n ok)"; show "$T/out"
fi

# 6. The 2019 case replays into a timeline.
run_kz replay fixtures/sapporo-2019.yaml
if [ "$rc" = 0 ] &&
   grep -Eq '^2017-10-31 +opened +checkup.missed +C2019 +higashi.health_center ' "$T/out" &&
   grep -Eq '^2018-06-14 +cleared +checkup.missed +C2019 ' "$T/out" &&
   grep -Eq '^2019-02-28 +opened +welfare.ended +H2019 +higashi.health_center ' "$T/out" &&
   has 'open tasks as of 2019-06-05:'; then
  ok "kizuki replay prints the 2019 timeline"
else
  bad "kizuki replay prints the 2019 timeline (exit $rc)"; show "$T/out"
fi

# 7. A rule error during a replay: it finishes, lists the error once, exits 3.
run_kz replay --rules "$T/rules" --from 2024-07-20 --to 2024-07-25 fixtures/checkup-missed.yaml
if [ "$rc" = 3 ] && has "broken.lua:6: rule test.broken" && has "(6 days, 2024-07-20 .. 2024-07-25)"; then
  ok "a rule error during replay exits 3 after finishing"
else
  bad "a rule error during replay exits 3 (exit $rc)"; show "$T/out"
fi

# 8. --format json parses, for test and for replay.
"$KIZUKI" test --format json fixtures/ >"$T/test.json" 2>"$T/test.err" || true
"$KIZUKI" test --format json "$T/wrong.yaml" >"$T/wrong.json" 2>/dev/null || true
"$KIZUKI" replay --format json fixtures/sapporo-2019.yaml >"$T/replay.json"
if json_ok "$T/test.json" && json_ok "$T/wrong.json" && json_ok "$T/replay.json" &&
   grep -Eq '^[0-9]+ passed, 0 failed$' "$T/test.err" &&
   [ "$(sqlite3 :memory: "select json_extract(readfile('$T/wrong.json'), '\$.failed')")" = 1 ] &&
   [ "$(sqlite3 :memory: "select count(*) from json_each(readfile('$T/replay.json'), '\$.events')
        where json_extract(value, '\$.event') = 'opened'")" -ge 2 ]; then
  ok "--format json parses"
else
  cp "$T/test.err" "$T/out"
  bad "--format json parses"; show "$T/out"
fi

# 9. Replay of a PF case DB, one household, never touching a task DB.
sqlite3 "$T/pf.db" <schema/cases.sql
sqlite3 "$T/pf.db" "
  INSERT INTO households (id) VALUES ('H1'), ('H2');
  INSERT INTO persons (id, birth_on) VALUES ('C1', '2023-01-10'), ('C2', '2023-01-10');
  INSERT INTO members VALUES ('H1', 'C1', 'child', '2023-01-10', NULL, NULL),
                             ('H2', 'C2', 'child', '2023-01-10', NULL, NULL);
  INSERT INTO residences VALUES ('R1', 'H1', 'sapporo', 'kita', '2023-01-10', NULL, NULL),
                                ('R2', 'H2', 'sapporo', 'nishi', '2023-01-10', NULL, NULL);
  INSERT INTO checkups VALUES ('K1', 'C1', '18m', '2024-07-16', NULL, '2024-07-16'),
                              ('K2', 'C2', '18m', '2024-07-16', NULL, '2024-07-16');"
run_kz replay --cases "$T/pf.db" --from 2024-07-25 --to 2024-08-05 --household H1
if [ "$rc" = 0 ] && grep -Eq '^2024-07-30 +opened +checkup.missed +C1 +kita.health_center' "$T/out" &&
   ! has ' C2 ' && [ ! -e "$T/tasks.db" ]; then
  ok "kizuki replay --cases --household"
else
  bad "kizuki replay --cases --household (exit $rc)"; show "$T/out"
fi

summary fixtures
