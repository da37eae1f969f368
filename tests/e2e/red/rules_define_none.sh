#!/bin/sh
# A rules folder with no *.lua is refused ("no rule files found"), but one
# whose files define no rule at all -- every rule { } commented out while
# editing, or only helper files deployed -- ran: "400 households, 0 rules",
# exit 0, a run recorded as if the night had looked and found nothing.
# Expected: a rule-load error (exit 2), nothing written.
. tests/e2e/red/lib.sh
city 100 3
mkdir "$T/r"
cp "$ROOT/rules/kizuki.yaml" "$T/r/"
sed 's/^/-- /' "$ROOT/rules/checkups.lua" >"$T/r/checkups.lua"
RUN="$KIZUKI run --quiet --rules $T/r"
night "$T/c.db" "$T/t.db" 2024-10-01
[ "$rc" -eq 2 ] || lose "a rules folder defining no rule: exit $rc ($(head -n 1 "$T/out"))"
[ ! -e "$T/t.db" ] || lose "a rules folder defining no rule: the task DB was written"
set +e
"$KIZUKI" check --rules "$T/r" >/dev/null 2>&1; c=$?
set -e
[ "$c" -eq 2 ] || lose "check of a rules folder defining no rule: exit $c (ok)"
finish
