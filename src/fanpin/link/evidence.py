"""Evidence for every non-exact link: the two records side by side, and a Chinese summary
for the finding's `detail`. Input is a pair frame (nearmiss.PAIR_COLUMNS)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.link.names import OUTCOMES_CN, SIGNALS_CN, pinyin_text

STR = pd.StringDtype("pyarrow")

EDITS_CN = {
    "substitution": "一位数字录错",
    "transposition": "相邻两位数字颠倒",
    "check_char": "校验位错误或漏录",
    "deletion": "漏录一位数字",
    "insertion": "多录一位数字",
    "upgrade_15": "15位旧号码升为18位后相同",
    "unrecoverable": "号码被转成数字，按残存有效数字推测",
    "exact": "身份证号相同",
}
STATUS_CN = {
    "linked": "疑似同一人（已按此关联）",
    "ambiguous": "有多个可能的人员，无法确定（未关联）",
    "probable": "可能是此人，须核实确认（未关联）",
    "same_id": "身份证号相同",
}
CHECKS_CN = {
    "agree": "相同",
    "differ": "不同",
    "explained": "不同（可由号码录错解释）",
    "unknown": "无法比较",
}

# Column order and Chinese headers of the evidence sheet.
EVIDENCE_HEADERS = {
    "code": "问题代码",
    "status": "结论",
    "rule": "判定依据",
    "positions": "涉及位置",
    "confidence": "可信度",
    "n_candidates": "候选人数",
    "a_source": "记录A文件",
    "a_sheet": "记录A工作表",
    "a_row": "记录A行号",
    "a_id_marked": "记录A身份证号（[ ]为不同处）",
    "a_name": "记录A姓名",
    "a_pinyin": "记录A拼音",
    "b_source": "记录B文件",
    "b_sheet": "记录B工作表",
    "b_row": "记录B行号",
    "b_id_marked": "记录B身份证号（[ ]为不同处）",
    "b_name": "记录B姓名",
    "b_pinyin": "记录B拼音",
    "name_outcome": "姓名比对",
    "name_signal": "姓名判定依据",
    "char_score": "姓名字形相似度",
    "pinyin_score": "姓名读音相似度",
    "county_check": "县(区)",
    "birth_check": "出生日期",
    "sex_check": "性别",
    "detail": "说明",
}


def _text(values: pd.Series | np.ndarray | list) -> pd.Series:
    return pd.Series(values, dtype=STR).reset_index(drop=True)


def mark_differences(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Bracket the characters where two IDs differ: 1401[9]2… / 1401[0]2….

    Equal-length pairs are compared position by position (vectorised). For a dropped or
    added digit, the alignment with the fewest edits is used (rapidfuzz opcodes, only for
    those few pairs).
    """
    a, b = _text(a).fillna(""), _text(b).fillna("")
    out_a, out_b = a.copy(), b.copy()
    same_len = (a.str.len() == b.str.len()).to_numpy(dtype=bool) & (a.str.len() > 0).to_numpy()
    if same_len.any():
        sa, sb = a[same_len], b[same_len]
        width = int(sa.str.len().max())
        ma, mb = _text([""] * len(sa)), _text([""] * len(sa))
        for i in range(width):  # at most 19 positions, each vectorised over all pairs
            ca, cb = (
                sa.str.get(i).fillna("").reset_index(drop=True),
                sb.str.get(i).fillna("").reset_index(drop=True),
            )
            differ = ca != cb
            ma = ma + ca.where(~differ, "[" + ca + "]")
            mb = mb + cb.where(~differ, "[" + cb + "]")
        out_a[same_len], out_b[same_len] = ma.to_numpy(), mb.to_numpy()
    other = np.flatnonzero(~same_len & (a.str.len() > 0).to_numpy() & (b.str.len() > 0).to_numpy())
    if len(other):
        from rapidfuzz.distance import Levenshtein

        for row in other.tolist():  # length differs: a handful of rows
            ta, tb = str(a[row]), str(b[row])
            out_a[row], out_b[row] = _mark_by_opcodes(ta, tb, Levenshtein.opcodes(ta, tb))
    return out_a, out_b


