"""`fanpin rollup`: county files into the city's form, city files into the province's."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from fanpin.cli.common import state
from fanpin.cli.validate import expand, file_lines
from fanpin.forms.options import build_context, check_city, parse_date
from fanpin.forms.rollup import RollupRefused, rollup

HELP = """汇总：把各县（区）的附件3或附件4汇成市级表，或把各市的表汇成全省表。

汇总前先逐个审核输入文件；有错误、同一县区出现两次、县区不属于该市时拒绝汇总
（退出码 3，并说明原因），不写任何文件。

示例：

  fanpin rollup 县附件4/ --form annex4 --city 太原市 --out 太原市附件4.xlsx
  fanpin rollup 各市附件3/ --form annex3 --out 全省附件3.xlsx
"""


def rollup_command(
    files: list[Path] = typer.Argument(..., help="要汇总的表格文件或文件夹（可多个）。"),
    form: str = typer.Option(..., "--form", help="表格类型：annex3 或 annex4。"),
    out: Path = typer.Option(..., "--out", help="汇总结果文件（.xlsx）。"),
    city: str | None = typer.Option(None, "--city", help="汇成该市的表（默认按输入判断）。"),
    year: int | None = typer.Option(None, "--year", help="发放年度（附件3表头未写年度时）。"),
    date: str | None = typer.Option(None, "--date", help="汇总表的日期，如 2023-07-20。"),
    roster: list[Path] = typer.Option([], "--roster", help="名单，审核时核对人员（可选）。"),
    history: list[Path] = typer.Option([], "--history", help="往年发放记录（可选）。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
) -> None:
    if form not in ("annex3", "annex4"):
        raise typer.BadParameter("只能是 annex3 或 annex4", param_hint="--form")
    ctx = build_context(rules=rules, roster=roster, history=history, year=year)
    try:
        result = rollup(expand(files), form, out, ctx, city=check_city(city), date=parse_date(date))
    except RollupRefused as refused:
        state.error("未汇总：")
        for reason in refused.reasons:
            state.err.print(f"  - {escape(reason)}")
        if refused.report is not None:
            for line in file_lines(refused.report):
                state.err.print(escape(line))
        raise typer.Exit(3) from refused
    where = result.city or "全省"
    state.out.print(
        f"已汇总 {result.inputs} 个文件为{escape(where)}的表（{result.rows} 行），"
        f"写入 {escape(str(out))}"
    )


def register(app: typer.Typer) -> None:
    app.command("rollup", help=HELP)(rollup_command)
