# tests/e2e/lib/common.sh — what the end-to-end scripts share, sourced from
# each (`. tests/e2e/lib/common.sh`, run from the repo root): the kizuki
# binary, a scratch folder $T removed on exit, pass/fail counting and the
# closing summary line, checks that print what went wrong, the rule for a
# missing tool or data, and digests of a task DB's history.
#
# The rule every e2e script follows (tests/e2e/README.md says the same):
#   - it sources this file, and uses its ok/bad/check/expect/same and ends
#     with `summary NAME`; it never defines its own ok/bad or counters (a
#     helper it lacks is added here, not copied into the script);
#   - a tool or data it cannot run without is asked for with `need_cmd` or
#     `missing` (`missing_part` for one part of it): under CI (CI=true, as
#     .ci/run is run) that FAILS the script; elsewhere it skips, saying SKIP
#     loudly on stderr. tools/deps.sh test
#     (run by `make test`) installs everything the scripts need, so CI never
#     lacks it. A step that does not apply (valgrind over an ASan build) is
#     `not_applicable`, which skips in CI too.

KIZUKI=${KIZUKI:?set KIZUKI to the kizuki binary (absolute path)}
# kizuki's messages in English whatever the caller's locale (the scripts
# compare them); tests/e2e/i18n.sh sets the locale of each command itself.
unset LANGUAGE LC_ALL
LC_MESSAGES=C
export LC_MESSAGES
ROOT=$(pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/kizuki-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

passed=0
failed=0
# ok [NAME]: one check passed (NAME, when given, is printed).
ok() { passed=$((passed + 1)); [ $# -eq 0 ] || echo "ok: $*"; }
# bad MESSAGE: one check failed; the message goes to stderr.
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# show FILE: the first 40 lines of FILE, indented, on stderr (after a bad).
show() { sed 's/^/  | /' "$1" | head -n 40 >&2; }

# summary NAME: the closing line, `e2e NAME: N passed, N failed`; its status
# is the script's (call it last).
summary() {
  echo "e2e $1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# in_ci: true under CI (CI set to anything but empty, 0, false or no).
in_ci() {
  case "${CI:-}" in ''|0|false|no|FALSE|False) return 1 ;; *) return 0 ;; esac
}

# missing WHAT HOW: this script cannot run because WHAT is missing (HOW says
# how to get it). Under CI it fails (exit 1); elsewhere it skips (exit 0),
# saying so on stderr. Either way the script ends here.
missing() {
  if in_ci; then
    echo "FAIL: e2e $(basename "$0" .sh): $1 is missing, and under CI=true a test never skips ($2)" >&2
    exit 1
  fi
  echo "SKIP: e2e $(basename "$0" .sh): $1 is missing ($2); NOT TESTED (under CI=true this fails)" >&2
  exit 0
}

# missing_part WHAT HOW: one part of this script cannot run because WHAT is
# missing; the rest goes on. Under CI the part counts as failed; elsewhere it
# is skipped, saying so on stderr. The caller leaves the part out.
missing_part() {
  if in_ci; then bad "$1 is missing, and under CI=true a test never skips ($2)"; return 0; fi
  echo "SKIP: e2e $(basename "$0" .sh): $1 is missing ($2); that part NOT TESTED (under CI=true this fails)" >&2
}

# need_cmd CMD HOW: CMD must be on PATH, else `missing`.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || missing "$1" "$2"
}

# not_applicable WHY: this script does not apply to this build (not a missing
# tool): it skips, under CI too, saying why.
not_applicable() {
  echo "SKIP: e2e $(basename "$0" .sh): $1 (not applicable, CI or not)" >&2
  exit 0
}

# check NAME EXPECTED_EXIT CMD...: run CMD, stdout to $T/out, stderr to $T/err.
# EXPECTED_EXIT `nonzero` takes any failure.
check() {
  name=$1 want=$2
  shift 2
  set +e
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  set -e
  case $want in
    nonzero) [ "$got" -ne 0 ] ;;
    *) [ "$got" -eq "$want" ] ;;
  esac && ok || { bad "$name: exit $got, expected $want"; sed 's/^/  | /' "$T/err" >&2; }
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
