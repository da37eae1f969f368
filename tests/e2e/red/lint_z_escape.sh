#!/bin/sh
# A rule's reason string continued on the next line with Lua's \z escape
# ("...\z<newline>  子ども...") is valid Lua 5.4, but the full-width check
# every loader runs first (rule_lint.c kz_lint_chars) ended the string at the
# line end and read the Japanese after it as code: `kizuki run` said
# "character U+5B50 outside a string" and ran nothing -- no rule, no task,
# that night. A "\<CR><LF>" line continuation in a CRLF file likewise.
# Also: when one file does not load, `kizuki check` reported every other
# file's kz.agency_name as "kz has no word" (its bare sandbox lacked the
# profile's words), burying the one real problem.
. tests/e2e/red/lib.sh
city 200 5
cp -r "$ROOT/rules" "$T/r"
python3 - "$T/r/casework.lua" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding='utf-8').read()
old = '"【カ・ケ 目視確認】子ども（%s）を'
assert old in s
s = s.replace(old, '"【カ・ケ 目視確認】\\z\n                 子ども（%s）を', 1)
open(p, 'w', encoding='utf-8').write(s)
PY
printf 'local s = "a\\\r\n全角でも文字列の中"\nlocal t = "b\\z\r\n   \r\n  全角"\n' >"$T/r/zz_crlf.lua"
set +e
"$KIZUKI" check --rules "$T/r" >"$T/out" 2>"$T/err"; crc=$?
"$KIZUKI" run --quiet --rules "$T/r" --cases "$T/c.db" --tasks "$T/t.db" --as-of 2024-10-01 >"$T/out" 2>"$T/err2"; rrc=$?
set -e
[ "$crc" -eq 0 ] || lose "check refuses a valid \\z string (exit $crc): $(head -n 1 "$T/err")"
[ "$rrc" -eq 0 ] || lose "run refuses a valid \\z string and runs nothing (exit $rrc): $(head -n 1 "$T/err2")"
# one file that really is broken: only its problem is reported
cp -r "$ROOT/rules" "$T/r2"
printf 'local x = （1）\n' >"$T/r2/zz_bad.lua"
set +e
"$KIZUKI" check --rules "$T/r2" >"$T/out" 2>"$T/err3"
set -e
grep -q "zz_bad.lua:1" "$T/err3" || lose "check does not name zz_bad.lua:1: $(head -n 2 "$T/err3")"
n=$(grep -c "agency_name" "$T/err3" || true)
[ "$n" -eq 0 ] || lose "check reports kz.agency_name as unknown $n times when another file is broken"
finish
