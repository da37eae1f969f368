#!/bin/sh
# tests/e2e/tasks.sh — what agencies and supervisors do with tasks, end to
# end: `kizuki tasks` (filters, order, json/csv), `done` (and that no later
# run reopens), `explain`, `export` (CSV for Excel, JSON Lines, per unit,
# mode 0600), backlog tasks listed apart (`tasks --backlog`, the export
# column, explain), `test --coverage`, and `make install`. Every output is checked
# against the task DB with sqlite3. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/tasks.sh
set -eu

. tests/e2e/lib/common.sh
need_cmd python3 "tools/deps.sh test installs it"

# same NAME GOT WANT: two strings are equal.
same() {
  if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi
}

# q SQL: one query over the task DB.
q() { sqlite3 "$TASKS" "$1"; }

# csv_col FILE HEADER: the values of column HEADER of the CSV FILE (BOM,
# RFC 4180), one a line.
csv_col() {
  python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
i = rows[0].index(sys.argv[2])
for r in rows[1:]: print(r[i])' "$1" "$2"
}

# jsonl_array FILE: the JSON Lines of FILE as one JSON array (for json_valid).
jsonl_array() { { echo '['; sed '$!s/$/,/' "$1"; echo ']'; } }

SEV="CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END"

# {====== A small city, run over four weeks so tasks open and escalate ======
CASES=$T/city.db
TASKS=$T/tasks.db
"$KIZUKI" gen --quiet --households 300 --seed 3 --out "$CASES"
for d in 2024-10-01 2024-10-08 2024-10-15 2024-10-22; do
  check "run $d" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of "$d"
done
# One checkup is attended (the task clears), then the record is withdrawn
# again (it reopens): a history with every event but done.
CK=$(q "SELECT id FROM tasks WHERE rule = 'checkup.missed' AND level > 0 ORDER BY id LIMIT 1")
CK_KEY=$(q "SELECT key FROM tasks WHERE id = $CK")
cp "$CASES" "$T/attended.db"
sqlite3 "$T/attended.db" "UPDATE checkups SET attended_on = '2024-10-23' WHERE id = '$CK_KEY'"
check "run with the checkup attended" 0 "$KIZUKI" run --quiet --cases "$T/attended.db" --tasks "$TASKS" --as-of 2024-10-29
same "the attended checkup's task is cleared" "$(q "SELECT status FROM tasks WHERE id = $CK")" cleared
check "run with the record withdrawn" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of 2024-11-05
same "the checkup's task is reopened" "$(q "SELECT status || ' ' || level FROM tasks WHERE id = $CK")" "open 0"
# The daily queue is the open tasks outside the backlog (DESIGN.md).
n_open=$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0")
n_backlog=$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 1")
[ "$n_open" -gt 10 ] && ok || bad "only $n_open open tasks: the city is too small for this test"
[ "$n_backlog" -gt 0 ] && ok || bad "no backlog task: the backlog tests below are weak"
[ "$(q "SELECT count(*) FROM tasks WHERE level >= 2")" -gt 0 ] && ok || bad "no task escalated twice"
# }======

# {====== kizuki tasks ======
check "tasks --help" 0 "$KIZUKI" tasks --help
expect "tasks --help" "$T/out" "--overdue"
sum_before=$(cksum <"$TASKS")
check "tasks" 0 "$KIZUKI" tasks --tasks "$TASKS" --as-of 2024-11-05
# Header, one line per open task, the count line.
same "tasks: one line per open task" "$(($(wc -l <"$T/out") - 2))" "$n_open"
expect "tasks: header" "$T/out" "severity  due"
got=$(sed '1d;$d' "$T/out" | awk '{print $1}' | tr '\n' ' ')
want=$(q "SELECT id FROM tasks WHERE status = 'open' AND backlog = 0 ORDER BY $SEV, due_on, id" | tr '\n' ' ')
same "tasks: severity, then due date" "$got" "$want"
same "tasks: the task DB is opened read-only" "$(cksum <"$TASKS")" "$sum_before"
expect "tasks: the backlog is counted apart" "$T/out" "; $n_backlog backlog task"

U=$(q "SELECT unit FROM tasks WHERE status = 'open' GROUP BY unit ORDER BY count(*) DESC, unit LIMIT 1")
check "tasks --unit" 0 "$KIZUKI" tasks --tasks "$TASKS" --unit "$U" --format json
same "tasks --unit: JSON" "$(sqlite3 :memory: "SELECT json_valid(readfile('$T/out'))")" 1
same "tasks --unit: every task with the unit" \
  "$(sqlite3 :memory: "SELECT count(*) || '/' || sum(value ->> 'unit' = '$U') FROM json_each(readfile('$T/out'))")" \
  "$(q "SELECT count(*) || '/' || count(*) FROM tasks WHERE status = 'open' AND backlog = 0 AND unit = '$U'")"
