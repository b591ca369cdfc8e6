#!/bin/sh
# Run fuzz targets one after another, each for SECONDS (default 600), one job each.
# Usage (from the repository root or fuzz/): fuzz/run.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks
# the nightly flags cargo-fuzz passes. See docs/fuzzing.md.
set -eu
cd "$(dirname "$0")"
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"scenario_set game codebook survey_csv survey_xlsx"}
mkdir -p logs
for t in $targets; do
    mkdir -p "corpus/$t"
    echo "== $t: ${secs}s" >&2
    # -fork=1 with -ignore_*: keep fuzzing after a finding, so one run collects all of them
    # (each is saved under artifacts/$t/). -max_len bounds inputs to what the readers get in practice.
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
        -timeout=10 -rss_limit_mb=2048 -max_len=65536 >"logs/$t.log" 2>&1 || true
    tail -n 3 "logs/$t.log" >&2
done
