"""`fanpin runs`: past runs with counts; `--delete QUARTER` removes a quarter's data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from fanpin.batch.history import HistoryDB, open_history
from fanpin.batch.job import resolve_history_path
from fanpin.batch.purge import purge_quarter
from fanpin.cli.common import state
from fanpin.compare.quarter import Quarter

HELP = """列出历史数据库中记录的各次运行（季度、时间、问题条数、名单人数、输入文件数）。

加 --delete 季度 删除该季度的全部历史记录（运行、问题、县里答复、身份证号更正），
再加 --outputs 同时删除该季度的结果文件夹。删除前会要求确认；定时任务中用 --yes。

示例：

  fanpin runs --job jobs/sample_job.toml

  fanpin runs --db out/jobs/history.sqlite3 --delete 2024Q3 --outputs
"""


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return escape(str(value))


def runs(
    db: Path | None = typer.Option(None, "--db", help="历史数据库文件。", envvar="FANPIN_DB"),
    job: Path | None = typer.Option(None, "--job", help="任务文件：从中读取历史数据库位置。"),
    delete: str | None = typer.Option(None, "--delete", help="删除该季度的历史数据，如 2024Q3。"),
    outputs: bool = typer.Option(False, "--outputs", help="与 --delete 同用：也删除结果文件夹。"),
    yes: bool = typer.Option(False, "--yes", "-y", help="不再询问，直接删除。"),
) -> None:
    path = resolve_history_path(db, job)
    with open_history(path) as store:
        if delete is not None:
            _delete(store, Quarter.parse(delete), outputs, yes)
            return
        frame = store.runs()
    if frame.empty:
        state.out.print("历史数据库中还没有运行记录。")
        return
    table = Table(title=f"运行记录（{escape(path.name)}）")
    for label in (
        "编号",
        "季度",
        "开始时间",
        "结束时间",
        "问题条数",
        "名单人数",
        "输入文件",
        "fanpin",
    ):
        table.add_column(
            label,
            justify="right" if label in ("编号", "问题条数", "名单人数", "输入文件") else "left",
        )
    cols = [
        "run_id",
        "quarter",
        "started_at",
        "finished_at",
        "findings_count",
        "roster_count",
        "inputs_count",
        "fanpin_version",
    ]
    for row in frame[cols].itertuples(index=False):  # one row per run: a few dozen at most
        table.add_row(*(_cell(v) for v in row))
    state.out.print(table)


def _delete(store: HistoryDB, quarter: Quarter, outputs: bool, yes: bool) -> None:
    what = "历史记录和结果文件夹" if outputs else "历史记录"
    if not yes:
        if not state.err.is_terminal:
            state.error("删除需要确认：非交互运行时请加 --yes")
            raise typer.Exit(2)
        typer.confirm(f"确定删除 {quarter.label} 的全部{what}？此操作不能撤销", abort=True)
    report = purge_quarter(store, quarter, delete_outputs=outputs)
    counts = report.counts
    state.out.print(
        f"已删除 {quarter.label}：运行 {counts['runs']} 次、问题 {counts['findings']} 条、"
        f"县里答复 {counts['feedback']} 条、身份证号更正 {counts['corrections']} 条。"
    )
    for folder in report.folders_deleted:
        state.out.print(f"已删除结果文件夹 {escape(str(folder))}")
    for folder in report.folders_kept:
        state.warn(f"文件夹 {folder} 不是这些运行写出的（可能已被之后的运行替换），未删除")


def register(app: typer.Typer) -> None:
    app.command("runs", help=HELP)(runs)
