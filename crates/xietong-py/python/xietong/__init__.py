"""协同 xietong for Python and Jupyter.

A thin layer over the Rust library that the ``xietong`` command line uses: the same scenarios,
the same engine, the same files, returned as pandas DataFrames and dicts.

>>> import xietong
>>> r = xietong.run(runs=30, seed=1)
>>> r.timeseries.head()
"""

from ._xietong import InputError, ScenarioError
from ._xietong import version as _version
from ._scenario import Scenario
from ._run import RunResult, run
from . import experiment, game, survey

__version__ = _version()

__all__ = [
    "Scenario",
    "RunResult",
    "run",
    "experiment",
    "game",
    "survey",
    "ScenarioError",
    "InputError",
]
