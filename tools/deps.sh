#!/bin/sh
# deps.sh — make sure the build's Debian packages are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command and fails. Called by `make deps` (and so by demo).
#
# `deps.sh test` (run by `make test` and `make check-asan`) also makes sure
# of everything the tests need besides the build, so that CI never lacks it:
# valgrind (tests/e2e/valgrind.sh), chromium, fontconfig and a CJK font
# (tests/e2e/report_browser.sh), setpriv (util-linux, tests/e2e/paths.sh),
# the ja_JP.UTF-8 locale (the locales package; generated here as root;
# tests/e2e/i18n.sh checks the Japanese messages under it),
# and the YAML test suite data (tests/unit/test_yaml_suite.c,
# test_yamltree.c and the fuzz seeds) at $KZ_YAML_SUITE (default
# ../shared/data/yaml-test-suite, from the shared folder). Under CI
# (CI=true) anything it cannot provide fails it; elsewhere it says what is
# missing and goes on, and the tests that need it skip, saying so.
set -eu
PKGS="build-essential pkg-config lua5.4 liblua5.4-dev libsqlite3-dev libyaml-dev libcmocka-dev sqlite3 xxd gettext"
TEST_PKGS="python3 valgrind chromium fontconfig fonts-noto-cjk util-linux git ca-certificates locales"
[ "${KZ_EXTRA_PKGS:-}" ] && PKGS="$PKGS $KZ_EXTRA_PKGS"
for_test=
[ "${1:-}" = test ] && for_test=1

in_ci() {
  case "${CI:-}" in ''|0|false|no|FALSE|False) return 1 ;; *) return 0 ;; esac
}

# absent PKG...: those of the packages that are not installed.
absent() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || printf ' %s' "$p"
  done
}

missing=$(absent $PKGS)
test_missing=
[ "$for_test" ] && test_missing=$(absent $TEST_PKGS)
if [ "$missing$test_missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing$test_missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends $missing $test_missing >&2
  elif [ "$missing" ] || in_ci; then
    echo "deps: missing packages:$missing$test_missing" >&2
    echo "deps: run as root:  apt-get install -y$missing$test_missing" >&2
    exit 1
  else
    echo "deps: WARNING: the tests that need$test_missing will be SKIPPED (under CI=true they fail)" >&2
    echo "deps: run as root:  apt-get install -y$test_missing" >&2
  fi
fi
[ "$for_test" ] || exit 0

# The ja_JP.UTF-8 locale (tests/e2e/i18n.sh): enabled in /etc/locale.gen and
# generated, so that a later locale-gen keeps it.
has_ja() { locale -a 2>/dev/null | grep -qiE '^ja_JP\.utf-?8$'; }
if ! has_ja; then
  if [ "$(id -u)" = 0 ]; then
    echo "deps: generating the ja_JP.UTF-8 locale" >&2
    if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null 2>&1; then
      sed -i 's/^# *ja_JP.UTF-8 UTF-8/ja_JP.UTF-8 UTF-8/' /etc/locale.gen
      grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen ||
        echo 'ja_JP.UTF-8 UTF-8' >> /etc/locale.gen
      locale-gen >&2
    else
      localedef -i ja_JP -c -f UTF-8 ja_JP.UTF-8 >&2
    fi
  fi
  if ! has_ja; then
    if in_ci; then
      echo "deps: the ja_JP.UTF-8 locale is missing (CI=true: failing); as root: tools/deps.sh test" >&2
      exit 1
    fi
    echo "deps: WARNING: no ja_JP.UTF-8 locale: the Japanese message tests will be SKIPPED (under CI=true they fail); as root: tools/deps.sh test" >&2
  fi
fi

# The YAML test suite (the suite's data of January 2022, one folder per case,
# each with an in.yaml) comes with the shared folder beside the project; it
# cannot be fetched from here.
SUITE=${KZ_YAML_SUITE:-../shared/data/yaml-test-suite}
has_suite() { [ -d "$SUITE" ] && [ -n "$(find "$SUITE" -name in.yaml 2>/dev/null | head -n 1)" ]; }
if ! has_suite; then
  if in_ci; then
    echo "deps: the YAML test suite is not at $SUITE (CI=true: failing)" >&2
    exit 1
  fi
  echo "deps: WARNING: no YAML test suite at $SUITE: its tests will be SKIPPED (under CI=true they fail)" >&2
fi
exit 0
