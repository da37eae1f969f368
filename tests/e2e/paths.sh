#!/bin/sh
# tests/e2e/paths.sh — the case DB is never written, whatever paths are
# given (DESIGN.md): a task DB, export or report path that resolves to the
# case DB (or, for exports and reports, to the task DB) is refused with exit
# 2; task DB names with URI characters open the file named; report pages
# never go through a planted link and a killed report never leaves a mixed
# or half folder; a WAL extract in a read-only folder is read exactly, or
# refused when reading it would miss data. The case DB's bytes are checked
# after every case. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/paths.sh
set -eu

. tests/e2e/lib/common.sh

RULES="--rules $ROOT/rules"
AS_OF=2024-10-01
mkdir "$T/city" "$T/x"
CASES=$T/city/city.db
"$KIZUKI" gen --quiet --households 300 --seed 5 --until $AS_OF --out "$CASES" >/dev/null
CASES_MD5=$(md5sum <"$CASES")

# case_intact NAME: the case DB's bytes are as generated and nothing was
# created beside it (no -wal, -shm or -journal: nobody opened it to write).
case_intact() {
  same "$1: case DB bytes" "$(md5sum <"$CASES")" "$CASES_MD5"
  if ls "$T/city" | grep -q -- '-wal\|-shm\|-journal'; then bad "$1: $(ls "$T/city") beside the case DB"; else ok; fi
}

# {====== run: a --tasks that is the case DB ======
cd "$T"
ln -s city/city.db "$T/link.db"
ln "$CASES" "$T/hard.db"
for tasks in "$CASES" city/city.db ./x/../city/city.db "$T/x/../city/city.db" link.db "$T/hard.db" \
             city/city.db-wal city/city.db-journal; do
  check "run --tasks $tasks" 2 "$KIZUKI" run --quiet --as-of $AS_OF $RULES --cases "$CASES" --tasks "$tasks"
  expect "run --tasks $tasks: names both" "$T/err" "--tasks $tasks is"
  expect "run --tasks $tasks: names the case DB" "$T/err" "case DB $CASES"
  case_intact "run --tasks $tasks"
done
# The case DB given by a link, the task DB by its real name: the same file.
check "run --cases link --tasks real" 2 "$KIZUKI" run --quiet --as-of $AS_OF $RULES --cases link.db --tasks "$CASES"
case_intact "run --cases link --tasks real"
rm -f "$T/hard.db"
cd "$ROOT"
# A task DB elsewhere works, and leaves the case DB as it was.
TASKS=$T/tasks.db
check "run" 0 "$KIZUKI" run --quiet --as-of $AS_OF $RULES --cases "$CASES" --tasks "$TASKS"
case_intact "run"
# Open work, as the report counts it (the backlog is shown apart).
OPEN=$(sqlite3 "$TASKS" "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0")
if [ "$OPEN" -gt 0 ]; then ok; else bad "the run opened no task: a weak test"; fi
TASKS_MD5=$(tasks_digest "$TASKS")
# }======

# {====== export: an --out that is the task DB or the case DB ======
ln -s tasks.db "$T/tlink.db"
for out in "$TASKS" "$T/x/../tasks.db" "$T/tlink.db" "$TASKS-wal" "$CASES" "$T/link.db"; do
  check "export --out $out" 2 "$KIZUKI" export --tasks "$TASKS" --out "$out" --as-of $AS_OF
  expect "export --out $out: says refused" "$T/err" "refused"
  same "export --out $out: task DB" "$(tasks_digest "$TASKS")" "$TASKS_MD5"
  case_intact "export --out $out"
