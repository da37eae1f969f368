#!/bin/sh
# tests/e2e/report.sh — `kizuki report` end to end, without a browser: the
# pages exist (mode 0600), link only to each other, name no http(s)://
# resource, and every count they show matches the task DB (sqlite3). Also
# --as-of (an earlier run; overdue judged on a later day), the backlog listed
# apart (never open work, never overdue), HTML escaping of rule text, and the
# exit codes; one definition of overdue (cards = ladder), city-level tasks
# counted alike in the unit table and the ward chart, unit pages with only
# their ward, and the trend chart against the runs table. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/report.sh
set -eu

. tests/e2e/lib/common.sh

# shown FILE ID: the data-count of the element with that id.
shown() {
  grep -o "id=\"$2\" data-count=\"[0-9]*\"" "$1" | sed 's/.*data-count="\([0-9]*\)"/\1/' | head -n 1
}

# bar FILE CHART KEY: the data-count of one bar of a chart.
bar() {
  grep -o "<g class=\"bar[a-z ]*\" data-chart=\"$2\" data-key=\"$3\" data-count=\"[0-9]*\"" "$1" |
    sed 's/.*data-count="\([0-9]*\)"/\1/' | head -n 1
}

q() { sqlite3 "$DB" "$1"; }

# sum_attr FILE PATTERN: the sum of N over every PATTERN="N" in FILE (a
# basic regular expression; 0 when none).
sum_attr() {
  grep -o "$2=\"[0-9]*\"" "$1" | sed 's/.*="\([0-9]*\)"$/\1/' | awk '{ s += $1 } END { print s + 0 }'
}

# trend FILE SERIES RUN: the figure the trend chart draws for one run.
trend() {
  grep -o "data-series=\"$2\" data-run=\"$3\" data-date=\"[0-9-]*\" data-count=\"[0-9]*\"" "$1" |
    sed 's/.*data-count="\([0-9]*\)"/\1/' | head -n 1
}

# A small city and two nightly runs, two weeks apart (the second escalates).
CASES=$T/city.db
DB=$T/tasks.db
"$KIZUKI" gen --quiet --households 400 --seed 3 --out "$CASES" >/dev/null
"$KIZUKI" run --quiet --cases "$CASES" --tasks "$DB" --as-of 2024-10-01 --rules "$ROOT/rules" >/dev/null
"$KIZUKI" run --quiet --cases "$CASES" --tasks "$DB" --as-of 2024-10-15 --rules "$ROOT/rules" >/dev/null
# Open work: the backlog (a stale trigger, no due date) is counted apart.
OPEN="status = 'open' AND backlog = 0"
BACKLOG="status = 'open' AND backlog = 1"

# {====== Help and usage ======
check "report --help" 0 "$KIZUKI" report --help
expect "report --help" "$T/out" "--tasks TASKS.db --out DIR"
check "report without --out" 2 "$KIZUKI" report --tasks "$DB"
check "report with a bad date" 2 "$KIZUKI" report --tasks "$DB" --out "$T/x" --as-of 2024-02-30
check "report with a broken rules dir" 2 "$KIZUKI" report --tasks "$DB" --out "$T/x" --rules "$T/nowhere"
check "report of a missing task DB" 5 "$KIZUKI" report --tasks "$T/missing.db" --out "$T/x" --rules "$ROOT/rules"
sqlite3 "$T/empty.db" <"$ROOT/schema/tasks.sql"
check "report of a task DB with no run" 5 "$KIZUKI" report --tasks "$T/empty.db" --out "$T/x" --rules "$ROOT/rules"
expect "no run: says so" "$T/err" "no run"
check "report before the first run" 5 "$KIZUKI" report --tasks "$DB" --out "$T/x" --as-of 2024-09-01 --rules "$ROOT/rules"
echo "not a database" >"$T/junk.db"
check "report of a junk file" 5 "$KIZUKI" report --tasks "$T/junk.db" --out "$T/x" --rules "$ROOT/rules"
# }======