same "tasks --format json: same order" \
  "$(sqlite3 :memory: "SELECT group_concat(value ->> 'id', ' ') FROM json_each(readfile('$T/out'))")" \
  "$(q "SELECT group_concat(id, ' ') FROM (SELECT id FROM tasks WHERE status = 'open' AND backlog = 0 AND unit = '$U' ORDER BY $SEV, due_on, id)")"
same "tasks --format json: evidence is JSON" \
  "$(sqlite3 :memory: "SELECT min(json_type(value -> 'evidence')) FROM json_each(readfile('$T/out'))")" array

W=$(q "SELECT ward FROM tasks WHERE ward IS NOT NULL GROUP BY ward ORDER BY count(*) DESC, ward LIMIT 1")
check "tasks --ward --status all" 0 "$KIZUKI" tasks --tasks "$TASKS" --ward "$W" --status all --format json
same "tasks --ward: count" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'))")" \
  "$(q "SELECT count(*) FROM tasks WHERE ward = '$W' AND backlog = 0")"

check "tasks --overdue" 0 "$KIZUKI" tasks --tasks "$TASKS" --overdue --as-of 2024-11-20 --format json
n_overdue=$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0 AND due_on < '2024-11-20'")
same "tasks --overdue: count" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'))")" "$n_overdue"
same "tasks --overdue: all marked" \
  "$(sqlite3 :memory: "SELECT count(*) FROM json_each(readfile('$T/out')) WHERE value ->> 'overdue'")" "$n_overdue"
check "tasks --overdue (text)" 0 "$KIZUKI" tasks --tasks "$TASKS" --overdue --as-of 2024-11-20
expect "tasks --overdue: footer" "$T/out" "$n_overdue overdue (due before 2024-11-20"

check "tasks --severity --rule" 0 "$KIZUKI" tasks --tasks "$TASKS" --severity medium --rule checkup.missed --format csv
same "tasks --format csv: header + rows, CRLF" "$(awk '/\r$/ {n++} END {print n + 0}' "$T/out")" \
  "$(($(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0 AND severity = 'medium' AND rule = 'checkup.missed'") + 1))"
expect "tasks --format csv: the export's Japanese header" "$T/out" "ID,重大度,期限,期限超過,担当,規則"
same "tasks --format csv: every severity code is medium" "$(csv_col "$T/out" 重大度コード | sort -u)" medium

check "tasks --opened-since" 0 "$KIZUKI" tasks --tasks "$TASKS" --opened-since 2024-10-15 --format json
same "tasks --opened-since: count" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'))")" \
  "$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0 AND opened_on >= '2024-10-15'")"
check "tasks --status cleared" 0 "$KIZUKI" tasks --tasks "$TASKS" --status cleared --format json
same "tasks --status cleared: count" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'))")" \
  "$(q "SELECT count(*) FROM tasks WHERE status = 'cleared' AND backlog = 0")"

check "tasks: a missing task DB" 5 "$KIZUKI" tasks --tasks "$T/nope.db"
expect "tasks: a missing task DB" "$T/err" "task DB not found"
[ ! -e "$T/nope.db" ] && ok || bad "tasks created a missing task DB"
check "tasks: the case DB is not a task DB" 5 "$KIZUKI" tasks --tasks "$CASES"
expect "tasks: not a task DB" "$T/err" "not a kizuki task DB"
check "tasks --status bogus" 2 "$KIZUKI" tasks --tasks "$TASKS" --status bogus
expect "tasks --status bogus" "$T/err" "--status: no status 'bogus'; it is open, cleared, done or all"
check "tasks --unit and --ward" 2 "$KIZUKI" tasks --tasks "$TASKS" --unit "$U" --ward "$W"
check "tasks --format xml" 2 "$KIZUKI" tasks --tasks "$TASKS" --format xml
check "tasks --as-of 2024-02-30" 2 "$KIZUKI" tasks --tasks "$TASKS" --as-of 2024-02-30