done
check "export --out the task DB (message)" 2 "$KIZUKI" export --tasks "$TASKS" --out "$T/tlink.db"
expect "export --out the task DB (message)" "$T/err" "--out $T/tlink.db is the task DB $TASKS"
# A per-unit file that is a link to the case DB is refused too.
mkdir "$T/units"
ln -s "$CASES" "$T/units/chuo.health_center.csv"
check "export --per-unit onto a link to the case DB" 2 "$KIZUKI" export --tasks "$TASKS" --out "$T/units" --per-unit --status all
case_intact "export --per-unit onto a link to the case DB"
same "export --per-unit refused: nothing written" "$(ls "$T/units")" "chuo.health_center.csv"
# An ordinary export, through a fresh temporary: no leftover.
check "export" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/open.csv" --as-of $AS_OF
if ls "$T" | grep -q 'open.csv.tmp'; then bad "export left a temporary"; else ok; fi
# }======

# {====== Task DB names with URI characters ======
for db in 't#1.db' 'a%62.db' 'q?x.db' 'sp ace.db'; do
  cp "$TASKS" "$T/$db"
  check "report of $db" 0 "$KIZUKI" report --tasks "$T/$db" --out "$T/r-$(echo "$db" | tr -c 'a-z0-9\n' _)" $RULES
  expect "report of $db shows its tasks" "$T/out" ": $OPEN open tasks"
  check "tasks of $db" 0 "$KIZUKI" tasks --tasks "$T/$db" --as-of $AS_OF
  check "run into $db" 0 "$KIZUKI" run --quiet --as-of $AS_OF $RULES --cases "$CASES" --tasks "$T/$db"
done
[ ! -e "$T/ab.db" ] && [ ! -e "$T/t" ] && [ ! -e "$T/q" ] && ok || bad "a URI character opened another file: $(ls "$T")"
case_intact "URI characters"
# }======

# {====== report: planted links ======
OUT=$T/rep
check "report" 0 "$KIZUKI" report --tasks "$TASKS" --out "$OUT" $RULES
echo "not yours" >"$T/victim"
VICTIM_MD5=$(md5sum <"$T/victim")
# At the name the pages used to be written through (PAGE.tmpPID: the pid of
# the sh that execs kizuki), and at a page itself.
ln -s "$T/victim" "$OUT/chuo.health_center.html.tmp-planted"
rm "$OUT/kita.health_center.html"
ln -s "$T/victim" "$OUT/kita.health_center.html"
check "report over planted links" 0 sh -c 'ln -s "$1" "$2/index.html.tmp$$"; exec "$3" report --tasks "$4" --out "$2" --rules "$5/rules"' \
  sh "$T/victim" "$OUT" "$KIZUKI" "$TASKS" "$ROOT"
same "planted links: victim" "$(md5sum <"$T/victim")" "$VICTIM_MD5"
if [ -f "$OUT/kita.health_center.html" ] && [ ! -L "$OUT/kita.health_center.html" ]; then ok; else bad "the page is still a link"; fi
if ls -a "$OUT" | grep -q 'tmp'; then bad "temporaries in $OUT: $(ls -a "$OUT" | grep tmp)"; else ok; fi
# A planted OUT.new-XXXXXX link to another folder: that folder is left alone.
mkdir "$T/other"
echo keep >"$T/other/keep.html"
ln -s "$T/other" "$OUT.new-AAAAAA"
check "report beside a planted OUT.new link" 0 "$KIZUKI" report --tasks "$TASKS" --out "$OUT" $RULES
same "planted OUT.new link: other folder" "$(cat "$T/other/keep.html")" "keep"
rm "$OUT.new-AAAAAA"
# A page that is a link to the case DB, or the task DB: refused.
rm "$OUT/kita.health_center.html"
ln -s "$CASES" "$OUT/kita.health_center.html"
check "report over a link to the case DB" 2 "$KIZUKI" report --tasks "$TASKS" --out "$OUT" $RULES
expect "report over a link to the case DB" "$T/err" "SQLite database"
rm "$OUT/kita.health_center.html"
ln "$TASKS" "$OUT/kita.health_center.html"
check "report over a hard link to the task DB" 2 "$KIZUKI" report --tasks "$TASKS" --out "$OUT" $RULES
same "report over the task DB: task DB" "$(tasks_digest "$TASKS")" "$TASKS_MD5"
rm "$OUT/kita.health_center.html"
# --out that is the case DB, the task DB, or the task DB's folder.
for out in "$CASES" "$TASKS" "$T/link.db" "$T"; do
  check "report --out $out" 2 "$KIZUKI" report --tasks "$TASKS" --out "$out" $RULES
  same "report --out $out: task DB" "$(tasks_digest "$TASKS")" "$TASKS_MD5"
  case_intact "report --out $out"
