#!/usr/bin/env bash
# Build and test the Python package on a fresh machine (Rust toolchain + Python >= 3.9 + pip):
# a virtual environment with maturin, pytest, pandas, numpy, pyarrow and dask[distributed], the
# package built from crates/xietong-py and installed with pip, then its pytest suite. The suite
# compares every result with the cargo-built `xietong` binary ($XIETONG_BIN).
#   bash ci/python-tests.sh            # venv in ${XIETONG_PY_VENV:-target/py-venv}
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
python="${PYTHON:-python3}"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="${XIETONG_PY_VENV:-$target/py-venv}"

echo "== python: $("$python" --version) venv $venv"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  "maturin>=1.7,<2" pytest pandas numpy pyarrow "dask[distributed]"

# The maturin build hook runs `maturin` from PATH.
export PATH="$venv/bin:$PATH"

echo "== building the reference binary and the wheel"
cargo build --release -q -p xietong
export XIETONG_BIN="$target/release/xietong"
# --no-build-isolation: use the venv's maturin, and cargo reuses the workspace's compiled crates.
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
  --force-reinstall --no-deps ./crates/xietong-py

echo "== pytest"
cd crates/xietong-py/python
# The pytest script (not `python -m pytest`) keeps the source folder off sys.path, so `import
# xietong` is the installed package.
"$venv/bin/pytest" -q -p no:cacheprovider tests
