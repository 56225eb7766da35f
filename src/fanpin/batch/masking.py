"""Masked copies of what fanpin writes, for wider circulation.

Columns are chosen by header: resident IDs, certificate numbers, phones and bank cards
(Chinese headers of the workbooks and English headers of the CSVs). Their values keep
their length with the middle starred (fanpin.privacy). In every other text column, any run
of eleven or more digits (an ID, certificate, phone or card number quoted in a remark) is
starred too, keeping its first and last four characters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.batch.files import atomic_write
from fanpin.errors import ErrorCode, InputError
from fanpin.privacy import mask_series, mask_value

STR = pd.StringDtype("pyarrow")

# Exact headers fanpin writes, per kind of number.
_ID_HEADERS = {
    "id_number",
    "matched_id",
    "corrected_id",
    "id_as_written",
    "person_key",
    "公民身份号码",
    "身份证号",
    "身份证号码",
    "证件号码",
    "户主身份证号",
    "监护人身份证号",
    "疑似正确身份证号",
    "备注/正确身份证号",
    "正确身份证号",
    "残疾人证号/身份证号",
}
_CERT_HEADERS = {"cert_number", "残疾人证号", "残疾证号", "残疾证号码"}
_PHONE_HEADERS = {"phone", "联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"}
_BANK_HEADERS = {"bank_card", "银行卡号", "银行账号", "账号", "卡号", "银行卡号码"}
# Header words that mark an ID-like column fanpin did not foresee.
_ID_WORDS = ("身份证", "身份号码", "证件号")
_PHONE_WORDS = ("电话", "手机")
_BANK_WORDS = ("卡号", "账号")
# Long digit runs in free text; RE2 (Arrow) and Python `re` both accept this form.
_LONG_DIGITS = r"([0-9]{4})[0-9Xx]{3,}([0-9Xx]{4})"
_LONG_DIGITS_RE = re.compile(_LONG_DIGITS)


def column_kind(header: object) -> str | None:
    """'id', 'cert', 'phone', 'bank' or None for a column header."""
    text = re.sub(r"\s+", "", str(header or ""))
    if text in _ID_HEADERS:
        return "id"
    if text in _CERT_HEADERS:
        return "cert"
    if text in _PHONE_HEADERS:
        return "phone"
    if text in _BANK_HEADERS:
        return "bank"
    if any(w in text for w in _ID_WORDS):
        return "id"
    if "证号" in text:
        return "cert"
    if any(w in text for w in _PHONE_WORDS):
        return "phone"
    if any(w in text for w in _BANK_WORDS):
        return "bank"
    return None


def mask_by_kind(values: pd.Series, kind: str) -> pd.Series:
    """Mask a column of one kind (vectorised)."""
    if kind == "phone":
        return mask_series(values, keep_head=3, keep_tail=4)
    return mask_series(values, keep_head=4, keep_tail=4)


def mask_names(values: pd.Series) -> pd.Series:
    """Keep a name's first character (the surname, usually): 张晓明 -> 张**."""
    arr = pa.array(values.astype(STR).array, type=pa.string(), from_pandas=True)
    hidden = pc.max_element_wise(pc.subtract(pc.utf8_length(arr), 1), 0)
    masked = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(arr, 0, 1), pc.binary_repeat(pa.scalar("*"), hidden), ""
    )
    return pd.Series(masked, index=values.index, dtype=STR)


def scrub_text(values: pd.Series) -> pd.Series:
    """Star the middle of every run of 11+ digits inside free text."""
    text = values.astype(STR)
    return text.str.replace(_LONG_DIGITS, r"\1****\2", regex=True)


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A masked copy of a table fanpin wrote: personal columns by header, the rest scrubbed."""
    out = frame.copy()
    for col in out.columns:
        kind = column_kind(col)
        series = out[col]
        if kind is not None:
            out[col] = mask_by_kind(series.astype(STR), kind)
        elif series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            out[col] = scrub_text(series)
    return out


# ---------------------------------------------------------------- files


def _read_csv(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, na_values=[""], encoding=encoding
            ).astype(STR)
        except UnicodeDecodeError:
            continue
    raise InputError.single(
        ErrorCode.FILE_UNREADABLE, "CSV 文件编码无法识别（应为 UTF-8 或 GBK）", file=path.name
    )


def mask_cell(value: Any, kind: str | None) -> Any:
    """The scalar counterpart of mask_frame, for one workbook cell."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value
    if kind == "phone":
        return mask_value(str(value), keep_head=3, keep_tail=4)
    if kind is not None:
        return mask_value(str(value), keep_head=4, keep_tail=4)
    if isinstance(value, str):
        return _LONG_DIGITS_RE.sub(r"\1****\2", value)
    return value


def _header_row(sheet: Any, scan: int = 10) -> tuple[int, dict[int, str]]:
    """The first row (1-based) with a personal-number header, and its masked columns."""
    for r, row in enumerate(sheet.iter_rows(min_row=1, max_row=scan, values_only=True), 1):
        kinds = {j: k for j, v in enumerate(row, 1) if (k := column_kind(v)) is not None}
        if kinds:
            return r, kinds
    return 0, {}


def _mask_workbook(src: Path, dst: Path) -> int:
    """Load with openpyxl (keeps formats, widths, drop-downs), mask, save. Returns cells
    changed. Cell by cell: fine for fanpin's lists; a 200,000-row sheet takes a minute."""
    import openpyxl

    book = openpyxl.load_workbook(src)
    changed = 0
    for sheet in book.worksheets:
        header, kinds = _header_row(sheet)
        for row in sheet.iter_rows(min_row=1):
            for cell in row:
                value = cell.value
                if value is None or cell.data_type == "f":
                    continue
                kind = kinds.get(cell.column) if cell.row > header else None
                masked = mask_cell(value, kind)
                if masked != value:
                    cell.value = masked
                    cell.data_type = "s"  # text stays text, even if it starts with "="
                    changed += 1
    book.save(dst)
    return changed


def mask_file(src: Path, out: Path) -> int:
    """Write a masked copy of a CSV or xlsx file fanpin made; never touches `src`.

    Returns the number of cells changed.
    """
    src, out = Path(src), Path(out)
    if not src.is_file():
        raise InputError.single(ErrorCode.FILE_NOT_FOUND, "文件不存在", file=str(src))
    if out.exists() and out.resolve() == src.resolve():
        raise InputError.single(
            ErrorCode.OUTPUT_CONFLICT, "输出文件不能与输入文件相同", file=src.name, column="--out"
        )
    suffix = src.suffix.lower()
    if suffix == ".csv":
        frame = _read_csv(src)
        masked = mask_frame(frame)
        changed = int((masked.fillna("") != frame.fillna("")).to_numpy().sum())
        atomic_write(
            out,
            lambda p: masked.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"),
        )
        return changed
    if suffix in (".xlsx", ".xlsm"):
        result: list[int] = []
        atomic_write(out, lambda p: result.append(_mask_workbook(src, p)))
        return result[0]
    raise InputError.single(
        ErrorCode.UNSUPPORTED_FORMAT,
        "只能打码 fanpin 生成的 .csv 或 .xlsx 文件",
        file=src.name,
    )
