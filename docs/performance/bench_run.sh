#!/usr/bin/env bash
# Benchmark of `xietong run` end to end (simulation, all four files written, report included):
# peak resident memory and decisions per CPU-second (user + system time, which is less sensitive
# than wall time to other processes sharing the machine).
#
# Usage: docs/performance/bench_run.sh BINARY [RUNS...]   (default RUNS: 1000 4000 16000)
# Environment: REPEATS (default 3), THREADS (default: the binary's default, all cores).
# Prints one line per measurement: runs, repeat, user s, sys s, wall s, peak RSS MiB,
# decisions per CPU-second. Decisions = runs x 40 quarters x 42 jurisdictions x 10 domains
# (the built-in scenario).
set -euo pipefail
bin=${1:?usage: bench_run.sh BINARY [RUNS...]}
shift
runs_list=("${@:-1000 4000 16000}")
# shellcheck disable=SC2206
runs_list=(${runs_list[*]})
repeats=${REPEATS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
threads=()
if [ -n "${THREADS:-}" ]; then threads=(--threads "$THREADS"); fi
printf "%8s %6s %8s %8s %8s %8s %14s\n" runs repeat user_s sys_s wall_s rss_MiB decisions/cpu_s
for runs in "${runs_list[@]}"; do
  for rep in $(seq 1 "$repeats"); do
    /usr/bin/time -v -o "$work/time.txt" "$bin" run --runs "$runs" --seed 1 "${threads[@]}" \
      --out "$work/out" 2>"$work/stderr.txt" >/dev/null || { cat "$work/stderr.txt"; exit 1; }
    user=$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")
    sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" |
      awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
    awk -v r="$runs" -v rep="$rep" -v u="$user" -v s="$sys" -v w="$wall" -v k="$rss" 'BEGIN {
      d = r * 40 * 42 * 10
      printf "%8d %6d %8.2f %8.2f %8.2f %8.1f %13.1fM\n", r, rep, u, s, w, k / 1024, d / (u + s) / 1e6
    }'
  done
done
