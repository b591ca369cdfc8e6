#!/usr/bin/env bash
# Byte-identity check of two `xietong` binaries: every file `xietong run` writes must be the same,
# byte for byte, for a set of run counts, seeds, a lever override and one against all threads.
# Used to check that an engine speed-up changed no output bit.
#
# Usage: docs/performance/same_outputs.sh REF_BINARY NEW_BINARY
# Exit code 0 when every file of every case is identical, 1 otherwise (the differing files named).
set -euo pipefail
ref=${1:?usage: same_outputs.sh REF_BINARY NEW_BINARY}
new=${2:?usage: same_outputs.sh REF_BINARY NEW_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
cases=0
check() { # name, then the arguments of `run` (before --out)
  local name=$1
  shift
  "$ref" run "$@" --out "$work/ref-$name" >/dev/null 2>"$work/ref-$name.err"
  "$new" run "$@" --out "$work/new-$name" >/dev/null 2>"$work/new-$name.err"
  local files
  files=$(cd "$work/ref-$name" && find . -type f | sort)
  if [ "$files" != "$(cd "$work/new-$name" && find . -type f | sort)" ]; then
    echo "DIFFERENT FILE SETS: $name ($*)"
    fail=1
  fi
  for f in $files; do
    cases=$((cases + 1))
    if ! cmp -s "$work/ref-$name/$f" "$work/new-$name/$f"; then
      echo "DIFFERENT: $name $f ($*)"
      fail=1
    fi
  done
  rm -rf "$work/ref-$name" "$work/new-$name"
}
for runs in 2 37 1000; do
  for seed in 1 5; do
    check "r$runs-s$seed" --runs "$runs" --seed "$seed"
    check "r$runs-s$seed-key" --runs "$runs" --seed "$seed" --set levers.sequencing=key_first
  done
done
# Other paths of the engine: each standardization timing, another sequencing, cadre levers, and
# jurisdictions in several parallel chunks.
check timing-responsive --runs 37 --seed 3 --set levers.standardization.timing=responsive
check timing-developmental --runs 37 --seed 3 --set levers.standardization.timing=developmental
check timing-none --runs 37 --seed 3 --set levers.standardization.timing=none
check all-at-once --runs 37 --seed 4 --set levers.sequencing=all_at_once
check cadre --runs 37 --seed 4 --set levers.cadre.reward=0.6 --set levers.cadre.punishment=0.4
check chunks --runs 2 --seed 2 --set zones.A1.jurisdictions=5000 --set zones.B1.jurisdictions=5000 \
  --set calendar.periods=16
# One thread against the default (all cores), each binary against the other.
"$ref" run --runs 37 --seed 5 --threads 1 --out "$work/ref-t1" >/dev/null 2>&1
"$new" run --runs 37 --seed 5 --out "$work/new-tall" >/dev/null 2>&1
"$new" run --runs 37 --seed 5 --threads 1 --out "$work/new-t1" >/dev/null 2>&1
for f in $(cd "$work/ref-t1" && find . -type f | sort); do
  for other in new-tall new-t1; do
    cases=$((cases + 1))
    if ! cmp -s "$work/ref-t1/$f" "$work/$other/$f"; then
      echo "DIFFERENT: threads $f (ref --threads 1 vs $other)"
      fail=1
    fi
  done
done
if [ "$fail" = 0 ]; then
  echo "identical: $cases file comparisons"
else
  exit 1
fi
