"""`fanpin annex3`: write a city's payee summary (救助金发放登记汇总表)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape

from fanpin.cli.common import state
from fanpin.forms.annex1 import quota_of
from fanpin.forms.annex3 import Annex3Header, payee_rows, write_annex3
from fanpin.forms.capital import capital_amount
from fanpin.forms.layout import refuse_inputs
from fanpin.forms.options import build_context, check_city, parse_date
from fanpin.forms.prepare import select_people
from fanpin.forms.sources import read_people

HELP = """生成附件3“救助金发放登记汇总表”：按通知的格式列出本市受助人员，
末行写明合计人数、金额总计和大写金额。已死亡（证件注销）的人员不列入；
给出 --history 时，往年已发放过的人员也不列入。

--payees 为人员名单（如 fanpin compare 生成的 roster.csv，或同样列名的表格）。

示例：

  fanpin annex3 --payees 名单.csv --city 太原市 --year 2022 --out 太原市附件3.xlsx
"""


def annex3(
    payees: list[Path] = typer.Option(..., "--payees", help="受助人员名单（可重复）。"),
    city: str = typer.Option(..., "--city", help="市名，如 太原市。"),
    year: int = typer.Option(..., "--year", help="发放年度，如 2022。"),
    out: Path = typer.Option(..., "--out", help="输出的附件3文件（.xlsx）。"),
    date: str | None = typer.Option(None, "--date", help="表头日期，如 2022-07-15（默认留空）。"),
    history: list[Path] = typer.Option([], "--history", help="往年发放记录（可重复）。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
) -> None:
    refuse_inputs(out, [*payees, *history])
    ctx = build_context(rules=rules, history=history, year=year, date=date)
    city_name = check_city(city)
    when = parse_date(date)
    selection = select_people(
        read_people(payees, "roster"),
        city=city_name,
        as_of=when or dt.date(year, 7, 1),
        amount=ctx.rules.standard_amount,
        dead_status=ctx.rules.dead_cert_status,
        history=ctx.registers.history,
        year=year,
    )
    rows = payee_rows(selection.people, ctx.rules.standard_amount)
    write_annex3(out, rows, Annex3Header(city_name, year, when))

    total = int(rows["amount"].sum())
    state.out.print(
        f"{escape(str(city_name))}{year}年：{len(rows)} 人，金额总计 {total} 元"
        f"（{capital_amount(total)}），已写入 {escape(str(out))}"
    )
    for note in selection.notes:
        state.warn(note)
    quota = quota_of(ctx.quotas, str(city_name), year)
    if quota is not None and len(rows) > quota:
        state.warn(f"人数超出附件1分解名额 {quota} 人，多 {len(rows) - quota} 人")


def register(app: typer.Typer) -> None:
    app.command("annex3", help=HELP)(annex3)
