"""`fanpin eval`: measure near-miss linking on generated data with planted faults."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer
from rich.table import Table

from fanpin.cli.common import state
from fanpin.link.evaluate import (
    EvalReport,
    bench_near_miss,
    labelled_name_pairs,
    name_accuracy,
    run_eval,
    tune_name_thresholds,
)
from fanpin.rules import load_rules

HELP = """用带有已知错误（身份证号录错、被转成数字、姓名写法不同、同一人两个号码）的
生成数据检验近似匹配，按问题代码列出查准率与查全率。只用合成数据，不读取任何真实文件。

达到目标（NAME_MISMATCH、SUSPECTED_ID_TYPO、DUPLICATE_PERSON 查准率与查全率均不低于
0.99，且身份证号录错不再造成“未纳入低保/未领补贴”的误报）时退出码为 0，否则为 1。

示例：

  fanpin eval

  fanpin eval --scale 8 --plants 150 --json

  fanpin eval --tune-names      （在标注的姓名对上重新调出 [linking.names] 的阈值）

  fanpin eval --bench           （10 万条待查记录对 100 万条参照记录的耗时）
"""

CODE_TITLES = {
    "NAME_MISMATCH": "同一号码姓名不同",
    "NAME_VARIANT": "同一号码姓名写法略有不同",
    "SUSPECTED_ID_TYPO": "身份证号疑似录错",
    "DUPLICATE_PERSON": "同一人两个号码",
}


def _fmt(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3f}"


def _table(report: EvalReport) -> Table:
    table = Table(title=f"近似匹配检验（合成人口 {report.population} 人）")
    for col in ("问题代码", "说明", "埋设", "检出", "正确", "查准率", "查全率"):
        table.add_column(col, justify="left" if col in ("问题代码", "说明") else "right")
    for row in report.table.to_dict(orient="records"):  # one row per finding code
        table.add_row(
            str(row["code"]),
            CODE_TITLES.get(str(row["code"]), ""),
            str(row["planted"]),
            str(row["flagged"]),
            str(row["correct"]),
            _fmt(float(row["precision"])),
            _fmt(float(row["recall"])),
        )
    return table


def _faults_table(report: EvalReport) -> Table:
    table = Table(title="按埋设的错误类型")
    for col in ("问题代码", "错误类型", "埋设", "结论正确"):
        table.add_column(col, justify="left" if col != "埋设" and col != "结论正确" else "right")
    for row in report.by_fault.to_dict(orient="records"):  # a few dozen fault kinds
        table.add_row(
            str(row["code"]), str(row["fault"]), str(row["planted"]), str(int(row["right"]))
        )
    return table


def _report_json(report: EvalReport) -> dict[str, object]:
    return {
        "population": report.population,
        "seconds": round(report.seconds, 2),
        "codes": report.table.to_dict(orient="records"),
        "faults": report.by_fault.to_dict(orient="records"),
        "probable_links": report.probable,
        "false_missing": report.missing,
        "targets_met": report.meets_targets(),
    }


def eval_command(
    seed: int = typer.Option(20240701, "--seed", help="随机种子（同一种子生成同样的数据）。"),
    scale: float = typer.Option(4.0, "--scale", help="人口规模（1 约为 4,800 人）。"),
    plants: int = typer.Option(100, "--plants", help="每类错误埋设的条数。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认用自带的）。"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果（供程序读取）。"),
    tune_names: bool = typer.Option(
        False, "--tune-names", help="在生成的标注姓名对上重新调出姓名比对阈值并打印。"
    ),
    bench: bool = typer.Option(False, "--bench", help="测量 10 万对 100 万条的近似匹配耗时。"),
) -> None:
    rules_file = load_rules(rules)
    if tune_names:
        pairs = labelled_name_pairs(seed=seed)
        tuned = tune_name_thresholds(pairs, rules_file)
        held_out = name_accuracy(labelled_name_pairs(seed=seed + 1), rules_file)
        payload = {"thresholds": tuned, "held_out": held_out.to_dict(orient="records")}
        state.out.print_json(json.dumps(payload, ensure_ascii=False, default=float))
        return
    if bench:
        state.out.print_json(json.dumps(bench_near_miss(), ensure_ascii=False))
        return
    report = run_eval(seed=seed, scale=scale, plants=plants, rules=rules_file)
    if as_json:
        state.out.print_json(json.dumps(_report_json(report), ensure_ascii=False, default=float))
    else:
        state.out.print(_table(report))
        state.out.print(_faults_table(report))
        typo = report.probable["suspected_id_typo_linked"]
        unrec = report.probable["unrecoverable_probable"]
        state.out.print(
            f"疑似录错并已关联：{typo['links']} 条，其中建议号码正确 {typo['right']} 条、"
            f"确为同一人 {typo['same_person']} 条；"
            f"被转成数字的号码推测出人员：{unrec['links']} 条，其中正确 {unrec['right']} 条。"
        )
        miss = report.missing
        state.out.print(
            f"号码录错造成的“未纳入低保/未领补贴”误报：仅按号码完全相同比对时 "
            f"{miss['exact_only']} 条，近似匹配后 {miss['with_linking']} 条。"
        )
    if not report.meets_targets():
        state.warn("未达到目标：见上表。")
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("eval", help=HELP)(eval_command)
