#!/bin/sh
# `kizuki done ID --on DATE` took any date. A done task reopens only for a
# trigger after its done day (done_forever.sh), so a mistyped year
# (--on 2204-10-02 for 2024-10-02) kept the task done through every later
# episode -- the child never flagged again by that rule -- exit 0.
# Expected: an --on after today is refused (exit 2), nothing written.
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
id=$(sqlite3 "$T/t.db" "SELECT id FROM tasks WHERE status = 'open' LIMIT 1")
set +e
"$KIZUKI" done "$id" --tasks "$T/t.db" --note "家庭訪問で確認" --on 2204-10-02 >"$T/out" 2>"$T/err"; r=$?
set -e
[ "$r" -eq 2 ] || lose "done --on 2204-10-02: exit $r (a done day two centuries ahead taken)"
st=$(sqlite3 "$T/t.db" "SELECT status FROM tasks WHERE id = $id")
[ "$st" = open ] || lose "done --on 2204-10-02: the task is now $st"
"$KIZUKI" done "$id" --tasks "$T/t.db" --note "家庭訪問で確認" --on 2024-10-02 >/dev/null 2>&1 \
  || lose "done --on 2024-10-02 (a past day) refused"
finish
