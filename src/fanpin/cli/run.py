"""`fanpin run JOB.toml`: the quarterly comparison as an unattended job."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fanpin.batch.job import load_job, parse_fail_on
from fanpin.batch.runner import RunOutcome, job_summary, run_job
from fanpin.cli.common import state, step_progress
from fanpin.compare.quarter import Quarter
from fanpin.findings import CODES

log = logging.getLogger(__name__)
EXIT_FAIL_ON = 3

HELP = """按任务文件运行季度比对（适合定时任务），并与以往季度对照。

结果写入 输出根目录/季度（如 out/jobs/2024Q3/）：比对结果、变化清单 changes.csv 和
变化.xlsx（新增、持续、已解决、督办），历史记入任务文件指定的数据库。
同一季度同时只能有一个任务在写；中途被终止时保留上一次的完整结果。

退出码：0 完成；1 程序内部错误；2 输入或任务文件有误，或该季度正被另一个任务占用；
3 出现了 --fail-on 指定的问题代码。

示例：

  fanpin run jobs/sample_job.toml

  fanpin --log-json run 任务.toml --fail-on DECEASED_PAID,DUPLICATE_RECORD

  crontab：0 6 5 1,4,7,10 * fanpin --log-json run /srv/fanpin/任务.toml >> /var/log/fanpin.log 2>&1
"""


def _summary(outcome: RunOutcome) -> Table:
    changes = outcome.changes
    previous = changes.previous_quarter.label if changes.previous_quarter else "无"
    where = escape(str(outcome.out_dir))
    table = Table(
        title=f"{outcome.job.quarter.label} 比对完成（与 {previous} 对照；结果在 {where}）"
    )
    for label in ("问题代码", "问题", "本季度", "新增", "持续", "已解决", "督办"):
        table.add_column(label, justify="left" if label in ("问题代码", "问题") else "right")
    frame = changes.table
    for code, spec in CODES.items():
        of_code = frame[frame["code"] == code]
        if of_code.empty:
            continue
        counts = [int((of_code["change"] == c).sum()) for c in ("new", "open", "resolved")]
        urgent = int((changes.escalation["code"] == code).sum())
        table.add_row(
            code, spec.title, str(counts[0] + counts[1]), *(str(c) for c in counts), str(urgent)
        )
    table.add_row("", "未解除返贫风险残疾人名单", str(len(outcome.result.roster)), "", "", "", "")
    return table


def run(
    job_file: Path = typer.Argument(..., help="任务文件（TOML），见 jobs/sample_job.toml。"),
    fail_on: str | None = typer.Option(
        None,
        "--fail-on",
        help="出现这些问题代码时以退出码 3 结束（逗号分隔），覆盖任务文件中的 fail_on。",
    ),
    quarter: str | None = typer.Option(
        None, "--quarter", help="改跑指定季度（如 2024Q2），覆盖任务文件中的 quarter。"
    ),
    mask: bool = typer.Option(
        False, "--mask", help="输出中的身份证号、证号、电话打码（历史库中仍存完整数据）。"
    ),
) -> None:
    override = Quarter.parse(quarter) if quarter else None
    job = load_job(job_file, quarter_override=override)
    if fail_on is not None:
        job = replace(job, fail_on=parse_fail_on(fail_on))
    if mask:
        job = replace(job, mask=True)
    log.info(
        "job loaded",
        extra={
            "fields": {
                "job": job.path.name,
                "quarter": job.quarter.label,
                "files": {k: len(v) for k, v in job.inputs.items()},
            }
        },
    )
    with step_progress() as on_step:
        outcome = run_job(job, on_step=on_step)
    log.info("run finished", extra={"fields": {**job_summary(outcome), "seconds": outcome.seconds}})

    for note in outcome.settled:
        state.warn(note)
    if outcome.changed_inputs:
        state.warn(
            f"与上次运行 {outcome.job.quarter.label} 时相比，这些输入文件有变化："
            + "、".join(outcome.changed_inputs)
        )
    if outcome.stale_lock is not None:
        state.warn(f"上一次运行（{outcome.stale_lock.describe()}）异常结束，留下的锁已清除")
    if not state.log_json:
        state.out.print(_summary(outcome))
    for note in outcome.result.skipped_checks:
        state.warn(note)
    if outcome.fail_codes_found:
        found = "、".join(f"{c}（{n} 条）" for c, n in outcome.fail_codes_found.items())
        state.warn(f"出现了 --fail-on 指定的问题：{found}，退出码 {EXIT_FAIL_ON}")
        raise typer.Exit(EXIT_FAIL_ON)


def register(app: typer.Typer) -> None:
    app.command("run", help=HELP)(run)
