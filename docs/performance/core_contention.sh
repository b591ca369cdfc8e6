#!/usr/bin/env bash
# Does this machine's throughput per CPU-second depend on how many of its cores are busy?
# Runs `xietong run --threads 1` alone, then two such processes at the same time (independent
# processes: no shared memory, locks or threads between them), and prints each process's
# decisions per CPU-second (user + system time; decisions = runs x 40 quarters x 42
# jurisdictions x 10 domains, the built-in scenario). If two processes side by side each do
# clearly less per CPU-second than one alone, the drop is the machine's (shared execution units,
# caches, memory bandwidth or clock), not the program's: any multi-threaded run pays it too.
#
# Usage: docs/performance/core_contention.sh BINARY [ROUNDS] [RUNS]   (defaults 4 and 1000)
# Results go to a temporary folder under $TMPDIR; TMPDIR=/dev/shm (tmpfs) keeps disk waits out,
# so that the two processes really run at the same time.
set -euo pipefail
bin=${1:?usage: core_contention.sh BINARY [ROUNDS] [RUNS]}
rounds=${2:-4}
runs=${3:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
one() { # one measurement: $1 = tag; prints decisions per CPU-second
  /usr/bin/time -f "%U %S" -o "$work/$1.time" "$bin" run --runs "$runs" --seed 1 --threads 1 \
    --out "$work/$1" >/dev/null 2>"$work/$1.err" || { cat "$work/$1.err"; exit 1; }
  awk -v r="$runs" '{ printf "%.1fM", r * 16800 / ($1 + $2) / 1e6 }' "$work/$1.time"
}
printf "%6s %10s %22s\n" round alone "two side by side"
for r in $(seq 1 "$rounds"); do
  alone=$(one a)
  rm -rf "$work/a"
  one b >"$work/b.out" &
  pb=$!
  one c >"$work/c.out" &
  pc=$!
  wait "$pb" "$pc"
  rm -rf "$work/b" "$work/c"
  printf "%6d %10s %11s %10s\n" "$r" "$alone" "$(cat "$work/b.out")" "$(cat "$work/c.out")"
done
