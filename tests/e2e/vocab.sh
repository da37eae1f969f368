#!/bin/sh
# tests/e2e/vocab.sh — the property test of the vocabulary: every C word
# (engine/vocab.c: hh:children, hh:ward, hh:involved_since, hh:risk_events,
# kz.active, kz.covered_since, ...) against its pure-Lua reference, the slow,
# obvious definitions of RULES.md (tests/rules/vocab/reference.lua), on every
# household of cities of different shapes: any difference is a rule error
# (exit 3) naming the word, the household and the day.
#   - seed 7, 800 households, as of 2024-10-01 and of 2023-04-15 (a shorter past)
#   - seed 2019, 2000 households of a city whose history ends 2021-06-30
#   - seed 11, 1500 households bent into odd shapes by SQL: contacts that saw
#     every child (person_id NULL), children without a birth date, moves out of
#     the city, hand-overs on the same day, registrations that overlap
#   - seed 7 again under another profile (checkup_grace_days 7, other
#     risk_weights): the C words must read the profile, as the reference does
# 5,100 households in all, each asked at up to 10 days of its own history.
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/vocab.sh
set -eu

. tests/e2e/lib/common.sh
need_cmd sqlite3 "apt-get install sqlite3 (tools/deps.sh test)"

# agree NAME CITY DAY [PROFILE]: the reference finds no difference.
agree() {
  rm -f "$T/tasks.db"
  check "the vocabulary agrees with its reference: $1 as of $3" 0 \
    "$KIZUKI" run --quiet --cases "$2" --tasks "$T/tasks.db" --as-of "$3" \
    --rules "$ROOT/tests/rules/vocab" --profile "${4:-$ROOT/rules/kizuki.yaml}"
  expect "no rule errors: $1 as of $3" "$T/out" " 1 rules, 0 rule errors"
}

check "gen seed 7" 0 "$KIZUKI" gen --quiet --households 800 --seed 7 --out "$T/city.db"
for day in 2024-10-01 2023-04-15; do agree "seed 7" "$T/city.db" "$day"; done

check "gen seed 2019 until 2021-06-30" 0 "$KIZUKI" gen --quiet --households 2000 --seed 2019 \
  --until 2021-06-30 --out "$T/young.db"
agree "seed 2019, history to 2021-06-30" "$T/young.db" 2021-06-30

check "gen seed 11" 0 "$KIZUKI" gen --quiet --households 1500 --seed 11 --out "$T/odd.db"
sqlite3 "$T/odd.db" "
  UPDATE contacts SET person_id = NULL, child_seen = 1 WHERE rowid % 7 = 0;
  UPDATE persons SET birth_on = NULL WHERE rowid % 11 = 0;
  UPDATE residences SET ward = NULL WHERE rowid % 13 = 0 AND end_on IS NULL;
  UPDATE assignments SET end_on = (SELECT MIN(b.start_on) FROM assignments b
      WHERE b.household_id = assignments.household_id AND b.agency = assignments.agency
        AND b.start_on > assignments.start_on)
    WHERE rowid % 3 = 0 AND end_on IS NOT NULL;
  INSERT INTO council (id, household_id, primary_agency, start_on, end_on, recorded_on)
    SELECT id || 'x', household_id, 'child_guidance', date(start_on, '+20 days'), NULL, recorded_on
    FROM council WHERE rowid % 2 = 0;" 2>"$T/sql.err" && ok || { bad "bending the city"; show "$T/sql.err"; }
agree "seed 11, odd shapes" "$T/odd.db" 2024-10-01

sed -e 's/^  checkup_grace_days: 14 /  checkup_grace_days: 7 /' -e 's/^    report: 3 /    report: 6 /' \
  -e 's/^    move: 1 /    move: 2 /' "$ROOT/rules/kizuki.yaml" > "$T/other.yaml"
if grep -q '^  checkup_grace_days: 7 ' "$T/other.yaml" && grep -q '^    report: 6 ' "$T/other.yaml"; then ok
else bad "the other profile was not made (rules/kizuki.yaml changed its layout?)"; fi
agree "seed 7, grace 7 and other weights" "$T/city.db" 2024-10-01 "$T/other.yaml"

# Staff read ward names, not codes: the move rules' reasons name wards as the
# profile does (kz.ward_name: 中央区), never "chuo 区".
"$KIZUKI" run --quiet --cases "$T/city.db" --tasks "$T/names.db" --as-of 2024-10-01 \
  --rules "$ROOT/rules" >/dev/null 2>"$T/names.err" || :
moves=$(sqlite3 "$T/names.db" "SELECT count(*) FROM tasks WHERE rule LIKE 'move.%'")
coded=$(sqlite3 "$T/names.db" "SELECT count(*) FROM tasks WHERE rule LIKE 'move.%' AND reason GLOB '*[a-z] 区*'")
named=$(sqlite3 "$T/names.db" "SELECT count(*) FROM tasks WHERE rule LIKE 'move.%' AND reason GLOB '*区*区*'")
if [ "${moves:-0}" -gt 0 ] && [ "$coded" -eq 0 ] && [ "$named" -gt 0 ]; then ok
else bad "move reasons: $moves tasks, $coded name a ward by its code, $named by its name"; fi

summary vocab