# {====== The latest run ======
OUT=$T/report
check "report" 0 "$KIZUKI" report --tasks "$DB" --out "$OUT" --rules "$ROOT/rules"
expect "report summary" "$T/out" "open tasks"
if [ -f "$OUT/index.html" ]; then ok; else bad "no index.html"; fi
# One page per unit of the profile (10 wards x 3 ward-level kinds + 1 city unit).
pages=$(ls "$OUT" | grep -c '\.html$')
same "page count" "$pages" 32
for u in $(q "SELECT DISTINCT replace(unit, '.supervisor', '') FROM tasks WHERE $OPEN"); do
  if [ -f "$OUT/$u.html" ]; then ok; else bad "no page for unit $u"; fi
done
if [ -f "$OUT/chuo.health_center.html" ]; then ok; else bad "no chuo.health_center.html"; fi
# Mode 0600, no temporary files left.
for f in "$OUT"/*; do
  m=$(stat -c %a "$f")
  [ "$m" = 600 ] || bad "$f has mode $m"
done
ok
if ls "$OUT" | grep -q tmp; then bad "temporary files left in $OUT"; else ok; fi

# Self-contained: no scheme, no script, no external stylesheet or image.
if grep -l 'https\?://' "$OUT"/*.html >"$T/ext"; then bad "http(s):// in $(cat "$T/ext")"; else ok; fi
if grep -il '<script\|<link\|<img\|<iframe\| src=' "$OUT"/*.html >"$T/ext"; then bad "external asset in $(cat "$T/ext")"; else ok; fi
# Every link points at a page that exists.
nlinks=0
for f in "$OUT"/*.html; do
  for h in $(grep -o 'href="[^"]*"' "$f" | sed 's/href="\(.*\)"/\1/' | sort -u); do
    nlinks=$((nlinks + 1))
    case $h in
      */*|*:*) bad "$f links outside the report: $h" ;;
      *) [ -f "$OUT/$h" ] || bad "$f links to missing $h" ;;
    esac
  done
done
if [ "$nlinks" -gt 31 ]; then ok; else bad "only $nlinks links"; fi
expect "index links a unit page" "$OUT/index.html" 'href="chuo.health_center.html"'
expect "unit page links back" "$OUT/chuo.health_center.html" 'href="index.html"'

# The counts of the index page.
I=$OUT/index.html
same "index open-count" "$(shown "$I" open-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN")"
same "index task rows" "$(grep -c '<tr class="task' "$I")" "$(q "SELECT count(*) FROM tasks WHERE $OPEN")"
same "index escalated-count" "$(shown "$I" escalated-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND level > 0")"
same "index critical-count" "$(shown "$I" critical-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND severity = 'critical'")"
same "index high-count" "$(shown "$I" high-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND severity = 'high'")"
same "index overdue-count (on the run's date)" "$(shown "$I" overdue-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND due_on < '2024-10-15'")"
if [ "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND level > 0")" -gt 0 ]; then ok; else bad "the second run escalated nothing: a weak test"; fi
# Per ward and per rule, as the bar charts show them. A task counts in the
# ward of the unit that holds it, as the unit table counts it; city-level
# units are one bar, 市（児童相談所）, explained in a note (no 区なし).
for w in chuo kita higashi shiroishi atsubetsu toyohira kiyota minami nishi teine; do
  want=$(q "SELECT count(*) FROM tasks WHERE $OPEN AND unit LIKE '$w.%'")
  same "ward bar $w" "$(bar "$I" ward "$w")" "$want"
  same "ward bar $w = its row of the unit table" "$(sum_attr "$I" "data-unit=\"$w\\.[a-z_]*\" data-count")" "$want"
