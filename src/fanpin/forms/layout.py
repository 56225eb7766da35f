"""Shared print set-up, cell styles and width helpers for the annex workbooks (xlsxwriter).

Every annex is A4, fitted to one page wide, with its header rows repeated on each printed
page. Widths are counted in display columns: a Chinese character takes two.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from fanpin.errors import ErrorCode, InputError

FONT = "宋体"  # what county PCs have; LibreOffice falls back to a CJK font it has
A4 = 9  # xlsxwriter paper code


def display_width(text: object) -> int:
    """Columns a text takes on screen: 2 for full-width (CJK) characters, 1 otherwise."""
    lines = str(text).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def fit_width(values: Iterable[object], minimum: float = 6, maximum: float = 60) -> float:
    """An Excel column width (in character units) that shows the widest value."""
    widest = max((display_width(v) for v in values if v is not None), default=0)
    return float(min(maximum, max(minimum, widest + 2)))


@dataclass
class Styles:
    """The handful of cell formats every annex uses, created once per workbook."""

    title: Format
    plain: Format
    header: Format
    cell: Format
    text: Format
    left: Format
    number: Format
    note: Format
    label: Format


def make_styles(book: xlsxwriter.Workbook) -> Styles:
    base: dict[str, Any] = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
    boxed = {**base, "border": 1, "text_wrap": True}

    def fmt(**extra: Any) -> Format:
        return book.add_format({**base, **extra})

    return Styles(
        title=fmt(bold=True, font_size=16, align="center", text_wrap=True),
        plain=fmt(),
        header=book.add_format({**boxed, "bold": True, "align": "center"}),
        cell=book.add_format({**boxed, "align": "center"}),
        # '@' keeps IDs, certificate and phone numbers as text in Excel and WPS.
        text=book.add_format({**boxed, "align": "center", "num_format": "@"}),
        left=book.add_format({**boxed, "align": "left"}),
        number=book.add_format({**boxed, "align": "center", "num_format": "0"}),
        note=fmt(font_size=10, text_wrap=True),
        label=book.add_format({**boxed, "align": "center", "bold": True}),
    )


def print_setup(
    sheet: Worksheet,
    *,
    landscape: bool,
    repeat_rows: tuple[int, int] | None = None,
    pages_tall: int = 0,
    scale: int | None = None,
) -> None:
    """A4, one page wide (as many tall as needed), centred, header rows on every page.

    With `scale` the sheet prints at that percentage instead of being fitted: Excel ignores
    manual page breaks on a fitted sheet, so forms that need one page each use a scale.
    """
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    if scale is None:
        sheet.fit_to_pages(1, pages_tall)
    else:
        sheet.set_print_scale(scale)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)


def set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)


def refuse_inputs(out: Path, inputs: Iterable[Path]) -> None:
    """Never write over an input file."""
    target = out.resolve()
    for path in inputs:
        if path.exists() and path.resolve() == target:
            raise InputError.single(
                ErrorCode.OUTPUT_CONFLICT,
                "输出文件与输入文件相同；请换一个输出文件名，输入文件不会被改动",
                file=out.name,
            )


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling path; move it over `path` only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


@contextlib.contextmanager
def new_workbook(path: Path) -> Iterator[xlsxwriter.Workbook]:
    """An xlsxwriter workbook written atomically to `path`."""
    with atomic_output(path) as temp:
        book = xlsxwriter.Workbook(str(temp))
        try:
            yield book
        finally:
            book.close()
