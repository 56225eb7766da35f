"""Annex 2 (救助登记表): one registration form per person, pre-filled, one per A4 page.

All forms sit on one sheet, ten rows each, with a page break between them, so a county
prints the whole sheet and gets one page per person. Signature and approval cells are left
blank. The labels are the notice's; the validator finds fields by these labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from fanpin.forms.layout import Styles, make_styles, new_workbook, print_setup, set_widths
from fanpin.forms.people import CLASS_CHOICES

TITLE = "“防返贫·乡村振兴”之“富”残增收行动救助登记表"
ATTACHMENTS = "附件：残疾证复印件、本人（或监护人）身份证复印件、银行卡信息复印件等"
APPROVAL_LABEL = "省残联（省残疾人福利基金会）审批意见"
APPROVAL_TEXT = "（公章）\n\n年        月        日"
BLOCK_ROWS = 10
PRINT_SCALE = 75  # the 7 columns (92 characters) fit A4 portrait at this scale
WIDTHS = [20, 9, 12, 12, 11, 12, 16]

# Field labels exactly as the notice prints them (without its typographic spaces).
LABELS = {
    "name": "姓名",
    "sex": "性别",
    "age": "年龄",
    "cert_number": "残疾证号",
    "class_text": "残疾等级（注明残疾类型）",
    "id_number": "本人身份证号（如需监护人，须附监护人身份证号）",
    "phone": "联系电话",
    "address": "家庭详细住址",
    "household": "家庭基本情况",
    "household_size": "人口数",
    "labour_count": "劳动力数",
    "income": "年人均收入",
    "amount": "资助金额",
    "signature": "受助者签字（或监护人签字）",
    "bank_info": "银行卡信息",
    "bank_card": "银行卡号：",
    "bank_name": "开户行：",
    "approval": APPROVAL_LABEL,
}

# Optional survey fields printed when the frame carries them.
SURVEY_FIELDS = ("household_size", "labour_count", "income", "bank_card", "bank_name")


@dataclass(frozen=True)
class _Cell:
    row: int  # offset inside the block
    first: int
    last: int


# Where each value goes inside a block (row offset, first and last column).
VALUE_CELLS: dict[str, _Cell] = {
    "name": _Cell(1, 1, 2),
    "sex": _Cell(1, 4, 4),
    "age": _Cell(1, 6, 6),
    "cert_number": _Cell(2, 1, 3),
    "class_text": _Cell(2, 6, 6),
    "id_number": _Cell(3, 1, 3),
    "phone": _Cell(3, 5, 6),
    "address": _Cell(4, 1, 6),
    "household_size": _Cell(5, 2, 2),
    "labour_count": _Cell(5, 4, 4),
    "income": _Cell(5, 6, 6),
    "amount": _Cell(6, 1, 2),
    "signature": _Cell(6, 5, 6),
    "bank_card": _Cell(7, 2, 3),
    "bank_name": _Cell(7, 5, 6),
    "approval": _Cell(8, 1, 6),
}
# Where each label goes (row offset, first and last column).
LABEL_CELLS: dict[str, _Cell] = {
    "name": _Cell(1, 0, 0),
    "sex": _Cell(1, 3, 3),
    "age": _Cell(1, 5, 5),
    "cert_number": _Cell(2, 0, 0),
    "class_text": _Cell(2, 4, 5),
    "id_number": _Cell(3, 0, 0),
    "phone": _Cell(3, 4, 4),
    "address": _Cell(4, 0, 0),
    "household": _Cell(5, 0, 0),
    "household_size": _Cell(5, 1, 1),
    "labour_count": _Cell(5, 3, 3),
    "income": _Cell(5, 5, 5),
    "amount": _Cell(6, 0, 0),
    "signature": _Cell(6, 3, 4),
    "bank_info": _Cell(7, 0, 0),
    "bank_card": _Cell(7, 1, 1),
    "bank_name": _Cell(7, 4, 4),
    "approval": _Cell(8, 0, 0),
}
ROW_HEIGHTS = [44, 30, 36, 52, 36, 36, 40, 36, 90, 24]
TEXT_FIELDS = {"cert_number", "id_number", "phone", "bank_card"}


def _put(sheet: Worksheet, top: int, cell: _Cell, value: object, fmt: object) -> None:
    row = top + cell.row
    if cell.first == cell.last:
        sheet.write(row, cell.first, value, fmt)
    else:
        sheet.merge_range(row, cell.first, row, cell.last, value, fmt)  # type: ignore[arg-type]


def _write_block(sheet: Worksheet, top: int, values: dict[str, object], st: Styles) -> None:
    """One form: title row, eight rows of labels and values, the attachments note."""
    sheet.merge_range(top, 0, top, 6, TITLE, st.title)
    for offset, height in enumerate(ROW_HEIGHTS):
        sheet.set_row(top + offset, height)
    for field, cell in LABEL_CELLS.items():
        _put(sheet, top, cell, LABELS[field], st.label)
    for field, cell in VALUE_CELLS.items():
        value = values.get(field)
        if field == "approval":
            value = APPROVAL_TEXT
        shown = "" if value is None or value is pd.NA or value != value else value  # NA / NaN
        fmt = st.text if field in TEXT_FIELDS else st.cell
        if field == "approval":
            fmt = st.cell
        _put(sheet, top, cell, shown, fmt)
    sheet.merge_range(top + 9, 0, top + 9, 6, ATTACHMENTS, st.note)


def write_annex2(path: Path, people: pd.DataFrame, *, blank_forms: int = 0) -> None:
    """Write one form per row of `people` (person_fields() output plus optional amount and
    survey fields), or `blank_forms` empty forms for a county template."""
    with new_workbook(path) as book:
        st = make_styles(book)
        sheet = book.add_worksheet("附件2")
        set_widths(sheet, WIDTHS)
        records: list[dict[str, object]] = [
            {str(k): v for k, v in row.items()} for row in people.to_dict("records")
        ]
        records += [{} for _ in range(blank_forms)]
        breaks = []
        for i, values in enumerate(records):
            top = i * BLOCK_ROWS
            _write_block(sheet, top, values, st)
            if i:
                breaks.append(top)
            if not values:
                _add_validations(sheet, top)
        sheet.set_h_pagebreaks(breaks)
        print_setup(sheet, landscape=False, scale=PRINT_SCALE)
        sheet.print_area(0, 0, max(len(records), 1) * BLOCK_ROWS - 1, 6)


def _add_validations(sheet: Worksheet, top: int) -> None:
    sex = VALUE_CELLS["sex"]
    sheet.data_validation(
        top + sex.row,
        sex.first,
        top + sex.row,
        sex.last,
        {"validate": "list", "source": ["男", "女"]},
    )
    cls = VALUE_CELLS["class_text"]
    sheet.data_validation(
        top + cls.row,
        cls.first,
        top + cls.row,
        cls.last,
        {"validate": "list", "source": CLASS_CHOICES},
    )
    for field in ("age", "household_size", "labour_count"):
        cell = VALUE_CELLS[field]
        sheet.data_validation(
            top + cell.row,
            cell.first,
            top + cell.row,
            cell.last,
            {"validate": "integer", "criteria": ">=", "value": 0},
        )
