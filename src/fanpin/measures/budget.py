"""Budget of the fixed-amount measures for the reference year: people and yuan per city.

The one-off cash is paid within each city's yearly quota (Annex 1, schemas/quotas.csv): the
budgeted people are the eligible people up to the quota. Other measures budget every
eligible person (or student) at the rule's standard. Measures without a fixed standard
(amount = 0 in the rules) are left out and named in the sheet's note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from fanpin.measures.checks import ELIGIBLE
from fanpin.measures.files import atomic_file
from fanpin.measures.places import ordered_cities
from fanpin.measures.rules import MeasuresRules
from fanpin.measures.summary import UNKNOWN_PLACE
from fanpin.resources import schema_file

QUOTA_MEASURE = "cash"
BUDGET_COLUMNS = [
    "city",
    "measure",
    "measure_name",
    "eligible",
    "quota",
    "people",
    "standard",
    "amount",
]


def load_quotas(path: Path | None = None) -> pd.DataFrame:
    """Annex 1 quotas: city, year (int), quota (int)."""
    table = pd.read_csv(path or schema_file("quotas.csv"), dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "city": table["city"].str.strip(),
            "year": table["year"].astype(int),
            "quota": table["quota"].astype(int),
        }
    )


def budget_table(
    decisions: pd.DataFrame, rules: MeasuresRules, year: int, quotas: pd.DataFrame | None
) -> pd.DataFrame:
    """Long table, one row per city × fixed-amount measure (BUDGET_COLUMNS)."""
    fixed = [rule for rule in rules.measures.values() if rule.fixed_amount]
    eligible = decisions[decisions["decision"] == ELIGIBLE]
    city = eligible["city"].astype("string").fillna(UNKNOWN_PLACE).replace("", UNKNOWN_PLACE)
    counts = eligible.groupby([city.rename("city"), eligible["measure"]]).size()
    cities = ordered_cities(sorted(set(city.unique()) | set(_quota_cities(quotas, year))))

    index = pd.MultiIndex.from_product([cities, [r.slug for r in fixed]], names=["city", "measure"])
    table = counts.reindex(index, fill_value=0).rename("eligible").reset_index()
    names = {r.slug: r.name for r in fixed}
    standards = {r.slug: r.amount for r in fixed}
    table["measure_name"] = table["measure"].map(names)
    table["standard"] = table["measure"].map(standards).astype("int64")

    table["quota"] = pd.Series(pd.NA, index=table.index, dtype="Int64")
    if quotas is not None:
        this_year = quotas[quotas["year"] == year].set_index("city")["quota"]
        is_cash = table["measure"] == QUOTA_MEASURE
        table.loc[is_cash, "quota"] = table.loc[is_cash, "city"].map(this_year).astype("Int64")
    capped = np.minimum(table["eligible"], table["quota"].fillna(table["eligible"]).astype("int64"))
    table["people"] = capped.astype("int64")
    table["amount"] = table["people"] * table["standard"]
    return table[BUDGET_COLUMNS]


def _quota_cities(quotas: pd.DataFrame | None, year: int) -> list[str]:
    if quotas is None:
        return []
    return quotas.loc[(quotas["year"] == year) & (quotas["quota"] > 0), "city"].tolist()


Column = tuple[str, str, str]  # (measure slug, budget field, header text)


def budget_columns(rules: MeasuresRules) -> list[Column]:
    """Per fixed-amount measure its columns; the cash measure also shows eligible and quota."""
    columns: list[Column] = []
    for rule in rules.measures.values():
        if not rule.fixed_amount:
            continue
        if rule.slug == QUOTA_MEASURE:
            columns += [(rule.slug, "eligible", "符合人数"), (rule.slug, "quota", "名额（附件1）")]
        columns += [(rule.slug, "people", f"人数（{rule.amount}元/{rule.unit_label}）")]
        columns += [(rule.slug, "amount", "金额（元）")]
    return columns


def write_budget(path: Path, table: pd.DataFrame, rules: MeasuresRules, year: int) -> None:
    """One sheet 预算: rows per city and 合计; per measure 人数 and 金额（元）, the cash
    measure also 符合人数 and 名额; a last column with each city's total. Atomic."""
    with atomic_file(Path(path)) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        try:
            sheet = book.add_worksheet("预算")
            formats = _formats(book)
            columns = budget_columns(rules)
            _header(sheet, formats, columns, rules, year)
            total_row = _body(sheet, formats, columns, table)
            _footer(sheet, formats, total_row, len(columns) + 1, rules)
        finally:
            book.close()


