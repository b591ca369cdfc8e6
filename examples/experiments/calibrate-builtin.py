#!/usr/bin/env python3
"""Calibrate the built-in scenario's three local benefits with `xietong calibrate`, and report the
uncertainty of the fitted values by a parametric bootstrap.

The targets are the paper's survey-window shares (preferred future directions, figure 5, N = 2,406):
public services 0.69, infrastructure 0.657, consumption destination 0.367. Each is a sample
proportion, so its sampling standard error is sqrt(p (1 - p) / N). Replicate 0 fits the published
shares; replicates 1..B fit shares drawn from Normal(p, se) and use a different simulation seed, so
the spread of the fitted values combines the targets' sampling error and the simulation's own
noise (100 runs per evaluation). Needs only python3 and the built `xietong` binary:

    cargo build --release
    python3 examples/experiments/calibrate-builtin.py [B] [--xietong target/release/xietong]

Prints a Markdown table (recorded in docs/ODD.md, section 6) and leaves each replicate's output in
out/calibrate-builtin/rep-N/.
"""
import json
import math
import os
import random
import subprocess
import sys

TARGETS = {"public_services": 0.69, "infrastructure": 0.657, "consumption_destination": 0.367}
N_RESPONSES = 2406
PARAMS = [f"domains.{d}.local_benefit" for d in ("public_services", "infrastructure", "consumption_destination")]

SPEC = """name = "builtin-bootstrap"
[base]
scenario = "builtin"
{params}
[calibration]
method = "nelder_mead"
runs = 100
seed = {seed}
restarts = 3
max_iters = 60
"""


def main():
    args = sys.argv[1:]
    exe = "target/release/xietong"
    if "--xietong" in args:
        i = args.index("--xietong")
        exe = args[i + 1]
        del args[i : i + 2]
    reps = int(args[0]) if args else 30
    rng = random.Random(20240305)
    root = os.path.join("out", "calibrate-builtin")
    os.makedirs(root, exist_ok=True)
    params = "\n".join(f'[[parameter]]\npath = "{p}"\nlow = 0.0\nhigh = 2.5\n' for p in PARAMS)
    fits = []
    for rep in range(reps + 1):
        d = os.path.join(root, f"rep-{rep}")
        os.makedirs(d, exist_ok=True)
        if rep == 0:
            targets = dict(TARGETS)
        else:
            targets = {k: min(0.999, max(0.001, rng.gauss(p, math.sqrt(p * (1 - p) / N_RESPONSES)))) for k, p in TARGETS.items()}
        with open(os.path.join(d, "targets.json"), "w") as f:
            json.dump({"domain_cooperation_shares": targets}, f)
        with open(os.path.join(d, "calibrate.toml"), "w") as f:
            f.write(SPEC.format(params=params, seed=1000 + rep))
        subprocess.run(
            [exe, "calibrate", os.path.join(d, "calibrate.toml"), "--targets", os.path.join(d, "targets.json"), "--out", os.path.join(d, "fit")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(os.path.join(d, "fit", "calibration.json")) as f:
            result = json.load(f)
        best = result["fits"][result["best"]]
        fits.append(best["params"])
        print(f"replicate {rep}: objective {best['objective']:.2e}, b = {', '.join(f'{x:.4f}' for x in best['params'])}", file=sys.stderr)
    print(f"| parameter | fit to the published shares | bootstrap mean | bootstrap sd | 95% interval ({reps} replicates) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for j, name in enumerate(PARAMS):
        boot = sorted(f[j] for f in fits[1:])
        mean = sum(boot) / len(boot)
        sd = math.sqrt(sum((x - mean) ** 2 for x in boot) / (len(boot) - 1))
        lo = boot[int(0.025 * (len(boot) - 1))]
        hi = boot[int(math.ceil(0.975 * (len(boot) - 1)))]
        print(f"| `{name}` | {fits[0][j]:.3f} | {mean:.3f} | {sd:.3f} | {lo:.3f} – {hi:.3f} |")


if __name__ == "__main__":
    main()