# The backlog: listed apart, never overdue, no due date.
check "tasks --backlog" 0 "$KIZUKI" tasks --tasks "$TASKS" --backlog --as-of 2030-01-01 --format json
same "tasks --backlog: exactly the open backlog tasks" \
  "$(sqlite3 :memory: "SELECT group_concat(value ->> 'id', ' ') FROM json_each(readfile('$T/out'))")" \
  "$(q "SELECT group_concat(id, ' ') FROM (SELECT id FROM tasks WHERE status = 'open' AND backlog = 1 ORDER BY $SEV, id)")"
same "tasks --backlog: backlog, no due date, never overdue (even years later)" \
  "$(sqlite3 :memory: "SELECT count(*) FROM json_each(readfile('$T/out')) WHERE value ->> 'backlog' = 1
                      AND value ->> 'due_on' IS NULL AND value ->> 'overdue' = 0")" "$n_backlog"
check "tasks --backlog (text)" 0 "$KIZUKI" tasks --tasks "$TASKS" --backlog
expect "tasks --backlog: footer" "$T/out" "$n_backlog backlog task"
same "tasks --backlog: no due date shown" "$(sed '1d;$d' "$T/out" | awk '$3 != "-"' | wc -l)" 0
check "tasks --overdue --as-of 2030" 0 "$KIZUKI" tasks --tasks "$TASKS" --overdue --as-of 2030-01-01 --format json
same "tasks --overdue: never a backlog task" \
  "$(sqlite3 :memory: "SELECT count(*) FROM json_each(readfile('$T/out')) WHERE value ->> 'backlog'")" 0
check "tasks --format json: the backlog told on stderr" 0 "$KIZUKI" tasks --tasks "$TASKS" --format json
expect "tasks json: backlog note" "$T/err" "$n_backlog backlog task"
check "tasks --backlog --format csv" 0 "$KIZUKI" tasks --tasks "$TASKS" --backlog --format csv
same "tasks csv: the backlog column" "$(csv_col "$T/out" バックログ | sort -u)" バックログ
BL=$(q "SELECT id FROM tasks WHERE status = 'open' AND backlog = 1 ORDER BY id LIMIT 1")
check "explain (backlog)" 0 "$KIZUKI" explain "$BL" --tasks "$TASKS" --as-of 2030-01-01
expect "explain: no due date" "$T/out" "due none, last seen"
expect "explain: says backlog" "$T/out" "backlog   the trigger was older than open_within_days"
if grep -q "(overdue)" "$T/out"; then bad "explain: a backlog task shown overdue"; else ok; fi
# }======

# {====== kizuki done ======
D=$(q "SELECT id FROM tasks WHERE status = 'open' AND level > 0 ORDER BY id LIMIT 1")
NOTE='家庭訪問で目視確認, "受診予約済み"'
check "done --help" 0 "$KIZUKI" done --help
check "done" 0 "$KIZUKI" done "$D" --tasks "$TASKS" --note "$NOTE" --on 2024-11-06
expect "done: says which task" "$T/out" "task $D done on 2024-11-06"
same "done: the task row" "$(q "SELECT status || '|' || done_on || '|' || done_note FROM tasks WHERE id = $D")" \
  "done|2024-11-06|$NOTE"
same "done: a done event with the note" \
  "$(q "SELECT count(*) FROM task_events WHERE task_id = $D AND event = 'done' AND note = '$(echo "$NOTE" | sed "s/'/''/g")'")" 1
check "done twice" 2 "$KIZUKI" done "$D" --tasks "$TASKS" --note again
expect "done twice" "$T/err" "task $D is already done"
same "done twice: one done event" "$(q "SELECT count(*) FROM task_events WHERE task_id = $D AND event = 'done'")" 1
check "done: unknown task" 2 "$KIZUKI" done 999999 --tasks "$TASKS" --note x
expect "done: unknown task" "$T/err" "no task 999999"
check "done: not an id" 2 "$KIZUKI" done 12x --tasks "$TASKS" --note x
check "done: no note" 2 "$KIZUKI" done "$D" --tasks "$TASKS"
D2=$(q "SELECT id FROM tasks WHERE status = 'open' AND id <> $D ORDER BY id LIMIT 1")
check "done --on before it opened" 2 "$KIZUKI" done "$D2" --tasks "$TASKS" --note x --on 2020-01-01
check "done: a missing task DB" 5 "$KIZUKI" done "$D2" --tasks "$T/nope.db" --note x
[ ! -e "$T/nope.db" ] && ok || bad "done created a missing task DB"
check "done: the case DB" 5 "$KIZUKI" done 1 --tasks "$CASES" --note x
same "done: the case DB is untouched" "$(sqlite3 "$CASES" "SELECT count(*) FROM sqlite_schema WHERE name = 'tasks'")" 0
# While something holds the write lock, done is busy (6) and changes nothing.
(echo "BEGIN IMMEDIATE;"; sleep 3; echo "COMMIT;") | sqlite3 "$TASKS" &
holder=$!
sleep 1
check "done while the task DB is held" 6 "$KIZUKI" done "$D2" --tasks "$TASKS" --note x
wait "$holder"
same "done while held: unchanged" "$(q "SELECT status FROM tasks WHERE id = $D2")" open
# The finding still holds: later runs keep the task done, never reopen it.
events=$(q "SELECT count(*) FROM task_events WHERE task_id = $D")
for d in 2024-11-12 2024-11-19; do
  check "run $d after done" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of "$d"
