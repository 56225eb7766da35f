"""The three agency workbooks: each a summary sheet (city × finding) and a work list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fanpin.findings import CIVIL, CODES, DPF, RRB
from fanpin.reports.xlsx import new_workbook, write_list_sheet, write_table_sheet

FEEDBACK_CHOICES = ["已纳入监测", "已纳入低保", "已发放补贴", "不符合条件", "已死亡", "信息有误"]
FEEDBACK_COLUMN = "核查结果"
NOTE_COLUMN = "备注/正确身份证号"

WORKBOOKS = {
    CIVIL: ("民政_应保尽保排查名单.xlsx", "民政部门应保尽保排查"),
    RRB: ("乡村振兴_重度残疾人上门核查名单.xlsx", "乡村振兴部门上门核查"),
    DPF: ("残联_数据质量问题清单.xlsx", "残联数据质量与新增名单"),
}

LIST_COLUMNS = {
    "code": "问题代码",
    "title": "问题",
    "severity": "严重程度",
    "name": "姓名",
    "id_number": "公民身份号码",
    "cert_number": "残疾人证号",
    "city": "市",
    "county": "县(区)",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "source": "来源文件",
    "sheet": "工作表",
    "row": "行号",
    "detail": "问题说明",
    "matched_id": "疑似正确身份证号",
}


def work_list(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings as a Chinese work list with empty feedback columns for the county."""
    out = findings.copy()
    out["title"] = out["code"].map({c: spec.title for c, spec in CODES.items()})
    out = out[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
    out.insert(0, "序号", range(1, len(out) + 1))
    out[FEEDBACK_COLUMN] = pd.NA
    out[NOTE_COLUMN] = pd.NA
    return out


def summary_table(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts by city (rows) × finding (columns), with totals."""
    codes = [c for c in CODES if c in set(findings["code"])]
    city = findings["city"].fillna("（未知）")
    table = pd.crosstab(city, findings["code"]).reindex(columns=codes, fill_value=0)
    table.columns = [f"{CODES[c].title}\n{c}" for c in codes]
    table["合计"] = table.sum(axis=1)
    table.loc["合计"] = table.sum(axis=0)
    table = table.reset_index().rename(columns={"city": "市", "index": "市"})
    table.columns = ["市", *table.columns[1:]]
    return table.astype({c: int for c in table.columns[1:]})


# Issue 3: numeric columns of the evidence sheet (fanpin.link.evidence.EVIDENCE_HEADERS).
EVIDENCE_NUMBERS = [
    "可信度",
    "候选人数",
    "记录A行号",
    "记录B行号",
    "姓名字形相似度",
    "姓名读音相似度",
]


def write_agency_workbook(
    path: Path,
    agency: str,
    findings: pd.DataFrame,
    quarter: str,
    roster: pd.DataFrame | None,
    evidence: pd.DataFrame | None = None,  # issue 3: link.evidence.evidence_table rows
) -> None:
    _, purpose = WORKBOOKS[agency]
    book = new_workbook(path)
    try:
        title = f"{quarter} {purpose}：共 {len(findings)} 条"
        if findings.empty:
            title += "（本季度无需处理的问题）"
        write_table_sheet(book, "汇总", summary_table(findings), title)
        write_list_sheet(
            book,
            "清单",
            work_list(findings),
            numeric_columns=["序号", "行号"],
            dropdowns={FEEDBACK_COLUMN: FEEDBACK_CHOICES},
        )
        if roster is not None:
            write_list_sheet(book, "风险残疾人名单", roster, numeric_columns=["行号"])
        if evidence is not None and not evidence.empty:  # issue 3
            write_list_sheet(book, "关联依据", evidence, numeric_columns=EVIDENCE_NUMBERS)
    finally:
        book.close()
