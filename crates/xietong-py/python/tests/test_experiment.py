import json
import os

import pytest

import xietong
from conftest import cli, read


@pytest.fixture(scope="module")
def single(sobol_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "out"
    xietong.experiment.run(sobol_file, out)
    return out


def test_run_identical_to_cli(sobol_file, single, tmp_path):
    out = tmp_path / "cli"
    cli("experiment", "run", sobol_file, "--out", out)
    for f in ("results.csv", "manifest.json", "design.csv"):
        assert read(single / f) == read(out / f), f


def test_shards_merge_identical(sobol_file, single, tmp_path):
    n = xietong.experiment.n_points(sobol_file)
    assert n == 8 * (2 * 2 + 2)
    dirs = []
    for i in (1, 2, 3):
        d = tmp_path / f"s{i}"
        xietong.experiment.run(sobol_file, d, shard=f"{i}/3")
        dirs.append(d)
    merged = tmp_path / "merged"
    xietong.experiment.merge(dirs[::-1], merged)
    assert read(merged / "results.csv") == read(single / "results.csv")
    assert sorted(os.listdir(merged)) == sorted(os.listdir(single))


def test_bad_shard_and_resume(sobol_file, single):
    with pytest.raises(xietong.InputError):
        xietong.experiment.run(sobol_file, single, shard=(4, 3))
    with pytest.raises(xietong.InputError, match="already holds an experiment"):
        xietong.experiment.run(sobol_file, single)
    before = read(single / "results.csv")
    xietong.experiment.run(sobol_file, single, resume=True)
    assert read(single / "results.csv") == before


def test_analyze_identical_to_cli(single, tmp_path):
    a = xietong.experiment.analyze(single, out=tmp_path / "py", resamples=200)
    cli("experiment", "analyze", single, "--out", tmp_path / "cli", "--resamples", 200)
    for f in ("points.csv", "analysis.json", "sensitivity.csv", "sensitivity-report.html"):
        assert read(tmp_path / "py" / f) == read(tmp_path / "cli" / f), f
    assert a.indices == json.loads(read(tmp_path / "cli" / "analysis.json"))
    assert len(a.points) == 8 * (2 * 2 + 2)
    assert "<html" in a.report_html().lower()


def test_results_frame(single):
    df = xietong.experiment.results(single)
    assert len(df) == 8 * 6 * 2
    assert {"cumulative_cooperation", "final_gini"} <= set(df.columns)


def test_run_dask_identical(sobol_file, single, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            out = tmp_path / "dask"
            xietong.experiment.run_dask(sobol_file, out, client, shards=5)
    assert read(out / "results.csv") == read(single / "results.csv")
    assert read(out / "manifest.json") == read(single / "manifest.json")
    assert len(os.listdir(str(out) + ".shards")) == 5


def test_run_dask_worker_processes(sobol_file, single, tmp_path):
    # Separate worker processes, as on a real cluster: tasks are pickled and run elsewhere.
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            out = tmp_path / "dask-procs"
            xietong.experiment.run_dask(sobol_file, out, client)
    assert read(out / "results.csv") == read(single / "results.csv")
    assert len(os.listdir(str(out) + ".shards")) == 2
