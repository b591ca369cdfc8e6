#!/usr/bin/env bash
# Issue 10's throughput criterion, measured side by side: `xietong run --runs RUNS` end to end
# (all threads, and one thread) against the vectorized numpy port with its indicators and CSV
# files (`numpy_reference.py --files`, three repeats), alternated in the same minutes, ROUNDS
# times. The machine's speed drifts by up to a third between minutes, so only numbers taken in
# the same round are compared. Prints decisions per CPU-second and, per round, xietong's
# all-threads figure over numpy's median repeat and over its fastest repeat. With BASELINE=path
# another `xietong` binary (for example the one the issue was measured with) is run with all
# threads in the same rounds, and xietong's all-threads figure over the baseline's is printed.
#
# Usage: [BASELINE=BINARY0] docs/performance/vs_numpy.sh BINARY [ROUNDS] [RUNS]
#        (defaults 5 rounds, 1000 runs; needs python3 with numpy)
set -euo pipefail
bin=${1:?usage: vs_numpy.sh BINARY [ROUNDS] [RUNS]}
rounds=${2:-5}
runs=${3:-1000}
here=$(cd "$(dirname "$0")" && pwd)
last() { tail -1 | awk '{ sub(/M$/, "", $NF); print $NF }'; }
printf "%5s %6s %9s %9s %18s %9s %9s" round UTC "all thr." "one thr." "numpy (3 repeats)" \
  "÷np med" "÷np best"
[ -n "${BASELINE:-}" ] && printf " %9s %9s" baseline "÷base"
printf "\n"
for r in $(seq 1 "$rounds"); do
  at=$(date -u +%H:%M:%S)
  base=0
  [ -n "${BASELINE:-}" ] && base=$(REPEATS=1 "$here/bench_run.sh" "$BASELINE" "$runs" | last)
  all=$(REPEATS=1 "$here/bench_run.sh" "$bin" "$runs" | last)
  one=$(REPEATS=1 THREADS=1 "$here/bench_run.sh" "$bin" "$runs" | last)
  np=$(python3 "$here/numpy_reference.py" --files "$runs" | tail -3 |
    awk '{ sub(/M$/, "", $NF); print $NF }' | sort -g | tr '\n' ' ')
  awk -v r="$r" -v t="$at" -v a="$all" -v o="$one" -v n="$np" -v b="$base" 'BEGIN {
    split(n, x, " ")
    printf "%5d %8s %8.1fM %8.1fM %5.1f %4.1f %4.1fM %8.1fx %8.1fx", r, t, a, o, x[1], x[2], x[3],
      a / x[2], a / x[3]
    if (b > 0) printf " %8.1fM %8.1fx", b, a / b
    printf "\n"
  }'
done
