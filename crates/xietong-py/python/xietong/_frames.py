"""Results to pandas: CSV text written by the Rust library is read with pandas' own reader
(Arrow-backed columns when pyarrow is installed), so a DataFrame holds exactly what the CLI's
file holds."""

import io

import pandas as pd


def _have_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


HAVE_PYARROW = _have_pyarrow()


def read_csv(data, arrow=None):
    """A DataFrame from CSV bytes or text; Arrow-backed when ``arrow`` (default: pyarrow present)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    use_arrow = HAVE_PYARROW if arrow is None else arrow
    if use_arrow:
        return pd.read_csv(io.BytesIO(data), engine="pyarrow", dtype_backend="pyarrow")
    return pd.read_csv(io.BytesIO(data))
