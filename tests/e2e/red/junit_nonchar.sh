#!/bin/sh
# `kizuki test --format junit` promises XML a CI system can read. A fixture
# name (or a rule's kz.log line, a mismatch text) holding U+FFFF or U+FFFE --
# valid UTF-8, but not an XML 1.0 character -- went out as it was: the CI's
# JUnit parser rejected the whole report ("not well-formed"), and with it
# every failing fixture's result. Expected: a well-formed document.
. tests/e2e/red/lib.sh
mkdir "$T/fx"
python3 - "$ROOT/fixtures/child-not-seen.yaml" "$T/fx/a.yaml" <<'PY'
import sys
s = open(sys.argv[1], encoding='utf-8').read()
old = 'name: 支援中の子どもの目視確認が途絶えている'
assert old in s
s = s.replace(old, 'name: "支援\\uFFFF中\\uFFFE \\x01 < & \\u0085"', 1)
open(sys.argv[2], 'w', encoding='utf-8').write(s)
PY
set +e
"$KIZUKI" test --rules "$ROOT/rules" --format junit "$T/fx" >"$T/j.xml" 2>"$T/err"; rc=$?
set -e
[ "$rc" -eq 0 ] || lose "test --format junit: exit $rc: $(tail -n 1 "$T/err")"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/j.xml" 2>"$T/perr" \
  || lose "junit XML is not well-formed: $(tail -n 1 "$T/perr")"
finish
