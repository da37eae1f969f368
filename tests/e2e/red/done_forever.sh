#!/bin/sh
# Staff close a child.not_seen task (`kizuki done`: "never reopened for the
# same episode"). The child is seen the next day; then nobody sees her again
# for months. child.not_seen is keyed by the child, so the new episode (its
# since after the day it was done) met the done task and was dropped: the
# child was never flagged again, for the rest of her childhood, silently.
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t.db" 2024-10-01
row=$(sqlite3 "$T/t.db" "SELECT id, subject, household_id FROM tasks WHERE rule='child.not_seen' AND status='open' LIMIT 1")
id=${row%%|*} rest=${row#*|}; kid=${rest%%|*} hh=${rest#*|}
"$KIZUKI" done "$id" --tasks "$T/t.db" --note "家庭訪問で確認" --on 2024-10-02 >/dev/null
sqlite3 "$T/c.db" "INSERT INTO contacts (id, household_id, person_id, agency, kind, occurred_on, child_seen, recorded_on)
  VALUES ('TRED1', '$hh', '$kid', 'family_consultation', 'visit', '2024-10-02', 1, '2024-10-02')"
night "$T/c.db" "$T/t.db" 2024-10-03
st=$(sqlite3 "$T/t.db" "SELECT status FROM tasks WHERE id=$id")
[ "$st" = done ] || lose "the same episode reopened the done task the next night: $st"
night "$T/c.db" "$T/t.db" 2025-03-01
rm -f "$T/fresh.db"; night "$T/c.db" "$T/fresh.db" 2025-03-01
fresh=$(sqlite3 "$T/fresh.db" "SELECT since FROM tasks WHERE rule='child.not_seen' AND subject='$kid' AND status='open'")
st=$(sqlite3 "$T/t.db" "SELECT status FROM tasks WHERE rule='child.not_seen' AND subject='$kid'")
[ -n "$fresh" ] || { echo "no new episode in this city" >&2; exit 2; }
[ "$st" = open ] || lose "$kid unseen again since $fresh (a new episode, after the task was done on 2024-10-02): her child.not_seen task is '$st', no task"
finish
