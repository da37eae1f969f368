#!/bin/sh
# `kizuki export --out /dev/stdout` (to pipe the CSV on) or `--out /dev/null`
# wrote a temporary beside the name and renamed it over it: run as root, the
# device node /dev/null became a 0600 regular file (the whole system's
# /dev/null!), /dev/stdout a file instead of the link, and nothing reached
# stdout although it said "37 tasks in /dev/stdout". This script never
# touches the real /dev: a FIFO, a link to /proc/self/fd/1 and (as root) a
# private device node of our own, in a scratch folder.
. tests/e2e/red/lib.sh
city 200 7
night "$T/c.db" "$T/t.db" 2024-10-01
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM tasks")
EX="$KIZUKI export --tasks $T/t.db --format jsonl"
# a link to /proc/self/fd/1, as /dev/stdout is
ln -s /proc/self/fd/1 "$T/stdout"
set +e; $EX --out "$T/stdout" >"$T/captured" 2>"$T/err"; rc=$?; set -e
[ -L "$T/stdout" ] || lose "--out LINK-TO-/proc/self/fd/1: the link was replaced by a $(stat -c %F "$T/stdout")"
got=$(grep -c '^{' "$T/captured" || true)
[ "$got" = "$n" ] || lose "--out LINK-TO-/proc/self/fd/1: exit $rc, $got of $n tasks reached stdout"
# a named pipe
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fromfifo" &
set +e; $EX --out "$T/fifo" >/dev/null 2>"$T/err"; rc=$?; set -e
[ -p "$T/fifo" ] || lose "--out FIFO: the FIFO was replaced by a $(stat -c %F "$T/fifo")"
[ -p "$T/fifo" ] || kill $! 2>/dev/null || true
wait 2>/dev/null || true
got=$(grep -c '^{' "$T/fromfifo" || true)
[ "$got" = "$n" ] || lose "--out FIFO: exit $rc, $got of $n tasks reached the reader"
# a device node of our own (root only), as /dev/null is
if [ "$(id -u)" = 0 ] && mknod "$T/null" c 1 3 2>/dev/null; then
  set +e; $EX --out "$T/null" >/dev/null 2>&1; rc=$?; set -e
  [ -c "$T/null" ] || lose "--out DEVICE (as root): exit $rc, the device node became a $(stat -c '%F %a' "$T/null")"
fi
finish
