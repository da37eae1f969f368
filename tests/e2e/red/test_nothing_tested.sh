#!/bin/sh
# `kizuki test` in CI: a --run pattern with a typo, or a fixtures folder whose
# files were saved as .yml (or moved into a subfolder), ran nothing and still said "0 passed, 0 failed",
# exit 0 -- a green build with every rule untested. Expected: exit 2 and a
# line saying nothing was tested; a .yml file named as not run.
. tests/e2e/red/lib.sh
set +e
"$KIZUKI" test --rules "$ROOT/rules" --run no-such-fixture "$ROOT/fixtures/" >"$T/out" 2>"$T/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || lose "test --run no-such-fixture: exit $rc ($(tail -n 1 "$T/out")), nothing was tested"
grep -q "no-such-fixture" "$T/err" || lose "test --run no-such-fixture: stderr does not say so"
mkdir "$T/fx"
cp "$ROOT/fixtures/child-not-seen.yaml" "$T/fx/child-not-seen.yml"
set +e
"$KIZUKI" test --rules "$ROOT/rules" --format junit "$T/fx" >"$T/out" 2>"$T/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || lose "test on a folder of .yml fixtures: exit $rc, nothing was tested"
grep -q "child-not-seen.yml" "$T/err" || lose "test: the .yml fixture is skipped without a word"
# a subfolder of fixtures beside a fixture: said, not skipped in silence
mkdir -p "$T/fx2/more"
cp "$ROOT/fixtures/child-not-seen.yaml" "$T/fx2/"
cp "$ROOT/fixtures/checkup-missed.yaml" "$T/fx2/more/"
"$KIZUKI" test --rules "$ROOT/rules" "$T/fx2" >"$T/out" 2>"$T/err" || true
grep -q "more/ is a folder" "$T/err" || lose "test: the fixtures in a subfolder are skipped without a word"
finish