done
same "done: later runs do not reopen" "$(q "SELECT status FROM tasks WHERE id = $D")" done
same "done: later runs add no event" "$(q "SELECT count(*) FROM task_events WHERE task_id = $D")" "$events"
check "tasks --status done" 0 "$KIZUKI" tasks --tasks "$TASKS" --status done --format json
same "tasks --status done" "$(sqlite3 :memory: "SELECT group_concat(value ->> 'id') FROM json_each(readfile('$T/out'))")" "$D"
# }======

# {====== kizuki explain ======
check "explain --help" 0 "$KIZUKI" explain --help
check "explain (escalated, done)" 0 "$KIZUKI" explain "$D" --tasks "$TASKS" --rules "$ROOT/rules" --as-of 2024-11-20
RULE=$(q "SELECT rule FROM tasks WHERE id = $D")
expect "explain: the rule" "$T/out" "rule      $RULE — "
expect "explain: rule file and line" "$T/out" "$(q "SELECT rule_file || ':' || rule_line || ', version ' || rule_version FROM tasks WHERE id = $D")"
expect "explain: the reason" "$T/out" "$(q "SELECT reason FROM tasks WHERE id = $D")"
for ev in $(q "SELECT value ->> 'id' FROM tasks, json_each(tasks.evidence) WHERE tasks.id = $D"); do
  expect "explain: evidence $ev" "$T/out" "$ev"
done
q "SELECT e.value ->> 'id', f.value FROM tasks t, json_each(t.evidence) e, json_each(e.value) f
   WHERE t.id = $D AND f.key GLOB '*_on'" | while IFS='|' read -r id date; do
  grep -qF "$date" "$T/out" || echo "evidence $id: date $date" >>"$T/missing"
done
[ ! -s "$T/missing" ] && ok || { bad "explain: evidence dates missing: $(cat "$T/missing")"; rm -f "$T/missing"; }
expect "explain: unit now" "$T/out" "unit now  $(q "SELECT unit || ', level ' || level FROM tasks WHERE id = $D")"
for lv in $(q "SELECT level FROM task_events WHERE task_id = $D AND event = 'escalated'"); do
  expect "explain: escalation to level $lv" "$T/out" \
    "$(q "SELECT on_date || '  escalated  ' || unit FROM task_events WHERE task_id = $D AND event = 'escalated' AND level = $lv")"
done
expect "explain: opened" "$T/out" "$(q "SELECT on_date || '  opened     ' || unit FROM task_events WHERE task_id = $D AND event = 'opened'")"
expect "explain: done with its note" "$T/out" "note: $NOTE"
same "explain: one history line per event" "$(sed -n '/^history/,$p' "$T/out" | grep -c '^  20')" \
  "$(q "SELECT count(*) FROM task_events WHERE task_id = $D")"
check "explain (cleared, reopened)" 0 "$KIZUKI" explain "$CK" --tasks "$TASKS" --as-of 2024-11-20
expect "explain: cleared" "$T/out" "2024-10-29  cleared"
expect "explain: reopened" "$T/out" "2024-11-05  reopened"
expect "explain: the ladder" "$T/out" "ladder "
check "explain without rules" 0 "$KIZUKI" explain "$CK" --tasks "$TASKS" --rules "$T/no-rules"
expect "explain without rules: the rule id" "$T/out" "rule      checkup.missed"
expect "explain without rules: says so" "$T/err" "not loaded"
check "explain: unknown task" 2 "$KIZUKI" explain 999999 --tasks "$TASKS"
expect "explain: unknown task" "$T/err" "no task 999999"
check "explain: a missing task DB" 5 "$KIZUKI" explain 1 --tasks "$T/nope.db"
# }======

