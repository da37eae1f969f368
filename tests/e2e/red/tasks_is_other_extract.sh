#!/bin/sh
# The operator gives another copy of the PF extract (yesterday's, or the
# one the systemd unit reads from another folder) as --tasks. It is not the
# case DB of this run, so the same-file check passes: the task tables were
# written into the extract and it was switched to WAL, exit 0. A database
# holding the case tables and no 'tasks' is a case DB: refuse, write nothing.
. tests/e2e/red/lib.sh
city 100 3
cp "$T/c.db" "$T/yesterday.db"
md5=$(md5sum <"$T/yesterday.db")
night "$T/c.db" "$T/yesterday.db" 2024-10-01
[ "$(md5sum <"$T/yesterday.db")" = "$md5" ] && [ ! -e "$T/yesterday.db-wal" ] ||
  lose "--tasks another extract: exit $rc, written: $(sqlite3 "$T/yesterday.db" "SELECT group_concat(name) FROM sqlite_master WHERE name IN ('tasks','runs','run_issues')")"
[ "$rc" -ne 0 ] || lose "--tasks another extract: exit 0"
# a fresh path and an existing task DB still work
night "$T/c.db" "$T/t.db" 2024-10-01; [ "$rc" -eq 0 ] || lose "fresh task DB: exit $rc"
night "$T/c.db" "$T/t.db" 2024-10-02; [ "$rc" -eq 0 ] || lose "existing task DB: exit $rc"
finish
