"""Shared fixtures: the reference command line and a small Sobol' experiment.

The reference is the `xietong` binary named by $XIETONG_BIN (ci/python-tests.sh points it at the
cargo-built binary when there is one), else the wheel's own `xietong` command."""

import os
import shutil
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def cli_path():
    exe = os.environ.get("XIETONG_BIN") or shutil.which("xietong")
    if not exe:
        pytest.skip("no xietong command to compare with")
    return exe


def cli(*args, check=True):
    """Run the reference CLI; returns the CompletedProcess (text)."""
    p = subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"xietong {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
    return p


@pytest.fixture(scope="session")
def repo():
    return REPO


SOBOL = """
name = "py-sobol"
seed = 5
replications = 2
seeds = "common"

[base]
scenario = "builtin"

[[factor]]
path = "levers.sequencing"
values = ["basic_first", "all_at_once", "key_first"]

[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9

[design]
method = "saltelli"
n = 8

[output]
metrics = ["cumulative_cooperation", "final_gini"]
"""


@pytest.fixture(scope="session")
def sobol_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("exp") / "sobol.toml"
    p.write_text(SOBOL, encoding="utf-8")
    return str(p)


def read(path):
    with open(path, "rb") as f:
        return f.read()
