#!/bin/sh
# tests/e2e/vocab.sh — the C vocabulary (engine/vocab.c, answered from an
# index of each household) against the slow, obvious definitions of RULES.md
# in Lua (tests/rules/vocab/reference.lua): over a generated city on two
# dates, every answer must agree (a difference is a rule error, exit 3).
# Run from the repo root:
#   KIZUKI=/abs/path/build/kizuki sh tests/e2e/vocab.sh
set -eu

. tests/e2e/lib/common.sh

check "gen" 0 "$KIZUKI" gen --households 800 --seed 7 --out "$T/city.db"
for day in 2024-10-01 2023-04-15; do
  check "the vocabulary agrees with its reference as of $day" 0 \
    "$KIZUKI" run --quiet --cases "$T/city.db" --tasks "$T/tasks-$day.db" --as-of "$day" \
    --rules "$ROOT/tests/rules/vocab" --profile "$ROOT/rules/kizuki.yaml"
  expect "no rule errors as of $day" "$T/out" " households, 1 rules, 0 rule errors"
done

summary vocab