# {====== kizuki export ======
check "export --help" 0 "$KIZUKI" export --help
# Files are 0600 whatever the caller's umask: kizuki sets its own (077).
(umask 022; "$KIZUKI" export --tasks "$TASKS" --out "$T/open.csv" >"$T/out" 2>"$T/err") && ok || bad "export csv failed"
same "export csv: mode" "$(stat -c %a "$T/open.csv")" 600
same "export csv: UTF-8 BOM" "$(head -c 3 "$T/open.csv" | od -An -tx1 | tr -d ' \n')" efbbbf
expect "export csv: Japanese headers" "$T/open.csv" "ID,重大度,期限,期限超過,担当,規則,対象,キー,段階,状態,理由,根拠"
# Export: every open task, the backlog included, marked in its last column.
n_open=$(q "SELECT count(*) FROM tasks WHERE status = 'open'")
n_backlog=$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 1")
expect "export csv: the backlog column" "$T/open.csv" "完了日,完了メモ,バックログ"
same "export csv: backlog rows marked" "$(csv_col "$T/open.csv" バックログ | grep -c バックログ)" "$n_backlog"
same "export csv: CRLF records, header + open tasks" "$(awk '/\r$/ {n++} END {print n + 0}' "$T/open.csv")" "$((n_open + 1))"
same "export csv: no bare LF" "$(awk '!/\r$/' "$T/open.csv" | wc -l)" 0
# RFC 4180: a field with a comma or quote is quoted, quotes doubled.
sqlite3 "$T/open.csv.db" ".import --csv '$T/open.csv' x" 2>/dev/null && ok || bad "export csv: sqlite3 cannot import it"
same "export csv: fields survive quoting" \
  "$(sqlite3 "$T/open.csv.db" "SELECT count(*) FROM x" )" "$n_open"
expect "export csv: reason" "$T/open.csv" "$(q "SELECT reason FROM tasks WHERE status = 'open' ORDER BY id LIMIT 1")"
expect "export csv: summary" "$T/out" "$n_open tasks in $T/open.csv"
[ ! -e "$T/open.csv.tmp" ] && ok || bad "export left its temporary file"

check "export jsonl" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/all.jsonl" --format jsonl --status all
jsonl_array "$T/all.jsonl" >"$T/all.json"
same "export jsonl: valid, one task a line" \
  "$(sqlite3 :memory: "SELECT json_valid(readfile('$T/all.json')) || ' ' || json_array_length(readfile('$T/all.json'))")" \
  "1 $(q "SELECT count(*) FROM tasks")"
same "export jsonl: fields" \
  "$(sqlite3 :memory: "SELECT group_concat(value ->> 'status') FROM json_each(readfile('$T/all.json')) WHERE value ->> 'id' = $D")" done
same "export jsonl: mode" "$(stat -c %a "$T/all.jsonl")" 600
same "export jsonl: backlog field" \
  "$(sqlite3 :memory: "SELECT sum(value ->> 'backlog') FROM json_each(readfile('$T/all.json'))")" \
  "$(q "SELECT sum(backlog) FROM tasks")"
check "export --backlog" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/backlog.jsonl" --format jsonl --backlog
jsonl_array "$T/backlog.jsonl" >"$T/backlog.json"
same "export --backlog: only the backlog" \
  "$(sqlite3 :memory: "SELECT count(*) || '/' || sum(value ->> 'backlog') FROM json_each(readfile('$T/backlog.json'))")" \
  "$n_backlog/$n_backlog"
check "export --no-backlog" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/queue.csv" --no-backlog
same "export --no-backlog: none of it" "$(csv_col "$T/queue.csv" バックログ | grep -c バックログ || true)" 0

check "export --per-unit" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/units" --per-unit
units=$(q "SELECT unit FROM tasks UNION SELECT unit FROM task_events ORDER BY 1")
total=0
for u in $units; do
  f="$T/units/$u.csv"
  if [ -f "$f" ]; then ok; else bad "export --per-unit: no $f"; continue; fi
  same "export --per-unit: $u.csv mode" "$(stat -c %a "$f")" 600
  same "export --per-unit: $u.csv rows" "$(($(awk '/\r$/ {n++} END {print n + 0}' "$f") - 1))" \
    "$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND unit = '$u'")"
