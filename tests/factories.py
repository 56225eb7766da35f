"""Small hand-made agency frames for unit tests (coerced field names and values)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fanpin.compare.prepare import normalise_source

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(region: str, birth: str, seq: int) -> str:
    """A valid 18-digit ID (independent of fanpin's own check code)."""
    first17 = f"{region}{birth}{seq:03d}"
    return (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]
    )


def frame(kind: str, rows: list[dict[str, Any]], source: str = "t.xlsx") -> pd.DataFrame:
    """A normalised frame for `kind` from dicts of coerced values."""
    raw = pd.DataFrame(rows)
    raw["_source"] = source
    raw["_sheet"] = "Sheet1"
    raw["_row"] = range(2, len(raw) + 2)
    for col in raw.columns:
        if col in ("level", "category"):
            raw[col] = raw[col].astype("Int8")
        elif col == "issue_date":
            raw[col] = pd.to_datetime(raw[col])
        elif col not in ("_row", "amount"):
            raw[col] = raw[col].astype("string")
    return normalise_source(raw, kind)
