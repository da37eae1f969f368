#!/bin/sh
# bench.sh — `make bench`: a Sapporo-size city and a ten-times city, each
# measured side by side in this one invocation:
#   floor  a plain scan of every row and column the loader reads (bench/floor)
#   run    `kizuki run`, full catalogue, empty task store
#   next   `kizuki run` for the next day over that store (steady state)
#   one    `kizuki run --one-thread` on a fresh store: run without the
#          prefetch thread, i.e. the CPU the whole run costs on one core
# For each: wall and CPU seconds, peak RSS, households per second, ratio to
# the floor. Prints a table and writes bench/results.json. BENCH_SIZES,
# BENCH_DIR, BENCH_REUSE=1 (skip generating a city that is already there).
set -eu
KIZUKI=${KIZUKI:-build/kizuki}
FLOOR=${FLOOR:-build/bench/floor}
DIR=${BENCH_DIR:-bench/data}
SIZES=${BENCH_SIZES:-"150000 1500000"}
AS_OF=${BENCH_AS_OF:-2024-10-01}
NEXT=${BENCH_NEXT:-2024-10-02}
OUT=${BENCH_OUT:-bench/results.json}
mkdir -p "$DIR" "$(dirname "$OUT")"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 2; }

# measure NAME CMD...: run CMD under GNU time; sets wall cpu rss
measure() {
  name=$1; shift
  "$TIME" -f "%e %U %S %M" -o "$DIR/time.out" "$@" > "$DIR/$name.out" 2> "$DIR/$name.err" || {
    echo "bench: $name failed:" >&2; tail -5 "$DIR/$name.err" >&2; exit 1; }
  read -r wall user sys rss < "$DIR/time.out"
  cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
}

json="["
sep=""
printf '%-10s %-6s %9s %9s %10s %12s %9s\n' households step wall_s cpu_s peak_rss_mb households/s x_floor
for n in $SIZES; do
  db="$DIR/city-$n.db"
  # Generation is measured too; BENCH_REUSE=1 keeps a city made before.
  if [ "${BENCH_REUSE:-0}" != 1 ] || [ ! -f "$db" ] ||
     [ "$(sqlite3 "$db" 'select count(*) from households')" != "$n" ]; then
    rm -f "$db"
    measure gen-$n "$KIZUKI" gen --quiet --households "$n" --seed 2019 --until "$AS_OF" --out "$db"
    printf '%-10s %-6s %9s %9s %10s %12s %9s\n' "$n" gen "$wall" "$cpu" "$((rss / 1024))" \
      "$(echo "$n $wall" | awk '{printf "%.0f", $1 / ($2 > 0 ? $2 : 1)}')" -
    json="$json$sep{\"households\":$n,\"step\":\"gen\",\"wall_s\":$wall,\"cpu_s\":$cpu,\"peak_rss_kb\":$rss}"
    sep=","
  fi
  sync
  "$FLOOR" "$db" "$AS_OF" > /dev/null   # warm the page cache the same way for every step
  rm -f "$DIR/tasks-$n.db" "$DIR/tasks-$n.db-wal" "$DIR/tasks-$n.db-shm" "$DIR/one-$n.db"*
  floor_wall=
  for step in floor run next one; do
    case $step in
      floor) measure $step-$n "$FLOOR" "$db" "$AS_OF" ;;
      run)   measure $step-$n "$KIZUKI" run --quiet --cases "$db" --tasks "$DIR/tasks-$n.db" --as-of "$AS_OF" ;;
      next)  measure $step-$n "$KIZUKI" run --quiet --cases "$db" --tasks "$DIR/tasks-$n.db" --as-of "$NEXT" ;;
      one)   measure $step-$n "$KIZUKI" run --quiet --one-thread --cases "$db" --tasks "$DIR/one-$n.db" --as-of "$AS_OF" ;;
    esac
    [ -z "$floor_wall" ] && floor_wall=$wall
    ratio=$(echo "$wall $floor_wall" | awk '{printf "%.2f", $1 / ($2 > 0 ? $2 : 1)}')
    rate=$(echo "$n $wall" | awk '{printf "%.0f", $1 / ($2 > 0 ? $2 : 1)}')
    printf '%-10s %-6s %9s %9s %10s %12s %9s\n' "$n" $step "$wall" "$cpu" "$((rss / 1024))" "$rate" "$ratio"
    json="$json$sep{\"households\":$n,\"step\":\"$step\",\"wall_s\":$wall,\"cpu_s\":$cpu,\"peak_rss_kb\":$rss,\"households_per_s\":$rate,\"x_floor\":$ratio}"
    sep=","
  done
done
json="$json]"
echo "$json" > "$OUT"
echo "bench: wrote $OUT"
