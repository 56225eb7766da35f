"""`fanpin quota`: Annex 1 quotas, and used vs remaining given the payments made."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fanpin.cli.common import state
from fanpin.forms.annex1 import load_quotas, quota_table, quota_usage, write_annex1
from fanpin.forms.layout import refuse_inputs
from fanpin.forms.options import check_year
from fanpin.forms.sources import load_history
from fanpin.rules import load_rules

HELP = """显示附件1“救助金发放分解表”（各市各年度一次性救助名额）。

给出 --payments（已发放的附件3汇总表，或历年帮扶记录表）时，按市、年度列出
名额、已发放人数和剩余名额；超出名额的标红。--out 把附件1写成表格文件。

示例：

  fanpin quota
  fanpin quota --payments 2022年附件3/ --year 2022
"""


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += (
            sorted(p for p in path.iterdir() if p.suffix.lower() in (".xlsx", ".xls"))
            if path.is_dir()
            else [path]
        )
    return files


def quota(
    payments: list[Path] = typer.Option(
        [], "--payments", help="已发放记录：附件3汇总表或历年帮扶记录表（文件或文件夹，可重复）。"
    ),
    year: int | None = typer.Option(None, "--year", help="只看该年度，如 2023。"),
    out: Path | None = typer.Option(None, "--out", help="把附件1写成 .xlsx 文件。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
) -> None:
    quotas = load_quotas()
    check_year(year)
    if out is not None:
        refuse_inputs(out, payments)
        write_annex1(out, quotas)
    if not payments:
        wide = quota_table(quotas)
        table = Table(title="附件1 救助金发放分解表（名）")
        for head in wide.columns:
            table.add_column(str(head), justify="right")
        for row in wide.itertuples(index=False):
            table.add_row(*(str(v) for v in row))
        state.out.print(table)
    else:
        paid = load_history(_expand(payments), load_rules(rules))
        usage = quota_usage(quotas, paid.dropna(subset=["city", "year"]))
        if year is not None:
            usage = usage[usage["year"] == year]
        table = Table(title="名额使用情况（人）")
        for head in ("市", "年度", "名额", "已发放", "剩余"):
            table.add_column(head, justify="right")
        for city, y, quota_, used, remaining in usage[
            ["city", "year", "quota", "used", "remaining"]
        ].itertuples(index=False):
            left = f"[red]{remaining}[/]" if int(remaining) < 0 else str(remaining)
            table.add_row(escape(str(city)), str(y), str(quota_), str(used), left)
        state.out.print(table)
        unknown = int(paid["city"].isna().sum())
        if unknown:
            state.warn(f"{unknown} 条发放记录无法确定所属市，未计入")
    if out is not None:
        state.out.print(f"附件1已写入 {escape(str(out))}")


def register(app: typer.Typer) -> None:
    app.command("quota", help=HELP)(quota)
