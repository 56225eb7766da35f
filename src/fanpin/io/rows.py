"""The data rows under a header: cut into field columns, with non-records set aside.

Cells merged down over several data rows (a household's 户主 / 户类型 over its members' rows,
a 乡镇 over its people) are filled into every row of the range first. Blank rows, total rows
(合计/总计/小计), footer lines (填表人：…, or label cells such as "审核人：" after the data)
and a row of column numbers right under the header are not records; they are counted by
reason, and every record keeps its file, sheet and the row number a person sees. Cells
holding an Excel error value (#N/A, #REF!, ...) become NA and are listed per field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.io.cells import STRING
from fanpin.io.grids import CellGrid, Grid
from fanpin.io.header import HeaderMatch
from fanpin.io.spec import KindSpec

# Reasons a data row is not a record (Chinese: they go into the manifest as they are).
DROP_BLANK = "空行"
DROP_TOTAL = "合计行"
DROP_NOTE = "说明行"
DROP_NUMBERING = "列序号行"

_NUMBERING_TOKEN = r"^(\d{1,2}|[甲乙丙丁戊己庚辛壬癸])$"
# An ID or certificate number as written: six digits first (after stray quotes or spaces).
_ID_LIKE = r"^[\s'\"‘’“”`]*\d{6}"
# A cell that is only a label, as in "填表人： | 张三 | 审核人： | 李四".
_LABEL = r"^[\s　]*[^\s\d:：]{1,10}[\s　]*[:：][\s　]*$"
EXCEL_ERRORS = (
    "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!",
)  # fmt: skip
_ERROR_SET = pa.array(EXCEL_ERRORS, type=pa.large_string())


@dataclass
class SheetRecords:
    frame: pd.DataFrame  # found fields, then _source, _sheet, _row; RangeIndex
    rows_read: int  # rows under the header, records and dropped alike
    dropped: dict[str, int]  # reason -> rows
    match: HeaderMatch
    # field -> (Excel row, error text) of kept records whose cell held an Excel error value
    errors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def read_records(grid: Grid, match: HeaderMatch, spec: KindSpec, name: str) -> SheetRecords:
    """The records of one sheet whose header is `match`; `name` is the file name."""
    start = match.bottom + 1
    if isinstance(grid, CellGrid) and grid.merges:
        fill_merged_down(grid.cells, grid.merges, start)
    n = grid.rows_from(start)
    ordered = [k for k in spec.fields if k in match.columns]
    by_column = {match.columns[k]: grid.column(match.columns[k], start) for k in ordered}
    if isinstance(grid, CellGrid) and grid.scan_errors is not None:
        _restore_errors(grid, start, by_column, [match.columns[k] for k in _checked(spec, ordered)])
    raw_errors: dict[int, tuple[np.ndarray, pd.Series]] = {}
    for j, column in list(by_column.items()):
        cleaned, mask = _without_errors(column)
        if mask is not None:
            by_column[j] = cleaned
            raw_errors[j] = (mask, column)
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
    errors: dict[str, list[tuple[int, str]]] = {}
    kept = keep.to_numpy(dtype=bool)
    for key in ordered:
        if match.columns[key] in raw_errors:
            mask, raw = raw_errors[match.columns[key]]
            where = mask & kept
            rows = frame["_row"].to_numpy()[where].tolist()
            errors[key] = list(zip(rows, raw[where].tolist(), strict=True))
    if not dropped:
        return SheetRecords(frame, n, dropped, match, errors)
    return SheetRecords(frame.loc[keep].reset_index(drop=True), n, dropped, match, errors)


def fill_merged_down(
    cells: np.ndarray, merges: list[tuple[int, int, int, int]], start: int
) -> None:
    """Copy each range merged over several rows from `start` down into all of its cells
    (Excel keeps the value in the top-left cell only). Ranges within one row are left alone:
    a township's name merged across a row is a section heading, not a value of every column."""
    height, width = cells.shape
    for r0, c0, r1, c1 in merges:
        if r1 <= r0 or r0 < start or r0 >= height or c0 >= width:
            continue
        cells[r0 : r1 + 1, c0 : c1 + 1] = cells[r0, c0]


def _checked(spec: KindSpec, keys: list[str]) -> list[str]:
    """Fields whose Excel error cells are reported: coded ones and those that must be filled."""
    return [k for k in keys if spec.fields[k].type == "code" or k in spec.not_null]


def _restore_errors(
    grid: CellGrid, start: int, by_column: dict[int, pd.Series], checked: list[int]
) -> None:
    """calamine reads error cells as blank: when a checked column has blanks, look for error
    cells in the sheet and re-render the columns that hold some."""
    if not any(by_column[j].isna().any() for j in checked):
        return
    touched = {c for r, c, _ in grid.restore_errors() if r >= start and c in by_column}
    for j in touched:
        by_column[j] = grid.column(j, start)


def _without_errors(column: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """The column with Excel error values as NA, and where they were (None if nowhere)."""
    arr = pa.array(column.array)
    hit = pc.fill_null(pc.is_in(arr, value_set=_ERROR_SET), False)
    if not pc.any(hit).as_py():
        return column, None
    cleaned = pc.if_else(hit, pa.scalar(None, arr.type), arr)
    return pd.Series(cleaned, dtype=column.dtype), hit.to_numpy(zero_copy_only=False)


def drop_reasons(frame: pd.DataFrame, markers: list[pd.Series], spec: KindSpec) -> pd.Series:
    """Per row: NA to keep it, else the reason it is not a record."""
    n = len(frame)
    reasons = pd.Series(pd.NA, index=frame.index, dtype=STRING)
    if n == 0:
        return reasons
    # Totals and footers carry nothing that looks like an ID or certificate number (a footer's
    # "审核人：" may land in the ID column): only those rows are searched, which keeps the
    # regexes off the millions of ordinary rows.
    id_like = np.zeros(n, dtype=bool)
    for key in ("id_number", "cert_number"):
        if key in frame:
            found = pc.match_substring_regex(pa.array(frame[key].array), _ID_LIKE)
            id_like |= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(~id_like)
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
    # Bare labels ("审核人：") count only below the last row holding an ID: the footer block.
    last_id = int(np.flatnonzero(id_like)[-1]) if id_like.any() else -1
    label = any_marker(_LABEL) & (np.arange(n) > last_id)
    blank = frame.isna().all(axis=1)

    # A row of column numbers (1 2 3 … or 甲 乙 丙) right under the header.
    first = frame.iloc[0].dropna()
    numbering = pd.Series(False, index=frame.index)
    if len(first) >= 3 and first.astype(str).str.fullmatch(_NUMBERING_TOKEN).all():
        numbering.iloc[0] = True

    for mask, reason in (
        (blank, DROP_BLANK),
        (numbering, DROP_NUMBERING),
        (note | label, DROP_NOTE),
        (total, DROP_TOTAL),
    ):
        reasons = reasons.mask(mask, reason)
    return reasons
