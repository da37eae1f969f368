#!/bin/sh
# bench.sh — `make bench`: a Sapporo-size city and a ten-times city, each
# measured side by side in this one invocation:
#   floor  a plain scan of every row and column the loader reads (bench/floor)
#   run    `kizuki run`, full catalogue, empty task store
#   next   `kizuki run` for the next day over that store (steady state)
#   one    `kizuki run --one-thread` on a fresh store: run without the
#          prefetch thread, i.e. the CPU the whole run costs on one core
# For each: wall and CPU seconds, peak RSS, households per second, ratio to
# the floor. The four steps run back to back in BENCH_REPEAT rounds (default
# 3); a step's ratio is to the floor of its own round, and the table shows
# the median round and the range of the ratio, so that a noisy moment on a
# shared machine shows as range rather than as the result. Prints a table
# and writes bench/results.json. BENCH_SIZES, BENCH_DIR, BENCH_REPEAT,
# BENCH_REUSE=1 (skip generating a city that is already there).
set -eu
KIZUKI=${KIZUKI:-build/kizuki}
FLOOR=${FLOOR:-build/bench/floor}
DIR=${BENCH_DIR:-bench/data}
SIZES=${BENCH_SIZES:-"150000 1500000"}
AS_OF=${BENCH_AS_OF:-2024-10-01}
NEXT=${BENCH_NEXT:-2024-10-02}
OUT=${BENCH_OUT:-bench/results.json}
REPEAT=${BENCH_REPEAT:-3}
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
row() { printf '%-10s %-6s %9s %9s %10s %12s %9s %12s\n' "$@"; }
row households step wall_s cpu_s peak_rss_mb households/s x_floor range
for n in $SIZES; do
  db="$DIR/city-$n.db"
  # Generation is measured too; BENCH_REUSE=1 keeps a city made before.
  if [ "${BENCH_REUSE:-0}" != 1 ] || [ ! -f "$db" ] ||
     [ "$(sqlite3 "$db" 'select count(*) from households')" != "$n" ]; then
    rm -f "$db"
    measure gen-$n "$KIZUKI" gen --quiet --households "$n" --seed 2019 --until "$AS_OF" --out "$db"
    row "$n" gen "$wall" "$cpu" "$((rss / 1024))" \
      "$(echo "$n $wall" | awk '{printf "%.0f", $1 / ($2 > 0 ? $2 : 1)}')" - -
    json="$json$sep{\"households\":$n,\"step\":\"gen\",\"wall_s\":$wall,\"cpu_s\":$cpu,\"peak_rss_kb\":$rss}"
    sep=","
  fi
  sync
  "$FLOOR" "$db" "$AS_OF" > /dev/null   # warm the page cache the same way for every step
  rounds="$DIR/rounds-$n.txt"
  : > "$rounds"
  r=1
  while [ "$r" -le "$REPEAT" ]; do
    rm -f "$DIR/tasks-$n.db"* "$DIR/one-$n.db"*
    for step in floor run next one; do
      case $step in
        floor) measure $step-$n "$FLOOR" "$db" "$AS_OF" ;;
        run)   measure $step-$n "$KIZUKI" run --quiet --cases "$db" --tasks "$DIR/tasks-$n.db" --as-of "$AS_OF" ;;
        next)  measure $step-$n "$KIZUKI" run --quiet --cases "$db" --tasks "$DIR/tasks-$n.db" --as-of "$NEXT" ;;
        one)   measure $step-$n "$KIZUKI" run --quiet --one-thread --cases "$db" --tasks "$DIR/one-$n.db" --as-of "$AS_OF" ;;
      esac
      [ $step = floor ] && floor_wall=$wall
      echo "$step $wall $cpu $rss $(echo "$wall $floor_wall" | awk '{printf "%.2f", $1 / ($2 > 0 ? $2 : 1)}')" >> "$rounds"
    done
    r=$((r + 1))
  done
  for step in floor run next one; do
    # The median round by ratio (the floor: by wall time); the range of the
    # ratio; the highest peak RSS of any round.
    set -- $(grep "^$step " "$rounds" | sort -n -k $([ $step = floor ] && echo 2 || echo 5) | awk '
      { w[NR] = $2; c[NR] = $3; m[NR] = $4; x[NR] = $5; if ($4 > rss) rss = $4 }
      END { k = int((NR + 1) / 2); print w[k], c[k], rss, x[k], x[1], x[NR] }')
    wall=$1 cpu=$2 rss=$3 ratio=$4 lo=$5 hi=$6
    rate=$(echo "$n $wall" | awk '{printf "%.0f", $1 / ($2 > 0 ? $2 : 1)}')
    row "$n" $step "$wall" "$cpu" "$((rss / 1024))" "$rate" "$ratio" "$lo-$hi"
    json="$json$sep{\"households\":$n,\"step\":\"$step\",\"rounds\":$REPEAT,\"wall_s\":$wall,\"cpu_s\":$cpu,\"peak_rss_kb\":$rss,\"households_per_s\":$rate,\"x_floor\":$ratio,\"x_floor_min\":$lo,\"x_floor_max\":$hi}"
    sep=","
  done
done
json="$json]"
echo "$json" > "$OUT"
echo "bench: wrote $OUT"
