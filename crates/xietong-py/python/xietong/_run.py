"""``xietong.run``: simulate a scenario many times; results as DataFrames and a summary dict,
the same numbers as ``xietong run``'s timeseries.csv, zones.csv and summary.json, and the same
report.html."""

import html
import json

from . import _xietong
from ._frames import read_csv
from ._scenario import Scenario


class RunResult:
    """Results of :func:`run`: ``timeseries`` and ``zones`` (DataFrames), ``summary`` (dict).

    The CSV bytes the library wrote are kept (``timeseries_csv``, ``zones_csv``): they are the
    CLI's files byte for byte. DataFrames are made on first use, and the report
    (:meth:`report_html`, shown by Jupyter) when first asked for."""

    def __init__(self, scenario, seed, runs, timeseries_csv, zones_csv, summary_json, report):
        self.scenario = scenario
        self.seed = seed
        self.runs = runs
        self.timeseries_csv = timeseries_csv
        self.zones_csv = zones_csv
        self.summary_json = summary_json
        self.summary = json.loads(summary_json)
        self._report = report
        self._html = {}
        self._ts = None
        self._zones = None

    @property
    def timeseries(self):
        """One row per run × period (columns as in docs/scenario.md, Outputs)."""
        if self._ts is None:
            self._ts = read_csv(self.timeseries_csv)
        return self._ts

    @property
    def zones(self):
        """One row per run × zone."""
        if self._zones is None:
            self._zones = read_csv(self.zones_csv)
        return self._zones

    def report_html(self, lang="en"):
        """The run report (``lang`` "en" or "zh"): the text of the report.html that ``xietong run
        --lang LANG`` writes for the same scenario, runs and seed, byte for byte."""
        if lang not in self._html:
            self._html[lang] = self._report.html(lang)
        return self._html[lang]

    def save(self, out, lang="en"):
        """Write timeseries.csv, zones.csv, summary.json and report.html into folder ``out``
        (the CLI's figure and table exports are made by ``xietong run`` itself)."""
        import os

        os.makedirs(out, exist_ok=True)
        for name, data in (
            ("timeseries.csv", self.timeseries_csv),
            ("zones.csv", self.zones_csv),
            ("summary.json", self.summary_json.encode("utf-8")),
            ("report.html", self.report_html(lang).encode("utf-8")),
        ):
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)

    def _repr_html_(self):
        # Jupyter shows the run report itself. It is a whole page with its own style sheet, so it
        # goes into an iframe (srcdoc): its styles stay out of the notebook's.
        return (
            '<iframe class="xietong-report" style="width:100%;height:720px;border:0" srcdoc="'
            + html.escape(self.report_html(), quote=True)
            + '"></iframe>'
        )

    def __repr__(self):
        return f"<xietong.RunResult {self.scenario.name!r}: {self.runs} runs, seed {self.seed}>"


def run(scenario=None, runs=30, seed=1, threads=None):
    """Simulate ``scenario`` (a :class:`Scenario`, a path, or None for the built-in one)
    ``runs`` times from ``seed``. Results do not depend on ``threads``."""
    if scenario is None:
        scenario = Scenario.builtin()
    elif not isinstance(scenario, Scenario):
        scenario = Scenario.from_file(scenario)
    ts, zones, summary, report = _xietong.simulate_runs(
        scenario._text, scenario._name, scenario._sets, runs, seed, threads
    )
    return RunResult(scenario, seed, runs, ts, zones, summary, report)
