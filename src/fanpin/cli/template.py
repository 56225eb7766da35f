"""`fanpin template`: blank forms for counties to fill in."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from fanpin.cli.common import state
from fanpin.forms.options import check_city, check_year, parse_date
from fanpin.forms.templates import write_template

HELP = """生成空白模板，发给县级残联填写：

  survey  需求摸底表；annex2 救助登记表；annex3 救助金发放登记汇总表；
  annex4 帮扶人员需求汇总统计表。

模板的表头与通知附件一致，编码栏有下拉选项，身份证号、残疾证号、电话栏为文本格式，
按 A4 打印设置好。填好后可用 fanpin validate 审核。

示例：

  fanpin template annex3 --city 太原市 --year 2023 --out 附件3模板.xlsx
"""


def template(
    kind: str = typer.Argument(..., help="模板种类：survey、annex2、annex3、annex4。"),
    out: Path = typer.Option(..., "--out", help="模板文件（.xlsx）。"),
    city: str | None = typer.Option(
        None, "--city", help="市名（附件3表头；附件4列出该市各县区）。"
    ),
    year: int | None = typer.Option(None, "--year", help="年度（附件3标题），如 2023。"),
    rows: int = typer.Option(30, "--rows", min=1, max=2000, help="附件3的空白行数。"),
    forms: int = typer.Option(1, "--forms", min=1, max=500, help="附件2的空白登记表张数。"),
    date: str | None = typer.Option(None, "--date", help="表头日期，如 2023-07-15（默认留空）。"),
) -> None:
    write_template(
        kind,
        out,
        city=check_city(city),
        year=check_year(year),
        rows=rows,
        forms=forms,
        date=parse_date(date),
    )
    state.out.print(f"模板已写入 {escape(str(out))}")


def register(app: typer.Typer) -> None:
    app.command("template", help=HELP)(template)
