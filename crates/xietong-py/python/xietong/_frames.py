"""Results to pandas. The Rust side splits the library's CSV text (the CLI's file) into typed
columns (int64, float64 with NaN for missing, text); numbers arrive as array bytes that numpy
views without copying, and the DataFrame is built from the column dict. Columns are
Arrow-backed when pyarrow is installed (``arrow=False`` keeps numpy columns)."""

import numpy as np
import pandas as pd

from . import _xietong


def _have_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


HAVE_PYARROW = _have_pyarrow()


def read_csv(data, arrow=None):
    """A DataFrame from CSV bytes or text written by the library."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    use_arrow = HAVE_PYARROW if arrow is None else arrow
    cols = {}
    for name, kind, payload in _xietong.csv_columns(data):
        if kind == "i":
            a = np.frombuffer(payload, dtype=np.int64)
        elif kind == "f":
            a = np.frombuffer(payload, dtype=np.float64)
        else:
            a = np.array(payload, dtype=object)
        cols[name] = a
    if not use_arrow:
        return pd.DataFrame(cols, copy=False)
    import pyarrow as pa

    return pd.DataFrame(
        {
            k: pd.arrays.ArrowExtensionArray(pa.array(v, type=pa.string() if v.dtype == object else None))
            for k, v in cols.items()
        },
        copy=False,
    )
