"""`fanpin feedback FILE...`: read the lists counties returned and record their answers."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fanpin.batch.feedback import read_feedback, record_feedback
from fanpin.batch.history import open_history
from fanpin.batch.job import resolve_history_path
from fanpin.cli.common import state
from fanpin.compare.quarter import Quarter

log = logging.getLogger(__name__)

HELP = """读入县里填好“核查结果”后交回的清单，把答复记入历史数据库。

每行的核查结果只能是下拉列表中的值（已纳入监测、已纳入低保、已发放补贴、不符合条件、
已死亡、信息有误）。核查结果为“信息有误”时，“备注/正确身份证号”中写的正确身份证号
会先校验，下次比对时用它关联。
任何一处有误都不会记录，并逐条指出文件、工作表、行、列。
下一季度运行时，仍未解决的问题旁会显示县里的答复。

季度从清单的汇总表标题中读出；标题被删掉时用 --quarter 指定。

示例：

  fanpin feedback 民政_应保尽保排查名单_太原.xlsx 乡村振兴_上门核查名单_大同.xlsx
  --job jobs/sample_job.toml

  fanpin feedback 返回/*.xlsx --db out/jobs/history.sqlite3 --quarter 2024Q3
"""


def feedback(
    files: list[Path] = typer.Argument(..., help="县里交回的清单（可多个）。"),
    db: Path | None = typer.Option(None, "--db", help="历史数据库文件。", envvar="FANPIN_DB"),
    job: Path | None = typer.Option(None, "--job", help="任务文件：从中读取历史数据库位置。"),
    quarter: str | None = typer.Option(None, "--quarter", help="清单所属季度，如 2024Q3。"),
) -> None:
    given = Quarter.parse(quarter) if quarter else None
    path = resolve_history_path(db, job)
    batch = read_feedback(files, given)
    with open_history(path) as store:
        report = record_feedback(store, batch)
    log.info(
        "feedback recorded",
        extra={
            "fields": {
                "files": [f.file for f in batch.files],
                "answers": report.answers,
                "corrections": report.corrections,
                "unmatched": report.unmatched,
            }
        },
    )

    table = Table(title="已记录的县里答复")
    for label in ("文件", "清单季度", "行数", "已答复", "身份证号更正", "只有备注未选结果"):
        table.add_column(label, justify="left" if label in ("文件", "清单季度") else "right")
    for f in batch.files:
        table.add_row(
            escape(f.file),
            f.quarter,
            str(f.rows),
            str(f.answered),
            str(f.corrections),
            str(f.notes_without_answer),
        )
    state.out.print(table)
    if report.quarters_without_run:
        state.warn(
            "历史中没有这些季度的比对记录，答复已保存但无法核对："
            + "、".join(report.quarters_without_run)
        )
    if report.unmatched:
        state.warn(
            f"{report.unmatched} 条答复在对应季度的比对结果中找不到（问题代码或身份证号可能被改动）"
        )


def register(app: typer.Typer) -> None:
    app.command("feedback", help=HELP)(feedback)
