"""Read submitted Annex 2 forms: one or many registration forms on a sheet, by label.

Each form starts at a cell reading 姓名. A field's value is the first non-label cell to the
right of its label (in the same row); a value typed into the label cell itself after the
colon (银行卡号：6222…) is read too. This holds for fanpin's template and for the
hand-made copies of the notice's form that counties send.
"""

from __future__ import annotations

import itertools

from fanpin.forms.grid import SheetGrid, cell_ref, squash
from fanpin.forms.validate.model import FormSheet, entries_frame, header_facts
from fanpin.forms.validate.problems import Problem

# field -> label prefix (squashed), in the notice's order.
LABEL_PREFIXES = {
    "name": "姓名",
    "sex": "性别",
    "age": "年龄",
    "cert_number": "残疾证号",
    "class_text": "残疾等级",
    "id_number": "本人身份证号",
    "phone": "联系电话",
    "address": "家庭详细住址",
    "household_size": "人口数",
    "labour_count": "劳动力数",
    "income": "年人均收入",
    "amount": "资助金额",
    "bank_card": "银行卡号",
    "bank_name": "开户行",
}
FIELDS = list(LABEL_PREFIXES)
# Cells that are labels but carry no field of their own.
OTHER_LABELS = ("家庭基本情况", "受助者签字", "银行卡信息", "省残联", "附件")
REQUIRED = {"name": "姓名", "cert_number": "残疾证号", "id_number": "本人身份证号"}


def _label_of(text: str) -> str | None:
    """The field a cell labels ('' for a label without a field), or None for a value."""
    flat = squash(text)
    if not flat:
        return None
    for field, prefix in LABEL_PREFIXES.items():
        if field == "name" and flat != prefix:
            continue
        if flat.startswith(prefix) and (len(flat) <= len(prefix) + 30):
            # 残疾证号 must not swallow 残疾证号码-like values: labels have no digits after.
            rest = flat[len(prefix) :].lstrip("：")
            if field in ("bank_card", "bank_name") or not any(ch.isdigit() for ch in rest):
                return field
    if flat.startswith(OTHER_LABELS):
        return ""
    return None


def _value_right_of(sheet: SheetGrid, row: int, col: int) -> tuple[str, int]:
    """(text, column) of the value for the label at (row, col); column of the first value
    cell even when it is empty, -1 when the label has no cell to its right."""
    anchor = sheet.anchor(row, col)
    first_cell = -1
    for c in range(col + 1, sheet.ncols):
        if sheet.anchor(row, c) == anchor:
            continue  # still inside the label's merged range
        r0, c0 = sheet.anchor(row, c)
        if (r0, c0) != (row, c):
            continue  # inside a merged value range; its anchor was already seen
        text = sheet.text(row, c)
        if _label_of(text) is not None:
            break
        if first_cell < 0:
            first_cell = c
        if text:
            return text, c
    return "", first_cell


def _embedded(text: str, field: str) -> str:
    flat = squash(text)
    rest = flat[len(LABEL_PREFIXES[field]) :].lstrip("：")
    return rest


def _block_starts(sheet: SheetGrid) -> list[int]:
    return [
        r for r in range(sheet.nrows) if any(_label_of(t) == "name" for t in sheet.row_texts(r))
    ]


def read_annex2(sheet: SheetGrid, file: str) -> FormSheet:
    """One entry per form on the sheet; a missing label is a HEADER_MISSING problem."""
    form = FormSheet(kind="annex2", file=file, sheet=sheet.name)
    starts = _block_starts(sheet)
    if not starts:
        form.problems.append(
            Problem("HEADER_MISSING", file, sheet.name, "", "", "找不到登记表的“姓名”栏")
        )
        return form
    header_facts(sheet, starts[0] + 1, form, "登记表")
    bounds = [*starts, sheet.nrows]
    records = []
    for start, end in itertools.pairwise(bounds):
        record: dict[str, object] = {"_row": start + 1}
        for field in FIELDS:
            record[field], record[f"{field}@"] = "", ""
        for r in range(start, end):
            for c, text in enumerate(sheet.row_texts(r)):
                label = _label_of(text)
                if not label or record[f"{label}@"]:
                    continue
                field = label
                inline = _embedded(text, field) if field in ("bank_card", "bank_name") else ""
                if inline:
                    record[field], record[f"{field}@"] = inline, cell_ref(r, c)
                    continue
                value, vc = _value_right_of(sheet, r, c)
                record[field] = value
                record[f"{field}@"] = cell_ref(r, vc if vc >= 0 else c)
        for field, label in REQUIRED.items():
            if not record[f"{field}@"]:
                form.problems.append(
                    Problem(
                        "HEADER_MISSING",
                        file,
                        sheet.name,
                        cell_ref(start, 0),
                        "",
                        f"第 {start + 1} 行起的登记表缺少“{label}”栏",
                    )
                )
        records.append(record)
    form.entries = entries_frame(records, FIELDS)
    return form
