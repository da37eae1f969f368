#!/bin/sh
# The nightly job runs in a folder whose ./rules is a link to the city's rule
# share. The share is not mounted one night: ./rules points at nothing, and
# kizuki passed on to the installed PREFIX/share/kizuki/rules without a
# word (exit 0), running -- and clearing tasks by -- other rules than meant.
# A ./rules that is a plain file did the same. Expected: exit 2 naming
# ./rules, nothing written.
. tests/e2e/red/lib.sh
mkdir -p "$T/pfx/bin" "$T/pfx/share/kizuki" "$T/job"
cp "$KIZUKI" "$T/pfx/bin/kizuki"
cp -r "$ROOT/rules" "$T/pfx/share/kizuki/rules"
city 50 3
for kind in link file; do
  rm -f "$T/job/rules" "$T/t.db"
  if [ "$kind" = link ]; then ln -s "$T/not-mounted/rules" "$T/job/rules"; else echo x >"$T/job/rules"; fi
  set +e
  (cd "$T/job" && env -u KIZUKI_RULES "$T/pfx/bin/kizuki" run --quiet --cases "$T/c.db" \
     --tasks "$T/t.db" --as-of 2024-10-01) >"$T/out" 2>"$T/err"
  r=$?
  set -e
  [ "$r" -eq 2 ] || lose "./rules a $kind: exit $r, the installed rules ran instead"
  [ ! -e "$T/t.db" ] || lose "./rules a $kind: the task DB was written"
  grep -q "./rules" "$T/err" || lose "./rules a $kind: the message does not name ./rules: $(head -n 1 "$T/err")"
done
# no ./rules at all: the installed rules, as documented
rm -f "$T/job/rules"
set +e
(cd "$T/job" && env -u KIZUKI_RULES "$T/pfx/bin/kizuki" check) >"$T/out" 2>"$T/err"
r=$?
set -e
[ "$r" -eq 0 ] || lose "no ./rules: the installed rules are not used (exit $r)"
finish