done
# A new folder given with a trailing slash, as in the README.
check "report --out new/" 0 "$KIZUKI" report --tasks "$TASKS" --out "$T/slash/" $RULES
[ -f "$T/slash/index.html" ] && ok || bad "report --out new/: no index.html"
check "report --out new/ again" 0 "$KIZUKI" report --tasks "$TASKS" --out "$T/slash/" $RULES
# A folder with other files in it is not replaced.
mkdir "$T/mine"
echo "my notes" >"$T/mine/notes.txt"
check "report into a folder of other files" 2 "$KIZUKI" report --tasks "$TASKS" --out "$T/mine" $RULES
same "other files kept" "$(cat "$T/mine/notes.txt")" "my notes"
# }======

# {====== report killed mid-write: the old set or the new, never a mix ======
# A big task DB (the open tasks copied 60 times), so that writing takes a
# while; two generations: as of the first run and as of the second.
BIG=$T/big.db
cp "$TASKS" "$BIG"
"$KIZUKI" run --quiet --as-of 2024-10-02 $RULES --cases "$CASES" --tasks "$BIG" >/dev/null
sqlite3 "$BIG" "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 60)
  INSERT INTO tasks (rule, subject, key, household_id, agency, ward, unit, severity, level, status,
                     since, opened_on, due_on, last_seen_on, reason, evidence, rule_version, backlog)
  SELECT rule, subject, key || '#' || n, household_id, agency, ward, unit, severity, level, status,
         since, opened_on, due_on, last_seen_on, reason, evidence, rule_version, backlog
  FROM tasks, c WHERE status = 'open'"
K=$T/kill
"$KIZUKI" report --tasks "$BIG" --out "$T/gen-new" $RULES >/dev/null
"$KIZUKI" report --tasks "$BIG" --out "$T/gen-old" --as-of $AS_OF $RULES >/dev/null
NEW_MD5=$(md5sum <"$T/gen-new/index.html")
OLD_MD5=$(md5sum <"$T/gen-old/index.html")
[ "$OLD_MD5" != "$NEW_MD5" ] && ok || bad "the two generations have the same index: a weak test"
start=$(date +%s%N)
"$KIZUKI" report --tasks "$BIG" --out "$T/timing" $RULES >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
midway=0
for i in 1 2 3 4 5 6 7 8; do
  "$KIZUKI" report --tasks "$BIG" --out "$K" --as-of $AS_OF $RULES >/dev/null
  "$KIZUKI" report --tasks "$BIG" --out "$K" $RULES >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v i=$i -v ms=$ms 'BEGIN { printf "%.3f", ms * (i - 0.5) / 8 / 1000 }')"
  kill -KILL $pid 2>/dev/null || :
  wait $pid 2>/dev/null || :
  if ls -d "$K".new-* >/dev/null 2>&1; then midway=$((midway + 1)); fi
  got=$(md5sum <"$K/index.html")
  if [ "$got" = "$OLD_MD5" ] || [ "$got" = "$NEW_MD5" ]; then ok
  else bad "kill $i: index.html of neither generation"; fi
  if ls -a "$K" | grep -q tmp; then bad "kill $i: temporaries in the report folder: $(ls -a "$K" | grep tmp | head -3)"; else ok; fi
  # Every page is of the one generation: the folder equals one of the two.
  if diff -r -q "$K" "$T/gen-old" >/dev/null 2>&1 || diff -r -q "$K" "$T/gen-new" >/dev/null 2>&1; then ok
  else bad "kill $i: the folder is a mix of generations (or half one)"; fi
