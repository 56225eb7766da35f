"""`fanpin annex2`: write one registration form (救助登记表) per person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape

from fanpin.cli.common import state
from fanpin.forms.annex2 import write_annex2
from fanpin.forms.layout import refuse_inputs
from fanpin.forms.options import build_context, check_city, parse_date
from fanpin.forms.prepare import add_survey, select_people
from fanpin.forms.sources import read_people

HELP = """生成附件2“救助登记表”：每人一张，按 A4 每页一张打印。
姓名、性别、年龄、残疾证号、残疾类别等级、身份证号、电话、住址由名单预填，
家庭人口数、劳动力数、年人均收入由需求摸底表（--survey）预填；
签字、银行卡和审批意见留空由本人和经办人填写。

示例：

  fanpin annex2 --roster 名单.csv --survey 摸底表.xlsx --city 太原市 --out 太原市附件2.xlsx
"""


def annex2(
    roster: list[Path] = typer.Option(..., "--roster", help="人员名单（roster.csv，可重复）。"),
    out: Path = typer.Option(..., "--out", help="输出的附件2文件（.xlsx）。"),
    survey: list[Path] = typer.Option([], "--survey", help="需求摸底表（可重复）。"),
    city: str | None = typer.Option(None, "--city", help="只生成该市人员，如 太原市。"),
    county: str | None = typer.Option(None, "--county", help="只生成该县（区）人员，如 小店区。"),
    year: int | None = typer.Option(None, "--year", help="发放年度（用于排除往年已发放人员）。"),
    date: str | None = typer.Option(None, "--date", help="计算年龄的日期（默认今天）。"),
    history: list[Path] = typer.Option([], "--history", help="往年发放记录（可重复）。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
) -> None:
    refuse_inputs(out, [*roster, *survey, *history])
    ctx = build_context(rules=rules, history=history, year=year, date=date)
    selection = select_people(
        read_people(roster, "roster"),
        city=check_city(city),
        county=county,
        as_of=parse_date(date) or dt.date.today(),
        amount=ctx.rules.standard_amount,
        dead_status=ctx.rules.dead_cert_status,
        history=ctx.registers.history,
        year=year,
    )
    answers = read_people(survey, "survey") if survey else None
    people = add_survey(selection.people, answers)
    write_annex2(out, people)
    state.out.print(f"已生成 {len(people)} 张登记表，写入 {escape(str(out))}")
    for note in selection.notes:
        state.warn(note)


def register(app: typer.Typer) -> None:
    app.command("annex2", help=HELP)(annex2)