def _mark_by_opcodes(a: str, b: str, ops: object) -> tuple[str, str]:
    pa, pb = [], []
    for op in ops:  # type: ignore[attr-defined]
        ta, tb = a[op.src_start : op.src_end], b[op.dest_start : op.dest_end]
        if op.tag == "equal":
            pa.append(ta)
            pb.append(tb)
        else:
            pa.append(f"[{ta}]" if ta else "[ ]")
            pb.append(f"[{tb}]" if tb else "[ ]")
    return "".join(pa), "".join(pb)


def _cn(values: pd.Series, table: dict[str, str]) -> pd.Series:
    return _text(values).map(lambda v: table.get(v, v) if isinstance(v, str) else v).astype(STR)


def _score(values: pd.Series) -> pd.Series:
    return _text(pd.to_numeric(values, errors="coerce").round(2).astype("Float64").astype(STR))


def pair_details(pairs: pd.DataFrame) -> pd.Series:
    """Chinese `detail` text for each pair (same order as `pairs`)."""
    p = pairs.reset_index(drop=True)
    where = (
        "“"
        + _text(p["b_source"]).fillna("")
        + "”第"
        + _text(p["b_row"].astype("Int64").astype(STR)).fillna("?")
        + "行"
    )
    b_name = "“" + _text(p["b_name"]).fillna("（无姓名）") + "”"
    a_name = "“" + _text(p["a_name"]).fillna("（无姓名）") + "”"
    edit = _cn(p["rule"], EDITS_CN)
    pos = _text(p["positions"]).fillna("")
    edit = edit.where(pos == "", edit + "（第" + pos.str.replace(",", "、") + "位）")
    name_cn = _cn(p["name_outcome"], {"same": "姓名相同", "variant": "姓名写法相近"})
    signal = _cn(p["name_signal"], SIGNALS_CN)
    name_cn = name_cn.where(_text(p["name_outcome"]) != "variant", name_cn + "（" + signal + "）")
    county = "，县(区)" + _cn(p["county_check"], CHECKS_CN)
    county = county.where(_text(p["county_check"]) != "unknown", "")
    conf = "可信度" + _score(p["confidence"]).fillna("")
    n = _text(p["n_candidates"].astype("Int64").astype(STR)).fillna("")
    status = _text(p["status"]).fillna("")
    code = _text(p["code"]).fillna("")

    typo_linked = (
        "身份证号疑似录入错误：" + edit + "，最可能是" + where + "的" + b_name + "（正确号码见"
        "“matched_id”列）；" + name_cn + county + "，" + conf + "。属推断，请核实后更正"
    )
    typo_either = (
        "与" + where + "的" + b_name + "身份证号仅" + edit + "，两个号码都通过校验，无法判断哪一个"
        "正确；已按同一人比对，请核实后更正错误的一方"
    )
    typo_ambiguous = (
        "身份证号疑似录入错误，但有"
        + n
        + "个同样可能的人员（如"
        + where
        + "的"
        + b_name
        + "），无法确定，未作关联；请核实"
    )
    unrec_probable = (
        "按残存的前"
        + pos.str.replace("1-", "", regex=False)
        + "位有效数字和姓名，可能是"
        + where
        + "的"
        + b_name
        + "（号码见“matched_id”列）。此为推测，必须对照原始证件确认"
    )
    unrec_ambiguous = (
        "按残存的有效数字和姓名，有"
        + n
        + "个可能的人员（如"
        + where
        + "的"
        + b_name
        + "），无法确定"
    )
    duplicate = (
        "与" + where + "姓名相同，身份证号仅" + edit + "，疑似同一人登记了两个身份证号；"
        "请核实哪个号码正确"
    )
    scores = (
        "（字形相似度"
        + _score(p["char_score"]).fillna("-")
        + "，读音相似度"
        + _score(p["pinyin_score"]).fillna("-")
        + "）"
    )
    name_variant = (
        "同一身份证号在"
        + where
        + "登记为"
        + b_name
        + "，此处为"
        + a_name
        + "，"
        + signal
        + "，可能是同一人"
    )
    name_mismatch = (
        "同一身份证号在"
        + where
        + "登记为"
        + b_name
        + "，此处为"
        + a_name
        + "，姓名不同"
        + scores
        + "；请核实是否录错了身份证号或姓名"
    )
    note = _text(p["note"]).fillna("") if "note" in p else _text([""] * len(p))
    choices = [
        (code == "SUSPECTED_ID_TYPO") & (status == "linked") & (note == "direction_unknown"),
        (code == "SUSPECTED_ID_TYPO") & (status == "linked"),
        code == "SUSPECTED_ID_TYPO",
        (code == "ID_UNRECOVERABLE") & (status == "probable"),
        code == "ID_UNRECOVERABLE",
        code == "DUPLICATE_PERSON",
        code == "NAME_VARIANT",
        code == "NAME_MISMATCH",
    ]
    texts = [
        typo_either,
        typo_linked,
        typo_ambiguous,
        unrec_probable,
        unrec_ambiguous,
        duplicate,
        name_variant,
        name_mismatch,
    ]
    out = pd.Series(pd.NA, index=p.index, dtype=STR)
    for mask, text in reversed(list(zip(choices, texts, strict=True))):
        out = out.mask(mask.fillna(False).to_numpy(dtype=bool), text)
    return out