done
want=$(q "SELECT count(*) FROM tasks WHERE $OPEN AND unit LIKE 'city.%'")
same "ward bar city" "$(bar "$I" ward city)" "$want"
same "ward bar city = the city row of the unit table" "$(sum_attr "$I" 'data-unit="city\.[a-z_]*" data-count')" "$want"
if [ "$want" -gt 0 ]; then ok; else bad "no task at a city-level unit: a weak test"; fi
same "no ward bar 'none'" "$(bar "$I" ward none)" ""
same "ward bars add up to open-count" "$(sum_attr "$I" 'data-chart="ward" data-key="[a-z]*" data-count')" "$(shown "$I" open-count)"
expect "city row named 市（児童相談所）" "$I" '<tr class="city"><th>市（児童相談所）</th>'
expect "the city note" "$I" 'id="city-note">市（児童相談所）：'
if grep -q '区なし' "$OUT"/*.html; then bad "a page still says 区なし"; else ok; fi
# A unit page draws only its own ward (the city's unit: the city bar).
for u in chuo.health_center kita.family_consultation city.child_guidance; do
  w=${u%%.*}
  same "$u: one ward bar" "$(grep -c 'data-chart="ward" data-key=' "$OUT/$u.html")" 1
  same "$u: its ward's bar" "$(bar "$OUT/$u.html" ward "$w")" "$(shown "$OUT/$u.html" open-count)"
done
for r in $(q "SELECT DISTINCT rule FROM tasks"); do
  same "rule bar $r" "$(bar "$I" rule "$r")" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND rule = '$r'")"
done
# The ladder: open tasks per agency kind at each step (the top step keeps
# the tasks that climbed past it). Steps per kind as in rules/kizuki.yaml.
TOP="CASE agency WHEN 'health_center' THEN 3 WHEN 'family_consultation' THEN 2 WHEN 'welfare' THEN 2 ELSE 1 END"
for a in health_center family_consultation welfare child_guidance; do
  for lv in 0 1 2 3; do
    got=$(grep -o "data-agency=\"$a\" data-level=\"$lv\" data-count=\"[0-9]*\"" "$I" | sed 's/.*data-count="\([0-9]*\)"/\1/')
    want=$(q "SELECT count(*) FROM tasks WHERE $OPEN AND agency = '$a' AND min(level, $TOP) = $lv AND $lv <= $TOP")
    [ -z "$got" ] && [ "$want" = 0 ] && { ok; continue; }   # no such step on this ladder
    same "ladder $a level $lv" "$got" "$want"
  done
done
# One definition of overdue: the card is the sum of the ladder's cells, on
# the run's date and on a later day (below); the ladder's cells add up to
# the open work, and its past-the-top mark says what it counts.
same "ladder overdue = overdue-count" "$(sum_attr "$I" 'data-count="[0-9]*" data-overdue')" "$(shown "$I" overdue-count)"
same "ladder cells = open-count" "$(sum_attr "$I" 'data-level="[0-9]*" data-count')" "$(shown "$I" open-count)"
if grep -q '最上段で期限超過' "$I"; then bad "the ladder still says 最上段で期限超過 (the cards' word for another count)"; else ok; fi
expect "the overdue note" "$I" 'id="overdue-note">「期限超過」は基準日 2024-10-15 に期限を過ぎている'
expect "the ladder note" "$I" 'id="ladder-note">'
same "backlog card = backlog section" "$(shown "$I" backlog-card-count)" "$(shown "$I" backlog-count)"
# The trend: one point per run, each as the runs table and task_events have it.
same "trend: one night per run" "$(grep -o 'data-chart="trend" data-nights="[0-9]*"' "$I" | sed 's/.*="\([0-9]*\)"/\1/')" "$(q "SELECT count(*) FROM runs")"
for run in $(q "SELECT id FROM runs"); do
  for col in "opened:opened + reopened" "cleared:cleared" "escalated:escalated"; do
    same "trend run $run ${col%%:*}" "$(trend "$I" "${col%%:*}" "$run")" "$(q "SELECT ${col#*:} FROM runs WHERE id = $run")"
  done
done
same "trend: the last night's open = open-count" "$(trend "$I" open 2)" "$(shown "$I" open-count)"
if [ "$(trend "$I" escalated 2)" -gt 0 ]; then ok; else bad "the trend shows no escalation: a weak test"; fi
expect "trend: an axis date" "$I" '>10/15</text>'
if grep -q 'data-chart="trend"' "$OUT/chuo.health_center.html"; then bad "a unit page draws the city's trend"; else ok; fi
# The unit matrix and each unit page: a unit's tasks and its supervisor's.
for u in $(q "SELECT DISTINCT replace(unit, '.supervisor', '') FROM tasks"); do
  want=$(q "SELECT count(*) FROM tasks WHERE $OPEN AND (unit = '$u' OR unit = '$u.supervisor')")
  same "matrix $u" "$(grep -o "data-unit=\"$u\" data-count=\"[0-9]*\"" "$I" | sed 's/.*data-count="\([0-9]*\)"/\1/')" "$want"
  same "page $u open-count" "$(shown "$OUT/$u.html" open-count)" "$want"
  same "page $u rows" "$(grep -c '<tr class="task' "$OUT/$u.html" || :)" "$want"
done
# Sorted by severity, then due date.
grep -o 'data-severity="[a-z]*" data-level="[0-9]*" data-due="[0-9-]*"' "$I" |
  sed 's/data-severity="critical"/0/; s/data-severity="high"/1/; s/data-severity="medium"/2/; s/data-severity="low"/3/; s/ data-level="[0-9]*" data-due="\(.*\)"/ \1/' >"$T/order"
if [ -s "$T/order" ] && sort -c "$T/order" 2>/dev/null; then ok; else bad "tasks not by severity, then due date"; fi
# Dates in the Japanese era; reasons and evidence shown.
expect "era of the run date" "$I" "令和6年10月15日"
expect "a reason" "$I" "$(q "SELECT reason FROM tasks WHERE $OPEN LIMIT 1" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g; s/'"'"'/\&#39;/g')"
ev=$(q "SELECT json_extract(evidence, '\$[0].id') FROM tasks WHERE $OPEN LIMIT 1")
expect "an evidence id" "$I" "<span class=\"ids\">$ev</span>"
expect "Japanese title" "$I" "<title>札幌市 子ども・家庭支援 エスカレーション報告</title>"
# The backlog section: counted per rule and per unit, listed on unit pages.
nb=$(q "SELECT count(*) FROM tasks WHERE $BACKLOG")
if [ "$nb" -gt 0 ]; then ok; else bad "no backlog task: a weak test"; fi
same "index backlog-count" "$(shown "$I" backlog-count)" "$nb"
for r in $(q "SELECT DISTINCT rule FROM tasks WHERE $BACKLOG"); do
  same "backlog rule $r" "$(grep -o "data-backlog-rule=\"$r\" data-count=\"[0-9]*\"" "$I" | sed 's/.*data-count="\([0-9]*\)"/\1/')" \
    "$(q "SELECT count(*) FROM tasks WHERE $BACKLOG AND rule = '$r'")"
done
for u in $(q "SELECT DISTINCT replace(unit, '.supervisor', '') FROM tasks WHERE $BACKLOG"); do
  want=$(q "SELECT count(*) FROM tasks WHERE $BACKLOG AND (unit = '$u' OR unit = '$u.supervisor')")
  same "backlog unit $u" "$(grep -o "data-backlog-unit=\"$u\" data-count=\"[0-9]*\"" "$I" | sed 's/.*data-count="\([0-9]*\)"/\1/')" "$want"
  same "page $u backlog-count" "$(shown "$OUT/$u.html" backlog-count)" "$want"
  same "page $u backlog rows" "$(grep -c '<tr class="backlog-task' "$OUT/$u.html" || :)" "$want"
done
same "index lists no backlog task among open work" "$(grep -c 'data-backlog="1"' "$I" || :)" 0
# }======

# {====== Overdue on a later day, and an earlier run ======
OUT2=$T/later
check "report --as-of a later day" 0 "$KIZUKI" report --tasks "$DB" --out "$OUT2" --as-of 2024-10-20 --rules "$ROOT/rules"
late=$(q "SELECT count(*) FROM tasks WHERE $OPEN AND due_on < '2024-10-20'")
same "overdue-count on 2024-10-20" "$(shown "$OUT2/index.html" overdue-count)" "$late"
same "overdue rows marked" "$(grep -c 'data-overdue="1">' "$OUT2/index.html" || :)" "$late"
same "later day: ladder overdue = overdue-count" "$(sum_attr "$OUT2/index.html" 'data-count="[0-9]*" data-overdue')" "$late"
same "overdue text markers" "$(grep -o '⚠ 期限超過 [0-9]*日' "$OUT2/index.html" | wc -l | tr -d ' ')" "$late"
if [ "$late" -gt 0 ]; then ok; else bad "nothing overdue on 2024-10-20: a weak test"; fi
expect "later day: the run shown" "$OUT2/index.html" 'data-run="2"'
check "report --as-of years later" 0 "$KIZUKI" report --tasks "$DB" --out "$T/years" --as-of 2030-01-01 --rules "$ROOT/rules"
same "years later: every dated task overdue, no backlog task" "$(shown "$T/years/index.html" overdue-count)" \
  "$(q "SELECT count(*) FROM tasks WHERE $OPEN")"
same "years later: the backlog still apart" "$(shown "$T/years/index.html" backlog-count)" "$nb"

OUT1=$T/earlier
check "report --as-of the first run" 0 "$KIZUKI" report --tasks "$DB" --out "$OUT1" --as-of 2024-10-01 --rules "$ROOT/rules"
expect "earlier: the run shown" "$OUT1/index.html" 'data-run="1"'
same "earlier open-count = first run's opened" "$(shown "$OUT1/index.html" open-count)" "$(q "SELECT opened FROM runs WHERE id = 1")"
same "earlier: nothing escalated yet" "$(shown "$OUT1/index.html" escalated-count)" 0
same "earlier: the trend ends at run 1" "$(grep -o 'data-chart="trend" data-nights="[0-9]*"' "$OUT1/index.html" | sed 's/.*="\([0-9]*\)"/\1/')" 1
same "earlier: trend open = open-count" "$(trend "$OUT1/index.html" open 1)" "$(shown "$OUT1/index.html" open-count)"
same "earlier backlog-count = first run's backlog" "$(shown "$OUT1/index.html" backlog-count)" "$(q "SELECT backlog FROM runs WHERE id = 1")"
expect "earlier: era" "$OUT1/index.html" "令和6年10月1日"
# }======

# {====== The trend keeps the last 60 runs ======
cp "$DB" "$T/long.db"
# 70 more nights (the runs table only: the tasks stay as they are).
sqlite3 "$T/long.db" "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 70)
  INSERT INTO runs (as_of, started_at, finished_at, rules_digest, rules_count, households, opened, cleared, escalated)
  SELECT date('2024-10-15', '+' || n || ' days'), '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z', 'x', 1, 1, n, 2 * n, 3 * n FROM k"
check "report of 72 runs" 0 "$KIZUKI" report --tasks "$T/long.db" --out "$T/long" --rules "$ROOT/rules"
L=$T/long/index.html
same "72 runs: 60 nights drawn" "$(grep -o 'data-chart="trend" data-nights="[0-9]*"' "$L" | sed 's/.*="\([0-9]*\)"/\1/')" 60
same "72 runs: the first night drawn is run 13" "$(grep -o 'data-series="open" data-run="[0-9]*"' "$L" | head -n 1 | sed 's/.*="\([0-9]*\)"/\1/')" 13
same "72 runs: run 13 opened" "$(trend "$L" opened 13)" 11
same "72 runs: run 72 escalated" "$(trend "$L" escalated 72)" 210
same "72 runs: the last night's open = open-count" "$(trend "$L" open 72)" "$(shown "$L" open-count)"
expect "72 runs: a year on the axis" "$L" '>2024年</text>'
# }======

# {====== Rule text is escaped everywhere ======
cp "$DB" "$T/hostile.db"
sqlite3 "$T/hostile.db" "UPDATE tasks SET reason = '<script>alert(1)</script>&\"x''', evidence = json_array(json_object('table', 'reports', 'id', '<b>E1</b>', 'received_on', '2024-10-01')) WHERE id = (SELECT min(id) FROM tasks WHERE $OPEN)"
check "report of hostile text" 0 "$KIZUKI" report --tasks "$T/hostile.db" --out "$T/hostile" --rules "$ROOT/rules"
expect "reason escaped" "$T/hostile/index.html" "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&#39;"
expect "evidence escaped" "$T/hostile/index.html" "&lt;b&gt;E1&lt;/b&gt;"
if grep -q '<script\|<b>E1' "$T/hostile"/*.html; then bad "unescaped rule text in a page"; else ok; fi
# }======

summary report
