#!/bin/sh
# "Today" -- the default --as-of and the day no record may be recorded after
# (kz_loader_set_latest) -- is the machine's local date. The nightly job's
# files (contrib/) and the docs said nothing of the time zone; on a machine
# left at UTC (containers, many servers), a run between 00:00 and 09:00 JST
# takes the day before as today, and every household with a record the PF
# stamped with the new JST day is quarantined (exit 8; exit 4 past 1%).
# Shown below with TZ=Etc/GMT+12 (behind the PF's day). Expected: the
# nightly job's environment sets the city's zone, and kizuki.1 says why.
. tests/e2e/red/lib.sh
city 200 3
today=$(TZ=Asia/Tokyo date +%Y-%m-%d)
sqlite3 "$T/c.db" "UPDATE contacts SET recorded_on = '$today' WHERE rowid IN (SELECT rowid FROM contacts ORDER BY rowid DESC LIMIT 1)"
set +e
TZ=Etc/GMT+12 "$KIZUKI" run --quiet --rules "$ROOT/rules" --cases "$T/c.db" --tasks "$T/t.db" >"$T/out" 2>"$T/err"
behind=$?
TZ=Asia/Tokyo "$KIZUKI" run --quiet --rules "$ROOT/rules" --cases "$T/c.db" --tasks "$T/t2.db" >"$T/out" 2>"$T/err2"
jst=$?
set -e
echo "a record stamped $today (JST): exit $behind with the machine's clock behind, $jst with TZ=Asia/Tokyo"
[ "$jst" -eq 0 ] || lose "TZ=Asia/Tokyo: exit $jst: $(head -n 1 "$T/err2")"
grep -q '^TZ=' "$ROOT/contrib/kizuki.env" || lose "contrib/kizuki.env (the service's environment) sets no TZ"
grep -q '^TZ=' "$ROOT/contrib/kizuki.cron" || lose "contrib/kizuki.cron sets no TZ"
grep -q '^\.B TZ' "$ROOT/docs/kizuki.1" || lose "kizuki.1 ENVIRONMENT says nothing of TZ"
finish
