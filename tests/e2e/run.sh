#!/bin/sh
# tests/e2e/run.sh — `kizuki run` end to end, as the nightly batch uses it:
# idempotence, exit codes of the CLI contract, nothing written on a load
# error, the task DB's mode. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/run.sh
set -eu

. tests/e2e/lib/common.sh

# A small city: two households in chuo and kita. C1 missed the 18m checkup
# on 2024-07-16 (checkup.missed after the 14-day grace); H2 is quiet.
mkcases() {
  sqlite3 "$1" <"$ROOT/schema/cases.sql"
  sqlite3 "$1" "
    INSERT INTO persons (id, birth_on, sex) VALUES ('C1','2023-01-10','F'), ('M1','1990-05-05','F'),
                                                   ('C2','2022-06-01','M');
    INSERT INTO households (id) VALUES ('H1'), ('H2');
    INSERT INTO members (household_id, person_id, relation, start_on) VALUES
      ('H1','C1','child','2023-01-10'), ('H1','M1','mother','2023-01-10'), ('H2','C2','child','2022-06-01');
    INSERT INTO residences (id, household_id, municipality, ward, start_on) VALUES
      ('R1','H1','sapporo','chuo','2023-01-10'), ('R2','H2','sapporo','kita','2022-06-01');
    INSERT INTO checkups (id, child_id, kind, scheduled_on) VALUES ('K1','C1','18m','2024-07-16');"
}

CASES=$T/cases.db
mkcases "$CASES"
RUN="$KIZUKI run --quiet --as-of 2024-08-05 --rules $ROOT/rules"

# {====== Help and version ======
check "kizuki --help" 0 "$KIZUKI" --help
expect "kizuki --help" "$T/out" "usage: kizuki"
check "kizuki run --help" 0 "$KIZUKI" run --help
expect "kizuki run --help" "$T/out" "--cases"
check "kizuki --version" 0 "$KIZUKI" --version
expect "kizuki --version" "$T/out" "kizuki "
# }======

# {====== Two runs on one date: the second changes nothing ======
TASKS=$T/tasks.db
check "first run" 0 $RUN --cases "$CASES" --tasks "$TASKS"
expect "first run summary" "$T/out" "checkup.missed"
sqlite3 "$TASKS" "SELECT * FROM tasks ORDER BY id" >"$T/tasks1"
expect "first run opened the checkup task" "$T/tasks1" "|checkup.missed|C1|K1|H1|health_center|chuo|chuo.health_center|"
check "second run" 0 $RUN --cases "$CASES" --tasks "$TASKS"
sqlite3 "$TASKS" "SELECT * FROM tasks ORDER BY id" >"$T/tasks2"
if cmp -s "$T/tasks1" "$T/tasks2"; then ok; else bad "second run changed tasks"; diff "$T/tasks1" "$T/tasks2" >&2 || :; fi
opened=$(sqlite3 "$TASKS" "SELECT group_concat(opened, ',') FROM (SELECT opened FROM runs ORDER BY id)")
if [ "$opened" = "1,0" ]; then ok; else bad "runs.opened: '$opened', expected '1,0'"; fi
events=$(sqlite3 "$TASKS" "SELECT count(*) FROM task_events")
if [ "$events" = "1" ]; then ok; else bad "task_events after two runs: $events, expected 1"; fi
# The task DB is the owner's alone.
mode=$(stat -c %a "$TASKS")
if [ "$mode" = "600" ]; then ok; else bad "task DB mode $mode, expected 600"; fi
# }======

# {====== Usage errors (2) ======
check "missing --cases" 2 "$KIZUKI" run --tasks "$T/x.db"
expect "missing --cases" "$T/err" "--cases"
check "bad --as-of" 2 "$KIZUKI" run --cases "$CASES" --tasks "$T/x.db" --as-of 2024-02-30
expect "bad --as-of" "$T/err" "2024-02-30"
if [ ! -e "$T/x.db" ]; then ok; else bad "a usage error created the task DB"; fi
# }======

# {====== The case DB (4) ======
check "case DB missing" 4 $RUN --cases "$T/nope.db" --tasks "$T/x.db"
expect "case DB missing" "$T/err" "nope.db"
: >"$T/empty.db"
check "case DB empty" 4 $RUN --cases "$T/empty.db" --tasks "$T/x.db"
echo "not a database, just text" >"$T/text.db"
check "case DB is text" 4 $RUN --cases "$T/text.db" --tasks "$T/x.db"
cp "$CASES" "$T/noreviews.db"
sqlite3 "$T/noreviews.db" "DROP TABLE reviews"
check "case DB missing a table" 4 $RUN --cases "$T/noreviews.db" --tasks "$T/x.db"
expect "case DB missing a table" "$T/err" "reviews"
if [ ! -e "$T/x.db" ]; then ok; else bad "a case DB error created the task DB"; fi
# }======

