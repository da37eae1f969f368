#!/bin/sh
# CHECK AFTER SANDBOX MERGE (engine/sandbox.c, kzlib.c; issue 11). One rule
# file calls kz.finding(kz) inside pcall, once. Every other rule file then
# finds kz.finding / kz.add_days nil: every rule errs in every household, the
# other rules' tasks are not opened (on a later night: kept only by the
# errored set), exit 3. Contract: other rules' tasks exactly as without it.
. tests/e2e/red/lib.sh
city 200 7
cp -r "$ROOT/rules" "$T/rules"
cat > "$T/rules/zz_hostile.lua" <<'LUA'
rule {
  id = "hostile.finding_kz", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p) pcall(kz.finding, kz) end,
}
LUA
night "$T/c.db" "$T/base.db" 2024-10-01
set +e; $KIZUKI run --quiet --one-thread --rules "$T/rules" --cases "$T/c.db" --tasks "$T/h.db" --as-of 2024-10-01 >/dev/null 2>"$T/err"; rc=$?; set -e
a=$(sqlite3 "$T/base.db" "SELECT rule,subject,key,unit,reason FROM tasks ORDER BY 1,2,3" | md5sum)
b=$(sqlite3 "$T/h.db" "SELECT rule,subject,key,unit,reason FROM tasks WHERE rule NOT LIKE 'hostile.%' ORDER BY 1,2,3" 2>/dev/null | md5sum)
[ "$a" = "$b" ] || lose "kz.finding(kz) in one file: other rules' tasks $(sqlite3 "$T/base.db" 'SELECT count(*) FROM tasks') -> $(sqlite3 "$T/h.db" "SELECT count(*) FROM tasks WHERE rule NOT LIKE 'hostile.%'"), exit $rc: $(grep -v hostile "$T/err" | head -1 | cut -c1-160)"
finish
