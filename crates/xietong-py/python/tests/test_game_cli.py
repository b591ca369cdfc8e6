import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import xietong
from conftest import cli, read


@pytest.fixture(scope="module")
def stag(repo):
    return os.path.join(repo, "examples", "games", "stag_hunt.toml")


def test_analyze_identical_to_cli(stag):
    a = xietong.game.analyze(stag, S=5, H=2.5)
    want = json.loads(cli("game", "analyze", stag, "--set", "S=5", "--set", "H=2.5", "--json").stdout)
    assert a.json == want
    assert a.table == cli("game", "analyze", stag, "--set", "S=5", "--set", "H=2.5").stdout
    assert len(a.rest_points) == len(want["rest_points"])
    stable = a.rest_points[a.rest_points.stability.str.startswith("stable")]
    assert len(stable) >= 1
    # The state columns hold each population's shares, summing to 1.
    assert (a.rest_points["Region A:joint"] + a.rest_points["Region A:local"]).round(12).eq(1).all()


def test_analyze_toml_text(stag):
    with open(stag, encoding="utf-8") as f:
        text = f.read()
    assert xietong.game.analyze(text).json["rest_points"] == xietong.game.analyze(stag).json["rest_points"]


def test_analyze_bad_parameter(stag):
    with pytest.raises(xietong.InputError) as e:
        xietong.game.analyze(stag, Q=1)
    p = cli("game", "analyze", stag, "--set", "Q=1", check=False)
    assert p.returncode == 2 and p.stderr.strip().startswith(f"error: {e.value}")


def test_simulate_identical_to_cli(stag, tmp_path):
    df = xietong.game.simulate(stag, starts=["0.3,0.6", "0.8,0.2"], t_end=20, points=21)
    cli("game", "simulate", stag, "--from", "0.3,0.6", "--from", "0.8,0.2", "--t-end", 20,
        "--points", 21, "--out", tmp_path)
    want = pd.read_csv(tmp_path / "trajectories.csv")
    assert list(df.columns) == list(want.columns)
    assert df.to_numpy(dtype=float).tolist() == want.to_numpy(dtype=float).tolist()


def test_compare_identical_to_cli(tmp_path):
    args = ["--variant", "base:levers.flexibility=0.3", "--variant", "flex:levers.flexibility=0.8"]
    table, res = xietong.experiment.compare(
        tmp_path / "py", variants=["base:levers.flexibility=0.3", "flex:levers.flexibility=0.8"], runs=4, seed=3
    )
    cli("compare", *args, "--runs", 4, "--seed", 3, "--out", tmp_path / "cli")
    for f in ("compare.csv", "compare.json", "report.html"):
        assert read(tmp_path / "py" / f) == read(tmp_path / "cli" / f), f
    assert len(table) >= 1 and res == json.loads(read(tmp_path / "cli" / "compare.json"))


def test_compare_bad_variant(tmp_path):
    with pytest.raises(xietong.InputError, match="at least two"):
        xietong.experiment.compare(tmp_path / "x", variants=["only:levers.flexibility=0.3"], runs=4)


def test_console_script(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "xietong")
    if not os.path.exists(exe):
        pytest.skip("console script not installed in this environment")
    ok = subprocess.run([exe, "run", "--runs", "2", "--seed", "4", "--out", str(tmp_path / "a")], capture_output=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([exe, "run", "--runs", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--runs" in bad.stderr
    r = xietong.run(runs=2, seed=4)
    assert read(tmp_path / "a" / "timeseries.csv") == r.timeseries_csv
    v = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert v.returncode == 0 and v.stdout.startswith("xietong ")


def test_wheel_command_is_the_binarys(tmp_path):
    """The wheel's command runs the `xietong` crate's own `main_with`: the same help text (so
    the same subcommand list), the same exit codes, and `studio` explains how to get it."""
    from xietong import _xietong

    ref = os.environ.get("XIETONG_BIN")
    for args in (["--help"], ["survey", "--help"], ["nonsense"], ["run", "--runs", "0"]):
        p = subprocess.run(
            [sys.executable, "-c", "import sys; from xietong import _cli; _cli.main(sys.argv[1:])", *args],
            capture_output=True, text=True, cwd=tmp_path,  # not the source folder: the installed package
        )
        assert p.returncode == (0 if "--help" in args else 2), (args, p.stderr)
        if ref:
            b = subprocess.run([ref, *args], capture_output=True, text=True)
            assert (p.returncode, p.stdout) == (b.returncode, b.stdout), args
            # The program name in clap's usage line is argv[0]'s file name.
            assert p.stderr == b.stderr.replace(os.path.basename(ref), "xietong"), args
    # `studio` in the wheel (built without the studio): exit code 2 and how to get it.
    s = subprocess.run(
        [sys.executable, "-c", "import sys; from xietong import _cli; _cli.main(['studio', '--no-browser'])"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert s.returncode == 2 and "built without the studio" in s.stderr and "--features studio" in s.stderr
    assert _xietong.cli_main(["xietong", "--version"]) == 0
