"""Annex 4 of 晋残联函〔2022〕80号: “防返贫·乡村振兴”帮扶人员需求汇总统计表.

The layout follows the notice: a title; 市残联（公章）： and 日期： on one line; a three-row
merged header (县（区） | 帮扶需求 over ①–⑩, with ⑦ split into 大腿/小腿 and ⑧ into
轮椅/拐杖/助听器); one row per county; a 合计 row; then 说明 and 经办人及联系方式.
Printed on A4 landscape, one page wide, header rows repeated on every page.

`write_annex4` is public: the forms part (issue 5) reuses it for blank templates and for
rolling county files up. Counts are given per sheet as a DataFrame indexed by row label
(county, or city on the province sheet) with the 13 columns of ANNEX4_KEYS; NA cells are
written blank. Totals are SUM formulas carrying their computed value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from fanpin.measures.files import atomic_file

# Stable English keys of the 13 count columns, left to right.
ANNEX4_KEYS: tuple[str, ...] = (
    "living_support",  # ①
    "study",  # ②
    "training",  # ③
    "industry",  # ④
    "care",  # ⑤
    "cataract",  # ⑥
    "prosthesis_thigh",  # ⑦ 大腿
    "prosthesis_lower_leg",  # ⑦ 小腿
    "wheelchair",  # ⑧ 轮椅
    "crutches",  # ⑧ 拐杖
    "hearing_aid",  # ⑧ 助听器
    "rehab",  # ⑨
    "accessibility",  # ⑩ (households)
)

TITLE = "“防返贫·乡村振兴”帮扶人员需求汇总统计表"
CITY_STAMP = "市残联（公章）："
PROVINCE_STAMP = "省残联（公章）："
BLANK_DATE = "日期：      年    月    日"
GROUP_HEADER = "帮扶需求"
TOTAL_LABEL = "合计"
NOTE = "说明：此表由市残联汇总报省残联，电子版报至省残联邮箱 sxcljbb@sina.com，于 7 月 20 前报回。"
PROVINCE_NOTE = "说明：本表由各市汇总表相加而成。"
CONTACT = "经办人及联系方式："
PROVINCE_SHEET = "全省汇总"

# Header cells: (text, first_col, last_col, spans both header rows).
_MAIN_HEADERS: tuple[tuple[str, int, int, bool], ...] = (
    ("①生活救助帮扶\n（人）", 1, 1, True),
    ("②助学帮扶\n（人）", 2, 2, True),
    ("③实用技术培训帮扶\n（人）", 3, 3, True),
    ("④促进产业发展帮扶\n（人）", 4, 4, True),
    ("⑤托养服务帮扶\n（人）", 5, 5, True),
    ("⑥白内障复明手术帮扶\n（人）", 6, 6, True),
    ("⑦假肢装配帮扶", 7, 8, False),
    ("⑧辅助器械帮扶", 9, 11, False),
    ("⑨康复训练帮扶\n（人）", 12, 12, True),
    ("⑩无障碍改造帮扶\n（户）", 13, 13, True),
)
_SUB_HEADERS: tuple[tuple[str, int], ...] = (
    ("大腿\n（人）", 7),
    ("小腿\n（人）", 8),
    ("轮椅\n（人）", 9),
    ("拐杖\n（人）", 10),
    ("助听器\n（人）", 11),
)
LAST_COL = len(ANNEX4_KEYS)  # column N (0-based 13)
HEADER_TOP = 2  # rows 3-5 in Excel
FIRST_DATA_ROW = 5  # row 6 in Excel
_INVALID_SHEET_CHARS = set("[]:*?/\\")


def blank_annex4(labels: Sequence[str] = ("",) * 10) -> pd.DataFrame:
    """A frame of empty counts for a template: one row per label (labels may be "")."""
    index = pd.Index(list(labels), name="area", dtype=object)
    return pd.DataFrame(
        {key: pd.Series(pd.NA, index=index, dtype="Int64") for key in ANNEX4_KEYS}, index=index
    )


def date_text(date: dt.date | None) -> str:
    if date is None:
        return BLANK_DATE
    return f"日期：{date.year} 年 {date.month} 月 {date.day} 日"


def _check_sheet_name(name: str) -> None:
    if not name or len(name) > 31 or _INVALID_SHEET_CHARS & set(name):
        raise ValueError(f"invalid worksheet name {name!r}")


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        boxed = {**base, "border": 1, "align": "center", "text_wrap": True}
        title = {**base, "font_name": "黑体", "font_size": 18, "bold": True, "align": "center"}
        self.title = book.add_format(title)
        self.left = book.add_format({**base, "align": "left"})
        self.right = book.add_format({**base, "align": "right"})
        self.header = book.add_format({**boxed, "bold": True, "font_size": 10})
        self.label = book.add_format(boxed)
        self.count = book.add_format({**boxed, "num_format": "0"})
        self.total_label = book.add_format({**boxed, "bold": True})
        self.total = book.add_format({**boxed, "bold": True, "num_format": "0"})
        self.note = book.add_format({**base, "align": "left", "text_wrap": True})


def _cell_value(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


@dataclass(frozen=True)
class _Labels:
    """What differs between a city sheet and the province sheet."""

    area: str  # first header: 县（区） or 市
    stamp: str
    note: str


_CITY = _Labels(area="县（区）", stamp=CITY_STAMP, note=NOTE)
_PROVINCE = _Labels(area="市", stamp=PROVINCE_STAMP, note=PROVINCE_NOTE)


def _title_block(sheet: Worksheet, fmt: _Formats, labels: _Labels, date: dt.date | None) -> None:
    sheet.merge_range(0, 0, 0, LAST_COL, TITLE, fmt.title)
    sheet.merge_range(1, 0, 1, 5, labels.stamp, fmt.left)
    sheet.merge_range(1, 9, 1, LAST_COL, date_text(date), fmt.right)
    sheet.set_row(0, 36)
    sheet.set_row(1, 22)


def _header_rows(sheet: Worksheet, fmt: _Formats, labels: _Labels) -> None:
    """Area | 帮扶需求, then ①…⑩ (most spanning two rows), then the parts of ⑦ and ⑧."""
    top, mid, low = HEADER_TOP, HEADER_TOP + 1, HEADER_TOP + 2
    sheet.merge_range(top, 0, low, 0, labels.area, fmt.header)
    sheet.merge_range(top, 1, top, LAST_COL, GROUP_HEADER, fmt.header)
    for text, first, last, tall in _MAIN_HEADERS:
        sheet.merge_range(mid, first, low if tall else mid, last, text, fmt.header)
    for text, col in _SUB_HEADERS:
        sheet.write_string(low, col, text, fmt.header)
    sheet.set_row(top, 22)
    sheet.set_row(mid, 44)
    sheet.set_row(low, 32)


def _count_rows(sheet: Worksheet, fmt: _Formats, counts: pd.DataFrame) -> int:
    """One row per area, then 合计 as SUM formulas carrying their values; returns its row."""
    values = counts[list(ANNEX4_KEYS)]
    row = FIRST_DATA_ROW
    for area, numbers in zip(counts.index, values.itertuples(index=False), strict=True):
        sheet.write_string(row, 0, "" if pd.isna(area) else str(area), fmt.label)
        for col, value in enumerate(numbers, start=1):
            number = _cell_value(value)
            if number is None:
                sheet.write_blank(row, col, None, fmt.count)
            else:
                sheet.write_number(row, col, number, fmt.count)
        row += 1

    sheet.write_string(row, 0, TOTAL_LABEL, fmt.total_label)
    sums = values.sum(skipna=True)
    for col, key in enumerate(ANNEX4_KEYS, start=1):
        if row == FIRST_DATA_ROW:  # no area rows: nothing to add up
            sheet.write_number(row, col, 0, fmt.total)
            continue
        span = f"{xl_rowcol_to_cell(FIRST_DATA_ROW, col)}:{xl_rowcol_to_cell(row - 1, col)}"
        sheet.write_formula(row, col, f"=SUM({span})", fmt.total, int(sums[key]))
    return row


def _footer(sheet: Worksheet, fmt: _Formats, labels: _Labels, total_row: int, contact: str) -> None:
    sheet.merge_range(total_row + 1, 0, total_row + 1, LAST_COL, labels.note, fmt.note)
    sheet.merge_range(total_row + 2, 0, total_row + 2, LAST_COL, CONTACT + contact, fmt.note)
    sheet.set_row(total_row + 1, 30)


def _print_setup(sheet: Worksheet) -> None:
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, LAST_COL, 9.5)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(HEADER_TOP, HEADER_TOP + 2)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.freeze_panes(FIRST_DATA_ROW, 1)


def _write_sheet(
    book: xlsxwriter.Workbook,
    fmt: _Formats,
    name: str,
    counts: pd.DataFrame,
    labels: _Labels,
    date: dt.date | None,
    contact: str,
) -> None:
    _check_sheet_name(name)
    missing = [k for k in ANNEX4_KEYS if k not in counts.columns]
    if missing:
        raise ValueError(f"annex 4 counts lack columns {missing}")
    sheet = book.add_worksheet(name)
    _title_block(sheet, fmt, labels, date)
    _header_rows(sheet, fmt, labels)
    total_row = _count_rows(sheet, fmt, counts)
    _footer(sheet, fmt, labels, total_row, contact)
    _print_setup(sheet)


def write_annex4(
    path: Path,
    cities: Mapping[str, pd.DataFrame],
    *,
    province: pd.DataFrame | None = None,
    date: dt.date | None = None,
    contact: str = "",
) -> None:
    """Write the Annex 4 workbook: one sheet per city (county rows) and, when `province` is
    given, a first sheet 全省汇总 (city rows, stamp 省残联（公章）).

    cities: sheet name (the city) -> counts indexed by county name, columns ANNEX4_KEYS;
        NA counts are left blank (use `blank_annex4` for an empty template).
    date: fills 日期：YYYY 年 M 月 D 日; None leaves the blanks of the printed form.
    contact: text after 经办人及联系方式：.
    The file is written to a temporary name and moved into place when complete.
    """
    with atomic_file(Path(path)) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        try:
            fmt = _Formats(book)
            if province is not None:
                _write_sheet(book, fmt, PROVINCE_SHEET, province, _PROVINCE, date, contact)
            for city, counts in cities.items():
                _write_sheet(book, fmt, city, counts, _CITY, date, contact)
        finally:
            book.close()
