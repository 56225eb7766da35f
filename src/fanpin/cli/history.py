"""`fanpin history ID`: one person's findings across quarters, and the county's answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from fanpin.batch.history import open_history
from fanpin.batch.job import resolve_history_path
from fanpin.batch.keys import id_key
from fanpin.batch.masking import mask_by_kind, mask_names, scrub_text
from fanpin.cli.common import state
from fanpin.findings import CODES
from fanpin.normalize.ids import clean_id_text

HELP = """查看一个人在各季度比对中的问题记录，以及县里的核查答复。

身份证号、证号和姓名默认打码显示；需要完整信息时加 --unmask。
历史数据库用 --db 指定，或用 --job 从任务文件中读取（也可设置环境变量 FANPIN_DB）。

示例：

  fanpin history 140102198001011234 --job jobs/sample_job.toml

  fanpin history 140102198001011234 --db out/jobs/history.sqlite3 --unmask
"""

DB_HELP = "历史数据库文件（.sqlite3）。"
JOB_HELP = "任务文件：从中读取历史数据库位置。"


def text(value: object) -> str:
    """A cell for a rich table: missing -> blank (rich markup is not interpreted)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return escape(str(value))


def _shown(frame: pd.DataFrame, unmask: bool) -> pd.DataFrame:
    if unmask:
        return frame
    out = frame.copy()
    out["id_number"] = mask_by_kind(out["id_number"], "id")
    out["cert_number"] = mask_by_kind(out["cert_number"], "cert")
    out["name"] = mask_names(out["name"])
    out["detail"] = scrub_text(out["detail"])
    return out


def history(
    id_number: str = typer.Argument(..., help="公民身份号码（15 位或 18 位）。"),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP, envvar="FANPIN_DB"),
    job: Path | None = typer.Option(None, "--job", help=JOB_HELP),
    unmask: bool = typer.Option(False, "--unmask", help="显示完整的身份证号、证号和姓名。"),
) -> None:
    path = resolve_history_path(db, job)
    key = id_key(id_number)
    with open_history(path) as store:
        if key is not None:
            found = store.person_findings(key)
        else:  # an invalid ID is stored as written
            cleaned = clean_id_text(pd.Series([id_number], dtype="str")).iloc[0]
            found = store.person_findings(f"raw:{cleaned}|", prefix=True)
        keys = sorted(set(found["person_key"])) if len(found) else ([key] if key else [])
        answers = (
            pd.concat([store.answers_for(k) for k in keys], ignore_index=True) if keys else None
        )

    if found.empty:
        state.out.print("历史中没有此人的问题记录。")
        return
    shown = _shown(found, unmask)
    who = f"{text(shown['name'].iloc[0])}（{text(shown['id_number'].iloc[0])}）"
    table = Table(title=f"{who}的历史问题")
    for label in ("季度", "问题代码", "问题", "市", "县(区)", "来源文件", "行号", "问题说明"):
        table.add_column(label)
    for row in shown.itertuples(index=False):  # one person: a handful of rows
        code = str(row.code)
        title = CODES[code].title if code in CODES else code
        table.add_row(
            *(
                text(v)
                for v in (
                    row.quarter,
                    row.code,
                    title,
                    row.city,
                    row.county,
                    row.source,
                    row.row,
                    row.detail,
                )
            )
        )
    state.out.print(table)
    if answers is not None and len(answers):
        replies = Table(title="县里的核查答复")
        for label in ("清单季度", "问题代码", "核查结果", "备注", "反馈文件", "记录时间"):
            replies.add_column(label)
        notes = answers["note"] if unmask else scrub_text(answers["note"])
        for row, note in zip(answers.itertuples(index=False), notes, strict=True):
            replies.add_row(
                *(
                    text(v)
                    for v in (
                        row.quarter,
                        row.code,
                        row.answer,
                        note,
                        row.file_name,
                        row.recorded_at,
                    )
                )
            )
        state.out.print(replies)


def register(app: typer.Typer) -> None:
    app.command("history", help=HELP)(history)
