"""Writing the changes: changes.csv (English headers, for machines) and 变化.xlsx (sheets
汇总, 新增, 持续, 已解决, 督办 with Chinese headers, for people). The 督办 sheet carries the
核查结果 drop-down and note column, so a county can answer it like any other list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fanpin.batch.changes import CHANGE_COLUMNS, CHANGE_LABELS, NEW, OPEN, RESOLVED, Changes
from fanpin.batch.masking import mask_frame
from fanpin.compare.outputs import csv_safe, write_csv
from fanpin.findings import CODES
from fanpin.reports.agency import FEEDBACK_CHOICES, FEEDBACK_COLUMN, NOTE_COLUMN
from fanpin.reports.xlsx import new_workbook, write_list_sheet, write_table_sheet

CHANGES_CSV = "changes.csv"
CHANGES_BOOK = "变化.xlsx"

SHEET_COLUMNS = {
    "change": "变化",
    "quarters_open": "持续季度数",
    "first_quarter": "首次出现季度",
    "code": "问题代码",
    "title": "问题",
    "severity": "严重程度",
    "agency": "交办部门",
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
    "feedback_quarter": "上次答复的清单季度",
    "feedback_answer": "县里核查结果",
    "feedback_note": "县里备注",
    "feedback_text": "答复与本季度比对",
}
_NUMERIC = ["序号", "持续季度数", "行号"]
_TEXT_COLUMNS = [
    "name",
    "township",
    "village",
    "city",
    "county",
    "source",
    "sheet",
    "detail",
    "feedback_note",
    "feedback_text",
]


def _sheet_frame(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["change"] = out["change"].map(CHANGE_LABELS)
    out["title"] = out["code"].map({c: spec.title for c, spec in CODES.items()})
    out = out[list(SHEET_COLUMNS)].rename(columns=SHEET_COLUMNS)
    out.insert(0, "序号", range(1, len(out) + 1))
    return out


def summary_frame(changes: Changes) -> pd.DataFrame:
    """Counts per finding code: new, still open, resolved, to escalate."""
    table = changes.table
    rows = []
    for code, spec in CODES.items():
        of_code = table[table["code"] == code]
        counts = [int((of_code["change"] == c).sum()) for c in (NEW, OPEN, RESOLVED)]
        escalate = int((changes.escalation["code"] == code).sum())
        if any(counts) or escalate:
            rows.append([spec.title, code, *counts, escalate])
    frame = pd.DataFrame(rows, columns=["问题", "问题代码", "新增", "持续", "已解决", "督办"])
    total = pd.DataFrame(
        [["合计", "", *(int(frame[c].sum()) for c in ("新增", "持续", "已解决", "督办"))]],
        columns=frame.columns,
    )
    return pd.concat([frame, total], ignore_index=True)


def _masked(changes: Changes, mask: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = changes.table[CHANGE_COLUMNS]
    escalation = changes.escalation[CHANGE_COLUMNS]
    if mask:
        return mask_frame(table), mask_frame(escalation)
    return table, escalation


def write_changes_csv(changes: Changes, path: Path, *, mask: bool = False) -> None:
    table, _ = _masked(changes, mask)
    write_csv(csv_safe(table, _TEXT_COLUMNS), path)


def write_changes_book(changes: Changes, path: Path, *, mask: bool = False) -> None:
    table, escalation = _masked(changes, mask)
    book = new_workbook(path)
    try:
        previous = changes.previous_quarter.label if changes.previous_quarter else "无（首次运行）"
        title = f"{changes.quarter.label} 比对结果变化（与 {previous} 相比）"
        write_table_sheet(book, "汇总", summary_frame(changes), title)
        for change, sheet in ((NEW, "新增"), (OPEN, "持续"), (RESOLVED, "已解决")):
            part = table[table["change"] == change]
            write_list_sheet(book, sheet, _sheet_frame(part), numeric_columns=_NUMERIC)
        urgent = _sheet_frame(escalation)
        urgent[FEEDBACK_COLUMN] = pd.NA
        urgent[NOTE_COLUMN] = pd.NA
        write_list_sheet(
            book,
            "督办",
            urgent,
            numeric_columns=_NUMERIC,
            dropdowns={FEEDBACK_COLUMN: FEEDBACK_CHOICES},
        )
    finally:
        book.close()


def write_changes(changes: Changes, folder: Path, *, mask: bool = False) -> list[Path]:
    """Write changes.csv and 变化.xlsx into `folder` (a staging folder); returns the paths."""
    paths = [folder / CHANGES_CSV, folder / CHANGES_BOOK]
    write_changes_csv(changes, paths[0], mask=mask)
    write_changes_book(changes, paths[1], mask=mask)
    return paths
