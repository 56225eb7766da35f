"""What the validator reads out of a submitted sheet, before any check runs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from fanpin.forms.annex1 import load_quotas
from fanpin.forms.grid import SheetGrid, cell_ref, squash
from fanpin.forms.validate.problems import Problem

STR = pd.StringDtype("pyarrow")


def row_record(
    row: int, values: dict[str, str], cols: dict[str, int], fields: tuple[str, ...] | list[str]
) -> dict[str, object]:
    """One form row: each field's text and, under "<field>@", the cell it came from."""
    record: dict[str, object] = {"_row": row + 1}
    for name in fields:
        record[name] = values.get(name, "")
        record[f"{name}@"] = cell_ref(row, cols[name]) if name in cols else ""
    return record


def entries_frame(
    records: list[dict[str, object]], fields: tuple[str, ...] | list[str]
) -> pd.DataFrame:
    """Form rows as a frame: _row, then each field beside its cell reference, as text."""
    columns = ["_row", *[x for f in fields for x in (f, f"{f}@")]]
    entries = pd.DataFrame(records, columns=columns)
    return entries.astype({c: STR for c in columns if c != "_row"})


_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR = re.compile(r"(20\d{2})\s*年")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class Closing:
    """The closing line of Annex 3: 合计慰问 N 人，金额总计 X 元，大写 … 元."""

    cell: str
    text: str
    count: int | None
    total: float | None
    capital: str


@dataclass
class FormSheet:
    """One recognised sheet: header facts, person entries and, for Annex 3, the closing.

    `entries` has one row per person with a text column per field and a `<field>@`
    column holding the cell reference, plus `_row` (the Excel row number).
    """

    kind: str
    file: str
    sheet: str
    city: str | None = None
    city_cell: str = ""
    year: int | None = None
    date: dt.date | None = None
    entries: pd.DataFrame = field(default_factory=pd.DataFrame)
    closing: Closing | None = None
    problems: list[Problem] = field(default_factory=list)


def city_names() -> list[str]:
    return list(dict.fromkeys(load_quotas()["city"]))


def find_city(text: str) -> str | None:
    """The city a text names (太原市, or 太原 without 市), or None."""
    for city in city_names():
        if city in text or city.removesuffix("市") in text:
            return city
    return None


def parse_date(text: str) -> dt.date | None:
    match = _DATE.search(text) or _ISO_DATE.search(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_year(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match[1]) if match else None


def find_label(
    sheet: SheetGrid, label: str, rows: range | None = None
) -> tuple[int, int, str] | None:
    """First cell whose squashed text starts with `label`: (row, col, text after label)."""
    rows = rows or range(sheet.nrows)
    for r in rows:
        for c, text in enumerate(sheet.row_texts(r)):
            flat = squash(text)
            if flat.startswith(label):
                return r, c, flat[len(label) :].lstrip("：")
    return None


def header_facts(sheet: SheetGrid, upto: int, form: FormSheet, title_word: str) -> None:
    """Year from the title, city from 市残联（公章）, date from 日期, above row `upto`."""
    for r in range(min(upto, sheet.nrows)):
        for c, text in enumerate(sheet.row_texts(r)):
            flat = squash(text)
            if title_word in flat and form.year is None:
                form.year = parse_year(flat)
            if "公章" in flat and form.city is None:
                form.city = find_city(flat.replace("市残联（公章）", ""))
                form.city_cell = cell_ref(r, c)
            if flat.startswith("日期") and form.date is None:
                form.date = parse_date(flat)
