"""Survey analyses on pandas DataFrames: the same analyses and the same fields as
``xietong survey ttest|anova|chi2|alpha|multi --json`` on a file with these columns.

Only the columns an analysis names are passed to Rust. Numeric columns read as numbers (a
t-test's ``value``, a scale's ``items``) are read by Rust from the column's own array and stay
numbers; columns read as categories (``group``, ``row``, ``col``) and non-numeric columns go as
codes into their distinct values (a categorical's codes; Arrow string buffers and object arrays
are coded by Rust in place), each distinct value as the text pandas' ``to_csv`` writes for it,
so the results are those of ``xietong survey … --json`` on ``df.to_csv(path, index=False)``. Missing values (NaN,
None, empty text, ``(跳过)``) are missing, as in a file; ``missing`` adds codes (e.g. ``["99"]``)."""

import json

import numpy as np
import pandas as pd

from . import _xietong


def _column(s, as_text=False):
    """One column for Rust: a numeric array read in place for numbers, codes into the distinct
    values (as text) for other columns and for any column read as categories (``as_text``)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("object")
    if pd.api.types.is_numeric_dtype(s.dtype) and not as_text:
        # The flag says how to_csv writes the column: "3" (integers) or "3.0" (floats), which
        # decides what missing codes such as "99" or Wenjuanxing's "-2" match.
        floats = not pd.api.types.is_integer_dtype(s.dtype)
        if floats and s.dtype.itemsize < 8:
            # float32/float16 are written with their own shortest digits ("0.1"), which read back
            # as a different float64 than the widened value: go through that text, as a file does.
            narrow = np.float32 if s.dtype.itemsize == 4 else np.float16
            a = s.to_numpy(dtype=narrow, na_value=np.nan).astype(str).astype(np.float64)
        elif isinstance(s.dtype, np.dtype) and s.dtype in (np.float64, np.int64, np.int32):
            # The column's own memory (NaN is already missing here); Rust reads it in place and
            # makes the table's one copy.
            a = s.to_numpy()
        else:
            a = s.to_numpy(dtype=np.float64, na_value=np.nan)
        a = np.ascontiguousarray(a)
        return ("numbers", (a, a.__array_interface__["data"][0], len(a), floats))
    # Codes (-1 missing) and the distinct values as text, so a million answers with a few
    # distinct values cost one array of codes, not a million Python strings; Rust keeps them as
    # codes. A categorical has its codes already (unused categories are never counted).
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _codes(s.cat.codes.to_numpy(), s.cat.categories)
    # Text columns are coded in Rust from their own memory, which is not copied: Arrow string
    # buffers (pandas' `str` with pyarrow) or the object pointers of an object array (`object`,
    # or `str` without pyarrow). Anything else is factorized here.
    arrow = _arrow_chunks(s)
    if arrow is not None:
        return ("arrow", arrow)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        a = s.to_numpy(dtype=object)
        if a.ndim == 1 and a.flags["C_CONTIGUOUS"]:
            return ("objects", (a, a.__array_interface__["data"][0], len(a), pd.isna))
    return _codes(*pd.factorize(s, use_na_sentinel=True))


def _codes(codes, uniques):
    """Codes (-1 missing) into ``uniques``, read in place by Rust; the labels as text."""
    a = np.ascontiguousarray(codes)
    return ("codes", (a, a.__array_interface__["data"][0], len(a), [str(u) for u in uniques]))


def _arrow_chunks(s):
    """The Arrow buffers of a pyarrow-backed string column, one tuple per chunk (see
    ``arrow_codes`` in py_survey.rs), or None for any other column."""
    to_arrow = getattr(s.array, "__arrow_array__", None)
    if to_arrow is None:
        return None
    try:
        data = to_arrow()
    except Exception:
        return None
    chunks = getattr(data, "chunks", [data])
    out = []
    for c in chunks:
        if len(c) == 0:
            continue
        kind = str(c.type)
        if kind not in ("string", "large_string", "utf8", "large_utf8"):
            return None
        validity, offsets, values = c.buffers()
        if offsets is None:
            return None
        out.append(
            (
                c,
                0 if validity is None or c.null_count == 0 else validity.address,
                offsets.address,
                0 if values is None else values.address,
                0 if values is None else values.size,
                c.offset,
                len(c),
                kind in ("large_string", "large_utf8"),
            )
        )
    return out


def _columns(df, names, categories=()):
    """(header, [(name, column)]) of the named columns; ``categories`` are read as categories."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    header = [str(c) for c in df.columns]
    cols = []
    for name in dict.fromkeys(names):
        if name not in df.columns:
            raise _xietong.InputError(
                f"<DataFrame>: no column '{name}'; available: {', '.join(header)}"
            )
        cols.append((str(name), _column(df[name], as_text=name in categories)))
    return header, cols


def _list(x):
    if x is None:
        return None
    if isinstance(x, str):
        return [x]
    return [str(v) for v in x]


def ttest(df, value, group, levels=None, missing=(), conf=0.95, levene_median=False):
    """Independent-samples t-test of ``value`` between two levels of ``group`` (Student and
    Welch rows, Levene, effect sizes, Mann-Whitney)."""
    header, cols = _columns(df, [value, group], categories=[group])
    return json.loads(
        _xietong.survey_ttest(header, cols, value, group, _list(levels), list(missing), conf, levene_median)
    )


def anova(df, value, group, levels=None, missing=(), levene_median=False):
    """One-way ANOVA with η², Welch, Brown-Forsythe, Kruskal-Wallis, Levene and post-hoc tests."""
    header, cols = _columns(df, [value, group], categories=[group])
    return json.loads(
        _xietong.survey_anova(header, cols, value, group, _list(levels), list(missing), levene_median)
    )


def chi2(df, row, col, missing=()):
    """χ² test of independence of two categorical columns."""
    header, cols = _columns(df, [row, col], categories=[row, col])
    return json.loads(_xietong.survey_chi2(header, cols, row, col, list(missing)))


def alpha(df, items, missing=(), missing_policy="listwise"):
    """Reliability of a scale: Cronbach's α, standardized α, ω, item statistics."""
    items = _list(items)
    header, cols = _columns(df, items)
    return json.loads(_xietong.survey_alpha(header, cols, items, list(missing), missing_policy))


def multi(df, items, group=None, missing=()):
    """Multiple-response frequencies of 0/1 option columns (or one delimited column),
    optionally by ``group``."""
    items = _list(items)
    # One item alone is a delimited multiple-choice column (categories); several are 0/1 columns.
    cats = ([group] if group is not None else []) + (items if len(items) == 1 else [])
    header, cols = _columns(df, items + ([group] if group is not None else []), categories=cats)
    return json.loads(_xietong.survey_multi(header, cols, items, group, list(missing)))
