"""Render spreadsheet cell values as text, a column at a time, so that damage stays visible.

An ID typed as a number must still look damaged after reading: integral floats below 1e15
become their digits ("140102800101123"), other floats their Python repr
("1.401021980010112e+17", "3.5"); dates become ISO text, booleans TRUE/FALSE. Text cells
are kept as they are (the normalisers clean them). Blank and whitespace-only cells are NA.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

STRING = pd.StringDtype("pyarrow")
# pandas keeps Arrow strings as large_string: producing that type avoids a cast per column.
TEXT = pa.large_string()
EXACT_LIMIT = 1e15  # below this every integral float is held exactly and shown whole


def render_floats(values: np.ndarray) -> np.ndarray:
    """Object array of texts for a float64 array (see module docstring)."""
    out = np.empty(len(values), dtype=object)
    whole = np.isfinite(values) & (np.trunc(values) == values) & (np.abs(values) < EXACT_LIMIT)
    out[whole] = values[whole].astype(np.int64).astype(str)
    rest = ~whole
    if rest.any():
        out[rest] = [repr(v) for v in values[rest].tolist()]
    return out


def _render_other(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)  # int (ODS), timedelta, calamine error values


def render_cells(values: np.ndarray) -> pd.Series:
    """Text of one column of cell values (1-D object array) as an Arrow-backed string Series."""
    # infer_dtype scans the column in C; most columns hold text only (blank cells are "").
    kind = infer_dtype(values, skipna=False)
    if kind == "string":
        arr = pa.array(values, type=TEXT)
    elif kind == "floating":
        arr = pa.array(render_floats(values.astype(np.float64)), type=TEXT)
    else:
        arr = pa.array(_render_mixed(values), type=TEXT, from_pandas=True)
    return _blank_to_na(arr)


def _render_mixed(values: np.ndarray) -> np.ndarray:
    """Render each type of cell in the column as a group."""
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    out = values.copy()
    for kind in set(types.tolist()):
        if kind is str:
            continue
        mask = types == kind
        out[mask] = _render_group(values[mask], kind)
    return out


def _render_group(values: np.ndarray, kind: type) -> np.ndarray:
    if kind is float:
        return render_floats(values.astype(np.float64))
    if kind is bool:
        return np.where(values.astype(bool), "TRUE", "FALSE").astype(object)
    if kind is dt.datetime:
        stamps = pa.array(values.tolist(), type=pa.timestamp("us"))
        return np.asarray(_arrow_texts(stamps).to_numpy(zero_copy_only=False), dtype=object)
    if kind is dt.date:
        days = pa.array(values.tolist(), type=pa.date32())
        return np.asarray(_arrow_texts(days).to_numpy(zero_copy_only=False), dtype=object)
    return np.array([_render_other(v) for v in values.tolist()], dtype=object)


def _blank_to_na(arr: pa.Array | pa.ChunkedArray) -> pd.Series:
    # Unicode spaces (full-width and no-break included) count as blank. Known shortcoming: a
    # cell holding only zero-width marks stays non-blank here (a regex for it costs 5x more);
    # the normalisers strip those marks.
    blank = pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))
    if pc.any(blank).as_py():
        arr = pc.if_else(blank, pa.scalar(None, TEXT), arr)
    return pd.Series(arr, dtype=STRING)


def render_arrow(column: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Text of a typed Arrow column (Parquet), with the same rules as spreadsheet cells."""
    return _blank_to_na(_arrow_texts(column))


def _arrow_texts(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    kind = column.type
    if pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False).astype(np.float64)  # null -> NaN
        texts = render_floats(values)
        texts[np.isnan(values)] = None
        arr = pa.array(texts, type=TEXT)
    elif pa.types.is_boolean(kind):
        arr = pc.if_else(column, "TRUE", "FALSE")
    elif pa.types.is_date(kind):
        arr = pc.cast(pc.cast(column, pa.date32()), TEXT)  # 2024-07-01
    elif pa.types.is_timestamp(kind):
        # Casts, not strftime: ten times faster. Midnight shows as a date only.
        seconds = pc.cast(pc.cast(column, pa.timestamp(kind.unit)), pa.timestamp("s"), safe=False)
        midnight = pc.equal(seconds, pc.floor_temporal(seconds, unit="day"))
        day = pc.cast(pc.cast(seconds, pa.date32()), TEXT)
        arr = pc.if_else(midnight, day, pc.cast(seconds, TEXT))
    elif kind == TEXT:
        arr = column
    else:
        arr = column.cast(TEXT)
    return arr
