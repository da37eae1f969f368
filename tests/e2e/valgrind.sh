#!/bin/sh
# Memory errors and leaks of whole commands, under valgrind (memcheck): an
# end-to-end `kizuki run` over a small generated city (a first run, then a
# later one that keeps, clears and escalates), `kizuki test` of two fixtures,
# `kizuki replay` of one, and `kizuki check` of the rules. Any invalid read or
# write, use of an uninitialised value, or definite or indirect leak fails the
# step (memcheck's exit code 9); so does the command's own failure. Prints
# SKIP and exits 0 when valgrind is not installed, or when KIZUKI is an
# AddressSanitizer build (`make check-asan`), which cannot run under memcheck.
#   KIZUKI=/abs/build/kizuki sh tests/e2e/valgrind.sh     (from the repo root)
set -eu
: "${KIZUKI:?set KIZUKI to the kizuki binary}"
if ! command -v valgrind >/dev/null 2>&1; then
  echo "SKIP: valgrind is not installed (apt-get install valgrind)"
  exit 0
fi
if grep -q __asan_init "$KIZUKI"; then   # `make check-asan`: ASan and memcheck do not mix
  echo "SKIP: $KIZUKI is built with AddressSanitizer, which already checks memory"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
# A fixed copy of the rules and fixtures: edits made meanwhile do not matter.
cp -r rules "$tmp/rules"
mkdir "$tmp/fixtures"
cp fixtures/checkup-missed.yaml fixtures/lifecycle-ladder.yaml fixtures/report-safety-check.yaml \
  "$tmp/fixtures/"

# step NAME EXPECTED_EXIT COMMAND...: run COMMAND under memcheck; it must exit
# with EXPECTED_EXIT (9 means memcheck found an error or a leak).
step() {
  name=$1 want=$2
  shift 2
  n=$((pass + fail + 1))
  set +e
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=9 --log-file="$tmp/vg.$n.log" "$@" >"$tmp/out.$n" 2>"$tmp/err.$n"
  rc=$?
  set -e
  if [ "$rc" -eq "$want" ]; then
    pass=$((pass + 1))
    echo "ok: $name"
  else
    fail=$((fail + 1))
    if [ "$rc" -eq 9 ]; then echo "FAIL: $name: valgrind found errors or leaks:" >&2
    else echo "FAIL: $name: exit $rc, expected $want" >&2; fi
    sed 's/^/  /' "$tmp/vg.$n.log" "$tmp/err.$n" | tail -n 60 >&2
  fi
}

step "gen (200 households)" 0 \
  "$KIZUKI" gen --quiet --households 200 --seed 4 --profile "$tmp/rules/kizuki.yaml" \
  --out "$tmp/city.db"
step "run 2024-09-02 (new task DB)" 0 \
  "$KIZUKI" run --quiet --rules "$tmp/rules" --cases "$tmp/city.db" --tasks "$tmp/tasks.db" \
  --as-of 2024-09-02
step "run 2024-10-01 (keep, clear, escalate)" 0 \
  "$KIZUKI" run --quiet --rules "$tmp/rules" --cases "$tmp/city.db" --tasks "$tmp/tasks.db" \
  --as-of 2024-10-01
step "run 2024-10-01 again (changes nothing)" 0 \
  "$KIZUKI" run --quiet --rules "$tmp/rules" --cases "$tmp/city.db" --tasks "$tmp/tasks.db" \
  --as-of 2024-10-01
step "test of two fixtures" 0 \
  "$KIZUKI" test --rules "$tmp/rules" "$tmp/fixtures/checkup-missed.yaml" \
  "$tmp/fixtures/lifecycle-ladder.yaml"
step "replay of a fixture" 0 \
  "$KIZUKI" replay --rules "$tmp/rules" "$tmp/fixtures/report-safety-check.yaml"
step "check of rules/" 0 \
  "$KIZUKI" check "$tmp/rules"

# Failure paths free what they took too: a rule that does not load, a rule
# that raises an error during the run (exit 3), a fixture that fails (exit 1).
cp -r "$tmp/rules" "$tmp/bad"
printf 'rule { id = "x.syntax", check = function(hh, p) return nil\n' > "$tmp/bad/syntax.lua"
step "check of a rule with a syntax error (exit 2)" 2 "$KIZUKI" check "$tmp/bad"
cp -r "$tmp/rules" "$tmp/raise"
cat > "$tmp/raise/raise.lua" <<'EOF'
rule {
  id = "x.raise", label = "test", title = "always raises", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p) error("deliberate") end,
}
EOF
step "run with a rule that raises (exit 3)" 3 \
  "$KIZUKI" run --quiet --rules "$tmp/raise" --cases "$tmp/city.db" --tasks "$tmp/raise.db" \
  --as-of 2024-10-01
sed 's/level: 0/level: 5/' "$tmp/fixtures/checkup-missed.yaml" > "$tmp/failing.yaml"
step "test of a failing fixture (exit 1)" 1 "$KIZUKI" test --rules "$tmp/rules" "$tmp/failing.yaml"

echo "e2e valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
