"""One problem found in a submission, and the problems table (problems.csv)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
from openpyxl.utils import column_index_from_string

from fanpin.forms.layout import atomic_output
from fanpin.forms.validate.codes import ERROR, PROBLEM_CODES, WARNING

PROBLEM_COLUMNS = ["code", "severity", "file", "sheet", "cell", "value", "message"]
SEVERITY_ORDER = {ERROR: 0, WARNING: 1}


@dataclass(frozen=True)
class Problem:
    """`value` is the cell as found, already masked when personal; `message` is Chinese."""

    code: str
    file: str
    sheet: str
    cell: str
    value: str
    message: str
    severity: str = ""

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code}")
        if not self.severity:
            object.__setattr__(self, "severity", PROBLEM_CODES[self.code].severity)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def render(self) -> str:
        """文件“x.xlsx”工作表“附件3”单元格 F7 值“1401**…”：message."""
        where = [f"文件“{self.file}”"]
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.cell:
            where.append(f"单元格 {self.cell}")
        if self.value:
            where.append(f"值“{self.value}”")
        return f"{'，'.join(where)}：{self.message}"


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """The problems as a table in a stable order: file, sheet, cell position, code."""
    rows = [asdict(p) for p in problems]
    frame = pd.DataFrame(rows, columns=[*PROBLEM_COLUMNS])
    if frame.empty:
        return frame.astype("string")
    cell = frame["cell"].str.extract(r"^([A-Z]+)(\d+)$")
    frame["_row"] = pd.to_numeric(cell[1], errors="coerce").fillna(0)
    letters = cell[0].dropna().unique()
    frame["_col"] = cell[0].map({c: column_index_from_string(c) for c in letters}).fillna(0)
    frame = frame.sort_values(["file", "sheet", "_row", "_col", "code"], kind="stable")
    return frame[PROBLEM_COLUMNS].reset_index(drop=True).astype("string")


def write_problems_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so that Excel on Windows opens the Chinese text correctly."""
    with atomic_output(path) as temp:
        frame[PROBLEM_COLUMNS].to_csv(temp, index=False, encoding="utf-8-sig")
