"""Masking of personal identifiers for logs, messages and circulated outputs."""

from __future__ import annotations

import pandas as pd


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
    s = values.astype("string")
    n = s.str.len()
    head = s.str.slice(0, keep_head)
    tail = s.str.slice(-keep_tail)
    stars = (n - keep_head - keep_tail).clip(lower=0)
    middle = pd.Series(["*"], index=s.index, dtype="string").str.repeat(stars.fillna(0).astype(int))
    out = head + middle + tail
    short = n <= keep_head + keep_tail
    out = out.mask(
        short, pd.Series(["*"], index=s.index, dtype="string").str.repeat(n.fillna(0).astype(int))
    )
    return out.where(s.notna())
