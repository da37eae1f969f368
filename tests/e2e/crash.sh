#!/bin/sh
# Crash safety and concurrency of `kizuki run` (issue: nothing lost, nothing
# half-written). Kills a run with SIGKILL at 20 moments spread across it and
# checks each time: the task DB passes integrity_check, is exactly as before
# the run, and a clean rerun gives exactly the tasks of an uninterrupted run.
# Then SIGTERM and SIGINT (clean stop, exit 7), and a second run against a
# busy task DB (exit 6 at once) while readers still read (WAL).
set -eu

. tests/e2e/lib/common.sh

D1=2024-09-02 D2=2024-10-01
cp -r rules "$T/rules"    # a fixed rule set for every run of this test
RUN="$KIZUKI run --rules $T/rules"   # a plain command, so $! is kizuki itself
"$KIZUKI" gen --quiet --households "${CRASH_HOUSEHOLDS:-16000}" --seed 7 --out "$T/city.db" 2>/dev/null

# The state of a task DB: its tasks, their history and the run errors (a
# rerun after a committed run adds a run record that changes nothing), and
# whether any run record is unfinished (a half-written run).
state() {
  sqlite3 "$1" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  sqlite3 "$1" "select * from tasks order by id;
                select * from task_events order by id;
                select * from run_errors order by id;
                select 'unfinished runs', count(*) from runs where finished_at is null;"
}

# The base: one run on D1, so the run under test has tasks to keep, clear, escalate.
$RUN --quiet --cases "$T/city.db" --tasks "$T/base.db" --as-of $D1 >/dev/null
sqlite3 "$T/base.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
state "$T/base.db" > "$T/base.state"

# The reference: an uninterrupted run on D2, timed.
cp "$T/base.db" "$T/ref.db"
t0=$(date +%s%N)
$RUN --quiet --cases "$T/city.db" --tasks "$T/ref.db" --as-of $D2 >/dev/null
t1=$(date +%s%N)
state "$T/ref.db" > "$T/ref.state"
run_ms=$(( (t1 - t0) / 1000000 ))
if cmp -s "$T/base.state" "$T/ref.state"; then bad "the reference run changed nothing"; fi

midrun=0
i=1
while [ $i -le 20 ]; do
  rm -f "$T/k.db" "$T/k.db-wal" "$T/k.db-shm"
  cp "$T/base.db" "$T/k.db"
  at_ms=$(( run_ms * i / 21 ))
  $RUN --quiet --cases "$T/city.db" --tasks "$T/k.db" --as-of $D2 >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((at_ms / 1000)) $((at_ms % 1000)))"
  kill -KILL $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  integrity=$(sqlite3 "$T/k.db" "PRAGMA integrity_check")
  [ "$integrity" = ok ] && ok || bad "kill $i at ${at_ms}ms: integrity_check says $integrity"
  state "$T/k.db" > "$T/k.state"
  if cmp -s "$T/k.state" "$T/base.state"; then
    midrun=$((midrun + 1)); ok
  elif cmp -s "$T/k.state" "$T/ref.state"; then
    ok   # the run had already committed: also whole
  else
    bad "kill $i at ${at_ms}ms: the task DB is neither as before nor as after the run"
  fi
  $RUN --quiet --cases "$T/city.db" --tasks "$T/k.db" --as-of $D2 >/dev/null
  state "$T/k.db" > "$T/k.state"
  if cmp -s "$T/k.state" "$T/ref.state"; then ok; else bad "kill $i: the rerun differs from an uninterrupted run"; diff "$T/k.state" "$T/ref.state" | head -5 >&2; fi
  i=$((i + 1))
done
echo "crash: $midrun of 20 kills landed before the run committed (run takes ${run_ms}ms)"
[ $midrun -ge 10 ] && ok || bad "too few kills landed mid-run ($midrun of 20)"

# SIGTERM and SIGINT: a clean stop, exit 7, a message, nothing written.
for sig in TERM INT; do
  rm -f "$T/s.db" "$T/s.db-wal" "$T/s.db-shm"
  cp "$T/base.db" "$T/s.db"
  $RUN --quiet --cases "$T/city.db" --tasks "$T/s.db" --as-of $D2 >/dev/null 2>"$T/s.err" &
  pid=$!
  at_ms=$(( run_ms / 2 ))
  sleep "$(printf '%d.%03d' $((at_ms / 1000)) $((at_ms % 1000)))"
  kill -$sig $pid
  set +e; wait $pid; rc=$?; set -e
  state "$T/s.db" > "$T/s.state"
  if [ $rc -eq 7 ] && grep -q "interrupted" "$T/s.err" && cmp -s "$T/s.state" "$T/base.state"; then ok
  else bad "SIG$sig: exit $rc (want 7), message: $(cat "$T/s.err")"; fi
done

# Concurrency: a second run while one holds the task DB fails at once with
# exit 6; a reader is not blocked.
rm -f "$T/c.db" "$T/c.db-wal" "$T/c.db-shm"
cp "$T/base.db" "$T/c.db"
$RUN --quiet --cases "$T/city.db" --tasks "$T/c.db" --as-of $D2 >/dev/null 2>&1 &
pid=$!
sleep "$(printf '%d.%03d' $(((run_ms / 3) / 1000)) $(((run_ms / 3) % 1000)))"
set +e
$RUN --quiet --cases "$T/city.db" --tasks "$T/c.db" --as-of $D2 >/dev/null 2>"$T/c.err"
rc=$?
readers=$(sqlite3 "$T/c.db" "select count(*) from tasks" 2>&1)
wait $pid
rc1=$?
set -e
if [ $rc -eq 6 ] && grep -q "in use by another kizuki run" "$T/c.err"; then ok; else bad "second run: exit $rc (want 6): $(cat "$T/c.err")"; fi
case "$readers" in ''|*[!0-9]*) bad "reader blocked during a run: $readers" ;; *) ok ;; esac
[ $rc1 -eq 0 ] && ok || bad "the first run failed ($rc1) after a second one was refused"
state "$T/c.db" > "$T/c.state"
cmp -s "$T/c.state" "$T/ref.state" && ok || bad "the refused second run changed the outcome"

summary crash
