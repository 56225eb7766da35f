"""`fanpin compare`: the quarterly three-agency comparison."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from fanpin.cli.common import state, step_progress
from fanpin.cli.inputs import expand_inputs
from fanpin.compare.checks import NO_MONITOR
from fanpin.compare.outputs import write_outputs
from fanpin.compare.pipeline import run_compare
from fanpin.compare.quarter import Quarter
from fanpin.compare.result import CompareInputs, CompareResult
from fanpin.findings import CODES
from fanpin.rules import load_rules

HELP = """三方比对（每季度一次）：找出未解除返贫风险残疾人，列出需上门核查、
需排查低保和两项补贴的人员，以及数据质量问题，分别生成给民政、乡村振兴、残联的工作清单。

只有 --dpf 必填；缺少的数据对应的比对会跳过，并在结果中说明。
每个文件选项可重复使用（如每市一个文件），也可以写文件夹或通配符（如 持证/*.xlsx）。

示例：

  fanpin compare --dpf 太原持证.xlsx --dpf 大同持证.xls --dibao 低保.xlsx
  --subsidy 两项补贴.csv --monitor 监测对象.xlsx --quarter 2024Q3 --out 结果/2024Q3
"""


def summary_table(result: CompareResult, out_dir: Path) -> Table:
    table = Table(title=f"{result.quarter.label} 比对结果（已写入 {out_dir}）")
    table.add_column("问题代码")
    table.add_column("问题")
    table.add_column("交办部门")
    table.add_column("条数", justify="right")
    counts = result.manifest["counts"]
    agencies = result.findings.groupby("code")["agency"].unique()
    for code, spec in CODES.items():
        if counts.get(code):
            who = "、".join(sorted(agencies[code])) if code in agencies else spec.agency
            table.add_row(code, spec.title, who, str(counts[code]))
    size = str(result.manifest["roster_size"])
    if NO_MONITOR in result.skipped_checks:
        size = "未比对"  # without the RRB list nobody can be on the roster
    table.add_row("", "未解除返贫风险残疾人名单", "", size)
    return table


def compare(
    dpf: list[Path] = typer.Option(..., "--dpf", help="残联持证残疾人数据（必填，可重复）。"),
    dibao: list[Path] = typer.Option([], "--dibao", help="民政低保名单（可重复）。"),
    subsidy: list[Path] = typer.Option([], "--subsidy", help="民政两项补贴发放数据（可重复）。"),
    monitor: list[Path] = typer.Option([], "--monitor", help="乡村振兴防返贫监测名单（可重复）。"),
    quarter: str = typer.Option(..., "--quarter", help="比对季度，如 2024Q3。"),
    out: Path = typer.Option(..., "--out", help="结果文件夹（不能是输入文件所在的文件夹）。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
    mask: bool = typer.Option(False, "--mask", help="输出中的身份证号、证号、电话打码，便于外发。"),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="跳过取值不合规的行（记入 manifest.json），而不是中止。"
    ),
) -> None:
    period = Quarter.parse(quarter)
    policy = load_rules(rules)
    inputs = CompareInputs(
        dpf=expand_inputs(dpf, "--dpf"),
        dibao=expand_inputs(dibao, "--dibao"),
        subsidy=expand_inputs(subsidy, "--subsidy"),
        monitor=expand_inputs(monitor, "--monitor"),
    )
    with step_progress() as on_step:
        result = run_compare(inputs, period, policy, skip_bad_rows=skip_bad_rows, on_step=on_step)
        on_step("写出结果")
        write_outputs(result, out, inputs=inputs.all_paths(), mask=mask)
    state.out.print(summary_table(result, out))
    for note in result.skipped_checks:
        state.warn(note)
    for entry in result.manifest["inputs"]:
        for reason, count in entry["dropped"].items():
            if "不合规" in reason:
                state.warn(
                    f"“{entry['file']}”中有 {count} 行取值不合规，已跳过（见 manifest.json）"
                )


def register(app: typer.Typer) -> None:
    app.command("compare", help=HELP)(compare)
