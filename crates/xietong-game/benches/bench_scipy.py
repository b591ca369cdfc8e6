#!/usr/bin/env python3
"""scipy side of the integration benchmark (see examples/bench_game.rs): solve_ivp RK45 on the same
replicator system (chengdu_chongqing_central.toml at a = 1), 27 starts {0.1,0.5,0.9}^3 to t = 50.

    python3 crates/xietong-game/benches/bench_scipy.py

The right-hand side is a vectorised numpy function of the 6 full coordinates, written the way a
researcher would (payoff tensor, einsum-free loops over 8 profiles are avoided)."""
import itertools, math, pathlib, time, tomllib
import numpy as np
from scipy.integrate import solve_ivp

ROOT = pathlib.Path(__file__).resolve().parents[3]
g = tomllib.loads((ROOT / "examples/games/chengdu_chongqing_central.toml").read_text())
params = {k: float(v) for k, v in g["parameters"].items()}
params["a"] = 1.0
env = {"min": min, "max": max, "exp": math.exp, "ln": math.log, "sqrt": math.sqrt, "abs": abs, **params}
pops = [p["strategies"] for p in g["population"]]
A = np.zeros((2, 2, 2, 3))
for e in g["payoff"]:
    idx = tuple(pops[i].index(s) for i, s in enumerate(e["profile"]))
    A[idx] = [eval(v.replace("^", "**"), {"__builtins__": {}}, env) for v in e["values"]]
A0, A1, A2 = A[..., 0], A[..., 1], A[..., 2]


def f(_t, s):
    x, y, z = s[0:2], s[2:4], s[4:6]
    u0 = np.einsum("ijk,j,k->i", A0, y, z)
    u1 = np.einsum("ijk,i,k->j", A1, x, z)
    u2 = np.einsum("ijk,i,j->k", A2, x, y)
    return np.concatenate([x * (u0 - x @ u0), y * (u1 - y @ u1), z * (u2 - z @ u2)])


starts = [np.array([a, 1 - a, b, 1 - b, c, 1 - c]) for a, b, c in itertools.product([0.1, 0.5, 0.9], repeat=3)]
for label, kw in [("rtol 1e-3 atol 1e-6 (default)", {}), ("rtol 1e-8 atol 1e-10", {"rtol": 1e-8, "atol": 1e-10})]:
    reps, t0, nfev = 0, time.perf_counter(), 0
    while time.perf_counter() - t0 < 3.0:
        nfev = 0
        for s in starts:
            sol = solve_ivp(f, (0.0, 50.0), s, method="RK45", **kw)
            nfev += sol.nfev
        reps += 1
    dt = (time.perf_counter() - t0) / reps / len(starts)
    print(f"scipy solve_ivp RK45, 27 starts to t = 50, {label}: {dt * 1e6:.1f} us per trajectory ({nfev / len(starts):.0f} field evaluations per trajectory)")
