"""Annex 3 (救助金发放登记汇总表): a city's list of one-off cash payees.

Layout as the notice: 附件3, title with the year, 市残联（公章）and 日期, one header row
(序号 … 领取人签字), one row per payee, the closing line 合计慰问…大写…元, 说明 and
经办人及联系方式. A4 landscape, one page wide, the header row repeated on every page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fanpin.forms.capital import capital_amount
from fanpin.forms.layout import make_styles, new_workbook, print_setup, set_widths
from fanpin.forms.people import CLASS_CHOICES

TITLE_TAIL = "“防返贫·乡村振兴”之“富”残增收行动救助金发放登记汇总表"
STAMP_LABEL = "市残联（公章）："
DATE_LABEL = "日期："
NOTE = "说明：此表由市残联汇总报省残联，电子版报至省残联邮箱 sxcljbb@sina.com，于 7 月 20 前报回。"
HANDLER_LABEL = "经办人及联系方式："
BLANK = "_____"

# (field, header as the notice prints it, width). Newlines are where the notice wraps.
COLUMNS: list[tuple[str, str, float]] = [
    ("seq", "序号", 5),
    ("name", "姓名", 10),
    ("sex", "性别", 5),
    ("age", "年龄", 5),
    ("class_text", "残疾类别\n等级", 10),
    ("number", "残疾证号/身份证号", 25),
    ("address", "家庭住址\n（请具体填写X市X县/区X乡/镇X村）", 34),
    ("phone", "联系电话", 14),
    ("amount", "救助\n金额", 8),
    ("signature", "领取人\n签字", 12),
]
HEADERS = [h for _, h, _ in COLUMNS]
FIELDS = [f for f, _, _ in COLUMNS]
HEADER_ROW = 3  # 0-based: 附件3, title, stamp/date, header


def annex3_title(year: int | None) -> str:
    return f"{year}年{TITLE_TAIL}" if year else f"{BLANK}年{TITLE_TAIL}"


def closing_line(count: int | None, total: int | float | None) -> str:
    """合计慰问：N人，金额总计：X元，大写…; blanks to fill when count is None."""
    if count is None or total is None:
        return f"合计慰问：{BLANK}人，金额总计：{BLANK}元，大写{BLANK}元。"
    shown = int(total) if float(total).is_integer() else total
    return f"合计慰问：{count}人，金额总计：{shown}元，大写{capital_amount(total)}。"


def payee_rows(people: pd.DataFrame, amount: int) -> pd.DataFrame:
    """Annex 3 rows from person_fields() output: the certificate number when known, else the
    ID; every payee gets the standard amount unless the frame has its own `amount`."""
    rows = pd.DataFrame(index=people.index)
    rows["seq"] = range(1, len(people) + 1)
    for field in ("name", "sex", "age", "class_text", "address", "phone"):
        rows[field] = people[field]
    rows["number"] = people["cert_number"].fillna(people["id_number"])
    rows["amount"] = people.get("amount", amount)
    rows["signature"] = ""
    return rows[FIELDS].reset_index(drop=True)


@dataclass(frozen=True)
class Annex3Header:
    city: str | None
    year: int | None
    date: dt.date | None = None


def _date_text(date: dt.date | None) -> str:
    if date is None:
        return f"{DATE_LABEL}    年    月    日"
    return f"{DATE_LABEL}{date.year} 年 {date.month} 月 {date.day} 日"


def write_annex3(
    path: Path, rows: pd.DataFrame, header: Annex3Header, *, blank_rows: int = 0
) -> None:
    """Write Annex 3. `rows` has the FIELDS columns; `blank_rows` adds empty rows to fill
    (the county template), in which case the closing line is left with blanks."""
    last = len(COLUMNS) - 1
    with new_workbook(path) as book:
        st = make_styles(book)
        sheet = book.add_worksheet("附件3")
        set_widths(sheet, [w for _, _, w in COLUMNS])

        # Title block.
        sheet.write(0, 0, "附件3", st.plain)
        sheet.merge_range(1, 0, 1, last, annex3_title(header.year), st.title)
        sheet.set_row(1, 42)
        stamp = f"{STAMP_LABEL}{header.city or ''}"
        sheet.merge_range(2, 0, 2, 5, stamp, st.plain)
        sheet.merge_range(2, 6, 2, last, _date_text(header.date), st.plain)
        sheet.set_row(2, 24)
        for col, head in enumerate(HEADERS):
            sheet.write(HEADER_ROW, col, head, st.header)
        sheet.set_row(HEADER_ROW, 48)

        # Payee rows: IDs, certificates and phones as text.
        text_fields = {"number", "phone", "name", "address", "class_text", "sex", "signature"}
        r = HEADER_ROW + 1
        for record in rows[FIELDS].itertuples(index=False):
            for col, value in enumerate(record):
                field = FIELDS[col]
                fmt = st.text if field in text_fields else st.cell
                sheet.write(r, col, "" if pd.isna(value) else value, fmt)
            sheet.set_row(r, 30)
            r += 1
        first_blank = r
        for _ in range(blank_rows):
            for col, field in enumerate(FIELDS):
                sheet.write_blank(r, col, None, st.text if field in text_fields else st.cell)
            sheet.set_row(r, 30)
            r += 1
        if blank_rows:
            _add_validations(sheet, first_blank, r - 1)

        # Closing block.
        filled = blank_rows == 0
        count = len(rows) if filled else None
        total = float(pd.to_numeric(rows["amount"]).sum()) if filled else None
        sheet.merge_range(r, 0, r, last, closing_line(count, total), st.left)
        sheet.set_row(r, 30)
        sheet.merge_range(r + 1, 0, r + 1, last, NOTE, st.note)
        sheet.merge_range(r + 2, 0, r + 2, last, f"{HANDLER_LABEL}{BLANK}", st.note)
        print_setup(sheet, landscape=True, repeat_rows=(HEADER_ROW, HEADER_ROW))


def _add_validations(sheet: object, first: int, last: int) -> None:
    """Drop-downs and number limits on the rows a county fills in."""
    col = {f: i for i, f in enumerate(FIELDS)}
    add = sheet.data_validation  # type: ignore[attr-defined]
    add(first, col["sex"], last, col["sex"], {"validate": "list", "source": ["男", "女"]})
    add(
        first,
        col["class_text"],
        last,
        col["class_text"],
        {"validate": "list", "source": CLASS_CHOICES, "error_title": "残疾类别等级"},
    )
    add(
        first,
        col["age"],
        last,
        col["age"],
        {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 120},
    )
    for field in ("seq", "amount"):
        add(
            first,
            col[field],
            last,
            col[field],
            {"validate": "integer", "criteria": ">=", "value": 0},
        )
