#!/bin/sh
# An installed kizuki finds its rules: `make install` into a scratch PREFIX
# (and a DESTDIR staging), then check, gen, run and report from a folder
# with no rules/ in it; $KIZUKI_RULES and a ./rules folder win over the
# installed rules, in that order; with none of them, exit 2 naming every
# place looked at. The binary installed is the one under test ($KIZUKI):
# make is told not to rebuild it.
set -eu

. tests/e2e/lib/common.sh
need_cmd make "apt-get install make"
need_cmd sqlite3 "apt-get install sqlite3"

build=$(dirname "$KIZUKI")
# install PREFIX [DESTDIR]: make install of this build, never rebuilding it.
install_into() {
  make -s --no-print-directory install BUILD="$build" -o "$KIZUKI" -o "$build/libkizuki.a" \
    PREFIX="$1" DESTDIR="${2:-}" >"$T/make.out" 2>&1
}

P=$T/prefix
check "make install PREFIX" 0 install_into "$P"
[ $? -eq 0 ] || show "$T/make.out"
for f in bin/kizuki share/kizuki/rules/kizuki.yaml share/kizuki/rules/casework.lua \
         share/man/man1/kizuki.1; do
  if [ -f "$P/$f" ]; then ok; else bad "make install: $P/$f is missing"; fi
done
same "installed rules: every rules/*.lua" \
  "$(cd "$P/share/kizuki/rules" && ls *.lua)" "$(cd rules && ls *.lua)"
if [ -x "$P/bin/kizuki" ]; then ok; else bad "installed binary is not executable"; fi
if [ -f "$P/share/locale/ja/LC_MESSAGES/kizuki.mo" ]; then ok; else bad "make install: no Japanese catalogue"; fi
# The installed kizuki speaks Japanese from its own PREFIX/share/locale, as it
# finds its rules there: a scratch PREFIX needs no rebuild.
if locale -a 2>/dev/null | grep -qixF ja_JP.utf8; then
  (unset KIZUKI_LOCALEDIR; cd / && LC_MESSAGES=ja_JP.UTF-8 "$P/bin/kizuki" run --as-of 2024-10-01 >"$T/ja.out" 2>&1) || :
  expect "installed kizuki: Japanese messages" "$T/ja.out" "--cases と --tasks は必須です"
elif [ "${CI:-}" = true ]; then bad "the ja_JP.UTF-8 locale is missing (as root: tools/deps.sh test)"; fi

# From a folder with no rules/: the installed rules are used.
mkdir -p "$T/elsewhere"
cd "$T/elsewhere"
K=$P/bin/kizuki
# nrules DIR: how many rules DIR holds, as check counts them.
nrules() { "$K" check --rules "$1" | sed -n 's/.*: \([0-9]*\) rules, .*/\1/p'; }
check "check from another folder" 0 "$K" check
expect "check names the installed rules" "$T/out" "$P/share/kizuki/rules"
check "rules from another folder" 0 "$K" rules --format json
check "gen from another folder (the installed profile)" 0 \
  "$K" gen --households 400 --seed 11 --out city.db --quiet
check "run from another folder" 0 "$K" run --quiet --cases city.db --tasks tasks.db --as-of 2024-10-01
check "report from another folder" 0 "$K" report --quiet --tasks tasks.db --out report
if [ -f report/index.html ]; then ok; else bad "report from another folder: no report/index.html"; fi
check "test with the installed rules" 0 "$K" test "$ROOT/fixtures/sapporo-2019.yaml"

# $KIZUKI_RULES wins over the installed rules: one rule file fewer shows.
cp -r "$ROOT/rules" "$T/envrules"
rm "$T/envrules/$(cd "$T/envrules" && ls *.lua | head -1)"
n_env=$(nrules "$T/envrules")
n_installed=$(nrules "$P/share/kizuki/rules")
if [ "$n_env" -lt "$n_installed" ]; then ok; else bad "envrules: $n_env rules, not fewer than $n_installed"; fi
check "KIZUKI_RULES: check" 0 env KIZUKI_RULES="$T/envrules" "$K" check
expect "KIZUKI_RULES: check names it" "$T/out" "$T/envrules: $n_env rules"
check "KIZUKI_RULES: run" 0 env KIZUKI_RULES="$T/envrules" "$K" run --cases city.db --tasks env.db --as-of 2024-10-01
expect "KIZUKI_RULES: run loads its rules" "$T/out" "$n_env rules"
check "KIZUKI_RULES: report" 0 env KIZUKI_RULES="$T/envrules" "$K" report --quiet --tasks env.db --out envreport

