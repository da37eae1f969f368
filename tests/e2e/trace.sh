#!/bin/sh
# e2e: `kizuki trace` (why a rule fired or did not in one household), kz.log
# (in the trace and `kizuki test --verbose`, silent in `kizuki run`), and
# `kizuki test --format junit` (valid XML of the expected shape).
set -u
. tests/e2e/lib/common.sh
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

D=2024-10-01
"$KIZUKI" gen --households 2000 --seed 7 --until $D --out "$T/pf.db" --quiet ||
  { bad "gen"; summary trace; exit 1; }
"$KIZUKI" run --cases "$T/pf.db" --tasks "$T/t.db" --as-of $D --quiet >/dev/null 2>&1
trace() { "$KIZUKI" trace "$@" --cases "$T/pf.db" --as-of $D; }

# {====== A rule that fires ======
H=$(sqlite3 "$T/t.db" "SELECT household_id FROM tasks WHERE rule = 'checkup.missed' ORDER BY id LIMIT 1")
[ -n "$H" ] || bad "no checkup.missed task in the generated city"
trace checkup.missed --household "$H" >"$T/fire.txt" 2>"$T/fire.err"
rc=$?
same "fires: exit 0" "$rc" 0
if grep -q "result: the rule fires here: [1-9]" "$T/fire.txt" &&
   grep -q "rules/checkups.lua:[0-9]*  hh:missed_checkups(persons P[0-9]*, 14) → \[checkups K" "$T/fire.txt" &&
   grep -q "kz.add_days(\"[0-9-]*\", 14) → \"[0-9-]*\"" "$T/fire.txt" &&
   grep -q "^    checkups K[0-9]*: .*scheduled_on=\"[0-9-]*\"" "$T/fire.txt" &&
   grep -q "agency=health_center（区保健センター）" "$T/fire.txt" &&
   grep -q "乳幼児健診未受診" "$T/fire.txt"; then
  ok "fires: each call with arguments and result, the records read, the finding"
else
  bad "fires: the trace lacks a call, a record read or the finding"; show "$T/fire.txt"
fi
trace checkup.missed --household "$H" --format json >"$T/fire.json"
if python3 - "$T/fire.json" "$H" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rule"] == "checkup.missed" and d["household"] == sys.argv[2], d
assert d["verdict"] == "fired" and d["as_of"] == "2024-10-01"
fired = [s for s in d["subjects"] if s["outcome"] == "fired"]
assert fired and fired[0]["findings"][0]["agency"] == "health_center"
c = fired[0]["calls"][0]
assert c["name"] == "hh:missed_checkups" and c["file"] == "rules/checkups.lua" and c["line"] > 0
r = fired[0]["reads"][0]
assert r["table"] == "checkups" and "scheduled_on" in r["fields"]
EOF
then ok "fires: --format json is valid JSON of the expected shape"
else bad "fires: --format json"; show "$T/fire.json"; fi
# }======

