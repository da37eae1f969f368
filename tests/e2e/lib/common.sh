# tests/e2e/lib/common.sh — what the end-to-end scripts share, sourced from
# each (`. tests/e2e/lib/common.sh`, run from the repo root): the kizuki
# binary, a scratch folder $T removed on exit, pass/fail counting, two
# checks that print what went wrong, and digests of a task DB's history.

KIZUKI=${KIZUKI:?set KIZUKI to the kizuki binary (absolute path)}
ROOT=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/kizuki-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# check NAME EXPECTED_EXIT CMD...: run CMD, stdout to $T/out, stderr to $T/err.
check() {
  name=$1 want=$2
  shift 2
  set +e
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  set -e
  if [ "$got" -eq "$want" ]; then ok; else bad "$name: exit $got, expected $want"; sed 's/^/  | /' "$T/err" >&2; fi
}

# expect NAME FILE TEXT: FILE contains TEXT (fixed string).
expect() {
  if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $2"; sed 's/^/  | /' "$2" | head -40 >&2; fi
}

# same NAME GOT WANT: two values are equal.
same() {
  if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi
}

# tasks_digest TASKS.db / events_digest TASKS.db: a checksum of every task
# (every field a run writes) or task event, in id order: two task DBs with
# the same digests hold the same history.
tasks_digest() {
  sqlite3 "$1" "SELECT rule, subject, key, household_id, agency, ward, unit, severity, level, status,
                       since, opened_on, due_on, last_seen_on, cleared_on, reason, evidence
                FROM tasks ORDER BY id" | md5sum
}
events_digest() {
  sqlite3 "$1" "SELECT task_id, run_id, on_date, event, unit, level, due_on FROM task_events ORDER BY id" | md5sum
}
