"""Read a submitted Annex 3 sheet: header facts, payee rows and the closing line."""

from __future__ import annotations

import re
from collections.abc import Callable

from fanpin.forms.grid import SheetGrid, cell_ref, squash
from fanpin.forms.validate.model import (
    Closing,
    FormSheet,
    entries_frame,
    header_facts,
    row_record,
)
from fanpin.forms.validate.problems import Problem

HEADER_SCAN = 15
# How each field's header is recognised (on squashed header text), in the notice's order.
MATCHERS: list[tuple[str, Callable[[str], bool]]] = [
    ("seq", lambda h: h.startswith("序号")),
    ("name", lambda h: h.startswith("姓名")),
    ("sex", lambda h: h.startswith("性别")),
    ("age", lambda h: h.startswith("年龄")),
    ("class_text", lambda h: h.startswith("残疾类别") or h.startswith("残疾等级")),
    ("number", lambda h: "证号" in h or "身份证" in h),
    ("address", lambda h: "住址" in h or "地址" in h),
    ("phone", lambda h: "电话" in h),
    ("amount", lambda h: "金额" in h),
    ("signature", lambda h: "签字" in h),
]
FIELDS = [f for f, _ in MATCHERS]
REQUIRED = {"name": "姓名", "number": "残疾证号/身份证号", "amount": "救助金额"}

_COUNT = re.compile(r"合计慰问：?_*(\d+)_*人")
_TOTAL = re.compile(r"金额总计：?_*(\d[\d,，]*(?:\.\d+)?)_*元")
_CAPITAL = re.compile(r"大写：?(.*)$")


def _header_row(sheet: SheetGrid) -> int | None:
    for r in range(min(sheet.nrows, HEADER_SCAN)):
        flat = [squash(t) for t in sheet.row_texts(r)]
        if any(t.startswith("序号") for t in flat) and any(t.startswith("姓名") for t in flat):
            return r
    return None


def _columns(sheet: SheetGrid, header: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, text in enumerate(sheet.row_texts(header)):
        flat = squash(text)
        for field, matches in MATCHERS:
            if field not in found and flat and matches(flat):
                found[field] = c
                break
    return found


def _is_closing(texts: list[str]) -> bool:
    first = next((squash(t) for t in texts if t), "")
    return first.startswith("合计") or first.startswith("总计")


def _closing(sheet: SheetGrid, row: int, amount_col: int | None) -> Closing:
    texts = sheet.row_texts(row)
    col = next(c for c, t in enumerate(texts) if t)
    joined = "".join(squash(t) for t in texts if t)
    count = _COUNT.search(joined)
    total = _TOTAL.search(joined)
    capital = _CAPITAL.search(joined)
    total_value = float(total[1].replace(",", "").replace("，", "")) if total else None
    # A 合计 row may carry the total in the amount column instead of the sentence.
    if total_value is None and amount_col is not None:
        raw = squash(sheet.text(row, amount_col))
        if re.fullmatch(r"\d+(\.\d+)?", raw):
            total_value = float(raw)
    return Closing(
        cell=cell_ref(row, col),
        text=joined,
        count=int(count[1]) if count else None,
        total=total_value,
        capital=capital[1].rstrip("。.") if capital else "",
    )


def read_annex3(sheet: SheetGrid, file: str) -> FormSheet:
    """Payee rows between the header row and the closing line (blank rows skipped)."""
    form = FormSheet(kind="annex3", file=file, sheet=sheet.name)
    header = _header_row(sheet)
    if header is None:
        form.problems.append(
            Problem("HEADER_MISSING", file, sheet.name, "", "", "找不到表头行（序号、姓名……）")
        )
        return form
    header_facts(sheet, header, form, "汇总表")
    cols = _columns(sheet, header)
    missing = [label for field, label in REQUIRED.items() if field not in cols]
    for label in missing:
        form.problems.append(
            Problem(
                "HEADER_MISSING", file, sheet.name, cell_ref(header, 0), "", f"缺少栏目“{label}”"
            )
        )
    if missing:
        return form

    records: list[dict[str, object]] = []
    for r in range(header + 1, sheet.nrows):
        texts = sheet.row_texts(r)
        if _is_closing(texts):
            form.closing = _closing(sheet, r, cols.get("amount"))
            break
        if squash(next((t for t in texts if t), "")).startswith(("说明", "经办人")):
            break
        values = {f: sheet.text(r, c) for f, c in cols.items()}
        if not any(v for f, v in values.items() if f != "seq"):
            continue
        records.append(row_record(r, values, cols, FIELDS))
    form.entries = entries_frame(records, FIELDS)
    return form
