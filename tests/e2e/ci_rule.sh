#!/bin/sh
# tests/e2e/ci_rule.sh — the rule of tests/e2e/lib/common.sh holds: under CI
# (CI=true) a test whose tool or data is missing FAILS; elsewhere it skips,
# saying SKIP. Proven on each test that needs something besides the build:
# report_browser.sh and valgrind.sh with a PATH that lacks chromium and
# valgrind, i18n.sh with a locale that is not installed, the YAML-suite unit
# tests and the fuzz seed replay pointed at a
# suite that is not there, and tools/deps.sh test without it. Every
# e2e script sources common.sh and defines no ok/bad of its own. Run from
# the repo root, after `make unit fuzz-replay` (which `make test` does):
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/ci_rule.sh
set -eu

. tests/e2e/lib/common.sh

BUILD=$(dirname "$KIZUKI")
NOSUITE=$T/no-yaml-test-suite

# A PATH with every command of ours but chromium and valgrind.
mkdir "$T/bin"
old_ifs=$IFS
IFS=:
for d in $PATH; do
  for f in "$d"/*; do
    name=${f##*/}
    case $name in chromium*|valgrind*) continue ;; esac
    [ -x "$f" ] && [ ! -e "$T/bin/$name" ] && ln -s "$f" "$T/bin/$name"
  done
done
IFS=$old_ifs
if PATH=$T/bin command -v chromium >/dev/null 2>&1 || PATH=$T/bin command -v valgrind >/dev/null 2>&1; then
  bad "the stripped PATH still has chromium or valgrind"
else
  ok
fi

# under_ci NAME WANT_EXIT WANT_TEXT CMD...: CMD exits WANT_EXIT under CI=true,
# saying WANT_TEXT on stderr.
# off_ci NAME WANT_TEXT CMD...: CMD exits 0 outside CI, saying WANT_TEXT.
under_ci() {
  n=$1 want=$2 text=$3
  shift 3
  check "$n under CI=true" "$want" env CI=true "$@"
  expect "$n under CI=true: says why" "$T/err" "$text"
}
off_ci() {
  n=$1 text=$2
  shift 2
  check "$n outside CI" 0 env -u CI "$@"
  expect "$n outside CI: says SKIP" "$T/err" "$text"
}

# {====== e2e scripts that need a tool ======
under_ci "report_browser.sh without chromium" 1 "FAIL: e2e report_browser: chromium is missing" \
  env PATH="$T/bin" sh tests/e2e/report_browser.sh
off_ci "report_browser.sh without chromium" "SKIP: e2e report_browser: chromium is missing" \
  env PATH="$T/bin" sh tests/e2e/report_browser.sh
if grep -q __asan_init "$KIZUKI"; then
  # An ASan build is not for valgrind, CI or not: not a missing tool.
  under_ci "valgrind.sh of an ASan build" 0 "not applicable" env PATH="$T/bin" sh tests/e2e/valgrind.sh
else
  under_ci "valgrind.sh without valgrind" 1 "FAIL: e2e valgrind: valgrind is missing" \
    env PATH="$T/bin" sh tests/e2e/valgrind.sh
  off_ci "valgrind.sh without valgrind" "SKIP: e2e valgrind: valgrind is missing" \
    env PATH="$T/bin" sh tests/e2e/valgrind.sh
fi
# The Japanese messages need the ja_JP.UTF-8 locale: one that is not there.
under_ci "i18n.sh without its locale" 1 "FAIL: e2e i18n: the xx_XX.UTF-8 locale is missing" \
  env KZ_JA_LOCALE=xx_XX.UTF-8 sh tests/e2e/i18n.sh
off_ci "i18n.sh without its locale" "SKIP: e2e i18n: the xx_XX.UTF-8 locale is missing" \
  env KZ_JA_LOCALE=xx_XX.UTF-8 sh tests/e2e/i18n.sh
# A part of a script: counted as failed under CI, and the script goes on.
cat >"$T/part.sh" <<'EOF'
. tests/e2e/lib/common.sh
missing_part "a tool" "how to get it"
ok
summary part
EOF
under_ci "missing_part" 1 "FAIL: a tool is missing" sh "$T/part.sh"
expect "missing_part under CI=true: the rest ran" "$T/out" "e2e part: 1 passed, 1 failed"
off_ci "missing_part" "SKIP: e2e part: a tool is missing" sh "$T/part.sh"
# }======

# {====== The YAML test suite: unit tests and fuzz seeds ======
for u in test_yaml_suite test_yamltree; do
  if [ -x "$BUILD/tests/$u" ]; then
    under_ci "$u without the suite" nonzero "is missing, and under CI=true a test never skips" \
      env KZ_YAML_SUITE="$NOSUITE" "$BUILD/tests/$u"
    off_ci "$u without the suite" "SKIP:" env KZ_YAML_SUITE="$NOSUITE" "$BUILD/tests/$u"
  else
    missing_part "$BUILD/tests/$u" "make unit first"
  fi
done
if [ -x "$BUILD/fuzz/fuzz_profile" ]; then
  under_ci "fuzz_profile replay without the suite" 1 "seed path $NOSUITE does not exist" \
    "$BUILD/fuzz/fuzz_profile" rules "$NOSUITE"
  off_ci "fuzz_profile replay without the suite" "SKIP: $BUILD/fuzz/fuzz_profile: seed path $NOSUITE" \
    "$BUILD/fuzz/fuzz_profile" rules "$NOSUITE"
  mkdir "$T/no-seeds"
  under_ci "fuzz_profile replay of nothing" 1 "no input at all to replay" \
    "$BUILD/fuzz/fuzz_profile" "$T/no-seeds"
else
  missing_part "$BUILD/fuzz/fuzz_profile" "make fuzz-replay first"
fi
# tools/deps.sh test: a missing suite fails it under CI only.
under_ci "deps.sh test, no suite" 1 "is not at $NOSUITE (CI=true: failing)" \
  env KZ_YAML_SUITE="$NOSUITE" sh tools/deps.sh test
off_ci "deps.sh test, no suite" "WARNING: no YAML test suite" \
  env KZ_YAML_SUITE="$NOSUITE" sh tools/deps.sh test
# }======

# {====== Every e2e script uses common.sh, none counts on its own ======
for f in tests/e2e/*.sh; do
  if grep -q '^\. tests/e2e/lib/common\.sh$' "$f"; then ok; else bad "$f does not source tests/e2e/lib/common.sh"; fi
  if grep -Eq '^[[:space:]]*(ok|bad|summary)[[:space:]]*\(\)|^[[:space:]]*(passed|failed|pass|fail)=0' "$f"; then
    bad "$f defines its own ok/bad/summary or counters (extend tests/e2e/lib/common.sh instead)"
  else
    ok
  fi
  if grep -q '^summary [a-z0-9_]*$' "$f"; then ok; else bad "$f does not end with common.sh's summary"; fi
done
# }======

summary ci_rule
