#!/bin/sh
# Every column of every table of an untyped, non-STRICT extract (as another
# tool makes it: no declared types, no CHECKs), one row of a household with
# open tasks set to each odd value in turn. For each: the run must not stop
# the city (exit 4/5/crash over one row); the other households' tasks must be
# exactly those of the clean second night; a quarantined household's tasks
# exactly as the first night left them; a row hidden by a recorded_on or
# moved off its household must not clear its task silently. Still open:
# recorded_on = '9999-12-31' on a row that triggered a task (the row is
# "not known yet", its task cleared, exit 0). ~3 minutes.
. tests/e2e/red/lib.sh
city ${RED_HOUSEHOLDS:-200} ${RED_SEED:-11}
D1=2024-10-01 D2=2024-10-21
sed -e 's/) STRICT;/);/' -e 's/ TEXT / /g' -e 's/ TEXT,/,/g' -e 's/ INTEGER / /g' "$ROOT/schema/cases.sql" > "$T/untyped.sql"
sqlite3 "$T/u.db" < "$T/untyped.sql"
tables=$(sqlite3 "$T/c.db" "SELECT name FROM sqlite_master WHERE type='table'")
for t in $tables; do sqlite3 "$T/u.db" "ATTACH '$T/c.db' AS c; INSERT INTO $t SELECT * FROM c.$t"; done
night "$T/u.db" "$T/t1.db" $D1; [ "$rc" -le 3 ] || { lose "untyped copy of a clean city: exit $rc"; cat "$T/err" >&2; }
cp "$T/t1.db" "$T/clean.db"; night "$T/u.db" "$T/clean.db" $D2
dig() { sqlite3 "$1" "SELECT rule,subject,key,household_id,unit,level,status,due_on,cleared_on FROM tasks WHERE household_id <> '$2' ORDER BY 1,2,3" | md5sum; }
own() { sqlite3 "$1" "SELECT rule,subject,key,unit,level,status,due_on,cleared_on FROM tasks WHERE household_id = '$2' ORDER BY 1,2,3"; }
n=0
for t in $tables; do
  cols=$(sqlite3 "$T/u.db" "SELECT name FROM pragma_table_info('$t')")
  # a row of a household with open tasks (persons/pregnancies/checkups: through members)
  case $t in
    households) sel="SELECT rowid, id FROM households WHERE id IN (SELECT household_id FROM t1.tasks WHERE status='open')";;
    persons) sel="SELECT p.rowid, m.household_id FROM persons p JOIN members m ON m.person_id=p.id WHERE m.household_id IN (SELECT household_id FROM t1.tasks WHERE status='open')";;
    pregnancies) sel="SELECT p.rowid, m.household_id FROM pregnancies p JOIN members m ON m.person_id=p.mother_id WHERE m.household_id IN (SELECT household_id FROM t1.tasks WHERE status='open')";;
    checkups) sel="SELECT p.rowid, m.household_id FROM checkups p JOIN members m ON m.person_id=p.child_id WHERE m.household_id IN (SELECT household_id FROM t1.tasks WHERE status='open')";;
    *) sel="SELECT rowid, household_id FROM $t WHERE household_id IN (SELECT household_id FROM t1.tasks WHERE status='open')";;
  esac
  row=$(sqlite3 "$T/u.db" "ATTACH '$T/t1.db' AS t1; $sel LIMIT 1")
  [ -n "$row" ] || continue
  rid=${row%%|*} hh=${row#*|}
  for c in $cols; do
    for v in "NULL" "''" "x'323032342d30312d3031'" "20240101" "1.5" "' 2024-01-01'" "'2024-02-30'" "'0001-01-01'" "'9999-12-31'" \
             "'2024-01-01' || char(0) || 'x'" "char(10) || 'x'" "hex(randomblob(200000))" "'１２'" "-1"; do
      n=$((n + 1))
      cp "$T/u.db" "$T/bad.db"; cp "$T/t1.db" "$T/t2.db"
      sqlite3 "$T/bad.db" "UPDATE $t SET $c = $v WHERE rowid = $rid" 2>/dev/null || continue
      night "$T/bad.db" "$T/t2.db" $D2
      case $rc in 0|3|8) ;; *) lose "$t.$c = $v (household $hh): exit $rc: $(head -c 300 "$T/err")"; continue;; esac
      # households named: the mutated one and, for ids, whatever it now names
      if [ "$(dig "$T/t2.db" "$hh")" != "$(dig "$T/clean.db" "$hh")" ]; then
        # a changed id/household_id legitimately moves the row: report only if a task was cleared
        lostn=$(sqlite3 "$T/t2.db" "ATTACH '$T/clean.db' AS c; SELECT count(*) FROM tasks t JOIN c.tasks o USING (rule,subject,key) WHERE t.household_id <> '$hh' AND o.status='open' AND t.status='cleared'")
        [ "$lostn" -eq 0 ] || lose "$t.$c = $v (household $hh): exit $rc, $lostn task(s) of OTHER households cleared that a clean night keeps open"
      fi
      if grep -q "quarantined" "$T/err" && sqlite3 "$T/t2.db" "SELECT 1 FROM run_issues WHERE household_id='$hh' AND kind='invalid'" | grep -q 1; then
        [ "$(own "$T/t2.db" "$hh")" = "$(own "$T/t1.db" "$hh")" ] || lose "$t.$c = $v: household $hh quarantined (exit $rc) but its tasks changed: $(own "$T/t2.db" "$hh" | tr '\n' ';' | head -c 300)"
      else
        # a changed id is a new episode; a valid end/start/ward a data change:
        # only a row hidden by its recorded_on or moved off its household counts
        case $c in recorded_on|household_id|person_id|child_id|mother_id) ;; *) continue;; esac
        cl=$(sqlite3 "$T/t2.db" "ATTACH '$T/clean.db' AS c; SELECT group_concat(t.rule||' '||t.subject) FROM tasks t JOIN c.tasks o USING (rule,subject,key) WHERE t.household_id = '$hh' AND o.status='open' AND t.status='cleared'")
        [ -z "$cl" ] || lose "$t.$c = $v (household $hh): not quarantined, exit $rc, tasks cleared silently: $cl"
      fi
    done
  done
done
echo "$n mutations" >&2
finish
