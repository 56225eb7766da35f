"""Finding codes and the findings table every check appends to."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Column order of findings.csv (English headers: it is also read by machines).
FINDING_COLUMNS = [
    "code",
    "severity",
    "agency",
    "id_number",
    "name",
    "cert_number",
    "city",
    "county",
    "township",
    "village",
    "source",
    "sheet",
    "row",
    "detail",
    "matched_id",
]

DPF = "残联"
CIVIL = "民政"
RRB = "乡村振兴"


@dataclass(frozen=True)
class FindingCode:
    code: str
    severity: str  # 高 / 中 / 低
    agency: str  # who acts on it
    title: str  # Chinese short title shown in workbooks and the summary


_CODES = [
    FindingCode("NEW_RISK_DISABLED", "中", DPF, "本季度新增未解除返贫风险残疾人"),
    FindingCode("NOT_MONITORED_SEVERE", "高", RRB, "重度残疾人未纳入防返贫监测，需上门核查"),
    FindingCode("MISSING_DIBAO", "高", CIVIL, "风险残疾人未纳入低保，需排查"),
    FindingCode("MISSING_LIVING_SUBSIDY", "高", CIVIL, "低保家庭残疾人未领困难残疾人生活补贴"),
    FindingCode("MISSING_CARE_SUBSIDY", "高", CIVIL, "重度残疾人未领重度残疾人护理补贴"),
    FindingCode("DECEASED_PAID", "高", CIVIL, "已死亡或注销人员仍在领取补贴或低保"),
    FindingCode("DUPLICATE_RECORD", "中", DPF, "重复记录（同一人重复登记或重复发放）"),
    FindingCode("SEX_MISMATCH", "低", DPF, "性别与身份证号不符"),
    FindingCode("CERT_ID_MISMATCH", "中", DPF, "残疾人证号与身份证号不一致"),
    FindingCode("CERT_CLASS_MISMATCH", "中", DPF, "残疾人证号中的类别或等级与登记不一致"),
    FindingCode("INVALID_ID", "中", DPF, "身份证号无效"),
    FindingCode("ID_UNRECOVERABLE", "高", DPF, "身份证号被表格转成数字，后几位已丢失"),
    FindingCode("NAME_VARIANT", "低", DPF, "同一身份证号下姓名写法略有不同"),
    FindingCode("NAME_MISMATCH", "高", DPF, "同一身份证号下姓名不同"),
    FindingCode("SUSPECTED_ID_TYPO", "中", DPF, "身份证号疑似录入错误"),
    FindingCode("DUPLICATE_PERSON", "中", DPF, "同一人疑似登记了两个身份证号"),
]

CODES: dict[str, FindingCode] = {c.code: c for c in _CODES}


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS})


def make_findings(
    code: str, records: pd.DataFrame, detail: pd.Series | str, agency: str | None = None
) -> pd.DataFrame:
    """Build finding rows for `records` (a normalised frame with the usual fields).

    `records` should carry id_number, name, cert_number, city, county, township,
    village, _source, _sheet, _row where known; missing ones are left empty.
    """
    spec = CODES[code]
    n = len(records)
    out = pd.DataFrame(index=records.index)
    out["code"] = code
    out["severity"] = spec.severity
    out["agency"] = agency or spec.agency
    for col in ("id_number", "name", "cert_number", "city", "county", "township", "village"):
        out[col] = records.get(col, pd.NA)
    out["source"] = records.get("_source", pd.NA)
    out["sheet"] = records.get("_sheet", pd.NA)
    out["row"] = records.get("_row", pd.NA)
    out["detail"] = detail if isinstance(detail, pd.Series) else [detail] * n
    out["matched_id"] = records.get("matched_id", pd.NA)
    return out.reset_index(drop=True).astype("string")


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: code order as listed above, then city, county, id, source, row."""
    order = {c: i for i, c in enumerate(CODES)}
    key = findings["code"].map(order)
    rownum = pd.to_numeric(findings["row"], errors="coerce")
    tmp = findings.assign(_k=key, _r=rownum)
    tmp = tmp.sort_values(
        ["_k", "city", "county", "id_number", "source", "_r"], na_position="last", kind="stable"
    )
    return tmp.drop(columns=["_k", "_r"]).reset_index(drop=True)
