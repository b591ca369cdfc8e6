"""Overhead of the Python layer (docs/PERFORMANCE.md, "Python").

1. ``xietong.run(scenario, runs=1, threads=1)`` including both DataFrames, against the engine
   alone (the same ``run_many`` timed inside Rust): the difference is what Python adds.
2. A 1,000,000-row survey DataFrame through ``xietong.survey.ttest``: the transport (columns to
   the survey crate's table: the Python side, then the table built in Rust) against copying the
   two columns once with pandas, and the whole call; then the group column alone as pandas'
   ``str`` dtype, Python objects and a categorical, through the transport and ``chi2``.

    python crates/xietong-py/python/bench/bench_overhead.py
Best of several repeats (wall clock, one thread for the engine).
"""

import platform
import statistics
import time

import numpy as np
import pandas as pd

import xietong
from xietong import _xietong, survey


def best(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return min(ts), statistics.median(ts)


def bench_run(repeats=50):
    s = xietong.Scenario.builtin()
    engine = _xietong._bench_engine_seconds(s._text, s._name, 1, 1, repeats)

    def whole():
        r = xietong.run(s, runs=1, seed=1, threads=1)
        r.timeseries
        r.zones

    def no_frames():
        xietong.run(s, runs=1, seed=1, threads=1)

    whole()
    w, wm = best(whole, repeats)
    n, nm = best(no_frames, repeats)
    r = xietong.run(s, runs=1, seed=1, threads=1)
    rep, _ = best(lambda: r._report.html("en"), repeats)
    print(f"engine alone, 1 run:                 {engine * 1e3:8.2f} ms")
    print(f"xietong.run(runs=1) without frames:  {n * 1e3:8.2f} ms (median {nm * 1e3:.2f})  overhead {(n - engine) * 1e3:.2f} ms")
    print(f"xietong.run(runs=1) + both frames:   {w * 1e3:8.2f} ms (median {wm * 1e3:.2f})  overhead {(w - engine) * 1e3:.2f} ms")
    print(f"report_html() (drawn on demand):     {rep * 1e3:8.2f} ms")


def bench_survey(rows=1_000_000, repeats=5):
    rng = np.random.default_rng(1)
    groups = rng.choice(["城市", "农村"], rows)
    df = pd.DataFrame({"score": rng.normal(3, 1, rows), "group": groups})
    df.loc[rng.choice(rows, rows // 50, replace=False), "score"] = np.nan
    copy, _ = best(lambda: df[["score", "group"]].copy(deep=True), repeats)
    py_side, _ = best(lambda: survey._columns(df, ["score", "group"], categories=["group"]), repeats)
    num, _ = best(lambda: survey._column(df["score"]), repeats)
    header, cols = survey._columns(df, ["score", "group"], categories=["group"])
    rust_table = _xietong._bench_table_seconds(header, cols, repeats)
    rust_num = _xietong._bench_table_seconds(header, cols[:1], repeats)
    total, _ = best(lambda: survey.ttest(df, "score", "group"), repeats)
    print(f"{rows} rows: copy of the two columns (pandas):      {copy * 1e3:8.1f} ms")
    print(f"  Python side of the transport (both columns):   {py_side * 1e3:8.1f} ms (numeric column alone {num * 1e3:.1f} ms)")
    print(f"  Rust side: the table from both columns:        {rust_table * 1e3:8.1f} ms (numeric column alone {rust_num * 1e3:.1f} ms)")
    print(f"  xietong.survey.ttest, whole call:              {total * 1e3:8.1f} ms")
    # The group column in each text form pandas has (2% missing): the default string dtype,
    # Python objects, a categorical.
    g = pd.Series(groups)
    g[rng.choice(rows, rows // 50, replace=False)] = None
    # Object columns come in two layouts: one string object per row (as `astype(object)` makes
    # them), or rows sharing one object per distinct value (as pandas' CSV reader makes them).
    shared = pd.Series(np.array(["城市", "农村"], dtype=object)[(groups == "农村").astype(int)], dtype=object)
    shared[g.isna()] = None
    forms = [("str", g.astype("str")), ("object", g.astype(object)), ("shared", shared), ("category", g.astype("category"))]
    for kind, s in forms:
        d = pd.DataFrame({"score": df["score"], "group": s})
        copy, _ = best(lambda: d["group"].copy(deep=True), repeats)
        py_side, _ = best(lambda: survey._column(d["group"], as_text=True), repeats)
        h, c = survey._columns(d, ["group"], categories=["group"])
        rust = _xietong._bench_table_seconds(h, c, repeats)
        chi, _ = best(lambda: survey.chi2(d, "group", "group"), repeats)
        # References: pandas' factorize (the transport before text columns were coded in Rust)
        # and, for Arrow strings, copying the column's buffers (a deep copy shares them).
        fact, _ = best(lambda: pd.factorize(d["group"]), repeats)
        extra = ""
        if kind == "str" and hasattr(s.array, "__arrow_array__"):
            bufs = [b for ch in s.array.__arrow_array__().chunks for b in ch.buffers() if b is not None]
            raw, _ = best(lambda: [np.frombuffer(b, dtype=np.uint8).copy() for b in bufs], repeats)
            extra = f", copy of its Arrow buffers {raw * 1e3:.1f} ms"
        print(f"  group as {kind:8}: copy {copy * 1e3:6.1f} ms, Python side {py_side * 1e3:6.1f} ms, "
              f"Rust side {rust * 1e3:6.1f} ms, chi2(group, group) {chi * 1e3:6.1f} ms, "
              f"pd.factorize {fact * 1e3:6.1f} ms{extra}")


if __name__ == "__main__":
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}, pandas {pd.__version__}, xietong {xietong.__version__}")
    bench_run()
    bench_survey()
