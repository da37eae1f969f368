#!/bin/sh
# A check that builds its list of findings by the child's place --
#   for i, c in ipairs(hh:children()) do if ... then out[i] = kz.finding{...} end end
# -- and skips the second child returns {f1, nil, f3}. Lua's length of such a
# table may stop at the gap (#out == 1): the run took f1, never saw f3, and
# said nothing (exit 0 in that household): the third child's task was never
# opened. `kizuki trace` showed the same one finding. Expected: a rule error
# (exit 3) naming the gap, in the run and in trace.
. tests/e2e/red/lib.sh
city 100 3
mkdir "$T/r"
cp "$ROOT/rules/kizuki.yaml" "$T/r/"
cat >"$T/r/gap.lua" <<'LUA'
rule {
  id = "red.gap", label = "x", title = "穴のあるリスト", description = "x",
  subject = "household", agency = "family_consultation", severity = "low", due = 3,
  check = function(hh, p)
    local out = {}
    for i, c in ipairs(hh:children()) do
      if i ~= 2 then out[i] = kz.finding { key = c.id, since = kz.today, reason = "子ども " .. c.id } end
    end
    return out
  end,
}
-- the same findings, the list built without a gap: the oracle
rule {
  id = "red.nogap", label = "x", title = "穴のないリスト", description = "x",
  subject = "household", agency = "family_consultation", severity = "low", due = 3,
  check = function(hh, p)
    local out = {}
    for i, c in ipairs(hh:children()) do
      if i ~= 2 then out[#out + 1] = kz.finding { key = c.id, since = kz.today, reason = "子ども " .. c.id } end
    end
    return out
  end,
}
LUA
RUN="$KIZUKI run --quiet --rules $T/r"
night "$T/c.db" "$T/t.db" 2024-10-01
# every household: as many red.gap tasks as red.nogap ones, or a red.gap error
short=$(sqlite3 "$T/t.db" "
  SELECT count(*) FROM (SELECT household_id h, count(*) n FROM tasks WHERE rule = 'red.nogap' GROUP BY 1) ok
  WHERE (SELECT count(*) FROM tasks t WHERE t.rule = 'red.gap' AND t.household_id = ok.h) < ok.n
    AND ok.h NOT IN (SELECT subject FROM run_errors WHERE rule = 'red.gap' AND subject IS NOT NULL)" \
  2>"$T/sqlerr" || true)
[ -s "$T/sqlerr" ] && { echo "LOST: test setup: $(cat "$T/sqlerr")" >&2; exit 1; }
[ "$short" -eq 0 ] || lose "run: $short household(s) with a child's finding dropped past the gap, no rule error (exit $rc)"
[ "$rc" -eq 3 ] || lose "run: exit $rc, not 3 (a rule error)"
h=$(sqlite3 "$T/t.db" "SELECT subject FROM run_errors WHERE rule = 'red.gap' LIMIT 1")
[ -n "$h" ] || h=$(sqlite3 "$T/t.db" "SELECT household_id FROM tasks WHERE rule = 'red.nogap' GROUP BY 1 HAVING count(*) >= 2 LIMIT 1")
set +e
"$KIZUKI" trace red.gap --rules "$T/r" --cases "$T/c.db" --household "$h" --as-of 2024-10-01 >"$T/tr" 2>&1; trc=$?
set -e
[ "$trc" -eq 3 ] || lose "trace on $h: exit $trc, not 3: $(tail -n 1 "$T/tr")"
finish
