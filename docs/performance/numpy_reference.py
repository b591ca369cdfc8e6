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

Usage: python3 docs/performance/numpy_reference.py [RUNS ...]   (default 1000)
Prints decisions per CPU-second (time.process_time: user + system of this process) for each
batch size, three repeats each. Decisions = runs x 42 jurisdictions x 10 domains x 40 periods,
the built-in scenario's sizes.
"""

import sys
import time

import numpy as np

JURISDICTIONS = 42
DOMAINS = 10
PERIODS = 40


def simulate(runs, seed=1):
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
    for _t in range(PERIODS):
        executed = np.zeros((runs, 2))
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
        executed[:, 0] -= executed[:, 1]
        # Each province sees its partner's executed share.
        obs = np.stack(
            [executed[:, 1] / (DOMAINS * np.maximum(n_second, 1)),
             executed[:, 0] / (DOMAINS * np.maximum(n_first, 1))], axis=1)
    return sums


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000]
    print(f"numpy {np.__version__}")
    print(f"{'runs':>8} {'repeat':>6} {'cpu_s':>8} {'decisions/cpu_s':>16}")
    for runs in sizes:
        for rep in range(1, 4):
            t0 = time.process_time()
            simulate(runs, seed=rep)
            cpu = time.process_time() - t0
            d = runs * JURISDICTIONS * DOMAINS * PERIODS
            print(f"{runs:>8} {rep:>6} {cpu:>8.3f} {d / cpu / 1e6:>15.1f}M")


if __name__ == "__main__":
    main()
