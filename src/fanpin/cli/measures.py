"""`fanpin measures`: who qualifies for each of the ten measures, Annex 4 and the budget."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from fanpin.cli.common import state
from fanpin.errors import ErrorCode, InputError
from fanpin.measures.checks import DECISION_LABELS
from fanpin.measures.outputs import ANNEX4_FILE, BUDGET_FILE, DECISIONS_FILE, write_outputs
from fanpin.measures.pipeline import MeasuresInputs, MeasuresResult, run_measures
from fanpin.rules import load_rules

HELP = """十项帮扶措施资格判定：依据未解除返贫风险残疾人名单和需求摸底表，逐人逐项判定
“符合 / 不符合 / 无法判断”并说明理由，生成附件4需求汇总统计表（各市一张，另有全省汇总）
和固定标准项目的资金预算。

年龄按参考日期（--as-of）的周岁计算。无法判断的项目会写明缺少哪一项信息。
--roster 可用 fanpin compare 生成的 roster.csv，或名单表格；各文件选项可重复使用。

示例：

  fanpin measures --roster 结果/2024Q3/roster.csv --survey 小店区摸底表.xlsx
  --survey 迎泽区摸底表.xlsx --history 历年帮扶记录.xlsx --as-of 2024-09-30 --out 帮扶2024
"""


def parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError.single(
            ErrorCode.BAD_OPTION, "参考日期应写成 年-月-日，如 2024-09-30", column="--as-of",
            value=text,
        ) from exc  # fmt: skip


def summary_table(result: MeasuresResult, out_dir: Path) -> Table:
    """Eligible / ineligible / undetermined per measure, with the fixed amounts due."""
    table = Table(title=f"帮扶资格判定（参考日期 {result.as_of.isoformat()}，已写入 {out_dir}）")
    table.add_column("帮扶措施")
    for label in DECISION_LABELS.values():
        table.add_column(label, justify="right")
    table.add_column("符合人数×标准（元）", justify="right")
    for row in result.outcomes.to_dict("records"):
        amount = "" if pd.isna(row["amount"]) else f"{int(row['amount']):,}"
        counts = [str(row[k]) for k in DECISION_LABELS]
        table.add_row(str(row["measure_name"]), *counts, amount)
    return table


def measures(
    roster: list[Path] = typer.Option(
        ...,
        "--roster",
        help="未解除返贫风险残疾人名单（fanpin compare 的 roster.csv 或表格，可重复）。",
    ),
    survey: list[Path] = typer.Option(
        ..., "--survey", help="需求摸底表（可重复，如每县一个；模板见 fanpin template survey）。"
    ),
    history: list[Path] = typer.Option(
        [], "--history", help="历年帮扶记录（身份证号、帮扶措施、年度），用于“每人一次”等限次规则。"
    ),
    as_of: str = typer.Option(
        ..., "--as-of", help="参考日期（计算周岁、确定年度），如 2024-09-30。"
    ),
    out: Path = typer.Option(..., "--out", help="结果文件夹（不能是输入文件所在的文件夹）。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
    mask: bool = typer.Option(False, "--mask", help="decisions.csv 中的身份证号打码，便于外发。"),
) -> None:
    reference = parse_as_of(as_of)
    inputs = MeasuresInputs(roster=roster, survey=survey, history=history)
    with state.err.status("正在判定…", spinner="dots") if state.interactive else nullcontext():
        result = run_measures(inputs, reference, load_rules(rules))
        write_outputs(result, out, inputs=inputs.all_paths(), mask=mask)
    state.out.print(summary_table(result, out))
    state.out.print(
        f"逐人判定：{out / DECISIONS_FILE}；附件4：{out / ANNEX4_FILE}；预算：{out / BUDGET_FILE}"
    )
    for note in result.notes:
        state.warn(note)


def register(app: typer.Typer) -> None:
    app.command("measures", help=HELP)(measures)
