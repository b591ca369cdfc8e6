"""Evolutionary games (``docs/games.md``): rest points with stability, the symbolic table, and
trajectories, computed by the same code as ``xietong game analyze`` and ``game simulate``."""

import json
import os

import pandas as pd

from . import _xietong
from ._frames import read_csv


def _source(path_or_toml):
    """(name, text) of a game file path, or of TOML text given directly."""
    s = os.fspath(path_or_toml) if isinstance(path_or_toml, os.PathLike) else path_or_toml
    if "\n" not in s and os.path.exists(s):
        with open(s, encoding="utf-8") as f:
            return s, f.read()
    if "\n" not in s and s.endswith(".toml"):
        raise _xietong.InputError(f"cannot read game file {s}: no such file")
    return "<string>", s


def _sets(params):
    return [f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()]


class GameAnalysis:
    """``rest_points``: DataFrame, one row per rest point (kind, stability, profile, state of
    each population, eigenvalues); ``table``: the text tables of ``game analyze`` (with the
    symbolic eigenvalues and stability conditions of pure profiles); ``latex``: the LaTeX table;
    ``json``: the dict ``game analyze --json`` prints."""

    def __init__(self, json_text, table, latex, warnings):
        self.json = json.loads(json_text)
        self.table = table
        self.latex = latex
        self.warnings = list(warnings)
        rows = []
        pops = self.json["populations"]
        for rp in self.json["rest_points"]:
            row = {
                "kind": rp["kind"],
                "stability": rp["stability"],
                "profile": " / ".join(rp["profile"]) if "profile" in rp else None,
            }
            for p, shares in zip(pops, rp["state"]):
                for strategy, x in zip(p["strategies"], shares):
                    row[f"{p['name']}:{strategy}"] = x
            row["eigenvalues"] = [complex(e["re"], e["im"]) for e in rp["eigenvalues"]]
            row["conditions"] = rp.get("stability_conditions")
            rows.append(row)
        self.rest_points = pd.DataFrame(rows)

    def __repr__(self):
        return self.table

    def _repr_html_(self):
        return self.rest_points.drop(columns=["eigenvalues"]).to_html()


def analyze(path_or_toml, lang="en", **params):
    """Rest points of a game (a file path or TOML text), parameters overridden by ``params``
    (as ``--set NAME=VALUE``)."""
    name, text = _source(path_or_toml)
    return GameAnalysis(*_xietong.game_analyze(name, text, _sets(params), lang))


def simulate(path_or_toml, starts=(), t_end=50.0, points=201, rtol=1e-8, atol=1e-10, lang="en", **params):
    """Trajectories of the replicator dynamics from ``starts`` (``--from`` states; default: the
    CLI's starts) as a DataFrame, the columns of ``game simulate``'s trajectories.csv."""
    name, text = _source(path_or_toml)
    csv, warnings, _summary = _xietong.game_simulate(
        name, text, _sets(params), list(starts), t_end, points, rtol, atol, lang
    )
    df = read_csv(csv)
    df.attrs["warnings"] = warnings
    return df