# {====== Rules that do not fire, and why ======
# checkup.missed needs checkups: a household without any is not evaluated
H0=$(sqlite3 "$T/pf.db" "SELECT id FROM households h WHERE NOT EXISTS
  (SELECT 1 FROM members m JOIN checkups k ON k.child_id = m.person_id WHERE m.household_id = h.id)
  ORDER BY id LIMIT 1")
trace checkup.missed --household "$H0" >"$T/needs.txt"
same "needs: exit 0" "$?" 0
expect "needs: says which records are missing" "$T/needs.txt" \
  'result: the rule does not fire here: the rule declares needs = {"checkups"} and the household has no records of it'
# with checkups, but none missed: each subject's check returned an empty list
H1=$(sqlite3 "$T/pf.db" "SELECT DISTINCT m.household_id FROM members m JOIN checkups k ON k.child_id = m.person_id
  WHERE m.household_id NOT IN (SELECT household_id FROM tasks_db.tasks WHERE rule = 'checkup.missed')
  ORDER BY 1 LIMIT 1" -cmd "ATTACH '$T/t.db' AS tasks_db")
trace checkup.missed --household "$H1" >"$T/none.txt"
same "nothing: exit 0" "$?" 0
if grep -q "hh:missed_checkups(persons P[0-9]*, 14) → {}" "$T/none.txt" &&
   grep -q "no finding: the check returned an empty list" "$T/none.txt" &&
   grep -q "result: the rule does not fire here: every check returned nil or an empty list" "$T/none.txt"
then ok "nothing: the call that came back empty, per subject"
else bad "nothing: the trace does not say why"; show "$T/none.txt"; fi
# a child rule in a household without children: no subject to check
HC=$(sqlite3 "$T/pf.db" "SELECT id FROM households h WHERE NOT EXISTS
  (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.relation = 'child') ORDER BY id LIMIT 1")
if [ -n "$HC" ]; then
  trace child.not_seen --household "$HC" >"$T/nosub.txt"
  same "no subjects: exit 0" "$?" 0
  expect "no subjects: says so" "$T/nosub.txt" "the household has no child as of the run date"
else
  bad "the generated city has no household without children"
fi
# }======

# {====== Unknown household, unknown rule, quarantined household ======
trace checkup.missed --household H-NO-SUCH >"$T/nf.txt" 2>"$T/nf.err"
same "unknown household: exit 9" "$?" 9
expect "unknown household: says so" "$T/nf.err" "household H-NO-SUCH is not in"
trace chekup.missed --household "$H" >/dev/null 2>"$T/rule.err"
same "unknown rule: exit 2" "$?" 2
expect "unknown rule: did you mean" "$T/rule.err" "no rule 'chekup.missed' (did you mean 'checkup.missed'?)"
"$KIZUKI" trace checkup.missed --household "$H" >/dev/null 2>"$T/usage.err"
same "no --cases: exit 2" "$?" 2
sqlite3 "$T/pf.db" ".backup '$T/bad.db'"
sqlite3 "$T/bad.db" "PRAGMA ignore_check_constraints = 1;
  UPDATE households SET recorded_on = '2024-6-3' WHERE id = '$H'"
"$KIZUKI" trace checkup.missed --household "$H" --cases "$T/bad.db" --as-of $D >/dev/null 2>"$T/q.err"
same "quarantined: exit 8" "$?" 8
expect "quarantined: names the offending row" "$T/q.err" "recorded_on = '2024-6-3'"
printf 'x' >"$T/notdb.db"
trace_bad() { "$KIZUKI" trace checkup.missed --household "$H" --cases "$T/notdb.db" --as-of $D; }
trace_bad >/dev/null 2>&1
same "not a case DB: exit 4" "$?" 4
# }======

# {====== kz.log: in the trace and --verbose, silent in a run ======
cp -r rules "$T/rules"
cat >"$T/rules/zz_log.lua" <<'EOF'
-- kz.log: a test rule that writes a line per child and floods the rest
rule {
  id = "test.log",
  label = "ログ試験",
  title = "kz.log の試験",
  subject = "child",
  agency = "health_center",
  severity = "low",
  due = 10,
  check = function(child, hh, p)
    kz.log("子ども", child, "誕生日", child.birth_on)
    for i = 1, 3000 do kz.log("loop", i) end
    return nil
  end,
}
EOF
"$KIZUKI" run --rules "$T/rules" --cases "$T/pf.db" --tasks "$T/t2.db" --as-of $D >"$T/run.out" 2>"$T/run.err"
same "kz.log in a run: exit 0" "$?" 0
if grep -q "子ども\|loop" "$T/run.out" "$T/run.err"; then bad "kz.log wrote in a nightly run"; show "$T/run.err"
else ok "kz.log writes nothing in a nightly run"; fi
"$KIZUKI" trace test.log --rules "$T/rules" --household "$H" --cases "$T/pf.db" --as-of $D >"$T/log.txt"
if grep -q "zz_log.lua:11  kz.log: 子ども persons P[0-9]* 誕生日 [0-9-]*$" "$T/log.txt" &&
   grep -q "more events were not kept" "$T/log.txt" && [ "$(wc -l <"$T/log.txt")" -lt 6000 ]
then ok "kz.log in the trace: each line with file:line, a flood cut off"
else bad "kz.log in the trace"; show "$T/log.txt"; fi
# }======

# {====== A check that returns a plain table, one that raises an error ======
mkdir "$T/rules2"
cp rules/kizuki.yaml "$T/rules2/"
cat >"$T/rules2/plain.lua" <<'EOF'
-- the silent no-op: a plain table instead of kz.finding{...}; and an error
rule {
  id = "test.plain", label = "試験", title = "素の表を返す", subject = "household",
  agency = "health_center", severity = "low", due = 10,
  check = function(hh, p)
    return { key = hh.id, since = kz.today, reason = "理由" }
  end,
}
rule {
  id = "test.error", label = "試験", title = "エラー", subject = "household",
  agency = "health_center", severity = "low", due = 10,
  check = function(hh, p)
    return kz.today - 14
  end,
}
EOF
"$KIZUKI" trace test.plain --rules "$T/rules2" --household "$H" --cases "$T/pf.db" --as-of $D >"$T/plain.txt"
same "plain table: exit 3" "$?" 3
expect "plain table: says it opens nothing" "$T/plain.txt" \
  "check returned a plain table with reason = ..., not kz.finding { ... }: it opens nothing; write return kz.finding { ... }"
"$KIZUKI" trace test.error --rules "$T/rules2" --household "$H" --cases "$T/pf.db" --as-of $D \
  --format json >"$T/err.json"
same "error: exit 3" "$?" 3
if python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = d['subjects'][0]
assert d['verdict'] == 'error' and s['outcome'] == 'error', d
assert s['error_at'].endswith('plain.lua:13') and s['why'].startswith('attempt to sub'), s['error_at']
" "$T/err.json"; then ok "error: where it happened, in JSON"
else bad "error: JSON"; show "$T/err.json"; fi
# }======

# {====== kizuki test --verbose and --format junit ======
mkdir "$T/fx"
cp fixtures/child-not-seen.yaml fixtures/checkup-missed.yaml "$T/fx/"
"$KIZUKI" test "$T/fx" --rules "$T/rules" >"$T/quiet.txt"
if grep -q "kz.log" "$T/quiet.txt"; then bad "kz.log lines without --verbose"; else ok "no kz.log lines without --verbose"; fi
"$KIZUKI" test "$T/fx" --rules "$T/rules" --verbose >"$T/verbose.txt"
same "--verbose: exit 0" "$?" 0
if grep -q "^  run 1 (as_of 2024-03-31, .*child-not-seen.yaml:[0-9]*): kz.log lines:" "$T/verbose.txt" &&
   grep -q "^    .*zz_log.lua:11: 子ども persons C1 誕生日 2020-01-01$" "$T/verbose.txt" &&
   grep -q "more kz.log lines were not kept" "$T/verbose.txt"
then ok "--verbose: each run's kz.log lines"
else bad "--verbose"; show "$T/verbose.txt"; fi
# a failing fixture whose name and mismatch need escaping
sed -e 's/^name: .*/name: "x < y \& \\"z\\" — 失敗"/' -e '0,/subject: C4, key: C4/s//subject: C4, key: C4X/' \
  fixtures/child-not-seen.yaml >"$T/fx/zz-broken.yaml"
printf 'name: [unclosed\n' >"$T/fx/zz-unloadable.yaml"
"$KIZUKI" test "$T/fx" --rules "$T/rules" --format junit --verbose >"$T/junit.xml" 2>"$T/junit.err"
same "junit: exit 2 (a fixture cannot be loaded)" "$?" 2
if python3 - "$T/junit.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")                                   # valid UTF-8
root = ET.fromstring(raw)
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert [s.get("file").rsplit("/", 1)[1] for s in suites] == [
    "checkup-missed.yaml", "child-not-seen.yaml", "zz-broken.yaml", "zz-unloadable.yaml"], suites
for s in suites:
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases), s.attrib
    assert int(s.get("failures")) == len([c for c in cases if c.find("failure") is not None])
ok, fine, broken, bad = suites
assert int(ok.get("failures")) == 0 and len(ok.findall("testcase")) == 4
assert fine.findall("testcase")[0].get("name") == "run 1 (as_of 2024-03-31)"
assert "子ども persons C1" in fine.findall("testcase")[0].find("system-out").text
assert broken.get("name") == 'x < y & "z" — 失敗', broken.get("name")
fails = [c.find("failure") for c in broken.findall("testcase") if c.find("failure") is not None]
assert fails and "C4X" in fails[0].text and fails[0].get("message"), fails
assert bad.get("errors") == "1" and bad.find("testcase/error") is not None
total = sum(len(s.findall("testcase")) for s in suites)
assert int(root.get("tests")) == total, (root.attrib, total)
assert int(root.get("failures")) == len(fails) and root.get("errors") == "1"
EOF
then ok "junit: valid XML, a testsuite per file, a testcase per run, failures escaped"
else bad "junit: not the expected XML"; show "$T/junit.xml"; fi
expect "junit: the summary goes to stderr" "$T/junit.err" "passed, 2 failed"
# }======

summary trace