done
same "export --per-unit: one file per unit" "$(ls "$T/units" | wc -l)" "$(echo "$units" | wc -l)"
same "export --per-unit: folder mode" "$(stat -c %a "$T/units")" 700
check "export --per-unit jsonl" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/units-jsonl" --per-unit --format jsonl
jsonl_array "$T/units-jsonl/$U.jsonl" >"$T/u.json"
same "export --per-unit jsonl: only the unit's tasks" \
  "$(sqlite3 :memory: "SELECT count(*) || '/' || sum(value ->> 'unit' = '$U') FROM json_each(readfile('$T/u.json'))")" \
  "$(q "SELECT count(*) || '/' || count(*) FROM tasks WHERE status = 'open' AND unit = '$U'")"
check "export: --out a folder without --per-unit" 2 "$KIZUKI" export --tasks "$TASKS" --out "$T/units"
check "export --per-unit: --out a file" 5 "$KIZUKI" export --tasks "$TASKS" --out "$T/open.csv" --per-unit
check "export: a missing task DB" 5 "$KIZUKI" export --tasks "$T/nope.db" --out "$T/x.csv"
[ ! -e "$T/x.csv" ] && ok || bad "export wrote a file for a missing task DB"
check "export --format xlsx" 2 "$KIZUKI" export --tasks "$TASKS" --out "$T/x.xlsx" --format xlsx
# }======

# {====== kizuki test --coverage ======
set +e
"$KIZUKI" test --coverage >"$T/cov" 2>"$T/err"
got=$?
set -e
[ "$got" -le 1 ] && ok || bad "test --coverage: exit $got"
expect "test --coverage: table" "$T/cov" "coverage: passing fixtures that open / clear a task of each rule"
"$KIZUKI" rules --format json >"$T/rules.json"
for r in $(sqlite3 :memory: "SELECT value ->> 'id' FROM json_each(readfile('$T/rules.json'))"); do
  grep -qE "^$r +[0-9]+ +[0-9]+$" "$T/cov" && ok || bad "test --coverage: no line for rule $r"
done
tail -n 1 "$T/cov" | grep -qE '^[0-9]+ passed, [0-9]+ failed$' && ok || bad "test --coverage: last line is not 'N passed, N failed'"
check "test --coverage, one fixture" 0 "$KIZUKI" test --coverage fixtures/checkup-missed.yaml
expect "test --coverage: rules no fixture fires" "$T/out" "no fixture fires: "
# }======

# {====== make install ======
# The build dir of $KIZUKI, so make finds it up to date and builds nothing.
INST=$T/inst
make -s -C "$ROOT" install DESTDIR="$INST" PREFIX=/usr BUILD="$(dirname "$KIZUKI")" >"$T/out" 2>"$T/err" && ok ||
  { bad "make install failed"; sed 's/^/  | /' "$T/err" >&2; }
[ -x "$INST/usr/bin/kizuki" ] && ok || bad "make install: no usr/bin/kizuki"
same "make install: rules" "$(ls "$INST/usr/share/kizuki/rules" | tr '\n' ' ')" "$(cd "$ROOT/rules" && ls *.lua kizuki.yaml | sort | tr '\n' ' ')"
same "make install: schema" "$(ls "$INST/usr/share/kizuki/schema" | tr '\n' ' ')" "$(cd "$ROOT/schema" && ls *.sql | tr '\n' ' ')"
cmp -s "$ROOT/docs/kizuki.1" "$INST/usr/share/man/man1/kizuki.1" && ok || bad "make install: no man page"
same "make install: modes" "$(stat -c %a "$INST/usr/bin/kizuki" "$INST/usr/share/kizuki/rules/kizuki.yaml" | tr '\n' ' ')" "755 644 "
check "installed kizuki checks the installed rules" 0 "$INST/usr/bin/kizuki" check "$INST/usr/share/kizuki/rules"
# A rule file gone from rules/ is gone from the installed folder too.
touch "$INST/usr/share/kizuki/rules/retired.lua"
make -s -C "$ROOT" install DESTDIR="$INST" PREFIX=/usr BUILD="$(dirname "$KIZUKI")" >"$T/out" 2>"$T/err" && ok || bad "make install (again) failed"
[ ! -e "$INST/usr/share/kizuki/rules/retired.lua" ] && ok || bad "make install left a retired rule file"
# The man page has every exit code of kizuki.h.
for code in $(sed -n 's/.*KZ_EXIT_[A-Z_]* = \([0-9]\).*/\1/p' "$ROOT/engine/kizuki.h"); do
  grep -qx ".B $code" "$ROOT/docs/kizuki.1" && ok || bad "docs/kizuki.1: no EXIT STATUS entry for $code"
done
# }======

summary tasks
