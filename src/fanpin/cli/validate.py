"""`fanpin validate`: check the Annex 2/3/4 and survey files counties send up."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fanpin.cli.common import state
from fanpin.forms.grid import SPREADSHEET_SUFFIXES
from fanpin.forms.options import build_context, check_form
from fanpin.forms.validate.codes import ERROR
from fanpin.forms.validate.outputs import write_outputs
from fanpin.forms.validate.runner import ValidationReport, validate_paths

HELP = """审核县级报送的表格（附件2、附件3、附件4、需求摸底表），逐格指出问题。

自动识别表格类型（也可用 --form 指定），检查身份证号和残疾证号、性别年龄、
是否在名单中、是否已死亡、往年是否已发放、救助金额、合计与大写金额、
年度名额、县区归属、联系电话、重复人员、附件4的合计等。

结果写入 --out 文件夹：problems.csv（问题清单）和每个输入文件的“_审核标注”副本
（问题单元格标红或标黄并附批注，首页为带链接的问题清单）。输入文件不会被改动。
退出码：0 无错误；3 发现错误；2 文件无法读取或参数有误。

示例：

  fanpin validate 县报表/ --roster 名单.csv --history 2022年汇总表.xlsx --year 2023 --out 审核结果
"""


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the spreadsheets directly inside it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in SPREADSHEET_SUFFIXES and not p.name.startswith(("~$", "."))
            )
            files += inside
        else:
            files.append(path)
    return files


def file_lines(report: ValidationReport) -> list[str]:
    """One line per file, for logs and batch jobs (no personal data)."""
    lines = []
    for f in report.files:
        verdict = "有错误" if f.errors else "通过"
        kinds = "、".join(sorted(set(f.kinds))) or "-"
        lines.append(f"{f.path.name}\t{kinds}\t错误 {f.errors}\t警告 {f.warnings}\t{verdict}")
    return lines


def problems_table(report: ValidationReport, limit: int = 200) -> Table:
    table = Table(title="审核发现的问题", show_lines=False)
    for head in ("文件", "工作表", "单元格", "代码", "级别", "值", "说明"):
        table.add_column(head, overflow="fold")
    frame = report.frame()
    for row in frame.head(limit).itertuples(index=False):
        style = "red" if row.severity == ERROR else "yellow"
        table.add_row(
            escape(str(row.file)),
            escape(str(row.sheet)),
            str(row.cell),
            str(row.code),
            f"[{style}]{row.severity}[/]",
            escape(str(row.value)),
            escape(str(row.message)),
        )
    if len(frame) > limit:
        table.caption = f"只显示前 {limit} 条，共 {len(frame)} 条，完整清单见 problems.csv"
    return table


def validate(
    files: list[Path] = typer.Argument(..., help="要审核的表格文件或文件夹（可多个）。"),
    out: Path = typer.Option(..., "--out", help="结果文件夹（problems.csv 和标注副本）。"),
    form: str = typer.Option(
        "auto", "--form", help="表格类型：auto（自动识别）、annex2、annex3、annex4、survey。"
    ),
    roster: list[Path] = typer.Option(
        [], "--roster", help="未解除返贫风险残疾人名单（fanpin compare 生成的 roster.csv）。"
    ),
    history: list[Path] = typer.Option(
        [], "--history", help="往年发放记录：往年附件3，或历年帮扶记录表（可重复）。"
    ),
    year: int | None = typer.Option(
        None, "--year", help="发放年度（表头未写年度时使用），如 2023。"
    ),
    date: str | None = typer.Option(
        None, "--date", help="填表日期（表头未写日期时用于核对年龄），如 2023-07-15。"
    ),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（默认使用内置规则）。"),
    as_json: bool = typer.Option(
        False, "--json", help="以 JSON 输出每个文件的结果（供程序读取）。"
    ),
) -> None:
    inputs = expand(files)
    ctx = build_context(rules=rules, roster=roster, history=history, year=year, date=date)
    report = validate_paths(inputs, ctx, form=check_form(form))
    write_outputs(report, out)

    if as_json:
        payload = [
            {"file": f.path.name, "forms": f.kinds, "errors": f.errors, "warnings": f.warnings}
            for f in report.files
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        if report.problems:
            state.out.print(problems_table(report))
        for line in file_lines(report):
            typer.echo(line)
        state.out.print(f"结果已写入 {escape(str(out))}")
    if report.has_errors:
        raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    app.command("validate", help=HELP)(validate)
