#!/bin/sh
# tests/e2e/diff.sh — `kizuki diff` end to end: a threshold change
# (not_seen_days 90 -> 60) shows exactly the tasks that a real run with that
# threshold opens beyond a real run with the current one (two `kizuki run`s
# into temp task DBs), at two dates; the same rules show no difference; a
# broken rule set exits 2 with file:line; a bad case DB exits 4; nothing is
# written. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/diff.sh
set -eu

. tests/e2e/lib/common.sh
# from_json FILE LIST: "rule|subject|key" of each task of a JSON list, sorted.
from_json() {
  sqlite3 :memory: "SELECT json_extract(value, '\$.rule') || '|' || json_extract(value, '\$.subject')
                    || '|' || json_extract(value, '\$.key') FROM json_each(readfile('$1'), '\$.$2') ORDER BY 1"
}

CASES=$T/city.db
"$KIZUKI" gen --quiet --households 400 --seed 3 --out "$CASES" >/dev/null
NEW=$T/new
cp -r "$ROOT/rules" "$NEW"
sed 's/^\(  not_seen_days:\) *90 /\1 60 /' "$ROOT/rules/kizuki.yaml" >"$NEW/kizuki.yaml"
if grep -q '^  not_seen_days: 60 ' "$NEW/kizuki.yaml"; then ok; else bad "could not change not_seen_days"; fi

check "diff --help" 0 "$KIZUKI" diff --help
expect "diff --help" "$T/out" "--rules NEW_DIR --cases PF.db"
check "diff without --cases" 2 "$KIZUKI" diff --rules "$NEW"
check "diff with a bad --format" 2 "$KIZUKI" diff --rules "$NEW" --cases "$CASES" --format xml

mkdir "$T/cwd"
for day in 2024-10-01 2024-10-15; do
  # The supervisor's check, run from an empty folder: nothing is written.
  (cd "$T/cwd" && "$KIZUKI" diff --rules "$NEW" --base-rules "$ROOT/rules" --cases "$CASES" --as-of $day \
     --format json >"$T/diff.json" 2>"$T/err") && ok || bad "diff $day (json) failed: $(cat "$T/err")"
  same "diff $day wrote nothing" "$(ls -A "$T/cwd")" ""
  (cd "$T/cwd" && "$KIZUKI" diff --rules "$NEW" --base-rules "$ROOT/rules" --cases "$CASES" --as-of $day \
     >"$T/diff.txt" 2>"$T/err") && ok || bad "diff $day (text) failed"
  expect "diff $day text: the parameter" "$T/diff.txt" "changed parameters: not_seen_days 90 -> 60"
  expect "diff $day text: totals" "$T/diff.txt" "total: "

  # Two real runs, one with each rule set, into fresh task DBs.
  rm -f "$T/base.db" "$T/new.db"
  "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/base.db" --as-of $day --rules "$ROOT/rules" >/dev/null
  "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/new.db" --as-of $day --rules "$NEW" >/dev/null
  sqlite3 "$T/new.db" "ATTACH '$T/base.db' AS b;
    SELECT rule || '|' || subject || '|' || key FROM main.tasks WHERE status = 'open'
    EXCEPT SELECT rule || '|' || subject || '|' || key FROM b.tasks WHERE status = 'open' ORDER BY 1" >"$T/want_open"
  sqlite3 "$T/new.db" "ATTACH '$T/base.db' AS b;
    SELECT rule || '|' || subject || '|' || key FROM b.tasks WHERE status = 'open'
    EXCEPT SELECT rule || '|' || subject || '|' || key FROM main.tasks WHERE status = 'open' ORDER BY 1" >"$T/want_closed"
  from_json "$T/diff.json" would_open >"$T/got_open"
  from_json "$T/diff.json" would_not_open >"$T/got_closed"
  if cmp -s "$T/want_open" "$T/got_open"; then ok; else bad "diff $day: would_open differs from two real runs"; diff "$T/want_open" "$T/got_open" >&2 || :; fi
  if cmp -s "$T/want_closed" "$T/got_closed"; then ok; else bad "diff $day: would_not_open differs from two real runs"; diff "$T/want_closed" "$T/got_closed" >&2 || :; fi
  nopen=$(wc -l <"$T/want_open" | tr -d ' ')
  if [ "$nopen" -gt 0 ]; then ok; else bad "diff $day: a 60-day threshold opened nothing more: a weak test"; fi
  same "diff $day: only child.not_seen" "$(cut -d'|' -f1 "$T/got_open" | sort -u)" "child.not_seen"
  # Totals and the per-rule row agree with the real runs.
  same "diff $day: current total" "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/diff.json'), '\$.totals.current')")" \
       "$(sqlite3 "$T/base.db" "SELECT count(*) FROM tasks WHERE status = 'open'")"
  same "diff $day: changed total" "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/diff.json'), '\$.totals.changed')")" \
       "$(sqlite3 "$T/new.db" "SELECT count(*) FROM tasks WHERE status = 'open'")"
  same "diff $day: child.not_seen row" "$(sqlite3 :memory: "SELECT json_extract(value, '\$.would_open') FROM json_each(readfile('$T/diff.json'), '\$.by_rule') WHERE json_extract(value, '\$.name') = 'child.not_seen'")" "$nopen"
  # The text shows the extra tasks: rule, subject, unit.
  first=$(head -n 1 "$T/want_open" | cut -d'|' -f2)
  unit=$(sqlite3 "$T/new.db" "SELECT unit FROM tasks WHERE rule = 'child.not_seen' AND subject = '$first'")
  if grep -E -q "^  \+ child.not_seen +$first +$unit " "$T/diff.txt"; then ok; else bad "diff $day text: no example line for $first in $unit"; fi
  expect "diff $day text: per-rule row" "$T/diff.txt" "+$nopen"
done

# The same rules twice: no difference.
check "diff of the same rules" 0 "$KIZUKI" diff --rules "$ROOT/rules" --base-rules "$ROOT/rules" --cases "$CASES" --as-of 2024-10-15
expect "same rules: nothing" "$T/out" "total: 0 would open, 0 would no longer open, 0 would open differently"
expect "same rules: no parameter" "$T/out" "changed parameters: (none)"

# A broken changed rule set: exit 2, the file and line named, nothing run.
BROKEN=$T/broken
cp -r "$ROOT/rules" "$BROKEN"
printf 'rule {\n  id = "broken.rule",\n  this is not lua\n}\n' >"$BROKEN/zz_broken.lua"
check "diff of a broken rule set" 2 "$KIZUKI" diff --rules "$BROKEN" --cases "$CASES" --as-of 2024-10-15 --base-rules "$ROOT/rules"
expect "broken: file:line" "$T/err" "zz_broken.lua:3"
# A broken profile (the current side): exit 2 as well.
sed 's/^  not_seen_days: 90 /  not_seen_days: ninety /' "$ROOT/rules/kizuki.yaml" >"$T/bad.yaml"
check "diff with a broken base profile" 2 "$KIZUKI" diff --rules "$NEW" --base-rules "$ROOT/rules" --base-profile "$T/bad.yaml" --cases "$CASES" --as-of 2024-10-15
expect "broken profile: file:line" "$T/err" "bad.yaml:"
# A bad case DB: exit 4.
echo "not a database" >"$T/junk.db"
check "diff of a junk case DB" 4 "$KIZUKI" diff --rules "$NEW" --cases "$T/junk.db" --as-of 2024-10-15
check "diff of a missing case DB" 4 "$KIZUKI" diff --rules "$NEW" --cases "$T/missing.db" --as-of 2024-10-15

summary diff
