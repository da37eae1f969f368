#!/bin/sh
# tests/e2e/backlog.sh — the backlog end to end (DESIGN.md "Task store
# contract"): a first run over years of history opens stale triggers as
# backlog tasks (no due date) except for never-backlog rules, the run's
# summary and record count them, later runs never escalate them; and a task
# DB left by a version-1 kizuki is refused by readers with a clear message,
# then migrated in place by the next run (ids and history kept), while a
# newer one is refused untouched. Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/backlog.sh
set -eu

. tests/e2e/lib/common.sh

q() { sqlite3 "$TASKS" "$1"; }

CASES=$T/city.db
TASKS=$T/tasks.db
"$KIZUKI" gen --quiet --households 400 --seed 2019 --out "$CASES"

# {====== A first night over years of history ======
check "first run" 0 "$KIZUKI" run --cases "$CASES" --tasks "$TASKS" --as-of 2024-10-01
expect "summary: backlog and promoted columns" "$T/out" "escalated  cleared  backlog promoted"
nb=$(q "SELECT count(*) FROM tasks WHERE backlog = 1")
[ "$nb" -gt 0 ] && ok || bad "no backlog task on a first run: a weak test"
same "backlog tasks have no due date" "$(q "SELECT count(*) FROM tasks WHERE backlog = 1 AND due_on IS NULL")" "$nb"
same "normal tasks have one" "$(q "SELECT count(*) FROM tasks WHERE backlog = 0 AND due_on IS NULL")" 0
same "stale triggers are the backlog (never-backlog rules aside)" \
  "$(q "SELECT count(*) FROM tasks WHERE julianday('2024-10-01') - julianday(since) > 180
        AND rule NOT IN ('child.not_seen', 'checkup.unreachable', 'report.safety_check', 'risk.rising')")" "$nb"
same "never-backlog rules: no backlog task" \
  "$(q "SELECT count(*) FROM tasks WHERE backlog = 1
        AND rule IN ('child.not_seen', 'checkup.unreachable', 'report.safety_check', 'risk.rising')")" 0
old_safety=$(q "SELECT count(*) FROM tasks WHERE backlog = 0 AND julianday('2024-10-01') - julianday(since) > 180")
[ "$old_safety" -gt 0 ] && ok || bad "no never-backlog task with an old trigger: a weak test"
same "the run's record: backlog = backlog tasks opened" "$(q "SELECT backlog FROM runs WHERE id = 1")" "$nb"
same "the run's record: opened = normal tasks" "$(q "SELECT opened FROM runs WHERE id = 1")" \
  "$(q "SELECT count(*) FROM tasks WHERE backlog = 0")"
same "the summary's total backlog" "$(awk '$1 == "total" {print $7; exit}' "$T/out")" "$nb"
same "opened events with no due date = the backlog" \
  "$(q "SELECT count(*) FROM task_events WHERE event = 'opened' AND due_on IS NULL")" "$nb"
# }======

# {====== Weeks later: the backlog is kept, never escalated ======
for d in 2024-10-22 2024-11-12 2024-12-03; do
  check "run $d" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$TASKS" --as-of "$d"
done
same "no backlog task escalated" \
  "$(q "SELECT count(*) FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.backlog = 1 AND e.event = 'escalated'")" 0
same "open backlog tasks at level 0" "$(q "SELECT count(*) FROM tasks WHERE backlog = 1 AND status = 'open' AND level > 0")" 0
[ "$(q "SELECT count(*) FROM tasks WHERE backlog = 0 AND level > 0")" -gt 0 ] && ok || bad "nothing escalated: a weak test"
same "every promotion recorded and counted" "$(q "SELECT count(*) FROM task_events WHERE event = 'promoted'")" \
  "$(q "SELECT sum(promoted) FROM runs")"
# }======

