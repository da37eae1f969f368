# tests/e2e/red/lib.sh — shared by the red-team scripts (sourced; run from
# the repo root: KIZUKI=/abs/build/kizuki sh tests/e2e/red/NAME.sh). Each
# script exits 1 while its bug exists and prints what was lost.
set -u
KIZUKI=${KIZUKI:?set KIZUKI to the kizuki binary (absolute path)}
ROOT=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/kizuki-red.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
RUN="$KIZUKI run --quiet --rules $ROOT/rules"
lost=0
# lose WHAT: the bug is there.
lose() { lost=1; echo "LOST: $*" >&2; }
# city N SEED: $T/c.db
city() { "$KIZUKI" gen --households "$1" --seed "$2" --out "$T/c.db" >/dev/null 2>&1; }
# night CASES TASKS DATE: run, exit code in $rc, stderr in $T/err
night() { set +e; $RUN --cases "$1" --tasks "$2" --as-of "$3" >"$T/out" 2>"$T/err"; rc=$?; set -e; }
finish() { if [ "$lost" -eq 0 ]; then echo "ok: $(basename "$0")"; fi; exit "$lost"; }
