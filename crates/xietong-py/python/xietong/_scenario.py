"""Scenarios: the built-in Chengdu-Chongqing one or a TOML file, with ``set`` overrides checked
by the same loader as the CLI's ``--set`` (errors are :class:`xietong.ScenarioError` carrying the
loader's located message)."""

import os

from . import _xietong


def _value_text(value):
    """A Python value as the text of a ``--set PATH=VALUE``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"set: expected str, int, float or bool, got {type(value).__name__}")


class Scenario:
    """A validated scenario: source text, its name in messages, and overrides in order."""

    def __init__(self, text, name="<string>", sets=()):
        self._text = text
        self._name = name
        self._sets = list(sets)
        self._title, self.periods, self.n_zones = _xietong.scenario_check(
            text, name, self._sets
        )

    @classmethod
    def builtin(cls):
        """The built-in Chengdu-Chongqing scenario (``xietong scenario show``)."""
        text, name = _xietong.scenario_source(None)
        return cls(text, name)

    @classmethod
    def from_file(cls, path):
        """Read and validate a scenario file (TOML, UTF-8)."""
        text, name = _xietong.scenario_source(os.fspath(path))
        return cls(text, name)

    @classmethod
    def from_toml(cls, text, name="<string>"):
        """A scenario from TOML text."""
        return cls(text, name)

    def set(self, path, value):
        """Override ``path`` (dotted, as ``--set``) with ``value``; validated at once, so a bad
        value raises :class:`xietong.ScenarioError` and leaves this scenario unchanged.
        Returns the scenario, so calls chain."""
        sets = self._sets + [f"{path}={_value_text(value)}"]
        self._title, self.periods, self.n_zones = _xietong.scenario_check(
            self._text, self._name, sets
        )
        self._sets = sets
        return self

    @property
    def name(self):
        """The scenario's own name (its ``name`` field)."""
        return self._title

    @property
    def source(self):
        """Where the scenario came from (file name or the built-in's name)."""
        return self._name

    @property
    def overrides(self):
        """The ``PATH=VALUE`` overrides applied, in order."""
        return list(self._sets)

    def to_toml(self):
        """The scenario as TOML with the overrides applied (the source text when there are none)."""
        return _xietong.scenario_toml(self._text, self._name, self._sets)

    def __repr__(self):
        sets = "".join(f" --set {s}" for s in self._sets)
        return f"<xietong.Scenario {self._title!r} from {self._name}{sets}>"
