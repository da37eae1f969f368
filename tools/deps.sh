#!/bin/sh
# deps.sh — make sure the build's Debian packages are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command and fails. Called by `make deps` (and so by demo and test).
set -eu
PKGS="build-essential pkg-config lua5.4 liblua5.4-dev libsqlite3-dev libyaml-dev libcmocka-dev sqlite3 xxd"
[ "${KZ_EXTRA_PKGS:-}" ] && PKGS="$PKGS $KZ_EXTRA_PKGS"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends $missing >&2
else
  echo "deps: missing packages:$missing" >&2
  echo "deps: run as root:  apt-get install -y$missing" >&2
  exit 1
fi
