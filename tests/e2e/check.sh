#!/bin/sh
# `kizuki check` and `kizuki rules`: clean on rules/, and each kind of problem
# reported with file:line on a deliberately broken copy; docs/rules.md is
# what `kizuki rules --format markdown` prints.
set -eu

. tests/e2e/lib/common.sh

# expect_problem NAME FILE-CONTENT PATTERN: a rules copy with FILE added must
# fail `check` with exit 2 and a line matching PATTERN.
expect_problem() {
  rm -rf "$T/r" && cp -r rules "$T/r"
  printf '%s\n' "$2" > "$T/r/zz_broken.lua"
  set +e
  "$KIZUKI" check "$T/r" > "$T/out" 2>&1
  rc=$?
  set -e
  if [ "$rc" -eq 2 ] && grep -q -- "$3" "$T/out"; then ok; else bad "$1 (exit $rc):"; cat "$T/out" >&2; fi
}

HEAD='rule { id = "t.x", label = "テスト", title = "テスト", subject = "household", agency = "health_center", severity = "medium", due = 3,'

if "$KIZUKI" check rules > "$T/out" 2>&1; then ok; else bad "check rules/"; cat "$T/out" >&2; fi
# The shipped rules read only fields the case records or the vocabulary's
# words have: not one warning (a word's result field missing from
# kz_vocab_result_fields would warn here).
if "$KIZUKI" check rules 2>&1 >/dev/null | grep -q .; then bad "check rules/ warns:"; "$KIZUKI" check rules 2>&1 >/dev/null | head -5 >&2; else ok; fi
# One file that does not load is one problem: the other files' kz.NAME words
# are still known (kz.agency_name comes from the profile, not the loaded kz).
rm -rf "$T/r" && cp -r rules "$T/r" && cp tests/e2e/broken/05-fullwidth-space.lua "$T/r/"
"$KIZUKI" check "$T/r" > "$T/out" 2>&1 || true
if grep -q '^kizuki check: 1 problem(s)$' "$T/out" && ! grep -q "has no word" "$T/out"; then ok; else bad "one broken file, noise on the others:"; head -5 "$T/out" >&2; fi
expect_problem syntax 'rule { id = "t.x",, }' 'zz_broken.lua:1:'
expect_problem unknown-field "$HEAD colour = 1, check = function(hh, p) end }" "zz_broken.lua:1: unknown rule field 'colour'"
expect_problem missing-field 'rule { id = "t.x", subject = "household", agency = "health_center", severity = "medium", due = 3, check = function() end }' "rule is missing 'title'"
expect_problem duplicate-id 'rule { id = "checkup.missed", label = "x", title = "x", subject = "household", agency = "health_center", severity = "medium", due = 3, check = function() end }' "duplicate rule id 'checkup.missed'"
expect_problem unknown-param "$HEAD params = { \"grace\" }, check = function(hh, p) end }" "unknown param 'grace'"
expect_problem unknown-agency 'rule { id = "t.x", label = "x", title = "x", subject = "household", agency = "hoken", severity = "medium", due = 3, check = function() end }' "unknown agency 'hoken'"
expect_problem unknown-ward "$HEAD check = function(hh, p) return kz.finding { since = kz.today, reason = \"x\", ward = \"chuuo\" } end }" "unknown ward 'chuuo'"
expect_problem global-read "$HEAD check = function(hh, p) return strng.len(\"x\") end }" "reads global 'strng'.*did you mean 'string'"
expect_problem global-write "$HEAD check = function(hh, p) helper = 1 end }" "sets global 'helper'"
expect_problem needs-unknown "$HEAD needs = { \"welfar\" }, check = function(hh, p) end }" "zz_broken.lua:1: rule t.x: needs 'welfar', which is not a table of the case records (did you mean 'welfare'?)"
expect_problem needs-not-list "$HEAD needs = \"welfare\", check = function(hh, p) end }" "needs must be a list of table names"
expect_problem wall-clock "$HEAD check = function(hh, p) local t = os.time() end }" "zz_broken.lua:1: uses os: wall-clock time"

