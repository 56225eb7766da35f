"""`fanpin diff 2024Q2 2024Q3`: how one quarter's findings differ from an earlier one's."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from fanpin.batch.changes import Changes, diff_quarters
from fanpin.batch.changes_output import summary_frame, write_changes_book, write_changes_csv
from fanpin.batch.files import atomic_write
from fanpin.batch.history import open_history
from fanpin.batch.job import resolve_history_path
from fanpin.batch.runner import escalate_after
from fanpin.cli.common import state
from fanpin.compare.quarter import Quarter
from fanpin.errors import ErrorCode, InputError
from fanpin.rules import load_rules

HELP = """对照两个季度的比对结果：后一季度新增、持续（及持续季度数）、已解决的问题，
以及持续两个季度及以上、需督办的问题。两个季度都须已用 fanpin run 记入历史。

加 --out 把明细写成 .csv 或 .xlsx（新增/持续/已解决/督办 各一页）。

示例：

  fanpin diff 2024Q2 2024Q3 --job jobs/sample_job.toml

  fanpin diff 2024Q2 2024Q3 --db out/jobs/history.sqlite3 --out 变化_2024Q3.xlsx --mask
"""


def _table(changes: Changes, older: Quarter) -> Table:
    frame = summary_frame(changes)
    table = Table(title=f"{changes.quarter.label} 与 {older.label} 对照")
    for col in frame.columns:
        table.add_column(str(col), justify="left" if col in ("问题", "问题代码") else "right")
    for row in frame.itertuples(index=False):  # one row per finding code
        table.add_row(*(str(v) for v in row))
    return table


def diff(
    older: str = typer.Argument(..., help="较早的季度，如 2024Q2。"),
    newer: str = typer.Argument(..., help="较晚的季度，如 2024Q3。"),
    db: Path | None = typer.Option(None, "--db", help="历史数据库文件。", envvar="FANPIN_DB"),
    job: Path | None = typer.Option(None, "--job", help="任务文件：从中读取历史数据库位置。"),
    out: Path | None = typer.Option(None, "--out", help="把明细写入此文件（.csv 或 .xlsx）。"),
    mask: bool = typer.Option(False, "--mask", help="写出的身份证号、证号、电话打码。"),
    rules: Path | None = typer.Option(None, "--rules", help="规则文件（督办的季度数）。"),
) -> None:
    first, second = Quarter.parse(older), Quarter.parse(newer)
    if not first < second:
        raise InputError.single(
            ErrorCode.BAD_OPTION, "第一个季度应早于第二个季度", value=f"{older} {newer}"
        )
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError.single(
            ErrorCode.BAD_OPTION, "--out 只能是 .csv 或 .xlsx 文件", column="--out", value=out.name
        )
    after = escalate_after(load_rules(rules))
    with open_history(resolve_history_path(db, job)) as store:
        recorded = store.latest_run_per_quarter()
        missing = [q.label for q in (first, second) if q.label not in recorded]
        if missing:
            raise InputError.single(
                ErrorCode.BAD_OPTION,
                "历史中没有这些季度的运行记录："
                + "、".join(missing)
                + "（已有："
                + ("、".join(sorted(recorded)) or "无")
                + "）",
            )
        history = store.history_until(second, inclusive=True)
        changes = diff_quarters(
            history,
            first,
            second,
            answers=store.latest_answers_before(second),
            unchecked=store.unchecked_codes(),
            escalate_after=after,
        )
    state.out.print(_table(changes, first))
    if out is not None:
        writer = write_changes_csv if out.suffix.lower() == ".csv" else write_changes_book
        atomic_write(out, lambda tmp: writer(changes, tmp, mask=mask))
        state.out.print(f"明细已写入 {out}")


def register(app: typer.Typer) -> None:
    app.command("diff", help=HELP)(diff)
