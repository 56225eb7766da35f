"""A sheet as the reader sees it: rows of cells, rendered to text one column at a time.

Three shapes share one interface: spreadsheet cells from calamine (CellGrid), a CSV parsed
into text columns (fanpin.io.textfile.TextGrid) and a Parquet table whose header is its
column names (ColumnGrid). Row index 0 is the sheet's first row; `row_numbers` gives what
a person sees (Excel's row number, or the CSV line number).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from fanpin.io.cells import render_arrow, render_cells
from fanpin.io.header import Merge

# A cell holding an Excel error value: (row index, column index, text such as "#N/A").
ErrorCell = tuple[int, int, str]
Rows = Sequence[Sequence[object]]


class Grid(Protocol):
    sheet: str  # "" for CSV and Parquet
    merges: list[Merge] | None  # None when the format has no merged cells

    @property
    def width(self) -> int: ...

    def rows_from(self, start: int) -> int:
        """How many rows there are from row index `start` down."""
        ...

    def head(self, n: int) -> list[list[str]]:
        """The first n rows as text, "" for blank, every row `width` long."""
        ...

    def column(self, j: int, start: int) -> pd.Series:
        """Column j from row index `start` down, as text with NA for blank (RangeIndex)."""
        ...

    def row_numbers(self, start: int) -> np.ndarray:
        """What a person sees as the number of each row from `start` down (int64)."""
        ...

    def line_of(self, index: int) -> int:
        """What a person sees as the number of the row at `index` (a header row)."""
        ...


def _as_text_rows(columns: list[pd.Series]) -> list[list[str]]:
    texts = [c.fillna("").tolist() for c in columns]
    return [list(row) for row in zip(*texts, strict=True)] if texts else []


@dataclass
class CellGrid:
    """Cells of one worksheet. `load` returns all rows (lists of calamine values) on demand,
    `peek(n)` only the first n, so a sheet without a header is never converted whole.
    calamine reads a cell holding an Excel error value as ""; `scan_errors` (xlsx only) finds
    those cells, and `restore_errors` writes their text back into the grid. It costs a pass
    over the sheet's XML, so the reader calls it only when a column it checks has blanks."""

    sheet: str
    peek: Callable[[int], Rows]
    load: Callable[[], Rows]
    merges: list[Merge] | None = None
    scan_errors: Callable[[], list[ErrorCell]] | None = None
    _cells: np.ndarray | None = field(default=None, repr=False)
    _errors: list[ErrorCell] | None = field(default=None, repr=False)

    @property
    def cells(self) -> np.ndarray:
        if self._cells is None:
            self._cells = _to_matrix(self.load())
        return self._cells

    def restore_errors(self) -> list[ErrorCell]:
        """Put the text of error cells ("#N/A") into blank grid cells; the cells restored."""
        if self._errors is None:
            found = self.scan_errors() if self.scan_errors else []
            cells = self.cells
            height, width = cells.shape
            self._errors = [
                (r, c, text)
                for r, c, text in found
                if r < height and c < width and cells[r, c] in ("", None)
            ]
            for r, c, text in self._errors:
                cells[r, c] = text
        return self._errors

    @property
    def height(self) -> int:
        return int(self.cells.shape[0])

    @property
    def width(self) -> int:
        return int(self.cells.shape[1])

    def head(self, n: int) -> list[list[str]]:
        rows = _to_matrix(self.peek(n)) if self._cells is None else self._cells[:n]
        return _as_text_rows([render_cells(rows[:, j]) for j in range(rows.shape[1])])

    def rows_from(self, start: int) -> int:
        return max(self.height - start, 0)

    def column(self, j: int, start: int) -> pd.Series:
        return render_cells(self.cells[start:, j])

    def row_numbers(self, start: int) -> np.ndarray:
        return np.arange(start + 1, self.height + 1, dtype=np.int64)

    def line_of(self, index: int) -> int:
        return index + 1


def _to_matrix(rows: Sequence[Sequence[object]]) -> np.ndarray:
    """2-D object array of the rows (calamine pads rows to one width; pad again if not)."""
    width = max((len(r) for r in rows), default=0)
    if rows and all(len(r) == width for r in rows):
        matrix = np.empty((len(rows), width), dtype=object)
        matrix[:, :] = rows
        return matrix
    matrix = np.full((len(rows), width), "", dtype=object)
    for i, row in enumerate(rows):
        matrix[i, : len(row)] = row
    return matrix


@dataclass
class ColumnGrid:
    """A Parquet table: row 0 is the column names, data rows follow (shown as row 2 on)."""

    table: pa.Table
    sheet: str = ""
    merges: list[Merge] | None = None

    @property
    def height(self) -> int:
        return self.table.num_rows + 1

    @property
    def width(self) -> int:
        return self.table.num_columns

    def head(self, n: int) -> list[list[str]]:
        return [list(self.table.column_names)] if n > 0 else []

    def rows_from(self, start: int) -> int:
        return max(self.height - start, 0)

    def column(self, j: int, start: int) -> pd.Series:
        # Only the names row sits above the data, so start is always 1.
        return render_arrow(self.table.column(j).slice(start - 1))

    def row_numbers(self, start: int) -> np.ndarray:
        return np.arange(start + 1, self.height + 1, dtype=np.int64)

    def line_of(self, index: int) -> int:
        return index + 1
