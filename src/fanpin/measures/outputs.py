"""Writing the measures outputs into a folder, all or nothing.

Files are built in a staging folder beside the target and swapped into place with the same
helpers `fanpin compare` uses, so the folder holds either the previous complete result or
the new one, never a mix; a folder holding an input is refused.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pandas as pd

from fanpin.compare.outputs import (
    MANIFEST,
    check_target,
    csv_safe,
    mask_personal,
    recover_interrupted,
    swap_into_place,
    write_csv,
)
from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.measures.annex4 import write_annex4
from fanpin.measures.budget import write_budget
from fanpin.measures.decide import DECISION_COLUMNS
from fanpin.measures.pipeline import MeasuresResult
from fanpin.measures.summary import city_tables, province_table

log = logging.getLogger(__name__)

DECISIONS_FILE = "decisions.csv"
ANNEX4_FILE = "附件4_帮扶人员需求汇总统计表.xlsx"
BUDGET_FILE = "帮扶资金预算.xlsx"
PROBLEMS_FILE = "摸底表问题.csv"
PERSONAL_COLUMNS = ["id_number", "disabled_id", "household_id"]


def problems_table(problems: list[InputProblem]) -> pd.DataFrame:
    """Located survey problems as a table (values already masked where personal)."""
    return pd.DataFrame(
        {
            "文件": [p.file for p in problems],
            "工作表": [p.sheet for p in problems],
            "行号": pd.array([p.row for p in problems], dtype="Int64"),
            "列": [p.column for p in problems],
            "值": [p.value for p in problems],
            "问题": [p.message for p in problems],
        }
    )


def write_outputs(
    result: MeasuresResult, out_dir: Path, *, inputs: list[Path], mask: bool = False
) -> Path:
    """decisions.csv, the Annex 4 workbook, the budget workbook, 摸底表问题.csv (when there
    are problems) and manifest.json."""
    check_target(out_dir, inputs)
    _refuse_other_command(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        _write_all(result, staging, mask)
        swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote measures outputs: %d decisions", len(result.decisions))
    return out_dir


def _refuse_other_command(out_dir: Path) -> None:
    """The whole folder is replaced: never take over another command's results."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return
    try:
        command = json.loads(manifest.read_text(encoding="utf-8")).get("command")
    except (OSError, ValueError, AttributeError):
        command = None
    if command != "measures":
        raise InputError.single(
            ErrorCode.OUTPUT_CONFLICT,
            f"输出文件夹中是 fanpin {command or '其他命令'} 的结果，整个文件夹会被替换，"
            "请换一个输出文件夹",
            column="--out",
            value=out_dir.name,
        )


def _write_all(result: MeasuresResult, folder: Path, mask: bool) -> None:
    decisions = result.decisions[DECISION_COLUMNS]
    if mask:
        decisions = mask_personal(decisions, PERSONAL_COLUMNS)
    write_csv(csv_safe(decisions, ["name", "city", "county", "item"]), folder / DECISIONS_FILE)

    cities = city_tables(result.counts)
    write_annex4(
        folder / ANNEX4_FILE, cities, province=province_table(result.counts), date=result.as_of
    )
    write_budget(folder / BUDGET_FILE, result.budget, result.rules, result.as_of.year)
    if result.problems:
        write_csv(csv_safe(problems_table(result.problems), ["值"]), folder / PROBLEMS_FILE)

    manifest = dict(result.manifest)
    manifest["masked"] = mask
    manifest["outputs"] = [*sorted(p.name for p in folder.iterdir()), MANIFEST]
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