def evidence_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The evidence sheet: one row per pair, Chinese headers, IDs with differences marked."""
    p = pairs.reset_index(drop=True)
    a_marked, b_marked = mark_differences(p["a_id"], p["b_id"])
    # A number that lost digits is not a typo: show both as they are, unmarked.
    damaged = (_text(p["code"]) == "ID_UNRECOVERABLE").to_numpy(dtype=bool)
    a_marked[damaged] = _text(p["a_id"])[damaged].to_numpy()
    b_marked[damaged] = _text(p["b_id"])[damaged].to_numpy()
    table = pd.DataFrame(
        {
            "code": _text(p["code"]),
            "status": _cn(p["status"], STATUS_CN),
            "rule": _cn(p["rule"], EDITS_CN).where(
                ~_text(p["code"]).isin(["NAME_VARIANT", "NAME_MISMATCH"]),
                _cn(p["name_signal"], SIGNALS_CN),
            ),
            "positions": _text(p["positions"]),
            "confidence": pd.to_numeric(p["confidence"], errors="coerce").round(3),
            "n_candidates": p["n_candidates"].astype("Int64"),
            "a_source": _text(p["a_source"]),
            "a_sheet": _text(p["a_sheet"]),
            "a_row": p["a_row"].astype("Int64"),
            "a_id_marked": a_marked,
            "a_name": _text(p["a_name"]),
            "a_pinyin": _text(p["a_pinyin"]).fillna(pinyin_text(_text(p["a_name"]))),
            "b_source": _text(p["b_source"]),
            "b_sheet": _text(p["b_sheet"]),
            "b_row": p["b_row"].astype("Int64"),
            "b_id_marked": b_marked,
            "b_name": _text(p["b_name"]),
            "b_pinyin": _text(p["b_pinyin"]).fillna(pinyin_text(_text(p["b_name"]))),
            "name_outcome": _cn(p["name_outcome"], OUTCOMES_CN),
            "name_signal": _cn(p["name_signal"], SIGNALS_CN),
            "char_score": pd.to_numeric(p["char_score"], errors="coerce").round(3),
            "pinyin_score": pd.to_numeric(p["pinyin_score"], errors="coerce").round(3),
            "county_check": _cn(p["county_check"], CHECKS_CN),
            "birth_check": _cn(p["birth_check"], CHECKS_CN),
            "sex_check": _cn(p["sex_check"], CHECKS_CN),
            "detail": pair_details(p),
        }
    )
    return table.rename(columns=EVIDENCE_HEADERS)


# Evidence columns that carry an ID (masked with --mask).
_ID_HEADERS = (EVIDENCE_HEADERS["a_id_marked"], EVIDENCE_HEADERS["b_id_marked"])


def evidence_sheet(pairs: pd.DataFrame | None, mask: bool = False) -> pd.DataFrame | None:
    """The evidence sheet for the data-quality workbook (None when there is nothing).

    With mask, the ID columns are cut to their first 4 and last 4 characters, as the
    rest of a masked output (the bracket marks are dropped with the digits they mark).
    """
    if pairs is None or pairs.empty:
        return None
    table = evidence_table(pairs)
    if mask:
        from fanpin.privacy import mask_series

        for col in _ID_HEADERS:
            plain = table[col].astype(STR).str.replace(r"[\[\] ]", "", regex=True)
            table[col] = mask_series(plain)
    return table
