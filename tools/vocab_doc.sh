#!/bin/sh
# vocab_doc.sh — docs/authoring.md §6 (the rules' vocabulary) is generated:
# the text between the "vocabulary:begin" and "vocabulary:end" markers is
# `kizuki rules --vocabulary --format markdown` (engine/vocab_words.c).
#   sh tools/vocab_doc.sh          rewrite it (`make docs` runs this)
#   sh tools/vocab_doc.sh --check  exit 1, with a diff, when it differs
# KIZUKI (default build/kizuki), DOC (default docs/authoring.md).
set -eu
KIZUKI=${KIZUKI:-build/kizuki}
DOC=${DOC:-docs/authoring.md}
BEGIN='<!-- vocabulary:begin -->'
END='<!-- vocabulary:end -->'
[ -f "$DOC" ] || { echo "vocab_doc: $DOC is missing" >&2; exit 2; }
nb=$(grep -c -x -F "$BEGIN" "$DOC" || true)
ne=$(grep -c -x -F "$END" "$DOC" || true)
if [ "$nb" != 1 ] || [ "$ne" != 1 ]; then
  echo "vocab_doc: $DOC must have one '$BEGIN' line and one '$END' line (has $nb and $ne)" >&2
  exit 2
fi
tmp=$(mktemp)
gen=$(mktemp)
trap 'rm -f "$tmp" "$gen"' EXIT
"$KIZUKI" rules --vocabulary --format markdown > "$gen"
awk -v b="$BEGIN" -v e="$END" -v gen="$gen" '
  $0 == b { print; while ((getline line < gen) > 0) print line; skip = 1; next }
  $0 == e { skip = 0 }
  !skip { print }' "$DOC" > "$tmp"
if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$DOC" "$tmp"; then
    echo "vocab_doc: $DOC §6 differs from \`kizuki rules --vocabulary --format markdown\`; run 'make docs'" >&2
    diff -u "$DOC" "$tmp" >&2 || true
    exit 1
  fi
  exit 0
fi
cmp -s "$DOC" "$tmp" || cat "$tmp" > "$DOC"
