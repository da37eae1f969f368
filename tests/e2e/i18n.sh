#!/bin/sh
# tests/e2e/i18n.sh — Japanese diagnostics (GNU gettext, domain kizuki):
#   - every message the code marks (po/xgettext.opts: _(), N_(), P_() and
#     the formats of kz_diag_add, kz_yaml_error, ...) has a translation in
#     po/ja.po that is neither missing nor fuzzy, and po/ja.po compiles with
#     msgfmt --check (a translation whose %s do not fit fails);
#   - kizuki prints the exact English message under LANG=C and the exact
#     Japanese one under LANG=ja_JP.UTF-8, and under LC_MESSAGES alone: a
#     usage error (an unknown option, of every command), a bad date, an
#     unknown command, `kizuki check` of broken rules, a rule error in
#     `kizuki run`, a `kizuki test` error;
#   - what a rule decides does not follow the locale (string order, numbers);
#   - LC_ALL and LC_MESSAGES win over LANG; KIZUKI_LOCALEDIR moves the
#     catalogue; a kizuki run from the build tree finds build/locale.
# Needs the ja_JP.UTF-8 locale (tools/deps.sh test generates it; under
# CI=true a missing one fails). KZ_JA_LOCALE names another locale to use
# (tests/e2e/ci_rule.sh names one that does not exist).
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/i18n.sh
set -eu

. tests/e2e/lib/common.sh

JA=${KZ_JA_LOCALE:-ja_JP.UTF-8}
need_cmd xgettext "apt-get install gettext (tools/deps.sh does)"
need_cmd msgmerge "apt-get install gettext (tools/deps.sh does)"
need_cmd msgattrib "apt-get install gettext (tools/deps.sh does)"
need_cmd sqlite3 "apt-get install sqlite3 (tools/deps.sh does)"
# locale -a spells ja_JP.UTF-8 as ja_JP.utf8.
want=$(printf '%s' "$JA" | sed 's/\.UTF-8$/.utf8/; s/\.utf-8$/.utf8/')
locale -a 2>/dev/null | grep -qixF "$want" ||
  missing "the $JA locale" "as root: tools/deps.sh test (or locale-gen / localedef -i ja_JP -f UTF-8 ja_JP.UTF-8)"

