#!/bin/sh
# tests/e2e/report_browser.sh — `kizuki report` as staff see it: headless
# Chromium loads the pages from file:// (no server, no network), the DOM it
# builds shows the counts of the task DB (sqlite3) and the trend of the runs
# table, every badge fits inside its table cell (measured by a script in a
# copy of the page), a unit page draws only its ward, hostile rule text stays
# text, and a screenshot is kept at build/report-screenshot.png (and one of a
# unit page at build/report-screenshot-unit.png). Needs chromium and a CJK
# (Japanese) font, which tools/deps.sh test installs (`make test` runs it):
# under CI=true a missing one fails the test, elsewhere it skips, saying so
# (tests/e2e/lib/common.sh). Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/report_browser.sh
set -eu

. tests/e2e/lib/common.sh

find_chromium() {
  for c in chromium chromium-browser; do
    command -v "$c" 2>/dev/null && return 0
  done
  return 1
}
HOW="as root: sh tools/deps.sh test, or apt-get install chromium fonts-noto-cjk"
CHROMIUM=$(find_chromium) || missing chromium "$HOW"
need_cmd fc-list "$HOW"
fc-list 2>/dev/null | grep -qi 'cjk' || missing "a CJK font (fc-list lists none)" "$HOW"

# browse ARGS... URL: one headless Chromium, its own profile, no network
# services, no first-run work. Killed after 120 s.
browse() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" "$@" 2>>"$T/chromium.log"
}

# shown DOM ID: the data-count of the element with that id, as the browser has it.
shown() {
  grep -o "id=\"$2\" data-count=\"[0-9]*\"" "$1" | sed 's/.*data-count="\([0-9]*\)"/\1/' | head -n 1
}

q() { sqlite3 "$DB" "$1"; }

CASES=$T/city.db
DB=$T/tasks.db
"$KIZUKI" gen --quiet --households 400 --seed 3 --out "$CASES" >/dev/null
"$KIZUKI" run --quiet --cases "$CASES" --tasks "$DB" --as-of 2024-10-01 --rules "$ROOT/rules" >/dev/null
"$KIZUKI" run --quiet --cases "$CASES" --tasks "$DB" --as-of 2024-10-15 --rules "$ROOT/rules" >/dev/null
# One task's rule text tries to break out of the page.
sqlite3 "$DB" "UPDATE tasks SET reason = '<script>document.title=\"pwned\"</script><img src=x>理由' WHERE id = (SELECT max(id) FROM tasks WHERE status = 'open' AND backlog = 0)"
OUT=$T/report
# Judged on 2024-10-20, so that overdue tasks are on the page.
"$KIZUKI" report --quiet --tasks "$DB" --out "$OUT" --as-of 2024-10-20 --rules "$ROOT/rules"
OPEN="status = 'open' AND backlog = 0"   # open work; the backlog is shown apart

# {====== The city page, as the browser's DOM ======
browse --dump-dom "file://$OUT/index.html" >"$T/index.dom" || :
if grep -q '</html>' "$T/index.dom"; then ok; else bad "chromium gave no DOM for index.html"; sed 's/^/  | /' "$T/chromium.log" | tail -n 20 >&2; fi
same "DOM open-count" "$(shown "$T/index.dom" open-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN")"
same "DOM task rows" "$(grep -o '<tr class="task' "$T/index.dom" | wc -l | tr -d ' ')" "$(q "SELECT count(*) FROM tasks WHERE $OPEN")"
late=$(q "SELECT count(*) FROM tasks WHERE $OPEN AND due_on < '2024-10-20'")
same "DOM overdue-count" "$(shown "$T/index.dom" overdue-count)" "$late"
same "DOM overdue rows" "$(grep -o '<tr class="task overdue"' "$T/index.dom" | wc -l | tr -d ' ')" "$late"
same "DOM escalated-count" "$(shown "$T/index.dom" escalated-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND level > 0")"
# The visible number is the count too (not only the attribute).
n=$(q "SELECT count(*) FROM tasks WHERE $OPEN")
if grep -q "id=\"open-count\" data-count=\"$n\">$n<" "$T/index.dom"; then ok; else bad "open-count text is not $n"; fi
# Charts: one bar per ward (+ none) and per loaded rule, as SVG in the DOM.
same "DOM ward bars" "$(grep -o 'data-chart="ward" data-key=' "$T/index.dom" | wc -l | tr -d ' ')" 11
same "DOM rule bars" "$(grep -o 'data-chart="rule" data-key=' "$T/index.dom" | wc -l | tr -d ' ')" "$("$KIZUKI" rules "$ROOT/rules" --format json 2>/dev/null | grep -o '"id":' | wc -l | tr -d ' ')"
# The hostile text stayed text: no script or img element, the title intact.
if grep -q '<script\|<img' "$T/index.dom"; then bad "rule text became markup in the DOM"; else ok; fi
if grep -q '&lt;script&gt;document.title' "$T/index.dom"; then ok; else bad "hostile reason not shown as text"; fi
if grep -q '<title>札幌市 子ども・家庭支援 エスカレーション報告</title>' "$T/index.dom"; then ok; else bad "page title changed"; fi
# }======