def _formats(book: xlsxwriter.Workbook) -> dict[str, Format]:
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    boxed = {**base, "border": 1, "align": "center", "text_wrap": True}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "head": book.add_format({**boxed, "bold": True}),
        "text": book.add_format(boxed),
        "number": book.add_format({**boxed, "num_format": "#,##0"}),
        "total": book.add_format({**boxed, "bold": True, "num_format": "#,##0"}),
        "note": book.add_format({**base, "text_wrap": True}),
    }


def _header(
    sheet: Worksheet, fmt: dict[str, Format], columns: list[Column], rules: MeasuresRules,
    year: int,
) -> None:  # fmt: skip
    last = len(columns) + 1
    sheet.merge_range(0, 0, 0, last, f"{year}年度帮扶资金预算（固定标准项目）", fmt["title"])
    sheet.merge_range(1, 0, 2, 0, "市", fmt["head"])
    col = 1
    for slug, rule in rules.measures.items():
        width = sum(1 for c in columns if c[0] == slug)
        if width:
            sheet.merge_range(1, col, 1, col + width - 1, rule.name, fmt["head"])
            col += width
    sheet.merge_range(1, last, 2, last, "合计金额（元）", fmt["head"])
    for j, (_, _, header) in enumerate(columns, start=1):
        sheet.write_string(2, j, header, fmt["head"])


def _body(
    sheet: Worksheet, fmt: dict[str, Format], columns: list[Column], table: pd.DataFrame
) -> int:
    """City rows then the 合计 row (SUM formulas with their values); returns its row."""
    last = len(columns) + 1
    cells = table.set_index(["city", "measure"])
    amount_cols = [j for j, c in enumerate(columns, start=1) if c[1] == "amount"]
    row = 3
    for city in dict.fromkeys(table["city"]):
        sheet.write_string(row, 0, str(city), fmt["text"])
        for j, (slug, field, _) in enumerate(columns, start=1):
            value: Any = cells.at[(city, slug), field]
            if pd.isna(value):
                sheet.write_blank(row, j, None, fmt["number"])
            else:
                sheet.write_number(row, j, int(value), fmt["number"])
        refs = ",".join(xl_rowcol_to_cell(row, j) for j in amount_cols)
        city_total = int(cells.loc[city, "amount"].sum())
        sheet.write_formula(row, last, f"=SUM({refs})", fmt["number"], city_total)
        row += 1

    sheet.write_string(row, 0, "合计", fmt["head"])
    for j in range(1, last + 1):
        top, bottom = xl_rowcol_to_cell(3, j), xl_rowcol_to_cell(row - 1, j)
        if j < last:
            slug, field, _ = columns[j - 1]
            value = int(table.loc[table["measure"] == slug, field].fillna(0).sum())
        else:
            value = int(table["amount"].sum())
        sheet.write_formula(row, j, f"=SUM({top}:{bottom})", fmt["total"], value)
    return row


def _footer(
    sheet: Worksheet, fmt: dict[str, Format], total_row: int, last: int, rules: MeasuresRules
) -> None:
    unfixed = [r.name for r in rules.measures.values() if not r.fixed_amount]
    note = (
        "说明：人数为符合条件且有需求的人数；一次性资金帮扶的预算人数不超过附件1的年度名额。"
        f"{'、'.join(unfixed)}没有固定标准，未列入。"
    )
    sheet.merge_range(total_row + 1, 0, total_row + 1, last, note, fmt["note"])
    sheet.set_row(total_row + 1, 36)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, last, 11)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(1, 2)
    sheet.freeze_panes(3, 1)
