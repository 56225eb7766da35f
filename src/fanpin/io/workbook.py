"""Open xlsx / xlsm / xls / ods workbooks with python-calamine and expose their sheets as grids.

calamine reads a cell holding an Excel error (#N/A, #REF!, ...) as "" (python-calamine issue
105), which would hide a broken VLOOKUP as a blank cell. For xlsx / xlsm the error cells are
found in the sheet's XML part (io/xlsx_errors.py) when a checked column has blank cells, and
put back into the grid as their text; coercion then reports them. Known shortcoming: in .xls and
.ods files error cells still read as blank.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from fanpin.io.grids import CellGrid, ErrorCell
from fanpin.io.header import Merge
from fanpin.io.xlsx_errors import error_cells, sheet_parts

log = logging.getLogger(__name__)


class EncryptedWorkbook(Exception):
    """The workbook needs a password."""


class UnreadableWorkbook(Exception):
    """calamine could not read the workbook (corrupt or not a workbook)."""


@dataclass
class Workbook:
    grids: list[CellGrid]
    hidden: list[str] = field(default_factory=list)  # names of the hidden sheets among grids


def open_workbook(path: Path, by_content: bool = False, include_hidden: bool = False) -> Workbook:
    """Grids of the worksheets, in workbook order; `hidden` names the hidden ones, which are
    among the grids only with include_hidden (the reader wants them: a clerk hides a
    township's sheet to print the others, and its people still count).

    by_content: let calamine detect the format from the bytes (for a file whose extension
    does not match its content, e.g. an old .xls saved under an .xlsx name).
    """
    try:
        if by_content:
            with path.open("rb") as handle:
                book = calamine.CalamineWorkbook.from_filelike(handle)
        else:
            book = calamine.CalamineWorkbook.from_path(path)
    except calamine.PasswordError as exc:
        raise EncryptedWorkbook(str(exc)) from exc
    except (calamine.CalamineError, OSError, ValueError) as exc:
        raise UnreadableWorkbook(str(exc)) from exc

    parts = _xlsx_parts(path)
    out = Workbook(grids=[])
    for meta in book.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            out.hidden.append(meta.name)
            if not include_hidden:
                continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except calamine.PasswordError as exc:
            raise EncryptedWorkbook(str(exc)) from exc
        except (calamine.CalamineError, ValueError) as exc:
            raise UnreadableWorkbook(str(exc)) from exc
        out.grids.append(_grid(sheet, path, parts.get(meta.name)))
    return out


def _xlsx_parts(path: Path) -> dict[str, str]:
    """Sheet name -> XML part of an xlsx / xlsm file; empty for other formats."""
    if not zipfile.is_zipfile(path):
        return {}
    try:
        return sheet_parts(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("cannot map sheets of %s for error cells: %s", path.name, exc)
        return {}


def _grid(sheet: calamine.CalamineSheet, path: Path, part: str | None) -> CellGrid:
    def peek(n: int) -> Sequence[Sequence[object]]:
        return sheet.to_python(skip_empty_area=False, nrows=n)

    def load() -> Sequence[Sequence[object]]:
        # skip_empty_area=False keeps leading blank rows and columns, so that grid indexes
        # are sheet coordinates: Excel's row number is index + 1, merges line up.
        return sheet.to_python(skip_empty_area=False)

    def scan() -> list[ErrorCell]:
        return error_cells(path, part) if part else []

    return CellGrid(sheet=sheet.name, peek=peek, load=load, merges=_merges(sheet), scan_errors=scan)


def _merges(sheet: calamine.CalamineSheet) -> list[Merge] | None:
    ranges = sheet.merged_cell_ranges
    if ranges is None:
        return None
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]