# A ./rules folder wins over the installed rules (two rule files fewer), and
# $KIZUKI_RULES wins over ./rules; --rules wins over both.
cp -r "$ROOT/rules" rules
rm "rules/$(cd rules && ls *.lua | head -1)" "rules/$(cd rules && ls *.lua | tail -1)"
n_local=$(nrules rules)
if [ "$n_local" -lt "$n_env" ]; then ok; else bad "./rules: $n_local rules, not fewer than $n_env"; fi
check "./rules: check" 0 "$K" check
expect "./rules wins over the installed rules" "$T/out" "rules: $n_local rules"
check "./rules: run" 0 "$K" run --cases city.db --tasks local.db --as-of 2024-10-01
expect "./rules: run loads them" "$T/out" "$n_local rules"
check "./rules: report" 0 "$K" report --quiet --tasks local.db --out localreport
check "KIZUKI_RULES over ./rules" 0 env KIZUKI_RULES="$T/envrules" "$K" check
expect "KIZUKI_RULES over ./rules: named" "$T/out" "$T/envrules: $n_env rules"
check "--rules over both" 0 env KIZUKI_RULES="$T/envrules" "$K" check --rules "$P/share/kizuki/rules"
expect "--rules over both: named" "$T/out" "$P/share/kizuki/rules: $n_installed rules"
rm -r rules

# No rules anywhere: a binary with no share/ beside it, no KIZUKI_RULES.
mkdir -p "$T/lone/bin"
cp "$K" "$T/lone/bin/kizuki"
for cmd in "check" "rules" "run --cases city.db --tasks lone.db" \
           "report --tasks tasks.db --out lonereport" "gen --households 10 --seed 1 --out lone-city.db"; do
  # shellcheck disable=SC2086 # cmd is words on purpose
  check "no rules anywhere: $cmd" 2 env -u KIZUKI_RULES "$T/lone/bin/kizuki" $cmd
  expect "no rules anywhere: $cmd names ./rules" "$T/err" "no ./rules in $T/elsewhere"
  expect "no rules anywhere: $cmd names the installed place" "$T/err" "$T/lone/share/kizuki/rules"
  expect "no rules anywhere: $cmd gives the hint" "$T/err" "KIZUKI_RULES=DIR"
done
if [ -e lone.db ] || [ -e lonereport ] || [ -e lone-city.db ]; then
  bad "no rules anywhere: something was written"
else ok; fi
check "no rules anywhere: the check hint" 2 env -u KIZUKI_RULES "$T/lone/bin/kizuki" check
expect "no rules anywhere: --rules hint" "$T/err" "--rules DIR"

# DESTDIR staging: the tree lands under DESTDIR and still finds its rules.
cd "$ROOT"
check "make install DESTDIR" 0 install_into /opt/kizuki "$T/stage"
if [ -x "$T/stage/opt/kizuki/bin/kizuki" ] && [ -f "$T/stage/opt/kizuki/share/kizuki/rules/kizuki.yaml" ]; then
  ok; else bad "make install DESTDIR: not under $T/stage/opt/kizuki"; fi
cd "$T/elsewhere"
check "staged binary finds its rules" 0 "$T/stage/opt/kizuki/bin/kizuki" check
expect "staged binary: named" "$T/out" "$T/stage/opt/kizuki/share/kizuki/rules"
cd "$ROOT"

# A rule file gone from rules/ is gone from the installed rules too.
touch "$P/share/kizuki/rules/withdrawn.lua"
check "make install again" 0 install_into "$P"
if [ -e "$P/share/kizuki/rules/withdrawn.lua" ]; then
  bad "reinstall: a rule file no longer in rules/ was left to run"
else ok; fi

summary install
