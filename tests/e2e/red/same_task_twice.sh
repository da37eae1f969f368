#!/bin/sh
# A household rule returns one finding per child but keys each by the
# household (key = hh.id, a copy-paste slip). Every finding after the first
# is the same task: the store merged it into the first as "kept" -- on a
# first night, 285 of 685 findings of a 400-household city vanished into
# other children's tasks (the first child's reason), exit 0. Expected: a
# rule error naming the subject and key, in run and in trace.
. tests/e2e/red/lib.sh
city 400 3
mkdir "$T/r"
cp "$ROOT/rules/kizuki.yaml" "$T/r/"
cat >"$T/r/dup.lua" <<'LUA'
rule {
  id = "red.dupkey", label = "x", title = "同じキー", description = "x",
  subject = "household", agency = "family_consultation", severity = "low", due = 3,
  check = function(hh, p)
    local out = {}
    for _, c in ipairs(hh:children()) do
      out[#out + 1] = kz.finding { key = hh.id, since = kz.today, reason = "子ども " .. c.id }
    end
    return out
  end,
}
LUA
RUN="$KIZUKI run --quiet --rules $T/r"
night "$T/c.db" "$T/t.db" 2024-10-01
kept=$(sqlite3 "$T/t.db" "SELECT kept FROM runs ORDER BY id DESC LIMIT 1")
[ "$kept" -eq 0 ] || lose "run: $kept finding(s) merged into another child's task on the first night (exit $rc)"
[ "$rc" -eq 3 ] || lose "run: exit $rc, not 3 (a rule error)"
grep -q "same task" "$T/err" || lose "run: no message names the findings for the same task"
h=$(sqlite3 "$T/c.db" "SELECT household_id FROM members WHERE relation = 'child' GROUP BY 1 HAVING count(*) >= 2 LIMIT 1")
set +e
"$KIZUKI" trace red.dupkey --rules "$T/r" --cases "$T/c.db" --household "$h" --as-of 2024-10-01 >"$T/tr" 2>&1; trc=$?
set -e
[ "$trc" -eq 3 ] || lose "trace on $h: exit $trc, not 3: $(tail -n 1 "$T/tr")"
finish
