#!/bin/sh
# The broken-rule catalogue (tests/e2e/broken/): every common mistake of a
# rule writer, one file each, with the exact message it must produce in
# English (LANG=C) and Japanese (LANG=ja_JP.UTF-8), at the line it names.
#
# Each file's header says:
#   -- mistake: 日本語の見出し   (the 「よくある間違い」 section of docs/authoring.md)
#   -- caught-by: check | test   (check: `kizuki check` finds it before any run;
#                                 test: found when a fixture runs the rule)
#   -- expect-at: LINE[:COL]      (where the message points)
#   -- expect-en: MESSAGE         (all after "FILE:LINE[:COL]: "; a rule error
#   -- expect-ja: MESSAGE          starts "rule broken.x, subject C1: "; {rules}
#                                 stands for the rules folder)
# (`#` instead of `--` in .yaml files.) A .lua file is added to a copy of
# rules/ and, when caught by test, run on broken/household.yaml; a .yaml file
# is a fixture run against rules/. A file caught by test must pass
# `kizuki check` (else it belongs to check). docs/authoring.md's section is
# generated from these files by tools/broken_doc.sh; this script fails when
# it is stale.
set -eu

. tests/e2e/lib/common.sh

need_cmd luac5.4 "Debian: apt-get install lua5.4 (tools/deps.sh test)"
if ! locale -a 2>/dev/null | grep -qi '^ja_JP\.utf-\?8$'; then
  missing "the ja_JP.UTF-8 locale" "tools/deps.sh test generates it"
fi

# field FILE NAME: the value of header NAME of FILE.
field() {
  sed -n "s/^\(--\|#\) $2: //p" "$1" | head -n 1
}

for f in tests/e2e/broken/[0-9]*; do
  name=$(basename "$f")
  by=$(field "$f" caught-by)
  at=$(field "$f" expect-at)
  case $f in
    *.lua)
      rm -rf "$T/r" && cp -r rules "$T/r" && cp "$f" "$T/r/$name"
      where="$T/r/$name:$at: "
      ;;
    *.yaml)
      cp "$f" "$T/$name"
      where="$T/$name:$at: "
      ;;
  esac
  for lang in en ja; do
    want=$(field "$f" "expect-$lang" | sed "s|{rules}|$T/r|g")
    [ -n "$want" ] || { bad "$name: no expect-$lang"; continue; }
    if [ "$lang" = ja ]; then L=ja_JP.UTF-8; else L=C; fi
    set +e
    case $f:$by in
      *.lua:check) LANG=$L LC_ALL=$L "$KIZUKI" check "$T/r" > "$T/out" 2>&1 ;;
      *.lua:test) LANG=$L LC_ALL=$L "$KIZUKI" test --rules "$T/r" tests/e2e/broken/household.yaml > "$T/out" 2>&1 ;;
      *.yaml:test) LANG=$L LC_ALL=$L "$KIZUKI" test "$T/$name" > "$T/out" 2>&1 ;;
      *) echo "caught-by '$by'" > "$T/out"; false ;;
    esac
    rc=$?
    set -e
    # check: 2 (problems); test: 1 (a fixture failed), 2 (it cannot be loaded)
    case $f:$by in *.lua:test) want_rc=1 ;; *) want_rc=2 ;; esac
    if [ "$rc" -eq "$want_rc" ] && grep -qF -- "$where$want" "$T/out"; then
      ok
    else
      bad "$name ($lang, caught by $by, exit $rc, expected $want_rc): no line '$where$want'"
      show "$T/out"
    fi
  done
  # what only a run can find passes check: it is not one check should catch
  if [ "$by" = test ] && [ "${f%.lua}" != "$f" ]; then
    if "$KIZUKI" check "$T/r" > "$T/out" 2>&1; then ok
    else bad "$name: caught by test, but kizuki check fails on it (make it caught-by: check)"; show "$T/out"; fi
  fi
done

# docs/authoring.md's 「よくある間違い」 is generated from this catalogue.
sh tools/broken_doc.sh > "$T/authoring.md"
if cmp -s "$T/authoring.md" docs/authoring.md; then ok
else bad "docs/authoring.md is stale: run 'sh tools/broken_doc.sh --write'"; diff docs/authoring.md "$T/authoring.md" | head -20 >&2; fi

summary broken
