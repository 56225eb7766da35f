"""The data rows under a header: cut into field columns, with non-records set aside.

Blank rows, total rows (合计/总计/小计), footer lines (填表人：…) and a row of column numbers
right under the header are not records; they are counted by reason, and every record keeps
its file, sheet and the row number a person sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.io.cells import STRING
from fanpin.io.grids import Grid
from fanpin.io.header import HeaderMatch
from fanpin.io.spec import KindSpec

# Reasons a data row is not a record (Chinese: they go into the manifest as they are).
DROP_BLANK = "空行"
DROP_TOTAL = "合计行"
DROP_NOTE = "说明行"
DROP_NUMBERING = "列序号行"

_NUMBERING_TOKEN = r"^(\d{1,2}|[甲乙丙丁戊己庚辛壬癸])$"


@dataclass
class SheetRecords:
    frame: pd.DataFrame  # found fields, then _source, _sheet, _row; RangeIndex
    rows_read: int  # rows under the header, records and dropped alike
    dropped: dict[str, int]  # reason -> rows
    match: HeaderMatch


def read_records(grid: Grid, match: HeaderMatch, spec: KindSpec, name: str) -> SheetRecords:
    """The records of one sheet whose header is `match`; `name` is the file name."""
    start = match.bottom + 1
    n = grid.rows_from(start)
    ordered = [k for k in spec.fields if k in match.columns]
    by_column = {match.columns[k]: grid.column(match.columns[k], start) for k in ordered}
    frame = pd.DataFrame({k: by_column[match.columns[k]] for k in ordered}, index=range(n))

    # Rows that are not records, judged from the first few columns of the table.
    first = match.first_column
    markers = [
        by_column[j] if j in by_column else grid.column(j, start)
        for j in range(first, min(first + spec.rows.marker_columns, grid.width))
    ]
    reasons = drop_reasons(frame, markers, spec)

    frame["_source"] = pd.Series(name, index=frame.index, dtype=STRING)
    frame["_sheet"] = pd.Series(grid.sheet, index=frame.index, dtype=STRING)
    frame["_row"] = grid.row_numbers(start)[:n]
    keep = reasons.isna()
    dropped = {str(k): int(v) for k, v in reasons[~keep].value_counts().items()}
    if not dropped:
        return SheetRecords(frame, n, dropped, match)
    return SheetRecords(frame.loc[keep].reset_index(drop=True), n, dropped, match)


def drop_reasons(frame: pd.DataFrame, markers: list[pd.Series], spec: KindSpec) -> pd.Series:
    """Per row: NA to keep it, else the reason it is not a record."""
    n = len(frame)
    reasons = pd.Series(pd.NA, index=frame.index, dtype=STRING)
    if n == 0:
        return reasons
    # Totals and footers carry no ID or certificate number: only those rows are searched,
    # which keeps the regexes off the millions of ordinary rows.
    ids = [k for k in ("id_number", "cert_number") if k in frame]
    no_id = frame[ids].isna().all(axis=1) if ids else pd.Series(True, index=frame.index)
    candidates = np.flatnonzero(no_id.to_numpy(dtype=bool))
    arrays = [pa.array(m.array).take(pa.array(candidates)) for m in markers]

    def any_marker(pattern: str) -> pd.Series:
        hit = np.zeros(n, dtype=bool)
        if not pattern:
            return pd.Series(hit, index=frame.index)
        for m in arrays:
            found = pc.fill_null(pc.match_substring_regex(m, pattern), False)
            hit[candidates] |= found.to_numpy(zero_copy_only=False)
        return pd.Series(hit, index=frame.index)

    total = any_marker(spec.rows.total_pattern)
    note = any_marker(spec.rows.note_pattern)
    blank = frame.isna().all(axis=1)

    # A row of column numbers (1 2 3 … or 甲 乙 丙) right under the header.
    first = frame.iloc[0].dropna()
    numbering = pd.Series(False, index=frame.index)
    if len(first) >= 3 and first.astype(str).str.fullmatch(_NUMBERING_TOKEN).all():
        numbering.iloc[0] = True

    for mask, reason in (
        (blank, DROP_BLANK),
        (numbering, DROP_NUMBERING),
        (note, DROP_NOTE),
        (total, DROP_TOTAL),
    ):
        reasons = reasons.mask(mask, reason)
    return reasons