# The trend chart as the browser drew it: one point per run.
same "DOM trend points" "$(grep -o 'data-series="open" data-run=' "$T/index.dom" | wc -l | tr -d ' ')" "$(q "SELECT count(*) FROM runs")"
same "DOM trend opened, run 2" "$(grep -o 'data-series="opened" data-run="2" data-date="[0-9-]*" data-count="[0-9]*"' "$T/index.dom" | sed 's/.*data-count="\([0-9]*\)"/\1/')" \
  "$(q "SELECT opened + reopened FROM runs WHERE id = 2")"
# }======

# {====== Badges fit their cells ======
# fits PAGE NAME: a copy of PAGE with a script that measures, after layout
# in a 1280 px window, every badge (.mark, .sev) against the table cell it
# sits in, and writes the count and the spilling ones into the DOM.
fits() {
  sed 's#</body>#<script>(function(){var bad=[],n=0,els=document.querySelectorAll(".mark, .sev");for(var i=0;i<els.length;i++){var e=els[i],c=e.closest("td, th");if(!c)continue;n++;var r=e.getBoundingClientRect(),k=c.getBoundingClientRect();if(r.left<k.left-0.5||r.right>k.right+0.5)bad.push(e.textContent+" "+Math.round(r.right-k.left)+">"+Math.round(k.width));}document.body.setAttribute("data-badges",n);document.body.setAttribute("data-spilling",bad.length);var p=document.createElement("pre");p.id="spilling";p.textContent=bad.join(" | ");document.body.appendChild(p);})();</script></body>#' \
    "$OUT/$1" >"$OUT/fit-$1"
  browse --window-size=1280,2000 --dump-dom "file://$OUT/fit-$1" >"$T/fit.dom" || :
  rm -f "$OUT/fit-$1"
  n=$(grep -o 'data-badges="[0-9]*"' "$T/fit.dom" | sed 's/[^0-9]//g')
  spill=$(grep -o 'data-spilling="[0-9]*"' "$T/fit.dom" | sed 's/[^0-9]//g')
  if [ -n "$n" ] && [ "$n" -gt 0 ]; then ok; else bad "$2: no badge measured (script did not run?)"; return; fi
  if [ "$spill" = 0 ]; then ok "$2: $n badges inside their cells"; else
    bad "$2: $spill of $n badges spill out of their cell: $(grep -o '<pre id="spilling">[^<]*' "$T/fit.dom" | cut -c 20-400)"
  fi
}
if grep -q 'mark level">段階1（エスカレーション）' "$OUT/index.html"; then ok; else bad "no 段階1（エスカレーション） badge on the index: a weak test"; fi
fits index.html "index"
fits city.child_guidance.html "city.child_guidance"
# }======

# {====== A unit page ======
U=$(q "SELECT replace(unit, '.supervisor', '') FROM tasks WHERE $OPEN GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
browse --dump-dom "file://$OUT/$U.html" >"$T/unit.dom" || :
same "DOM $U open-count" "$(shown "$T/unit.dom" open-count)" "$(q "SELECT count(*) FROM tasks WHERE $OPEN AND (unit = '$U' OR unit = '$U.supervisor')")"
if grep -q 'href="index.html"' "$T/unit.dom"; then ok; else bad "$U page does not link the index"; fi
# Only its own ward is drawn, and no trend (the runs table is the city's).
same "DOM $U ward bars" "$(grep -o 'data-chart="ward" data-key=' "$T/unit.dom" | wc -l | tr -d ' ')" 1
same "DOM $U its ward" "$(grep -o 'data-chart="ward" data-key="[a-z]*"' "$T/unit.dom" | sed 's/.*data-key="\(.*\)"/\1/')" "${U%%.*}"
if grep -q 'data-chart="trend"' "$T/unit.dom"; then bad "$U page draws the trend"; else ok; fi
# }======

# {====== Screenshots ======
mkdir -p "$ROOT/build"
for shot in "index.html $ROOT/build/report-screenshot.png" "$U.html $ROOT/build/report-screenshot-unit.png"; do
  page=${shot%% *} png=${shot#* }
  rm -f "$png"
  (cd "$T" && browse --screenshot="$png" --window-size=1280,2000 --hide-scrollbars "file://$OUT/$page" >/dev/null) || :
  if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
     [ "$(wc -c <"$png")" -gt 50000 ]; then
    ok
    echo "screenshot: $png ($page)"
  else
    bad "no screenshot of $page at $png"
  fi
done
# }======

summary report_browser
