"""Open xlsx / xlsm / xls / ods workbooks with python-calamine and expose their sheets as grids."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from fanpin.io.grids import CellGrid
from fanpin.io.header import Merge

log = logging.getLogger(__name__)


class EncryptedWorkbook(Exception):
    """The workbook needs a password."""


class UnreadableWorkbook(Exception):
    """calamine could not read the workbook (corrupt or not a workbook)."""


@dataclass
class Workbook:
    grids: list[CellGrid]
    hidden: list[str] = field(default_factory=list)  # hidden sheets, skipped


def open_workbook(path: Path, by_content: bool = False) -> Workbook:
    """Grids of the visible worksheets, in workbook order.

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

    out = Workbook(grids=[])
    for meta in book.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            # A hidden sheet usually holds drop-down lists or an old copy of the data;
            # reading it would count people twice.
            out.hidden.append(meta.name)
            log.info("skipping hidden sheet %s in %s", meta.name, path.name)
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except calamine.PasswordError as exc:
            raise EncryptedWorkbook(str(exc)) from exc
        except (calamine.CalamineError, ValueError) as exc:
            raise UnreadableWorkbook(str(exc)) from exc
        out.grids.append(_grid(sheet))
    return out


def _grid(sheet: calamine.CalamineSheet) -> CellGrid:
    def peek(n: int) -> Sequence[Sequence[object]]:
        return sheet.to_python(skip_empty_area=False, nrows=n)

    def load() -> Sequence[Sequence[object]]:
        # skip_empty_area=False keeps leading blank rows and columns, so that grid indexes
        # are sheet coordinates: Excel's row number is index + 1, merges line up.
        return sheet.to_python(skip_empty_area=False)

    return CellGrid(sheet=sheet.name, peek=peek, load=load, merges=_merges(sheet))


def _merges(sheet: calamine.CalamineSheet) -> list[Merge] | None:
    ranges = sheet.merged_cell_ranges
    if ranges is None:
        return None
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]
