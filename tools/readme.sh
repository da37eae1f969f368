#!/bin/sh
# tools/readme.sh — every example block of README.md (a command and what it
# printed) is made here, by running it, so no figure in the README is typed
# by hand. A block sits between marker lines:
#
#   <!-- example: NAME -->
#   ```
#   $ kizuki ...            (made by the function ex_NAME below)
#   ```
#   <!-- /example -->
#
#   usage: tools/readme.sh [--check | --update] [--demo DIR] [--readme FILE]
#
#   --check    (default) make every block and compare with README.md; exit 1
#              with a diff when one differs (tests/e2e/readme.sh, in make test)
#   --update   rewrite the blocks of README.md in place
#   --demo DIR the demo city `make demo` left (default demo/: city.db and
#              tasks.db after its three nights, made by tools/demo.sh)
#   --readme FILE  the file to check or rewrite (default README.md)
#   --blocks DIR   keep the made blocks in DIR, and reuse them when DIR has
#              them all (for tests that check several READMEs against one demo)
#
# Run from the repository root after `make demo`. The examples run in a
# scratch copy of the demo (the demo is never changed), with ./rules a copy
# of rules/, fixtures/ beside it, kizuki ($KIZUKI, default build/kizuki) on
# PATH as `kizuki`, and LC_ALL=C.UTF-8 (messages in English). What changes
# from build to build or machine to machine is normalised here, never in the
# README by hand: the scratch folder's path, timings (N.NN s, N ms).
# Exit: 0 the README is current (or was rewritten); 1 it is stale (--check);
# 2 usage, a missing demo, a marker without its end or an unknown block, or
# an example command that failed.
set -eu

mode=check
demo=demo
readme=README.md
blocks_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --check) mode=check ;;
    --update) mode=update ;;
    --demo) [ $# -ge 2 ] || { echo "tools/readme.sh: --demo needs a folder" >&2; exit 2; }
            demo=$2; shift ;;
    --blocks) [ $# -ge 2 ] || { echo "tools/readme.sh: --blocks needs a folder" >&2; exit 2; }
              blocks_dir=$2; shift ;;
    --readme) [ $# -ge 2 ] || { echo "tools/readme.sh: --readme needs a file" >&2; exit 2; }
              readme=$2; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "tools/readme.sh: unknown argument '$1' (--check, --update, --demo DIR)" >&2; exit 2 ;;
  esac
  shift
done

ROOT=$(pwd)
case $readme in /*) README=$readme ;; *) README=$ROOT/$readme ;; esac
KIZUKI=${KIZUKI:-$ROOT/build/kizuki}
[ -d rules ] && [ -d fixtures ] || { echo "tools/readme.sh: run from the repository root" >&2; exit 2; }
[ -f "$README" ] || { echo "tools/readme.sh: no $readme" >&2; exit 2; }
[ -x "$KIZUKI" ] || { echo "tools/readme.sh: no kizuki binary at $KIZUKI (make, or set KIZUKI)" >&2; exit 2; }
for f in city.db tasks.db demo.env; do
  [ -f "$demo/$f" ] || { echo "tools/readme.sh: no $demo/$f: run \`make demo\` first" >&2; exit 2; }
done
# The README describes the default demo city; another one would rewrite every figure.
want="households=20000 seed=2019 first=2024-10-01 nights=3"
have=$(cat "$demo/demo.env")
[ "$have" = "$want" ] || {
  echo "tools/readme.sh: $demo is not the default demo city ($have; the README's is $want): run \`make demo\` with no DEMO_* settings" >&2
  exit 2
}

W=$(mktemp -d "${TMPDIR:-/tmp}/kizuki-readme.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
mkdir "$W/work" "$W/bin" "$W/blocks"
cp "$demo/city.db" "$W/work/city.db"
sqlite3 "$demo/tasks.db" ".backup '$W/work/tasks.db'"
cp -r rules "$W/work/rules"
ln -s "$ROOT/fixtures" "$W/work/fixtures"
ln -s "$KIZUKI" "$W/bin/kizuki"
export PATH="$W/bin:$PATH" LC_ALL=C.UTF-8 LANGUAGE= TZ=UTC
unset KIZUKI_RULES

# normalise: what differs between builds and machines, on stdin.
normalise() {
  sed -e "s#$W/work/##g; s#$W/work#.#g; s#$W/opt/#/opt/#g; s#$W/elsewhere#/tmp/elsewhere#g" \
      -e 's/[0-9][0-9]*\.[0-9][0-9]* s\b/N.NN s/g; s/[0-9][0-9]* ms\b/N ms/g'
}

# run COMMAND [EXIT]: print "$ COMMAND" and what it prints (stdout, then
# stderr), run by sh in the scratch demo folder, both normalised. A command
# that exits other than EXIT (default 0) stops the script.
run() {
  printf '$ %s\n' "$1" | normalise
  rc=0
  (cd "$W/work" && sh -c "$1") >"$W/out" 2>"$W/err" || rc=$?
  normalise <"$W/out"
  normalise <"$W/err"
  if [ "$rc" -ne "${2:-0}" ]; then
    echo "tools/readme.sh: example '$name': \`$1\` exited $rc, not ${2:-0}" >&2
    sed 's/^/  | /' "$W/err" >&2
    exit 2
  fi
}

# The blocks, each made by ex_NAME into a fenced block. They run in this
# order (explain before done, which closes the task explain shows).

# The synopsis: the usage lines of every command's --help, in the order
# `kizuki --help` lists the commands.
ex_commands() {
  for c in $(kizuki --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
    kizuki "$c" --help | sed -n '1,/^$/p' | sed '/^$/d; s/^usage: //; s/^       //'
  done
}

# No rules anywhere: an installed kizuki (here $W/opt/kizuki, shown as
# /opt/kizuki) with no share/ beside it, run from a folder with no rules/.
ex_norules() {
  mkdir -p "$W/opt/kizuki/bin" "$W/elsewhere"
  cp "$KIZUKI" "$W/opt/kizuki/bin/kizuki"
  run "cd $W/elsewhere && $W/opt/kizuki/bin/kizuki check" 2
}

# The tasks example: the critical tasks overdue the day after the third night.
TASKS_CMD="kizuki tasks --tasks tasks.db --severity critical --overdue --as-of 2024-10-04"
ex_tasks() { run "$TASKS_CMD"; }

# explain and done: the first task of that list.
first_task() {
  (cd "$W/work" && sh -c "$TASKS_CMD") | sed -n '2s/^ *\([0-9][0-9]*\) .*/\1/p'
}
ex_explain() { run "kizuki explain $(first_task) --tasks tasks.db --as-of 2024-10-04"; }
ex_done() {
  run "kizuki done $(first_task) --tasks tasks.db --note \"10/4 家庭訪問で目視確認。次回訪問 10/下旬\" --on 2024-10-04"
}

