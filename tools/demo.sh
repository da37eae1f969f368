#!/bin/sh
# tools/demo.sh — the demo city: generate a case DB, run the nightly batch
# for DEMO_NIGHTS nights from DEMO_AS_OF (one run a day), and write the HTML
# report. `make demo` runs it into demo/; tools/readme.sh and the README
# test (tests/e2e/readme.sh) read what it leaves, so the README's examples
# and the demo are the same city.
#
#   usage: tools/demo.sh KIZUKI OUT_DIR
#   env:   DEMO_HOUSEHOLDS (20000)  DEMO_SEED (2019)
#          DEMO_AS_OF (2024-10-01, the first night)  DEMO_NIGHTS (3)
#
# Leaves OUT_DIR/city.db (the case DB), OUT_DIR/tasks.db (the task DB after
# the last night), OUT_DIR/report/ (index.html and one page per unit) and
# OUT_DIR/demo.env (the settings above, for tools/readme.sh).
# Always reads the repository's rules/ (run from the repository root), never
# $KIZUKI_RULES. Exits with the first failing step's exit code.
set -eu

[ $# -eq 2 ] || { echo "usage: tools/demo.sh KIZUKI OUT_DIR" >&2; exit 2; }
kizuki=$1 out=$2
households=${DEMO_HOUSEHOLDS:-20000}
seed=${DEMO_SEED:-2019}
first=${DEMO_AS_OF:-2024-10-01}
nights=${DEMO_NIGHTS:-3}
[ -d rules ] || { echo "tools/demo.sh: run from the repository root (no ./rules here)" >&2; exit 2; }
case $nights in ''|*[!0-9]*|0) echo "tools/demo.sh: DEMO_NIGHTS must be 1 or more, not '$nights'" >&2; exit 2 ;; esac
date -d "$first" +%F >/dev/null 2>&1 || { echo "tools/demo.sh: DEMO_AS_OF '$first' is not a date" >&2; exit 2; }

mkdir -p "$out"
rm -f "$out/city.db" "$out/tasks.db" "$out/tasks.db-wal" "$out/tasks.db-shm"
"$kizuki" gen --households "$households" --seed "$seed" --out "$out/city.db" \
  --profile rules/kizuki.yaml
i=0
while [ "$i" -lt "$nights" ]; do
  night=$(date -d "$first + $i day" +%F)
  # Exit 8 (some households quarantined) is a finished night; anything else stops.
  rc=0
  "$kizuki" run --rules rules --cases "$out/city.db" --tasks "$out/tasks.db" --as-of "$night" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ] || { echo "tools/demo.sh: the night of $night failed (exit $rc)" >&2; exit "$rc"; }
  i=$((i + 1))
done
"$kizuki" report --quiet --rules rules --tasks "$out/tasks.db" --out "$out/report"
# What this demo is, for tools/readme.sh (the README describes the default one).
echo "households=$households seed=$seed first=$first nights=$nights" >"$out/demo.env"
