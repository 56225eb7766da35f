"""Writing list-style sheets with xlsxwriter: text cells only (nothing from the data can
become a formula), frozen header, autofilter, widths that fit Chinese text, optional
drop-down columns. Rows stream in constant-memory mode, so large lists stay cheap."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
MAX_WIDTH = 48


def new_workbook(path: Path) -> Workbook:
    return xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)


def display_widths(frame: pd.DataFrame, sample: int = 2000) -> list[int]:
    """Column widths in Excel units: CJK characters count double; from a leading sample."""
    head = frame.head(sample)
    widths = []
    for col in frame.columns:
        text = head[col].astype("string").fillna("")
        wide = text.str.count(r"[^\x00-\xff]")
        data_w = int((text.str.len() + wide).max()) if len(text) else 0
        header = str(col)
        header_w = len(header) + sum(1 for ch in header if ord(ch) > 0xFF)
        widths.append(min(MAX_WIDTH, max(data_w, header_w) + 2))
    return widths


def write_list_sheet(
    book: Workbook,
    name: str,
    frame: pd.DataFrame,
    *,
    numeric_columns: Sequence[str] = (),
    dropdowns: dict[str, list[str]] | None = None,
) -> Worksheet:
    """Write `frame` (Chinese headers) as a list sheet. All cells are written as strings
    except `numeric_columns`; missing values stay blank."""
    sheet = book.add_worksheet(name)
    header_fmt = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    text_fmt = book.add_format({"num_format": "@"})
    columns = list(frame.columns)
    for j, width in enumerate(display_widths(frame)):
        sheet.set_column(j, j, width, text_fmt)
    sheet.write_row(0, 0, columns, header_fmt)
    sheet.freeze_panes(1, 0)
    numeric = {columns.index(c) for c in numeric_columns if c in columns}

    # Column-wise conversion once, then plain Python lists per row for xlsxwriter.
    cells: list[list[Any]] = []
    for j, col in enumerate(columns):
        series = frame[col]
        if j in numeric:
            cells.append(pd.to_numeric(series, errors="coerce").astype(object).tolist())
        else:
            cells.append(series.astype("string").astype(object).tolist())
    for i, row in enumerate(zip(*cells, strict=True), start=1):
        for j, value in enumerate(row):
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                continue
            if j in numeric:
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, value)
    last = max(len(frame), 1)
    sheet.autofilter(0, 0, last, len(columns) - 1)
    for col, choices in (dropdowns or {}).items():
        if col in columns and len(frame):
            j = columns.index(col)
            sheet.data_validation(
                1,
                j,
                len(frame),
                j,
                {
                    "validate": "list",
                    "source": choices,
                    "ignore_blank": True,
                    "error_title": "取值不在列表中",
                    "error_message": "请从下拉列表中选择",
                },
            )
    return sheet


def write_table_sheet(book: Workbook, name: str, frame: pd.DataFrame, title: str) -> Worksheet:
    """A small summary table: a title row, then a header row and counts."""
    sheet = book.add_worksheet(name)
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    header_fmt = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell_fmt = book.add_format({"border": 1})
    sheet.write_string(0, 0, title, title_fmt)
    columns = [str(c) for c in frame.columns]
    sheet.write_row(2, 0, columns, header_fmt)
    sheet.set_row(2, 48)
    for j, width in enumerate(display_widths(frame)):
        sheet.set_column(j, j, min(width, 16) if j else max(width, 10))
    for i, row in enumerate(frame.itertuples(index=False), start=3):  # summary: few rows
        for j, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(i, j, value, cell_fmt)
            else:
                sheet.write_string(i, j, "" if value is None else str(value), cell_fmt)
    sheet.freeze_panes(3, 1)
    return sheet
