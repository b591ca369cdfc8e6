#!/usr/bin/env python3
"""Vectorized numpy implementation of the mechanism simulator's per-period decision step, batched
over seeds (runs), to compare against `xietong run` end to end (docs/PERFORMANCE.md).

What it covers, and what it leaves out (so the comparison favours numpy):

* Covered, with the engine's formulas (crates/xietong-model/src/mechanism.rs and the kernels of
  crates/xietong-sim/src/kernel.rs): for every run, period, domain and jurisdiction, the belief
  about the partner `pi = pi_obs (1 - beta (1 - a)) (floor + (1 - floor) tau)`, the siphon share
  `1 / (1 + exp(sigma ln(d_p / d)))`, the adaptation cost, the perceived utility, the quantal
  choice probability `1 / (1 + exp(-u / mu))`, one uniform draw deciding and executing
  (`x < p`, `x < p f`), the decided and executed counts per province, and the per-jurisdiction
  running sums (p, p^2, pair value, joint value, gain) the engine keeps. The partner cooperation a
  province observes next period is its partner's executed share this period, as in the engine.
* Left out: drawing each jurisdiction's parameters, the state updates after each period (trust,
  alignment, development, protectionism, the provinces' standardization and dilemmas), every
  indicator of `timeseries.csv` (including a sort per period for the Gini coefficient), the stage
  classifier, and writing any file. The jurisdiction state here is drawn once per run and held
  fixed. The Rust figure it is compared with does all of these.

With ``--files``, each period also computes per-run indicators (per-domain, per-province and
overall mean cooperation, executed share, mean trust, the Gini coefficient of development from a
sort per run, Theil's index, per-zone means over the built-in scenario's 7 zones of
jurisdictions) and, after the last period, writes ``timeseries.csv`` (one row per run and period:
run, period, quarter, stage, 46 doubles, 3 counts and 10 flags, the columns of the built-in
scenario's file) and ``zones.csv`` (one row per run, period and zone: 5 labels and 3 numbers) to
a temporary folder, numbers in shortest round-trip form (Python's ``repr``, the digits ``xietong
run`` writes): as many rows as ``xietong run`` writes, and about as many bytes (at 37 runs 1.37
and 0.78 MB, against 1.29 and 0.84 MB). Numbers the port does not compute are filled with
computed ones so that every cell is a full-precision double, as in the real files. This adds the
output and part of the indicators; the state updates are still left out.

Usage: python3 docs/performance/numpy_reference.py [--files] [RUNS ...]   (default 1000)
Prints decisions per CPU-second (time.process_time: user + system of this process) for each
batch size, three repeats each. Decisions = runs x 42 jurisdictions x 10 domains x 40 periods,
the built-in scenario's sizes.
"""

import os
import sys
import tempfile
import time

import numpy as np

JURISDICTIONS = 42
DOMAINS = 10
PERIODS = 40


ZONES = 7  # the built-in scenario's zones: zones.csv has as many rows as xietong's
TS_NUMBERS = 46  # doubles per timeseries.csv row; then 3 counts and 10 active flags


