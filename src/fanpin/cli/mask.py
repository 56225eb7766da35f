"""`fanpin mask FILE --out F`: a masked copy of a spreadsheet or CSV fanpin made."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.markup import escape

from fanpin.batch.masking import mask_file
from fanpin.cli.common import state
from fanpin.errors import ErrorCode, InputError

log = logging.getLogger(__name__)

HELP = """生成 fanpin 结果文件的打码副本，便于外发：身份证号、残疾人证号、联系电话、
银行卡号按列名打码（保留前后几位），其他文字中的长串数字也打码。原文件不会被改动。

支持 .csv 和 .xlsx（fanpin 生成的清单、名单、变化表等）。

示例：

  fanpin mask out/jobs/2024Q3/findings.csv --out 外发/findings_打码.csv

  fanpin mask out/jobs/2024Q3/民政_应保尽保排查名单.xlsx --out 外发/民政名单_打码.xlsx
"""


def mask(
    file: Path = typer.Argument(..., help="要打码的文件（.csv 或 .xlsx）。"),
    out: Path = typer.Option(..., "--out", help="打码副本的保存位置。"),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖。"),
) -> None:
    if out.exists() and not force:
        raise InputError.single(
            ErrorCode.OUTPUT_CONFLICT,
            "输出文件已存在；如要覆盖请加 --force",
            column="--out",
            value=out.name,
        )
    if out.suffix.lower() != file.suffix.lower():
        raise InputError.single(
            ErrorCode.BAD_OPTION,
            f"输出文件应与输入同为 {file.suffix} 格式",
            column="--out",
            value=out.name,
        )
    changed = mask_file(file, out)
    log.info("masked copy written", extra={"fields": {"file": file.name, "cells": changed}})
    state.out.print(f"已写出打码副本 {escape(str(out))}（打码 {changed} 个单元格）")


def register(app: typer.Typer) -> None:
    app.command("mask", help=HELP)(mask)
