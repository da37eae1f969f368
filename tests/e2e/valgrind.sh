#!/bin/sh
# Memory errors and leaks of whole commands, under valgrind (memcheck): an
# end-to-end `kizuki run` over a small generated city (a first run, then a
# later one that keeps, clears and escalates), `kizuki test` of two fixtures,
# `kizuki replay` of one, and `kizuki check` of the rules. Any invalid read or
# write, use of an uninitialised value, or definite or indirect leak fails the
# step (memcheck's exit code 9); so does the command's own failure. Without
# valgrind (tools/deps.sh test installs it) it fails under CI=true and skips,
# saying so, elsewhere; an AddressSanitizer build (`make check-asan`), which
# cannot run under memcheck, is skipped as not applicable.
#   KIZUKI=/abs/build/kizuki sh tests/e2e/valgrind.sh     (from the repo root)
set -eu

. tests/e2e/lib/common.sh

if grep -q __asan_init "$KIZUKI"; then   # `make check-asan`: ASan and memcheck do not mix
  not_applicable "$KIZUKI is built with AddressSanitizer, which already checks memory"
fi
need_cmd valgrind "as root: sh tools/deps.sh test, or apt-get install valgrind"
# A fixed copy of the rules and fixtures: edits made meanwhile do not matter.
cp -r rules "$T/rules"
mkdir "$T/fixtures"
cp fixtures/checkup-missed.yaml fixtures/lifecycle-ladder.yaml fixtures/report-safety-check.yaml \
  "$T/fixtures/"

# step NAME EXPECTED_EXIT COMMAND...: run COMMAND under memcheck; it must exit
# with EXPECTED_EXIT (9 means memcheck found an error or a leak).
step() {
  name=$1 want=$2
  shift 2
  n=$((passed + failed + 1))
  set +e
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=9 --log-file="$T/vg.$n.log" "$@" >"$T/out.$n" 2>"$T/err.$n"
  rc=$?
  set -e
  if [ "$rc" -eq "$want" ]; then
    ok "$name"
  else
    if [ "$rc" -eq 9 ]; then bad "$name: valgrind found errors or leaks:"
    else bad "$name: exit $rc, expected $want"; fi
    sed 's/^/  /' "$T/vg.$n.log" "$T/err.$n" | tail -n 60 >&2
  fi
}

step "gen (200 households)" 0 \
  "$KIZUKI" gen --quiet --households 200 --seed 4 --profile "$T/rules/kizuki.yaml" \
  --out "$T/city.db"
step "run 2024-09-02 (new task DB)" 0 \
  "$KIZUKI" run --quiet --rules "$T/rules" --cases "$T/city.db" --tasks "$T/tasks.db" \
  --as-of 2024-09-02
step "run 2024-10-01 (keep, clear, escalate)" 0 \
  "$KIZUKI" run --quiet --rules "$T/rules" --cases "$T/city.db" --tasks "$T/tasks.db" \
  --as-of 2024-10-01
step "run 2024-10-01 again (changes nothing)" 0 \
  "$KIZUKI" run --quiet --rules "$T/rules" --cases "$T/city.db" --tasks "$T/tasks.db" \
  --as-of 2024-10-01
step "test of two fixtures" 0 \
  "$KIZUKI" test --rules "$T/rules" "$T/fixtures/checkup-missed.yaml" \
  "$T/fixtures/lifecycle-ladder.yaml"
step "replay of a fixture" 0 \
  "$KIZUKI" replay --rules "$T/rules" "$T/fixtures/report-safety-check.yaml"
step "check of rules/" 0 \
  "$KIZUKI" check "$T/rules"

# Failure paths free what they took too: a rule that does not load, a rule
# that raises an error during the run (exit 3), a fixture that fails (exit 1).
cp -r "$T/rules" "$T/bad"
printf 'rule { id = "x.syntax", check = function(hh, p) return nil\n' > "$T/bad/syntax.lua"
step "check of a rule with a syntax error (exit 2)" 2 "$KIZUKI" check "$T/bad"
cp -r "$T/rules" "$T/raise"
cat > "$T/raise/raise.lua" <<'EOF'
rule {
  id = "x.raise", label = "test", title = "always raises", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p) error("deliberate") end,
}
EOF
step "run with a rule that raises (exit 3)" 3 \
  "$KIZUKI" run --quiet --rules "$T/raise" --cases "$T/city.db" --tasks "$T/raise.db" \
  --as-of 2024-10-01
sed 's/level: 0/level: 5/' "$T/fixtures/checkup-missed.yaml" > "$T/failing.yaml"
step "test of a failing fixture (exit 1)" 1 "$KIZUKI" test --rules "$T/rules" "$T/failing.yaml"

summary valgrind
