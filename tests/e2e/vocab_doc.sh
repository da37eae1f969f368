#!/bin/sh
# tests/e2e/vocab_doc.sh — docs/authoring.md §6 is exactly what
# `kizuki rules --vocabulary --format markdown` makes from engine/vocab_words.c
# (tools/vocab_doc.sh --check), and the check can fail: a doc with one word
# edited by hand, or without its markers, is refused.
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/vocab_doc.sh
set -eu

. tests/e2e/lib/common.sh

check "authoring.md §6 is the generated vocabulary" 0 env KIZUKI="$KIZUKI" sh tools/vocab_doc.sh --check

sed 's/| `hh:ward(at)` | 世帯の区。/| `hh:ward(at)` | 世帯のく。/' docs/authoring.md > "$T/edited.md"
if cmp -s docs/authoring.md "$T/edited.md"; then bad "the hh:ward row was not found to edit"; else ok; fi
check "a hand-edited word is refused" 1 env KIZUKI="$KIZUKI" DOC="$T/edited.md" sh tools/vocab_doc.sh --check
expect "the refusal says what to run" "$T/err" "run 'make docs'"

grep -v 'vocabulary:end' docs/authoring.md > "$T/nomarker.md"
check "a doc without its end marker is refused" 2 env KIZUKI="$KIZUKI" DOC="$T/nomarker.md" sh tools/vocab_doc.sh --check
expect "the refusal names the marker" "$T/err" "vocabulary:end"

check "kizuki rules --vocabulary --format json" 0 "$KIZUKI" rules --vocabulary --format json
expect "the json lists hh:risk_events" "$T/out" '"name":"hh:risk_events"'
check "kizuki rules --vocabulary --format yaml is a usage error" 2 "$KIZUKI" rules --vocabulary --format yaml

summary vocab_doc