# Metadata out of range (issue #11): due 1-60 days, whole; open_within_days sane.
HEAD0='rule { id = "t.x", label = "テスト", title = "テスト", subject = "household", agency = "health_center", severity = "medium",'
expect_problem due-huge "$HEAD0 due = 100000, check = function(hh, p) end }" "zz_broken.lua:1: rule t.x: due is 100000 days; it must be 1 to 60 business days"
expect_problem due-zero "$HEAD0 due = 0, check = function(hh, p) end }" "zz_broken.lua:1: rule t.x: due is 0 days"
expect_problem due-negative "$HEAD0 due = -2, check = function(hh, p) end }" "zz_broken.lua:1: rule t.x: due is -2 days"
expect_problem due-fraction "$HEAD0 due = 2.5, check = function(hh, p) end }" "zz_broken.lua:1: rule t.x: due must be a whole number of days"
expect_problem due-calendar "$HEAD0 due = kz.calendar_days(61), check = function(hh, p) end }" "due is 61 days; it must be 1 to 60 calendar days"
expect_problem due-missing "$HEAD0 check = function(hh, p) end }" "rule t.x: due must be a number of business days"
expect_problem open-within-zero "$HEAD open_within_days = 0, check = function(hh, p) end }" "open_within_days must be a whole number of days from 1 to 3650"
expect_problem open-within-huge "$HEAD open_within_days = 100000, check = function(hh, p) end }" "open_within_days must be a whole number of days from 1 to 3650"
# Params as check reads them: declared, and a number or a map as the profile has it.
expect_problem param-undeclared "$HEAD params = { \"young_age\" }, check = function(hh, p) return p.yung_age end }" "zz_broken.lua:1: rule t.x reads param 'yung_age', which it does not declare in params (did you mean 'young_age'?)"
expect_problem param-number-as-map "$HEAD params = { \"young_age\" }, check = function(hh, p) return p.young_age.years end }" "zz_broken.lua:1: rule t.x uses param 'young_age' as a map, but it is a number"
expect_problem param-map-as-number "$HEAD params = { \"risk_weights\" }, check = function(hh, p) if 3 > p.risk_weights then end end }" "rule t.x uses param 'risk_weights' as a number, but it is a map"
expect_problem param-map-field "$HEAD params = { \"risk_weights\" }, check = function(hh, p) return p.risk_weights.mov end }" "rule t.x reads risk_weights.mov, which is not a field of param 'risk_weights'"
rm -rf "$T/r" && cp -r rules "$T/r"
printf '%s\n' 'rule { id = "t.x", label = "テスト", title = "テスト", subject = "child", agency = "health_center", severity = "medium", due = 3,' \
  '  params = { "risk_weights", "young_age" },' '  check = function(child, hh, prm)' \
  '    local s = "prm.nothing" -- prm.nothing either' '    return prm.risk_weights.move + prm.young_age' '  end }' > "$T/r/zz_fine.lua"
if "$KIZUKI" check "$T/r" > "$T/out" 2>&1; then ok; else bad "params used right (strings, comments skipped)"; cat "$T/out" >&2; fi

# A ladder that names a unit kind that does not exist.
rm -rf "$T/r" && cp -r rules "$T/r"
sed 's/\[family_consultation.supervisor, child_guidance\]/[family_consultation.supervisor, police]/' rules/kizuki.yaml > "$T/r/kizuki.yaml"
set +e; "$KIZUKI" check "$T/r" > "$T/out" 2>&1; rc=$?; set -e
if [ "$rc" -eq 2 ] && grep -q "kizuki.yaml:[0-9]*:[0-9]*:.*police" "$T/out"; then ok; else bad "ladder (exit $rc)"; cat "$T/out" >&2; fi

# kizuki rules: JSON parses and lists every rule; docs/rules.md is current.
"$KIZUKI" rules --format json > "$T/rules.json"
n=$(sqlite3 :memory: "select json_array_length(readfile('$T/rules.json'))")
files=0
for f in rules/*.lua; do files=$((files + $(grep -c '^rule {' "$f" || true))); done
if [ "$n" -gt 0 ] && [ "$n" = "$files" ]; then ok; else bad "rules --format json lists $n rules, rule files define $files"; fi
"$KIZUKI" rules --format markdown > "$T/rules.md"
if cmp -s "$T/rules.md" docs/rules.md; then ok; else bad "docs/rules.md is stale: run 'make docs'"; fi

summary check
