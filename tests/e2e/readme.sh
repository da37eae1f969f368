#!/bin/sh
# The README cannot go stale: make the demo city as `make demo` does
# (tools/demo.sh: 20,000 households, three nights), then tools/readme.sh
# --check runs every example command of README.md and compares what it
# prints with the README's blocks, so a changed figure fails here. Also:
# the check fails on a changed figure and on a broken marker, and the
# README names every package tools/deps.sh installs.
set -eu

. tests/e2e/lib/common.sh
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd diff "apt-get install diffutils"

start=$(date +%s)
check "tools/demo.sh (the demo city)" 0 sh tools/demo.sh "$KIZUKI" "$T/demo"
demo_s=$(($(date +%s) - start))
check "tools/readme.sh --check: README.md is current" 0 sh tools/readme.sh --check --demo "$T/demo" --blocks "$T/blocks"
[ -s "$T/err" ] && show "$T/err"
echo "readme: demo city ${demo_s}s, README examples $(($(date +%s) - start - demo_s))s"
expect "readme.sh says it checked" "$T/out" "example blocks are current"

# The demo was not touched by the examples (done, export, report ran on a copy).
same "the demo's task DB is unchanged by the examples" \
  "$(sqlite3 "$T/demo/tasks.db" "select count(*) from tasks where status = 'done'")" "0"

# A changed figure fails, with the diff; --update puts it right.
cp README.md "$T/README.md"
sed -i 's/^226$/211/' "$T/README.md"
if cmp -s README.md "$T/README.md"; then bad "no replay line count (226) in README.md to change"; fi
check "a changed figure fails --check" 1 sh tools/readme.sh --check --demo "$T/demo" --blocks "$T/blocks" --readme "$T/README.md"
expect "the failure shows the figure" "$T/err" "-211"
expect "the failure says how to fix it" "$T/err" "tools/readme.sh --update"
check "--update rewrites it" 0 sh tools/readme.sh --update --demo "$T/demo" --blocks "$T/blocks" --readme "$T/README.md"
if cmp -s README.md "$T/README.md"; then ok; else bad "--update did not give back README.md"; diff README.md "$T/README.md" | show /dev/stdin; fi

# A marker without its end, and an unknown block, fail with file:line.
printf '%s\n' "# x" "<!-- example: tasks -->" '```' "old" '```' > "$T/open.md"
check "a marker without its end" 2 sh tools/readme.sh --check --demo "$T/demo" --blocks "$T/blocks" --readme "$T/open.md"
expect "a marker without its end: file:line" "$T/err" "open.md:2: example tasks has no <!-- /example -->"
printf '%s\n' "<!-- example: no-such -->" "<!-- /example -->" > "$T/unknown.md"
check "an unknown block" 2 sh tools/readme.sh --check --demo "$T/demo" --blocks "$T/blocks" --readme "$T/unknown.md"
expect "an unknown block: file:line" "$T/err" "unknown.md:1: no example named no-such"
# A demo made with other settings is refused (the README describes the default one).
mkdir "$T/other"
cp "$T/demo/city.db" "$T/demo/tasks.db" "$T/other/"
echo "households=300 seed=1 first=2024-10-01 nights=3" > "$T/other/demo.env"
check "another demo city is refused" 2 sh tools/readme.sh --check --demo "$T/other"
expect "another demo city: says why" "$T/err" "not the default demo city"
check "no demo at all" 2 sh tools/readme.sh --check --demo "$T/none"
expect "no demo at all: says make demo" "$T/err" "make demo"

# The synopsis (made from each command's usage lines) has every option its
# --help describes.
for c in $("$KIZUKI" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
  "$KIZUKI" "$c" --help >"$T/help"
  for o in $(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
    [ "$o" = --help ] && continue
    if sed -n '1,/^$/p' "$T/help" | grep -q -- "$o\b"; then ok
    else bad "kizuki $c --help: $o is described but not in the usage lines (the README synopsis)"; fi
  done
done

# The README says what make test installs: every package tools/deps.sh names.
for p in $(sed -n 's/^\(TEST_\)\{0,1\}PKGS="\(.*\)"$/\2/p' tools/deps.sh); do
  if grep -qF "\`$p\`" README.md; then ok; else bad "README.md does not say why \`$p\` is installed (tools/deps.sh)"; fi
done

summary readme