# {====== A version-1 task DB ======
V1=$T/v1.db
sqlite3 "$V1" <"$ROOT/tests/e2e/lib/tasks_v1.sql"
sqlite3 "$V1" "INSERT INTO runs (id, as_of, started_at, rules_digest, rules_count, opened) VALUES
                 (1, '2024-09-24', '2024-09-24T01:00:00Z', 'old', 18, 2);
               INSERT INTO tasks (id, rule, subject, key, household_id, agency, ward, unit, severity, level,
                 status, since, opened_on, due_on, last_seen_on, reason, rule_version) VALUES
                 (41, 'r.retired', 'S1', 'K1', 'H1', 'health_center', 'chuo', 'chuo.health_center', 'medium',
                  1, 'open', '2024-09-01', '2024-09-02', '2024-09-30', '2024-09-24', '理由', 'v0'),
                 (42, 'welfare.ended', 'X9', 'W9:health_center', 'X9', 'health_center', 'kita', 'kita.health_center',
                  'medium', 0, 'done', '2024-09-20', '2024-09-24', '2024-10-01', '2024-09-24', '理由', 'v0');
               INSERT INTO task_events (id, task_id, run_id, on_date, event, unit, level, due_on) VALUES
                 (7, 41, 1, '2024-09-02', 'opened', 'chuo.health_center', 0, '2024-09-09'),
                 (8, 41, 1, '2024-09-24', 'escalated', 'chuo.health_center.supervisor', 1, '2024-09-30'),
                 (9, 42, 1, '2024-09-24', 'opened', 'kita.health_center', 0, '2024-10-01');"
sum_before=$(cksum <"$V1")
check "tasks on a version-1 DB" 5 "$KIZUKI" tasks --tasks "$V1"
expect "tasks: says the next run upgrades it" "$T/err" "schema version 1, from before the backlog; the next"
check "report on a version-1 DB" 5 "$KIZUKI" report --tasks "$V1" --out "$T/r1"
expect "report: says so too" "$T/err" "schema version 1"
same "readers leave it as it was" "$(cksum <"$V1")" "$sum_before"
check "run migrates it" 0 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$V1" --as-of 2024-10-01
same "version 2" "$(sqlite3 "$V1" "PRAGMA user_version")" 2
same "old tasks kept, ids and all" \
  "$(sqlite3 "$V1" "SELECT group_concat(id || ' ' || rule || ' ' || status || ' ' || level || ' ' || due_on || ' ' || backlog, ', ')
                    FROM tasks WHERE id IN (41, 42)")" \
  "41 r.retired open 1 2024-09-30 0, 42 welfare.ended done 0 2024-10-01 0"
same "old events kept" "$(sqlite3 "$V1" "SELECT group_concat(id || ' ' || task_id || ' ' || event, ', ') FROM task_events WHERE id <= 9")" \
  "7 41 opened, 8 41 escalated, 9 42 opened"
same "old run kept, with zero backlog counts" "$(sqlite3 "$V1" "SELECT opened || ' ' || backlog || ' ' || promoted FROM runs WHERE id = 1")" "2 0 0"
same "the run on it: the same backlog as on a fresh DB" \
  "$(sqlite3 "$V1" "SELECT count(*) FROM tasks WHERE backlog = 1 AND opened_on = '2024-10-01'")" "$nb"
same "no foreign key broken" "$(sqlite3 "$V1" "PRAGMA foreign_key_check")" ""
check "tasks after the migration" 0 "$KIZUKI" tasks --tasks "$V1" --backlog --format json
same "tasks --backlog after the migration" "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/out'))")" "$nb"
# A DB from a newer kizuki: refused, untouched.
sqlite3 "$V1" "PRAGMA user_version = 9"
sum_before=$(cksum <"$V1")
check "run on a newer DB" 5 "$KIZUKI" run --quiet --cases "$CASES" --tasks "$V1" --as-of 2024-10-02
expect "newer: says so" "$T/err" "schema version is 9, newer than this kizuki's (2)"
same "newer: untouched" "$(cksum <"$V1")" "$sum_before"
# }======

summary backlog
