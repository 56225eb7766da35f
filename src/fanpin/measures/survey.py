"""Reading the needs survey's answers: yes/no cells, choices, multi-item cells, numbers.

Each coded column `key` becomes a canonical column `key` plus `key__bad` holding the text
as written when it could not be understood (NA otherwise). A blank cell means "not
stated" and stays NA; an unreadable cell is also NA in `key`, so the rules treat both as
unknown, and the reason quotes the unreadable text. Cells are parsed once per distinct
value and mapped back, so the cost follows the number of distinct answers, not of rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.errors import ErrorCode, InputProblem
from fanpin.measures.fields import NONE_WORDS, Field
from fanpin.normalize.certs import CERT_OK, parse_certs
from fanpin.normalize.ids import STATUS_EMPTY, STATUS_OK, normalize_ids
from fanpin.privacy import mask_value

STR = pd.StringDtype("pyarrow")
ITEM_SEPARATOR = "、"

_YES = {"是", "有", "√", "✓", "✔", "☑", "Y", "YES", "1", "对", "需要", "愿意", "同意", "TRUE"}
_NO = {"否", "无", "×", "✗", "✘", "☒", "X", "N", "NO", "0", "不", "没有", "不需要", "不愿意"}
_NO |= {"不同意", "FALSE"}
# Cells that only say "nothing written here".
_BLANKS = {"", "/", "-", "—", "－", "NAN", "NONE", "NULL"}

_WORK_ABILITY = {
    "有": "有", "有劳动能力": "有", "强": "有", "完全": "有",
    "部分": "部分", "部分劳动能力": "部分", "弱": "部分", "半": "部分", "弱劳动能力": "部分",
    "无": "无", "无劳动能力": "无", "丧失": "无", "丧失劳动能力": "无", "没有": "无",
}  # fmt: skip
_RELATIONSHIP = {
    "直系亲属": "直系亲属", "配偶": "直系亲属", "父母": "直系亲属", "父亲": "直系亲属",
    "母亲": "直系亲属", "子女": "直系亲属", "儿子": "直系亲属", "女儿": "直系亲属",
    "祖父母": "直系亲属", "外祖父母": "直系亲属", "孙子女": "直系亲属", "外孙子女": "直系亲属",
    "监护人": "监护人",
    # Collateral relatives are a stated answer that does not qualify (not an unreadable cell).
    "其他亲属": "其他亲属", "其他": "其他亲属", "兄弟姐妹": "其他亲属", "兄弟": "其他亲属",
    "姐妹": "其他亲属", "哥哥": "其他亲属", "姐姐": "其他亲属", "弟弟": "其他亲属",
    "妹妹": "其他亲属", "侄子": "其他亲属", "侄女": "其他亲属", "外甥": "其他亲属",
}  # fmt: skip
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "work_ability": _WORK_ABILITY,
    "relationship": _RELATIONSHIP,
}
# Keywords that identify an item inside a cell such as "手动轮椅、双拐".
ITEM_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "prosthesis_need": {"大腿": ("大腿",), "小腿": ("小腿",)},
    "assistive_need": {"轮椅": ("轮椅",), "拐杖": ("拐", "手杖"), "助听器": ("助听",)},
    "industry_type": {
        "种植": ("种植",), "养殖": ("养殖",), "加工": ("加工",),
        "电商": ("电商", "电子商务", "网店", "直播"), "其他": ("其他", "其它"),
    },
    "multiple_components": {
        "视力": ("视", "1"), "听力": ("听", "2"), "言语": ("言语", "语言", "3"),
        "肢体": ("肢体", "4"), "智力": ("智", "5"), "精神": ("精神", "6"),
    },
}  # fmt: skip
_SPACES = r"[\s\x{200B}-\x{200F}\x{2060}\x{FEFF}\x{3000}]"
_SEPARATORS = r"[、,，;；/／\s+＋和及]+"


def in_set(values: pd.Series, members: pd.Series | pd.Index) -> pd.Series:
    """Boolean Series: value is one of `members` (NA -> False). Arrow's is_in: pandas'
    Series.isin converts a large set of Arrow strings one scalar at a time."""
    left = pa.array(values.astype(STR).array, type=pa.large_string(), from_pandas=True)
    right = pa.array(pd.Series(members).astype(STR).dropna().array, type=pa.large_string(),
                     from_pandas=True)  # fmt: skip
    hit = pc.is_in(left, value_set=right.unique()).fill_null(False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def clean_cells(raw: pd.Series) -> pd.Series:
    """Text with NFKC width folding, no spaces or zero-width marks, upper-case latin.

    On Arrow compute kernels: pandas' own .str.normalize/.str.replace run per row in Python.
    """
    arr = pa.array(raw.astype(STR).array, type=pa.large_string(), from_pandas=True)
    arr = pc.utf8_upper(pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKC"), _SPACES, ""))
    return pd.Series(arr.cast(pa.string()), index=raw.index, dtype=STR)


def _map_distinct(
    raw: pd.Series, parse: Callable[[str], object], dtype: Any
) -> tuple[pd.Series, pd.Series]:
    """Parse each distinct cleaned value once; returns (parsed, bad-text-or-NA)."""
    text = clean_cells(raw)
    blank = text.isna() | text.isin(list(_BLANKS))
    results: dict[str, object] = {}
    for value in text[~blank].unique():
        results[str(value)] = parse(str(value))
    parsed_obj = text.map(results).where(~blank)
    bad = parsed_obj.isna() & ~blank
    parsed = parsed_obj.where(~bad).astype(dtype)
    bad_text = raw.astype(STR).where(bad)
    return parsed, bad_text


def _yes_no(value: str) -> bool | None:
    value = value.removesuffix(".0")
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


def parse_yes_no(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """是/否, √/×, Y/N, 1/0 (and 有/无) -> boolean; blank -> NA (not stated)."""
    return _map_distinct(raw, _yes_no, "boolean")


def parse_choice(raw: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    """One of the field's choices (or a known alias of one)."""
    aliases = {**{c: c for c in field.choices}, **CHOICE_ALIASES.get(field.key, {})}
    return _map_distinct(raw, aliases.get, STR)