ex_export() {
  run "kizuki export --tasks tasks.db --out open.csv"
  run "head -n 3 open.csv | cut -d, -f1-10"
  run "kizuki export --tasks tasks.db --out units --per-unit | tail -n 3"
}

ex_report() { run "kizuki report --tasks tasks.db --out report --as-of 2024-10-04"; }

ex_diff() {
  run "cp -r rules rules60 && sed -i 's/^  not_seen_days: 90 /  not_seen_days: 60 /' rules60/kizuki.yaml"
  run "kizuki diff --rules rules60 --cases city.db --as-of 2024-10-03 --examples 1"
}

# The replay: its length, its first line, the header and every event but
# escalations cut before the reason column (every column before it is ASCII,
# so cut -c is safe), and the tasks open at the end.
ex_replay() {
  run "kizuki replay fixtures/sapporo-2019.yaml > replay.txt"
  run "wc -l < replay.txt"
  run "head -n 1 replay.txt"
  run "{ sed -n 3p replay.txt; grep -v '^[0-9-]*  escalated ' replay.txt | grep '^[0-9]'; } | cut -c1-102"
  run "sed -n '/^open tasks/,\$p' replay.txt"
}

BLOCKS="commands norules tasks explain done export report diff replay"
have_all=
if [ "$blocks_dir" ]; then
  have_all=1
  for name in $BLOCKS; do [ -f "$blocks_dir/$name" ] || have_all=; done
fi
if [ "$have_all" ]; then
  for name in $BLOCKS; do cp "$blocks_dir/$name" "$W/blocks/$name"; done
else
  for name in $BLOCKS; do
    { echo '```'; "ex_$name"; echo '```'; } >"$W/blocks/$name"
  done
  if [ "$blocks_dir" ]; then mkdir -p "$blocks_dir" && cp "$W/blocks/"* "$blocks_dir/"; fi
fi

# Splice the blocks into a copy of README.md; every marker must have its
# end, every block must be used once and every marker must name a block.
awk -v dir="$W/blocks" -v blocks="$BLOCKS" -v file="$readme" '
  BEGIN { n = split(blocks, b, " "); for (i = 1; i <= n; i++) known[b[i]] = 1 }
  /^<!-- example: [a-z0-9-]+ -->$/ {
    if (open) { printf "%s:%d: example %s opened before %s (line %d) was closed\n", file, NR, $3, cur, at > "/dev/stderr"; bad = 1 }
    cur = $3; at = NR; open = 1; print
    if (!(cur in known)) { printf "%s:%d: no example named %s in tools/readme.sh\n", file, NR, cur > "/dev/stderr"; bad = 1; next }
    used[cur]++
    f = dir "/" cur
    while ((getline line < f) > 0) print line
    close(f)
    next
  }
  /^<!-- \/example -->$/ {
    if (!open) { printf "%s:%d: <!-- /example --> without its <!-- example: NAME -->\n", file, NR > "/dev/stderr"; bad = 1 }
    open = 0; print; next
  }
  open { next }
  { print }
  END {
    if (open) { printf "%s:%d: example %s has no <!-- /example -->\n", file, at, cur > "/dev/stderr"; bad = 1 }
    for (i = 1; i <= n; i++) if (used[b[i]] != 1) {
      printf "%s: example %s is used %d times (once wanted)\n", file, b[i], used[b[i]] + 0 > "/dev/stderr"; bad = 1
    }
    exit bad ? 2 : 0
  }' "$README" >"$W/README.md" || exit 2

if cmp -s "$W/README.md" "$README"; then
  echo "tools/readme.sh: $readme's $(echo $BLOCKS | wc -w) example blocks are current"
  exit 0
fi
if [ "$mode" = update ]; then
  cp "$W/README.md" "$README"
  echo "tools/readme.sh: $readme's example blocks rewritten (review with git diff README.md)"
  exit 0
fi
diff -u "$README" "$W/README.md" | sed 's/^/  /' >&2 || true
echo "tools/readme.sh: $readme's example blocks are stale (above: - the README, + what the commands print now); run tools/readme.sh --update after make demo" >&2
exit 1
