#!/bin/sh
# "The case DB is never written, whatever paths are given." SQLite's unix VFS
# normalises a name lexically: 'cases.db/', 'cases.db/.', 'x/../cases.db'
# all open cases.db, while stat() and realpath() fail on them (ENOTDIR,
# ENOENT), so the same-file check saw a new file: the run wrote the task
# tables into the case DB, exit 0. Expected: exit 2, case DB bytes unchanged.
. tests/e2e/red/lib.sh
city 100 3
cd "$T"
md5=$(md5sum c.db)
for p in "c.db/" "./c.db//" "c.db/." "nonexistent/../c.db" "c.db/../c.db"; do
  set +e; $RUN --as-of 2024-10-01 --cases c.db --tasks "$p" >/dev/null 2>err; rc=$?; set -e
  if [ "$(md5sum c.db)" != "$md5" ] || [ -e c.db-wal ]; then
    lose "--tasks '$p': exit $rc, the case DB was written ($(sqlite3 c.db "SELECT group_concat(name) FROM sqlite_master WHERE name IN ('tasks','runs')"))"
    rm -f c.db c.db-wal c.db-shm; (cd "$ROOT" && "$KIZUKI" gen --households 100 --seed 3 --out "$T/c.db" >/dev/null 2>&1); md5=$(md5sum c.db)
  elif [ "$rc" -ne 2 ]; then lose "--tasks '$p': exit $rc (expected 2)"; fi
done
cd "$ROOT"
finish
