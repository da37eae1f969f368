#!/bin/sh
# Other tools read the task DB directly (DESIGN "Task store contract"): an
# audit view and an audit trigger on tasks in a version-1 task DB. The
# migration to version 2 rebuilt tasks: the view made the rename fail
# ("error in view ...: no such table: main.tasks", exit 5 every night, the
# city's tasks frozen) and the trigger was dropped without a word.
. tests/e2e/red/lib.sh
city 200 5
sqlite3 "$T/v1.db" < "$ROOT/tests/e2e/lib/tasks_v1.sql"
sqlite3 "$T/v1.db" "PRAGMA user_version" | grep -qx 1 || { echo "tasks_v1.sql is not version 1" >&2; exit 2; }
cp "$T/v1.db" "$T/view.db"
sqlite3 "$T/view.db" "CREATE VIEW audit_open AS SELECT unit, count(*) n FROM tasks WHERE status='open' GROUP BY unit"
night "$T/c.db" "$T/view.db" 2024-10-01
[ "$rc" -le 3 ] || lose "v1 task DB with a view on tasks: exit $rc: $(cat "$T/err")"
cp "$T/v1.db" "$T/trig.db"
sqlite3 "$T/trig.db" "CREATE TABLE audit_log (task_id INTEGER, old TEXT, new TEXT);
  CREATE TRIGGER audit_status AFTER UPDATE OF status ON tasks BEGIN
    INSERT INTO audit_log VALUES (old.id, old.status, new.status); END;"
night "$T/c.db" "$T/trig.db" 2024-10-01
[ "$rc" -le 3 ] || lose "v1 task DB with a trigger: exit $rc"
[ "$(sqlite3 "$T/trig.db" "SELECT count(*) FROM sqlite_master WHERE name='audit_status'")" = 1 ] ||
  lose "the migration dropped trigger audit_status silently"
finish