done
echo "paths: $midway of 8 kills landed while pages were being written (a report takes ${ms} ms)" >&2
# The next report removes what the killed ones left beside the folder.
check "report after the kills" 0 "$KIZUKI" report --tasks "$BIG" --out "$K" $RULES
if ls "$T" | grep -q 'kill\.'; then bad "leftovers beside the report: $(ls "$T" | grep 'kill\.')"; else ok; fi
same "report after the kills: index" "$(md5sum <"$K/index.html")" "$NEW_MD5"
case_intact "killed reports"
# }======

# {====== A WAL extract in a read-only folder ======
# Root ignores mode bits: the runs go as nobody (setpriv) when we are root.
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null 2>&1; then AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
  else AS=""; fi
else
  AS="env"
fi
if [ -z "$AS" ]; then
  missing_part "setpriv (to run as nobody: root ignores mode bits)" "apt-get install util-linux; meanwhile only test_db_open covers the read-only folder cases"
else
  chmod 711 "$T"
  W=$T/wal
  mkdir "$W" "$W/src" "$W/empty" "$W/full" "$W/out"
  chmod 755 "$W"
  cp "$CASES" "$W/src/city.db"
  sqlite3 "$W/src/city.db" "PRAGMA journal_mode = WAL" >/dev/null
  cp "$W/src/city.db" "$W/empty/city.db"          # WAL mode, no -wal: all data in the file
  # A -wal with committed data (the writer still open when copied): a
  # household more, which only the WAL holds.
  sqlite3 "$W/src/city.db" "PRAGMA wal_autocheckpoint = 0" \
    "INSERT INTO households (id) VALUES ('HWAL')" ".shell cp $W/src/city.db $W/src/city.db-wal $W/full/" >/dev/null
  [ -s "$W/full/city.db-wal" ] && ok || bad "no WAL content in the extract: a weak test"
  chmod 444 "$W/empty/city.db" "$W/full/city.db" "$W/full/city.db-wal"
  chmod 555 "$W/empty" "$W/full"
  chmod 777 "$W/out"
  EMPTY_MD5=$(md5sum <"$W/empty/city.db")
  check "WAL extract, no -wal, read-only folder" 0 $AS "$KIZUKI" run --quiet --as-of $AS_OF $RULES \
    --cases "$W/empty/city.db" --tasks "$W/out/t1.db"
  same "WAL extract read whole" "$(tasks_digest "$W/out/t1.db")" "$TASKS_MD5"
  same "WAL extract bytes" "$(md5sum <"$W/empty/city.db")" "$EMPTY_MD5"
  same "nothing beside the WAL extract" "$(ls "$W/empty")" "city.db"
  check "WAL extract with WAL data, read-only folder" 4 $AS "$KIZUKI" run --quiet --as-of $AS_OF $RULES \
    --cases "$W/full/city.db" --tasks "$W/out/t2.db"
  expect "WAL data: says checkpoint" "$T/err" "wal_checkpoint"
  expect "WAL data: names the -wal" "$T/err" "$W/full/city.db-wal holds"
  [ ! -e "$W/out/t2.db" ] && ok || bad "a task DB was written from a stale extract"
  # The same extract where -shm can be made is read with its WAL data.
  cp "$W/full/city.db" "$W/full/city.db-wal" "$W/out/"
  check "WAL extract with WAL data, writable folder" 0 "$KIZUKI" run --quiet --as-of $AS_OF $RULES \
    --cases "$W/out/city.db" --tasks "$W/out/t3.db"
  chmod 755 "$W/empty" "$W/full"
  chmod 700 "$T"
fi
case_intact "the end"
# }======

summary paths