# {====== Every marked message is translated ======
# untranslated PO: the msgids of PO with no translation, or a fuzzy one, one
# a line (the header left out).
untranslated() {
  { msgattrib --untranslated --no-wrap "$1"; msgattrib --only-fuzzy --no-wrap "$1"; } 2>/dev/null |
    sed -n 's/^msgid "\(..*\)"$/\1/p'
}
# coverage SRC_DIR OUT: the msgids of SRC_DIR/*.c that po/ja.po leaves
# untranslated (new ones included), one a line, in OUT.
coverage() {
  # shellcheck disable=SC2046
  xgettext $(cat po/xgettext.opts) -o "$T/code.pot" "$1"/*.c
  msgmerge --quiet --no-fuzzy-matching -o "$T/merged.po" po/ja.po "$T/code.pot"
  untranslated "$T/merged.po" > "$2"
}
coverage engine "$T/missing"
if [ -s "$T/missing" ]; then
  bad "po/ja.po has no Japanese (or only a fuzzy one) for $(wc -l < "$T/missing") message(s) of engine/*.c; run \`make po\` and translate them in po/ja.po:"
  sed 's/^/  | /' "$T/missing" >&2
else
  ok "every message of engine/*.c is translated in po/ja.po"
fi
untranslated po/ja.po > "$T/fuzzy"
if [ -s "$T/fuzzy" ]; then bad "po/ja.po has untranslated or fuzzy entries:"; show "$T/fuzzy"; else ok; fi
check "po/ja.po compiles with msgfmt --check" 0 msgfmt --check -o /dev/null po/ja.po
# The check can fail: a new message in a copy of the code is reported.
mkdir "$T/src"
cp engine/*.c engine/*.h "$T/src/"
printf '#include "i18n.h"\nconst char *kz_new_msg(void) { return _("a message nobody translated yet"); }\n' \
  > "$T/src/zz_new.c"
coverage "$T/src" "$T/missing_new"
same "a new message without Japanese is reported" "$(cat "$T/missing_new")" "a message nobody translated yet"
# }======

# {====== The messages, in English and in Japanese ======
# en NAME WANT_EXIT LINE CMD... / ja ...: CMD (run under LANG=C / LANG=$JA,
# no LC_ALL, LC_MESSAGES or LANGUAGE) exits WANT_EXIT and its stdout or
# stderr has exactly LINE as a line.
in_locale() {
  il_loc=$1 il_name=$2 il_want=$3 il_line=$4
  shift 4
  check "$il_name ($il_loc)" "$il_want" env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG="$il_loc" "$@"
  if cat "$T/out" "$T/err" | grep -qxF -- "$il_line"; then ok; else
    bad "$il_name ($il_loc): no line '$il_line' in the output"; cat "$T/out" "$T/err" > "$T/both"; show "$T/both"; fi
}
en() { in_locale C "$@"; }
ja() { in_locale "$JA" "$@"; }

en "unknown option" 2 "kizuki run: unknown option '--bogus'" "$KIZUKI" run --bogus
ja "unknown option" 2 "kizuki run: '--bogus' というオプションはありません" "$KIZUKI" run --bogus
# Every command says which option it does not know (main.c sets opterr to 0:
# a command whose getopt loop does not end in kz_cli_bad_option says nothing).
cmds=$("$KIZUKI" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ -n "$cmds" ] && ok || bad "no command found in kizuki --help"
for c in $cmds; do
  en "$c: unknown option" 2 "kizuki $c: unknown option '--no-such-option'" "$KIZUKI" "$c" --no-such-option
done
ja "tasks: unknown option" 2 "kizuki tasks: '--no-such-option' というオプションはありません" "$KIZUKI" tasks --no-such-option
en "option without its value" 2 "kizuki test: option '--format' needs a value" "$KIZUKI" test --format
ja "option without its value" 2 "kizuki test: オプション '--format' には値が必要です" "$KIZUKI" test --format
en "missing option" 2 "kizuki run: --cases and --tasks are required" "$KIZUKI" run --as-of 2024-10-01
ja "missing option" 2 "kizuki run: --cases と --tasks は必須です" "$KIZUKI" run --as-of 2024-10-01
en "bad date" 2 "kizuki: --as-of '2024-02-30' is not a date (expected YYYY-MM-DD, a real day)" \
  "$KIZUKI" run --cases "$T/none.db" --tasks "$T/none-tasks.db" --as-of 2024-02-30
ja "bad date" 2 "kizuki: --as-of '2024-02-30' は日付ではありません（YYYY-MM-DD 形式の実在する日を書いてください）" \
  "$KIZUKI" run --cases "$T/none.db" --tasks "$T/none-tasks.db" --as-of 2024-02-30
en "unknown command" 2 "kizuki: unknown command 'frob'" "$KIZUKI" frob
ja "unknown command" 2 "kizuki: 'frob' というコマンドはありません" "$KIZUKI" frob
en "test of a missing fixture" 2 "ERROR $T/nothing-here.yaml: cannot be loaded (1 problem)" "$KIZUKI" test "$T/nothing-here.yaml"
ja "test of a missing fixture" 2 "エラー $T/nothing-here.yaml: 読み込めません（問題 1 件）" "$KIZUKI" test "$T/nothing-here.yaml"
en "test: the closing line" 2 "0 passed, 1 failed" "$KIZUKI" test "$T/nothing-here.yaml"
ja "test: the closing line" 2 "成功 0 件、失敗 1 件" "$KIZUKI" test "$T/nothing-here.yaml"

# `kizuki check` of broken rules: the same rule id twice.
R=$T/rules
mkdir "$R"
cp rules/kizuki.yaml "$R/"
HEAD='rule { id = "t.x", label = "テスト", title = "テスト", subject = "household", agency = "health_center", severity = "medium", due = 3,'
printf '%s\n' "$HEAD check = function(hh, p) return nil end }" > "$R/a.lua"
printf '%s\n' "$HEAD check = function(hh, p) return nil end }" > "$R/b.lua"
en "check: a duplicate rule id" 2 "$R/b.lua:1: duplicate rule id 't.x' (first defined at $R/a.lua:1)" \
  "$KIZUKI" check "$R"
ja "check: a duplicate rule id" 2 "$R/b.lua:1: ルール id 't.x' が重複しています（最初の定義は $R/a.lua:1）" \
  "$KIZUKI" check "$R"
en "check: the closing line" 2 "kizuki check: 1 problem(s)" "$KIZUKI" check "$R"
ja "check: the closing line" 2 "kizuki check: 問題が 1 件あります" "$KIZUKI" check "$R"

# A rule error in the nightly run: what a supervisor reads on stderr.
check "gen" 0 "$KIZUKI" gen --households 5 --seed 1 --out "$T/city.db" --quiet
H=$(sqlite3 "$T/city.db" "SELECT id FROM households ORDER BY id LIMIT 1")
rm "$R/b.lua"
printf '%s\n' "$HEAD" '  check = function(hh, p) return nosuch.x end }' > "$R/a.lua"
# The night, from a new task DB each time.
cat > "$T/night.sh" <<EOF
rm -f "$T"/tasks.db*
exec "$KIZUKI" run --quiet --cases "$T/city.db" --tasks "$T/tasks.db" --rules "$R" --as-of 2024-10-01
EOF
en "run: a rule error" 3 "$R/a.lua:2: rule t.x, subject $H (household $H): unknown name 'nosuch' (not part of the rule sandbox)" sh "$T/night.sh"
ja "run: a rule error" 3 "$R/a.lua:2: ルール t.x、対象 $H（世帯 $H）: 不明な名前 'nosuch'（ルールのサンドボックスにはありません）" sh "$T/night.sh"
en "run: the closing line" 3 "kizuki run: finished with 5 rule error(s); see above and run_errors (run 1)" sh "$T/night.sh"
ja "run: the closing line" 3 "kizuki run: ルールのエラー 5 件で終了しました。上の表示と run_errors（run 1）を見てください" sh "$T/night.sh"
# What a rule decides does not depend on the locale: strings compare byte by
# byte (under ja_JP.UTF-8's collation "ｱ" sorts before "ア"), numbers print
# with a decimal point.
printf '%s\n' "$HEAD" '  check = function(hh, p)' \
  '    if "ｱ" < "ア" then error("strings compare by the locale") end' \
  '    if tostring(1.5) ~= "1.5" then error("numbers print by the locale") end' \
  '  end }' > "$R/a.lua"
en "run: the locale decides nothing" 0 "kizuki run as of 2024-10-01: 5 households, 1 rules, 0 rule errors" sh "$T/night.sh"
ja "run: the locale decides nothing" 0 "kizuki run（基準日 2024-10-01）: 5 世帯、ルール 1 件、ルールのエラー 0 件" sh "$T/night.sh"
# }======

# {====== Which variable wins, and where the catalogue is ======
JA_LINE="kizuki run: '--bogus' というオプションはありません"
EN_LINE="kizuki run: unknown option '--bogus'"
# said ENV... -> the first line of stderr of `kizuki run --bogus` under ENV.
said() { env -u LC_ALL -u LC_MESSAGES -u LANG -u LANGUAGE "$@" "$KIZUKI" run --bogus 2>&1 | head -n 1; }
same "LC_MESSAGES alone" "$(said LC_MESSAGES="$JA")" "$JA_LINE"
same "LC_MESSAGES=C over LANG" "$(said LANG="$JA" LC_MESSAGES=C)" "$EN_LINE"
same "LC_ALL=C over LANG and LC_MESSAGES" "$(said LANG="$JA" LC_MESSAGES="$JA" LC_ALL=C)" "$EN_LINE"
same "LC_ALL alone" "$(said LC_ALL="$JA")" "$JA_LINE"
same "a locale that is not installed: English" "$(said LANG=xx_XX.UTF-8)" "$EN_LINE"
BUILD=$(dirname "$KIZUKI")
if [ -f "$BUILD/locale/ja/LC_MESSAGES/kizuki.mo" ]; then ok; else
  bad "the catalogue $BUILD/locale/ja/LC_MESSAGES/kizuki.mo is missing (\`make\` builds it)"; fi
same "KIZUKI_LOCALEDIR without a catalogue: English" \
  "$(said LANG="$JA" KIZUKI_LOCALEDIR="$T/no-locale")" "$EN_LINE"
mkdir "$T/bin"
cp "$KIZUKI" "$T/bin/kizuki"
cp -r "$BUILD/locale" "$T/elsewhere"
same "KIZUKI_LOCALEDIR moves the catalogue" \
  "$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG="$JA" KIZUKI_LOCALEDIR="$T/elsewhere" "$T/bin/kizuki" run --bogus 2>&1 | head -n 1)" \
  "$JA_LINE"
# }======

summary i18n
