"""Experiments: designs over scenario paths (``docs/experiments.md``), run, sharded, merged and
analysed by the same store and runner as ``xietong experiment``; :func:`run_dask` runs the
shards as tasks on a ``dask.distributed`` cluster."""

import json
import os

from . import _xietong
from ._frames import read_csv


def _shard(shard):
    if shard is None:
        return None
    if isinstance(shard, str):
        i, _, n = shard.partition("/")
        try:
            return int(i), int(n)
        except ValueError:
            raise _xietong.InputError(f"shard {shard}: expected I/N such as 2/8 (1 <= I <= N)") from None
    i, n = shard
    return int(i), int(n)


def run(path, out, shard=None, resume=False, threads=None):
    """Run experiment file ``path`` into folder ``out`` (``xietong experiment run``).

    ``shard``: ``(i, n)`` or ``"i/n"`` runs only slice i of n (1-based); join the folders with
    :func:`merge`. ``resume`` continues an interrupted run. Returns ``out``."""
    _xietong.experiment_run(
        os.fspath(path), os.fspath(out), _shard(shard), bool(resume), threads
    )
    return out


def merge(dirs, out):
    """Join finished shard folders into ``out``, identical to a single-machine run."""
    _xietong.experiment_merge([os.fspath(d) for d in dirs], os.fspath(out))
    return out


def n_points(path):
    """Number of design points of experiment file ``path``."""
    return _xietong.experiment_points(os.fspath(path))


def results(out):
    """The ``results.csv`` of a finished experiment folder as a DataFrame."""
    with open(os.path.join(out, "results.csv"), "rb") as f:
        return read_csv(f.read())


class Analysis:
    """``experiment analyze``: ``points`` (DataFrame: per point n, mean, sd, p05, p95 of each
    metric) and ``indices`` (dict, the analysis.json of Morris/Saltelli designs, else None)."""

    def __init__(self, out):
        self.out = out
        with open(os.path.join(out, "points.csv"), "rb") as f:
            self.points = read_csv(f.read())
        path = os.path.join(out, "analysis.json")
        self.indices = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.indices = json.load(f)

    def report_html(self):
        """The report (HTML text): sensitivity-report.html, or sweep-report.html without indices."""
        name = "sweep-report.html" if self.indices is None else "sensitivity-report.html"
        path = os.path.join(self.out, name)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return f.read()

    def _repr_html_(self):
        return self.report_html() or self.points.to_html(max_rows=20)


def analyze(dir, out=None, resamples=1000, lang="en"):
    """Analyse a finished experiment folder (``xietong experiment analyze``); writes points.csv
    and the analysis files into ``out`` (default ``dir``) as the CLI does."""
    out = dir if out is None else out
    _xietong.experiment_analyze(os.fspath(dir), os.fspath(out), resamples, lang)
    return Analysis(os.fspath(out))


def compare(out, scenario=None, variants=(), runs=50, seed=1, sets=(), threads=None, lang="en"):
    """``xietong compare`` (paired runs, common random numbers): writes compare.csv,
    compare.json and report.html into ``out``; returns (DataFrame of compare.csv, compare.json)."""
    _xietong.compare(
        os.fspath(out),
        None if scenario is None else os.fspath(scenario),
        list(variants),
        runs,
        seed,
        list(sets),
        threads,
        lang,
    )
    with open(os.path.join(out, "compare.csv"), "rb") as f:
        table = read_csv(f.read())
    with open(os.path.join(out, "compare.json"), encoding="utf-8") as f:
        return table, json.load(f)


def calibrate(path, out, targets=None, threads=None):
    """``xietong calibrate``: fit scenario parameters; writes calibration.json, calibrated.toml
    and report.html into ``out`` and returns calibration.json as a dict."""
    _xietong.calibrate(
        os.fspath(path), os.fspath(out), None if targets is None else os.fspath(targets), threads
    )
    with open(os.path.join(out, "calibration.json"), encoding="utf-8") as f:
        return json.load(f)


def _run_shard(path, shard_dir, i, n, threads):
    # A Dask task: one shard into its own folder (resumable, so a retried task keeps its work).
    _xietong.experiment_run(path, shard_dir, (i, n), True, threads)
    return shard_dir


def run_dask(path, out, client, shards=None, threads=None, work_dir=None):
    """Run experiment ``path`` on a ``dask.distributed`` ``client``: one task per shard, each
    writing its own shard folder under ``work_dir`` (default ``out + ".shards"``, which must be
    on storage every worker sees), then :func:`merge` into ``out``. The merged folder is byte
    for byte the folder of a single-machine :func:`run`.

    ``shards`` defaults to the number of worker threads of the cluster (at most the number of
    design points); ``threads`` is each task's worker threads (default 1 per task)."""
    path = os.path.abspath(os.fspath(path))
    out = os.fspath(out)
    points = n_points(path)
    if shards is None:
        shards = sum(client.nthreads().values()) or 1
    shards = max(1, min(int(shards), points))
    work_dir = os.path.abspath(work_dir or out.rstrip("/\\") + ".shards")
    os.makedirs(work_dir, exist_ok=True)
    dirs = [os.path.join(work_dir, f"shard-{i:04d}-of-{shards:04d}") for i in range(1, shards + 1)]
    futures = [
        client.submit(_run_shard, path, d, i, shards, threads or 1, key=f"xietong-shard-{i}-{shards}-{d}", pure=False)
        for i, d in enumerate(dirs, start=1)
    ]
    done = client.gather(futures)
    return merge(done, out)
