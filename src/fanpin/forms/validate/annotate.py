"""Annotated copies of submissions: problem cells filled red (error) or yellow (warning)
with a comment, and a first sheet 问题清单 listing every problem with a link to its cell.

The input is read into memory (openpyxl for .xlsx/.xlsm; cell values from the grid for
.xls/.ods, which openpyxl cannot open) and the copy is saved under the output folder; the
input file itself is never opened for writing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from fanpin.forms.grid import WorkbookGrid
from fanpin.forms.layout import atomic_output, display_width
from fanpin.forms.validate.codes import ERROR, PROBLEM_CODES
from fanpin.forms.validate.problems import Problem

RED = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
YELLOW = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
LIST_SHEET = "问题清单"
LIST_HEADERS = ["序号", "问题代码", "严重程度", "问题", "工作表", "单元格", "单元格内容", "说明"]
AUTHOR = "fanpin"


def _load(grid: WorkbookGrid) -> Workbook:
    if grid.path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return openpyxl.load_workbook(grid.path)
        except Exception:
            pass
    book = openpyxl.Workbook()
    assert book.active is not None
    book.remove(book.active)
    for sheet in grid.sheets:
        ws = book.create_sheet(sheet.name[:31])
        for r, row in enumerate(sheet.cells, start=1):
            for c, text in enumerate(row, start=1):
                if text:
                    ws.cell(r, c, text)
        for (r1, c1), (r2, c2) in sheet.merged:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    return book


def _mark_cells(book: Workbook, problems: list[Problem]) -> None:
    by_cell: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if p.cell and p.sheet in book.sheetnames:
            by_cell[(p.sheet, p.cell)].append(p)
    for (sheet, ref), found in by_cell.items():
        ws = book[sheet]
        cell = ws[ref]
        if isinstance(cell, MergedCell):  # comment the merged range's top-left cell
            for merged in ws.merged_cells.ranges:
                if ref in merged:
                    cell = ws.cell(merged.min_row, merged.min_col)
                    break
        error = any(p.severity == ERROR for p in found)
        cell.fill = RED if error else YELLOW
        text = "\n".join(f"[{p.severity}] {p.message}" for p in found)
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 300, 40 + 20 * len(found)
        cell.comment = comment


def _list_sheet(book: Workbook, problems: list[Problem]) -> None:
    ws = book.create_sheet(LIST_SHEET, 0)
    bold = Font(bold=True)
    for col, head in enumerate(LIST_HEADERS, start=1):
        ws.cell(1, col, head).font = bold
    for i, p in enumerate(problems, start=1):
        values = [
            i,
            p.code,
            p.severity,
            PROBLEM_CODES[p.code].title,
            p.sheet,
            p.cell,
            p.value,
            p.message,
        ]
        for col, value in enumerate(values, start=1):
            ws.cell(i + 1, col, value).alignment = Alignment(wrap_text=col == 8, vertical="top")
        ws.cell(i + 1, 3).fill = RED if p.severity == ERROR else YELLOW
        if p.cell and p.sheet in book.sheetnames:
            link = ws.cell(i + 1, 6)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{p.sheet}'!{p.cell}")
            link.font = Font(color="0563C1", underline="single")
    if not problems:
        ws.cell(2, 1, "未发现问题")
    for col, head in enumerate(LIST_HEADERS, start=1):
        texts = [head] + [str(ws.cell(r, col).value or "") for r in range(2, len(problems) + 2)]
        widest = max(display_width(v) for v in texts)
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = min(60, widest + 2)
    ws.freeze_panes = "A2"
    book.active = 0


def write_annotated(grid: WorkbookGrid, problems: list[Problem], out: Path) -> None:
    """Save an annotated copy of one submission to `out` (an .xlsx path)."""
    book = _load(grid)
    _mark_cells(book, problems)
    _list_sheet(book, problems)
    for ws in book.worksheets:
        ws.sheet_view.tabSelected = ws.title == LIST_SHEET
    with atomic_output(out) as temp:
        book.save(temp)


def annotated_name(path: Path) -> str:
    return f"{path.stem}_审核标注.xlsx"
