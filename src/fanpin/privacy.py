"""Masking of personal identifiers for logs, messages and circulated outputs."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def mask_value(value: object, keep_head: int = 4, keep_tail: int = 4) -> str:
    """Mask one identifier-like string: 140102198001011234 -> 1401**********1234."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if len(text) <= keep_head + keep_tail:
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + text[-keep_tail:]


def mask_phone(value: object) -> str:
    """Phones keep the first 3 and last 4 digits: 138****5678."""
    return mask_value(value, keep_head=3, keep_tail=4)


def mask_series(values: pd.Series, keep_head: int = 4, keep_tail: int = 4) -> pd.Series:
    """Vectorised mask_value over a string Series; missing stays missing."""
    arr = pa.array(values.astype("string").array, type=pa.string(), from_pandas=True)
    length = pc.utf8_length(arr)
    hidden = pc.max_element_wise(pc.subtract(length, keep_head + keep_tail), 0)
    masked = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(arr, 0, keep_head),
        pc.binary_repeat(pa.scalar("*"), hidden),
        pc.utf8_slice_codeunits(arr, -keep_tail if keep_tail else 0, None if keep_tail else 0),
        "",
    )
    short = pc.less_equal(length, keep_head + keep_tail)
    masked = pc.if_else(short, pc.binary_repeat(pa.scalar("*"), length), masked)
    return pd.Series(masked, index=values.index, dtype=pd.StringDtype("pyarrow"))