# {====== The task DB (5) ======
check "task DB in a missing folder" 5 $RUN --cases "$CASES" --tasks "$T/no/such/dir/tasks.db"
mkdir "$T/adir"
check "task DB path is a folder" 5 $RUN --cases "$CASES" --tasks "$T/adir"
# Not writable even for root: a path under a regular file.
check "task DB under a file" 5 $RUN --cases "$CASES" --tasks "$CASES/tasks.db"
echo "some text" >"$T/text-tasks.db"
check "task DB is not a database" 5 $RUN --cases "$CASES" --tasks "$T/text-tasks.db"
if [ "$(cat "$T/text-tasks.db")" = "some text" ]; then ok; else bad "a foreign file was overwritten"; fi
# }======

# {====== Rules (2: nothing written; 3: the run goes on) ======
BAD=$T/badrules
mkdir "$BAD"
cp "$ROOT/rules/checkups.lua" "$BAD/"
printf '%s\n' '-- a supervisor typo' 'rule {' '  id = "typo.rule",,' '}' >"$BAD/typo.lua"
cp "$TASKS" "$T/before.db"
check "rule syntax error" 2 "$KIZUKI" run --quiet --as-of 2024-08-06 --cases "$CASES" --tasks "$TASKS" \
  --rules "$BAD" --profile "$ROOT/rules/kizuki.yaml"
expect "rule syntax error names file:line" "$T/err" "$BAD/typo.lua:3:"
if cmp -s "$TASKS" "$T/before.db"; then ok; else bad "a rule-load error changed the task DB"; fi
check "rule syntax error, new task DB" 2 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/fresh.db" \
  --rules "$BAD" --profile "$ROOT/rules/kizuki.yaml"
if [ ! -e "$T/fresh.db" ]; then ok; else bad "a rule-load error created the task DB"; fi

ERR=$T/errrules
mkdir "$ERR"
cp "$ROOT/rules/checkups.lua" "$ERR/"
cat >"$ERR/broken.lua" <<'EOF'
-- A rule with a bug: it indexes a field of nil for every household.
rule {
  id = "broken.rule", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local nothing = nil
    return nothing.field
  end,
}
EOF
check "rule raises" 3 "$KIZUKI" run --quiet --as-of 2024-08-05 --cases "$CASES" --tasks "$T/err.db" \
  --rules "$ERR" --profile "$ROOT/rules/kizuki.yaml"
expect "rule error names file:line, rule, subject" "$T/err" "$ERR/broken.lua:7: rule broken.rule, subject H1"
expect "rule error for the second household" "$T/err" "rule broken.rule, subject H2"
n=$(sqlite3 "$T/err.db" "SELECT count(*) FROM tasks WHERE rule = 'checkup.missed' AND subject = 'C1' AND status = 'open'")
if [ "$n" = "1" ]; then ok; else bad "the other rule's task is missing after a rule error ($n)"; fi
n=$(sqlite3 "$T/err.db" "SELECT count(*) FROM run_errors WHERE rule = 'broken.rule' AND line = 7 AND subject IN ('H1','H2')")
if [ "$n" = "2" ]; then ok; else bad "run_errors has $n rows for broken.rule, expected 2"; fi
# }======

# {====== a run for an earlier date than the task DB's latest is refused ======
check "later run" 0 "$KIZUKI" run --quiet --as-of 2024-09-01 --cases "$CASES" --tasks "$T/back.db"
sqlite3 "$T/back.db" "select * from tasks order by id" > "$T/back.before"
check "earlier run refused" 2 "$KIZUKI" run --quiet --as-of 2024-08-05 --cases "$CASES" --tasks "$T/back.db"
expect "refusal says why" "$T/err" "already has a run for 2024-09-01"
sqlite3 "$T/back.db" "select * from tasks order by id" > "$T/back.after"
if cmp -s "$T/back.before" "$T/back.after"; then ok; else bad "a refused earlier run changed tasks"; fi
check "earlier run allowed" 0 "$KIZUKI" run --quiet --allow-earlier --as-of 2024-08-05 --cases "$CASES" --tasks "$T/back.db"
# }======

# {====== privacy of an existing task DB; paths that mean something in a URI ======
sqlite3 "$T/loose.db" "create table scratch(a)"
chmod 644 "$T/loose.db"
check "run on a task DB made 0644 beforehand" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$T/loose.db" --as-of 2024-08-05
mode=$(stat -c %a "$T/loose.db")
if [ "$mode" = "600" ]; then ok; else bad "an existing task DB kept mode $mode"; fi
mkdir -p "$T/we?ird#dir%"
cp "$CASES" "$T/we?ird#dir%/cases.db"
check "case DB path with ? # %" 0 "$KIZUKI" run --quiet --cases "$T/we?ird#dir%/cases.db" --tasks "$T/uri.db" --as-of 2024-08-05
# }======

summary run
