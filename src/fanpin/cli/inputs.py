"""Input file options: a folder or a wildcard pattern stands for the files it holds.

Windows cmd does not expand `*.xlsx` itself, and a province has 117 county files, so
every file option accepts files, folders and patterns.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from fanpin.errors import ErrorCode, InputError

DATA_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".parquet"}


def _is_data_file(path: Path) -> bool:
    # "~$x.xlsx" is Excel's lock file for an open workbook, not data.
    return path.suffix.lower() in DATA_SUFFIXES and not path.name.startswith("~$")


def expand_inputs(paths: Iterable[Path], option: str) -> list[Path]:
    """Files as given; folders and patterns replaced by the data files they name, sorted."""
    out: list[Path] = []
    for path in paths:
        text = str(path)
        if any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in glob.glob(text) if _is_data_file(Path(p)))
            if not found:
                raise InputError.single(
                    ErrorCode.FILE_NOT_FOUND,
                    "没有与此通配符相符的数据文件",
                    column=option,
                    value=text,
                )
            out.extend(found)
        elif path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_data_file(p))
            if not found:
                raise InputError.single(
                    ErrorCode.FILE_NOT_FOUND,
                    "文件夹中没有数据文件（.xlsx、.xls、.csv、.parquet 等）",
                    column=option,
                    value=text,
                )
            out.extend(found)
        else:
            out.append(path)
    # The same file given twice would duplicate every row.
    unique: dict[Path, Path] = {}
    for path in out:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
