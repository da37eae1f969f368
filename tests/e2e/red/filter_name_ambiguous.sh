#!/bin/sh
# `kizuki tasks` / `export` take a rule's title and a unit's or ward's
# Japanese name as filters. Nothing makes those names unique: a rule copied
# to make a variant keeps its title; a profile may give two agency kinds the
# same name. The filter took the first match: `--rule <title>` listed one
# rule's tasks as if they were all, `--unit 中央区保健センター` one unit's,
# exit 0 -- the other's tasks silently missing from the list staff work
# from. Expected: exit 2 naming every code the name stands for.
. tests/e2e/red/lib.sh
city 300 7
cp -r "$ROOT/rules" "$T/r"
# checkup.unreachable takes checkup.missed's title
python3 - "$T/r/checkups.lua" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding='utf-8').read()
old = 'title = "健診未受診のまま子どもの所在が確認できない"'
assert old in s
s = s.replace(old, 'title = "乳幼児健診の未受診（以後目視確認なし）"', 1)
open(p, 'w', encoding='utf-8').write(s)
PY
# family_consultation takes health_center's name
sed -i 's/name: 区家庭児童相談室, /name: 区保健センター,   /' "$T/r/kizuki.yaml"
grep -q 'family_consultation, name: 区保健センター' "$T/r/kizuki.yaml" || { echo "LOST: test setup: profile not changed" >&2; exit 1; }
"$KIZUKI" run --quiet --rules "$T/r" --cases "$T/c.db" --tasks "$T/t.db" --as-of 2024-10-01 >/dev/null 2>&1
for r in checkup.missed checkup.unreachable; do
  n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks WHERE rule='$r'")
  [ "$n" -gt 0 ] || { echo "LOST: test setup: no task of $r" >&2; exit 1; }
done
try() {  # WHAT ARGS...: exit 2 and a message naming both codes A and B (last two args)
  what=$1; a=$2; b=$3; shift 3
  set +e
  "$KIZUKI" tasks --tasks "$T/t.db" --rules "$T/r" --status all "$@" >"$T/out" 2>"$T/err"; rc=$?
  set -e
  [ "$rc" -eq 2 ] || lose "tasks $what: exit $rc, listed $(tail -n 1 "$T/out") -- one of $a, $b picked"
  grep -q "$a" "$T/err" && grep -q "$b" "$T/err" || lose "tasks $what: the message does not name $a and $b"
}
try "--rule <a title two rules share>" checkup.missed checkup.unreachable --rule "乳幼児健診の未受診（以後目視確認なし）"
try "--unit <a name two units share>" chuo.health_center chuo.family_consultation --unit 中央区保健センター
# a code still works, and a title one rule has
set +e
"$KIZUKI" tasks --tasks "$T/t.db" --rules "$T/r" --unit chuo.health_center >/dev/null 2>&1 || lose "--unit chuo.health_center refused"
"$KIZUKI" tasks --tasks "$T/t.db" --rules "$T/r" --rule checkup.unreachable >/dev/null 2>&1 || lose "--rule checkup.unreachable refused"
"$KIZUKI" tasks --tasks "$T/t.db" --rules "$ROOT/rules" --rule "健診未受診のまま子どもの所在が確認できない" >/dev/null 2>&1 || lose "a title one rule has refused"
set -e
finish
