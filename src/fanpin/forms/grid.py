"""Cell-level reading of county submissions (python-calamine), for checks that name cells.

The forms are small, laid out by hand and full of merged cells, so they are read as grids
of cells rather than as tables. Sheets are opened and cells rendered by fanpin.io, so the
ID checks see float damage (1.401021980010112e+17) exactly as a table read would.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from fanpin.errors import ErrorCode, InputError
from fanpin.io.grids import CellGrid
from fanpin.io.workbook import EncryptedWorkbook, UnreadableWorkbook, open_workbook

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def squash(text: str) -> str:
    """Text without any spaces or line breaks, for comparing labels and headers."""
    return _SPACES.sub("", text).replace("(", "（").replace(")", "）").replace(":", "：")


def cell_ref(row: int, col: int) -> str:
    """A1-style reference for 0-based row and column: (6, 3) -> 'D7'."""
    return f"{get_column_letter(col + 1)}{row + 1}"


@dataclass
class SheetGrid:
    """One sheet's cells from A1, rendered to text; merged ranges as ((r1, c1), (r2, c2))."""

    name: str
    cells: list[list[str]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return len(self.cells)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def text(self, row: int, col: int) -> str:
        if 0 <= row < len(self.cells) and 0 <= col < len(self.cells[row]):
            return self.cells[row][col]
        return ""

    def row_texts(self, row: int) -> list[str]:
        return self.cells[row] if 0 <= row < len(self.cells) else []

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), or the cell itself."""
        for (r1, c1), (r2, c2) in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col

    def filled_text(self, row: int, col: int) -> str:
        """Text of a cell, taking a merged range's value for every cell it covers."""
        r, c = self.anchor(row, col)
        return self.text(r, c)

    def is_blank_row(self, row: int) -> bool:
        return not any(self.row_texts(row))


@dataclass
class WorkbookGrid:
    path: Path
    sheets: list[SheetGrid]


def _sheet_grid(grid: CellGrid) -> SheetGrid:
    columns = [grid.column(j, 0).fillna("").str.strip() for j in range(grid.width)]
    rows = [list(r) for r in zip(*(c.tolist() for c in columns), strict=True)] if columns else []
    merged = [((r0, c0), (r1, c1)) for r0, c0, r1, c1 in grid.merges or []]
    return SheetGrid(grid.sheet, rows, merged)


def read_grid(path: Path) -> WorkbookGrid:
    """Every visible sheet of a spreadsheet as a grid; InputError when it cannot be read."""
    if not path.exists():
        raise InputError.single(ErrorCode.FILE_NOT_FOUND, "找不到文件", file=str(path))
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise InputError.single(
            ErrorCode.UNSUPPORTED_FORMAT,
            "只能审核 Excel/WPS 表格文件（.xlsx、.xls、.xlsm、.ods）",
            file=path.name,
        )
    try:
        try:
            book = open_workbook(path)
        except UnreadableWorkbook:
            # An old .xls saved under an .xlsx name (or the reverse) opens by its content.
            book = open_workbook(path, by_content=True)
    except EncryptedWorkbook as exc:
        raise InputError.single(
            ErrorCode.FILE_ENCRYPTED, "文件设有打开密码，请去掉密码后再审核", file=path.name
        ) from exc
    except UnreadableWorkbook as exc:
        raise InputError.single(
            ErrorCode.FILE_UNREADABLE, "文件已损坏或不是表格文件，无法打开", file=path.name
        ) from exc
    sheets = [_sheet_grid(g) for g in book.grids]
    log.info("read %d sheets from %s", len(sheets), path.name)
    return WorkbookGrid(path, sheets)