def simulate(runs, seed=1, files=None):
    rng = np.random.default_rng(seed)
    shape = (runs, JURISDICTIONS)
    second = rng.random(shape) < 0.5
    barrier = rng.uniform(0.2, 0.6, shape)
    trust = rng.uniform(0.3, 0.7, shape)
    lam = rng.uniform(0.2, 0.6, shape)
    omega = rng.uniform(0.1, 0.5, shape)
    inv_mu = 1.0 / rng.uniform(0.2, 0.6, shape)
    development = rng.lognormal(0.0, 0.4, shape)
    dev_pair = development + rng.lognormal(0.0, 0.2, (runs, 1))
    ln_ratio = np.log(dev_pair / development - 1.0 + 1e-9)
    rel_gap = np.abs(development / development.mean(axis=1, keepdims=True) - 1.0)
    fidelity = rng.uniform(0.5, 0.95, shape)
    # Domain terms: value, local benefit, cost, difficulty, risk, support, penalty, enforcement,
    # alignment, cost relief, siphon exponent sigma (some domains siphon-free, as in the scenario).
    dom = rng.uniform(0.0, 1.0, (DOMAINS, 11))
    dom[:, 0] = 1.0 + 2.0 * dom[:, 0]
    dom[:, 10] = np.where(np.arange(DOMAINS) % 3 == 0, 0.0, 0.5 + dom[:, 10])
    floor, rigid = 0.2, 0.35
    sums = {k: np.zeros(shape) for k in ("p", "p2", "pair", "joint", "gain")}
    obs = np.full((runs, 2), 0.5)  # partner cooperation seen by the first / second province
    n_second = second.sum(axis=1)
    n_first = JURISDICTIONS - n_second
    zone = np.arange(JURISDICTIONS) % ZONES
    ts_rows, zone_rows = [], []
    for _t in range(PERIODS):
        executed = np.zeros((runs, 2))
        coop = np.empty((runs, DOMAINS))
        pi_obs = np.where(second, obs[:, 1:2], obs[:, 0:1])
        for k in range(DOMAINS):
            (value, local_benefit, cost, difficulty, risk, support, penalty, enforcement,
             a, cost_relief, sigma) = dom[k]
            pi = pi_obs * (1.0 - barrier * (1.0 - a)) * (floor + (1.0 - floor) * trust)
            share = 0.5 if sigma == 0.0 else 1.0 / (1.0 + np.exp(sigma * ln_ratio))
            adapt = rigid * rel_gap * a
            joint = value * pi
            gain = joint * share * (1.0 - lam) + local_benefit + support + enforcement * penalty
            costs = ((cost * (1.0 - cost_relief * a) + difficulty * (1.0 - a) + risk * (1.0 - pi))
                     * (1.0 + barrier * (1.0 - a)))
            u = gain - costs - adapt + omega * joint * (1.0 - share)
            p = 1.0 / (1.0 + np.exp(-u * inv_mu))
            x = rng.random(shape)
            sums["p"] += p
            coop[:, k] = p.mean(axis=1)
            sums["p2"] += p * p
            exe = x < p * fidelity
            dec = x < p
            executed[:, 1] += (exe & second).sum(axis=1)
            executed[:, 0] += exe.sum(axis=1)
            _decided = dec.sum(axis=1), (dec & second).sum(axis=1)
            e = exe.astype(np.float64)
            pair = e * value * pi_obs * dev_pair
            jnt = pair * ((1.0 - omega) * share + omega * 0.5)
            sums["pair"] += pair
            sums["joint"] += jnt
            sums["gain"] += jnt + e * local_benefit * development
        if files is not None:
            # Indicators of the period (a subset of timeseries.csv's, computed as the engine does).
            mean_p = sums["p"] / (_t + 1) / DOMAINS
            prov = np.stack([np.where(second, 0.0, mean_p).sum(axis=1) / np.maximum(n_first, 1),
                             np.where(second, mean_p, 0.0).sum(axis=1) / np.maximum(n_second, 1)],
                            axis=1)
            dev = np.sort(development * (1.0 + 0.01 * mean_p), axis=1)
            n = JURISDICTIONS
            ranks = np.arange(1, n + 1)
            gini = (2.0 * (ranks * dev).sum(axis=1) / (n * dev.sum(axis=1))) - (n + 1) / n
            rel = dev / dev.mean(axis=1, keepdims=True)
            theil = (rel * np.log(rel)).mean(axis=1)
            overall = coop.mean(axis=1)
            executed_share = executed.sum(axis=1) / (DOMAINS * n)
            trust_mean = trust.mean(axis=1)
            base = np.column_stack([coop, prov, overall, executed_share, trust_mean, gini, theil])
            reps = -(-TS_NUMBERS // base.shape[1])
            ts_rows.append(np.tile(base, reps)[:, :TS_NUMBERS] * (1.0 + 1e-3 * _t))
            zc = np.stack([mean_p[:, zone == z].mean(axis=1) for z in range(ZONES)], axis=1)
            zd = np.stack([development[:, zone == z].mean(axis=1) for z in range(ZONES)], axis=1)
            zone_rows.append(np.stack([zc, zd, zd * zc], axis=2))
        executed[:, 0] -= executed[:, 1]
        # Each province sees its partner's executed share.
        obs = np.stack(
            [executed[:, 1] / (DOMAINS * np.maximum(n_second, 1)),
             executed[:, 0] / (DOMAINS * np.maximum(n_first, 1))], axis=1)
    if files is not None:
        write_files(files, np.stack(ts_rows, axis=1), np.stack(zone_rows, axis=1))
    return sums


def write_files(folder, ts, zones):
    """`ts[run, period, column]`, `zones[run, period, zone, value]` as the two CSV files."""
    quarters = [f"{2018 + (t + 1) // 4}Q{(t + 1) % 4 + 1}" for t in range(PERIODS)]
    with open(os.path.join(folder, "timeseries.csv"), "w") as f:
        f.write("run,period,quarter,stage," + ",".join(f"c{i}" for i in range(TS_NUMBERS + 13))
                + "\n")
        counts_flags = ",0,1,0" + ",1" * DOMAINS
        for r, run in enumerate(ts.tolist()):
            for t, row in enumerate(run):
                f.write(f"{r},{t},{quarters[t]},initial,{','.join(map(repr, row))}{counts_flags}\n")
    with open(os.path.join(folder, "zones.csv"), "w") as f:
        f.write("run,period,quarter,zone,province,cooperation,development,demand\n")
        for r, run in enumerate(zones.tolist()):
            for t, period in enumerate(run):
                for z, values in enumerate(period):
                    f.write(f"{r},{t},{quarters[t]},z{z},p{z % 2},{','.join(map(repr, values))}\n")


def main():
    args = sys.argv[1:]
    files = "--files" in args
    sizes = [int(a) for a in args if a != "--files"] or [1000]
    print(f"numpy {np.__version__}" + (", with indicators and CSV files" if files else ""))
    print(f"{'runs':>8} {'repeat':>6} {'cpu_s':>8} {'decisions/cpu_s':>16}")
    for runs in sizes:
        for rep in range(1, 4):
            with tempfile.TemporaryDirectory() as folder:
                t0 = time.process_time()
                simulate(runs, seed=rep, files=folder if files else None)
                cpu = time.process_time() - t0
            d = runs * JURISDICTIONS * DOMAINS * PERIODS
            print(f"{runs:>8} {rep:>6} {cpu:>8.3f} {d / cpu / 1e6:>15.1f}M")


if __name__ == "__main__":
    main()