def _items_parser(field: Field) -> Callable[[str], object]:
    keywords = ITEM_KEYWORDS.get(field.key, {c: (c,) for c in field.choices})

    def parse(value: str) -> str | None:
        if value in NONE_WORDS:
            return ""
        found: set[str] = set()
        for token in re.split(_SEPARATORS, value):
            if not token:
                continue
            hits = {item for item, words in keywords.items() if any(w in token for w in words)}
            if len(hits) != 1:
                return None  # unknown or ambiguous word: the whole cell is unreadable
            found |= hits
        return ITEM_SEPARATOR.join(c for c in field.choices if c in found) if found else None

    return parse


def parse_items(raw: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    """Several of the field's choices in one cell -> "轮椅、拐杖" (choice order); "无" -> ""."""
    return _map_distinct(raw, _items_parser(field), STR)


def _number(value: str) -> float | None:
    value = value.removesuffix("元").removesuffix("人").replace(",", "")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number >= 0 else None


def _year(value: str) -> int | None:
    head = value[:4]
    if not head.isdigit() or (len(value) > 4 and value[4].isdigit()):
        return None
    year = int(head)
    return year if 1950 <= year <= 2100 else None


def parse_number(raw: pd.Series, whole: bool) -> tuple[pd.Series, pd.Series]:
    """A count (whole number) or an amount (number), never negative."""
    if whole:
        return _map_distinct(
            raw, lambda v: n if (n := _number(v)) is not None and n == int(n) else None, "Int64"
        )
    return _map_distinct(raw, _number, "Float64")


def parse_year(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A year written as 2022, 2022年, 2022.0 or a date 2022-09-01."""
    return _map_distinct(raw, _year, "Int64")


_EXPECTED = {
    "yes_no": "应为是/否（也可写 √/×、Y/N、1/0），空白表示未说明",
    "count": "应为不小于 0 的整数",
    "money": "应为不小于 0 的数字",
    "year": "应为四位年份，如 2023",
}


def _expected(field: Field) -> str:
    if field.kind in ("choice", "items"):
        return "应为 " + "、".join(field.choices) + ("，可填多项" if field.kind == "items" else "")
    return _EXPECTED[field.kind]


def _text_col(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key].astype(STR)
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def located(
    message: str, frame: pd.DataFrame, idx: object, column: str, value: str
) -> InputProblem:
    """A BAD_VALUE problem at one input row, located by the reader's meta columns."""
    row: Any = frame.at[idx, "_row"] if "_row" in frame else None
    return InputProblem(
        ErrorCode.BAD_VALUE,
        message,
        file=str(frame.at[idx, "_source"]) if "_source" in frame else "",
        sheet=str(frame.at[idx, "_sheet"]) if "_sheet" in frame else "",
        row=int(row) if row is not None and not pd.isna(row) else None,
        column=column,
        value=value,
    )


def parse_person_ids(ids: pd.Series, certs: pd.Series | None = None) -> pd.DataFrame:
    """pid (valid 18-char ID, or the ID inside a well-formed certificate), id_number as
    written when invalid, and id_status."""
    norm = normalize_ids(ids)
    pid = norm["id"]
    if certs is not None:
        parsed = parse_certs(certs)
        cert_ids = normalize_ids(parsed["cert_id"].where(parsed["cert_check"] == CERT_OK))["id"]
        pid = pid.fillna(cert_ids)
    return pd.DataFrame(
        {
            "pid": pid.astype(STR),
            "id_number": norm["id"].fillna(norm["id_clean"]).fillna(pid).astype(STR),
            "id_status": norm["id_status"],
        },
        index=ids.index,
    )


def parse_answers(
    frame: pd.DataFrame, fields: Sequence[Field]
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Parse the coded columns of `fields` present in `frame` (English keys, raw text).

    Returns a frame with, per coded field, `key` and `key__bad`; text fields as written;
    id fields normalised (`key` valid ID or NA, `key__text` as written); and the problems
    found (unreadable cells, invalid IDs), each located by file, sheet, row and column.
    """
    out = pd.DataFrame(index=frame.index)
    problems: list[InputProblem] = []
    for field in fields:
        raw = _text_col(frame, field.key)
        if field.kind == "text":
            out[field.key] = raw.str.strip()
            continue
        if field.kind == "id":
            norm = normalize_ids(raw)
            out[field.key] = norm["id"]
            out[f"{field.key}__text"] = norm["id"].fillna(norm["id_clean"]).astype(STR)
            bad = ~norm["id_status"].isin([STATUS_OK, STATUS_EMPTY])
            for idx in norm.index[bad.to_numpy()]:
                problems.append(
                    located(
                        "身份证号无效，无法与名单对应",
                        frame,
                        idx,
                        field.header,
                        mask_value(raw.at[idx]),
                    )
                )
            continue
        if field.kind == "yes_no":
            parsed, bad_text = parse_yes_no(raw)
        elif field.kind == "choice":
            parsed, bad_text = parse_choice(raw, field)
        elif field.kind == "items":
            parsed, bad_text = parse_items(raw, field)
        elif field.kind == "year":
            parsed, bad_text = parse_year(raw)
        else:
            parsed, bad_text = parse_number(raw, whole=field.kind == "count")
        out[field.key] = parsed
        out[f"{field.key}__bad"] = bad_text
        for idx in bad_text.index[bad_text.notna().to_numpy()]:
            message = f"无法识别，{_expected(field)}"
            problems.append(located(message, frame, idx, field.header, str(bad_text.at[idx])[:20]))
    for meta in ("_source", "_sheet", "_row"):
        if meta in frame:
            out[meta] = frame[meta]
    return out, problems
