"""Read the agencies' files into canonical tables: `read_tables(paths, kind) -> list[Table]`.

One Table per input file. A workbook's sheets that carry a recognisable header are read and
stacked into that one Table, hidden sheets included; `_sheet` tells them apart. Sheets that
are not lists of people are skipped with a notice in `Table.skipped_sheets`: a sheet named
like 填表说明 / 示例 (its example row is no person), a sheet without a header, and a sheet
whose header names neither 姓名 with an ID column nor all required columns (a 汇总 sheet
of counts, a hidden 字典 of drop-down values) — as long as another sheet of the file is a
list. Cells stay text (see io/cells.py); coded columns are turned into values by
`fanpin.io.coerce`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.io.cells import STRING
from fanpin.io.grids import ColumnGrid, Grid
from fanpin.io.header import HeaderMatch, find_header
from fanpin.io.header_problems import (
    ambiguity_problems,
    missing_columns_problem,
    no_header_problem,
)
from fanpin.io.rows import SheetRecords, read_records
from fanpin.io.sniff import Content, sniff
from fanpin.io.spec import ColumnSpec, KindSpec, load_column_spec
from fanpin.io.textfile import MalformedText, UndecodableText, decode, parse_text
from fanpin.io.workbook import EncryptedWorkbook, UnreadableWorkbook, open_workbook

log = logging.getLogger(__name__)

META_COLUMNS = ("_source", "_sheet", "_row")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet",)
SUPPORTED = "、".join((*WORKBOOK_SUFFIXES, *TEXT_SUFFIXES, *PARQUET_SUFFIXES))


@dataclass
class Table:
    """One input file read into canonical fields.

    frame: one column per field of the kind (English names from schemas/columns.toml), raw
    text cells (Arrow strings, NA for blank; a field the file lacks is all NA), then the meta
    columns _source (file name), _sheet ("" for CSV/Parquet) and _row (int64, the row
    number Excel shows, or the CSV line number). RangeIndex.
    rows_read counts the data rows under the header(s); rows_read - sum(dropped) == len(frame).
    """

    kind: str
    frame: pd.DataFrame
    path: Path
    sha256: str
    rows_read: int
    dropped: dict[str, int]
    sheets: list[str] = field(default_factory=list)  # sheets read, in order
    found: dict[str, str] = field(default_factory=dict)  # field -> header text in the file
    labels: dict[str, str] = field(default_factory=dict)  # field -> header to show a person
    encoding: str = ""  # text files only
    skipped_sheets: dict[str, str] = field(default_factory=dict)  # sheet -> reason (Chinese)
    # Cells holding an Excel error value (#N/A ...), NA in the frame: field -> rows found,
    # as (sheet, Excel row, error text); coerce reports those of coded / not_null fields.
    error_cells: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)


def read_tables(
    paths: Sequence[Path], kind: str, *, columns: ColumnSpec | None = None
) -> list[Table]:
    """Read every file of one kind; all problems of all files are raised together."""
    spec = (columns or load_column_spec()).kind(kind)
    tables: list[Table] = []
    problems: list[InputProblem] = []
    for path in paths:
        try:
            tables.append(_read_one(Path(path), spec))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return tables


def read_table(path: Path, kind: str, *, columns: ColumnSpec | None = None) -> Table:
    """Read one file (see read_tables)."""
    return _read_one(Path(path), (columns or load_column_spec()).kind(kind))


# --------------------------------------------------------------------------------- one file


def _fail(code: ErrorCode, message: str, name: str, **where: object) -> InputError:
    return InputError.single(code, message, file=name, **where)


def _read_one(path: Path, spec: KindSpec) -> Table:
    started = time.perf_counter()
    name = path.name
    if not path.exists():
        raise _fail(ErrorCode.FILE_NOT_FOUND, f"找不到文件（{path}）", name)
    if not path.is_file():
        raise _fail(ErrorCode.FILE_NOT_FOUND, f"这是一个文件夹，不是文件（{path}）", name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(
            ErrorCode.FILE_UNREADABLE, "无法打开文件（可能正被 Excel/WPS 占用或没有权限）", name
        ) from exc
    if not data or data.isspace():
        raise _fail(ErrorCode.FILE_EMPTY, "文件是空的", name)

    source = _grids(path, data)
    try:
        table = _assemble(source, spec, path, hashlib.sha256(data).hexdigest())
    except MalformedText as exc:
        raise _fail(ErrorCode.FILE_UNREADABLE, f"CSV 格式错误：{exc}", name) from exc
    table.encoding = source.encoding
    log.info(
        "read %s (%s): %d rows, %d kept, dropped %s, %.2fs",
        name,
        spec.kind,
        table.rows_read,
        len(table.frame),
        table.dropped,
        time.perf_counter() - started,
    )
    return table


@dataclass
class _Source:
    grids: list[Grid]
    encoding: str = ""  # text files only
    skipped_sheets: dict[str, str] = field(default_factory=dict)  # sheet -> reason (Chinese)
    # Cells holding an Excel error value (#N/A ...), NA in the frame: field -> rows found,
    # as (sheet, Excel row, error text); coerce reports those of coded / not_null fields.
    error_cells: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)  # hidden sheets (read when they are lists)


def _grids(path: Path, data: bytes) -> _Source:
    """The sheets of a file as grids."""
    name, suffix = path.name, path.suffix.lower()
    content = sniff(data)
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook_grids(path, suffix, content)
    if suffix in TEXT_SUFFIXES:
        if content in (Content.ZIP, Content.OLE, Content.ENCRYPTED):
            # A workbook saved under a .csv name: read it for what it is.
            return _workbook_grids(path, suffix, content)
        if content == Content.BINARY:
            raise _fail(ErrorCode.FILE_UNREADABLE, "文件不是文本文件，无法按 CSV 读取", name)
        try:
            text, encoding = decode(data)
        except UndecodableText as exc:
            raise _fail(ErrorCode.FILE_UNREADABLE, str(exc), name) from exc
        if not text or text.isspace():
            raise _fail(ErrorCode.FILE_EMPTY, "文件是空的", name)
        utf8 = {"utf-8": data, "utf-8-sig": data[3:]}.get(encoding)
        return _Source([parse_text(text, utf8)], encoding)
    if suffix in PARQUET_SUFFIXES:
        try:
            return _Source([ColumnGrid(pq.read_table(path))])
        except (OSError, ValueError) as exc:
            raise _fail(
                ErrorCode.FILE_UNREADABLE, f"Parquet 文件已损坏或无法读取：{exc}", name
            ) from exc
    raise _fail(
        ErrorCode.UNSUPPORTED_FORMAT,
        f"不支持的文件类型“{suffix or '（无扩展名）'}”，支持：{SUPPORTED}",
        name,
    )


_WRONG_CONTENT = {
    Content.TEXT: "文件扩展名是 {suffix}，但内容是纯文本（可能是改了扩展名的 CSV）。"
    "请用 Excel/WPS 打开后另存为 .xlsx，或把扩展名改为 .csv",
    Content.HTML: "文件扩展名是 {suffix}，但内容是网页（HTML），不是真正的 Excel 文件。"
    "请用 Excel/WPS 打开后另存为 .xlsx",
    Content.XML: "文件是 Excel 2003 XML 格式，无法直接读取。请用 Excel/WPS 打开后另存为 .xlsx",
    Content.BINARY: "文件不是 Excel 工作簿，或已损坏",
}
_ENCRYPTED = (
    "文件已加密（设有打开密码），无法读取。请在 Excel/WPS 中打开，取消密码"
    "（文件→信息→保护工作簿→用密码进行加密，清空密码）后保存，再重新运行"
)


def _workbook_grids(path: Path, suffix: str, content: Content) -> _Source:
    name = path.name
    if content == Content.ENCRYPTED:
        raise _fail(ErrorCode.FILE_ENCRYPTED, _ENCRYPTED, name)
    if content in _WRONG_CONTENT:
        raise _fail(ErrorCode.FILE_UNREADABLE, _WRONG_CONTENT[content].format(suffix=suffix), name)
    expected = {".xls": Content.OLE}.get(suffix, Content.ZIP)
    by_content = content != expected or suffix not in WORKBOOK_SUFFIXES
    try:
        book = open_workbook(path, by_content=by_content, include_hidden=True)
    except EncryptedWorkbook as exc:
        raise _fail(ErrorCode.FILE_ENCRYPTED, _ENCRYPTED, name) from exc
    except UnreadableWorkbook as exc:
        raise _fail(
            ErrorCode.FILE_UNREADABLE, f"文件已损坏或不是有效的 Excel 文件（{exc}）", name
        ) from exc
    if not book.grids:
        raise _fail(ErrorCode.FILE_EMPTY, "工作簿中没有可读取的工作表", name)
    return _Source(list(book.grids), hidden=book.hidden)


# ------------------------------------------------------------------------------ the sheets


# Sheet names of instructions and filled-in examples: their example row is not a person.
_INSTRUCTIONS = re.compile(r"说明|示例|样例|范例|样表|须知|填表要求|填写要求|填报要求|指南")
SKIP_INSTRUCTIONS = "填表说明或示例工作表，不是名单"
SKIP_NO_HEADER = "没有可识别的表头"


def _is_person_list(match: HeaderMatch) -> bool:
    """A header naming 姓名 and an ID column heads a list of people, even if incomplete."""
    present = set(match.columns)
    return "name" in present and bool(present & {"id_number", "cert_number"})


def _assemble(source: _Source, spec: KindSpec, path: Path, sha256: str) -> Table:
    name, grids = path.name, source.grids
    sheets: list[tuple[Grid, SheetRecords]] = []
    problems: list[InputProblem] = []  # abort the file whatever else it holds
    incomplete: list[InputProblem] = []  # sheets skipped for missing columns
    skipped: dict[str, str] = {}
    instructions: list[str] = []  # instruction sheets that had a full header
    seen_any = False
    for grid in grids:
        head = grid.head(spec.header.search_rows + 1)
        if not any(any(row) for row in head):
            continue  # an empty sheet
        seen_any = True
        match = find_header(head, spec, grid.merges)
        if _INSTRUCTIONS.search(grid.sheet):
            skipped[grid.sheet] = SKIP_INSTRUCTIONS
            if match is not None and missing_columns_problem(grid, match, spec, name) is None:
                instructions.append(grid.sheet)
            continue
        if match is None:
            skipped[grid.sheet] = SKIP_NO_HEADER
            continue
        missing = missing_columns_problem(grid, match, spec, name)
        if missing is not None:
            if _is_person_list(match):
                problems.append(missing)  # people would be lost: never skip quietly
            else:
                incomplete.append(missing)
                skipped[grid.sheet] = missing.message.split("。", 1)[0]
            continue
        found_problems = ambiguity_problems(grid, match, spec, name)
        if found_problems:
            problems.extend(found_problems)
            continue
        sheets.append((grid, read_records(grid, match, spec, name)))

    if problems:
        raise InputError(problems)
    if not seen_any:
        raise _fail(ErrorCode.FILE_EMPTY, "文件中没有任何数据", name)
    if not sheets:
        if incomplete:
            raise InputError(incomplete)
        if instructions:
            listed = "、".join(instructions)
            raise _fail(
                ErrorCode.HEADER_NOT_FOUND,
                f"只在工作表“{listed}”中找到表头，但它看起来是填表说明或示例，未作为名单读取。"
                "请把名单放在单独的工作表中（工作表名称不要含“说明”“示例”等字样）",
                name,
            )
        raise InputError([no_header_problem(source.grids, source.hidden, spec, name)])
    for sheet, reason in skipped.items():
        log.warning("sheet %r of %s skipped: %s", sheet, name, reason)

    frames = [_with_all_fields(s.frame, spec) for _, s in sheets]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    dropped: dict[str, int] = {}
    found: dict[str, str] = {}
    errors: dict[str, list[tuple[str, int, str]]] = {}
    for grid, s in sheets:
        for reason, count in s.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + count
        for key in s.match.columns:
            found.setdefault(key, s.match.text_of(key))
        for key, cells in s.errors.items():
            errors.setdefault(key, []).extend((grid.sheet, row, text) for row, text in cells)
    return Table(
        kind=spec.kind,
        frame=frame,
        path=path,
        sha256=sha256,
        rows_read=sum(s.rows_read for _, s in sheets),
        dropped=dropped,
        sheets=[g.sheet for g, _ in sheets],
        found=found,
        labels={k: found.get(k, f.label) for k, f in spec.fields.items()},
        skipped_sheets=skipped,
        error_cells=errors,
    )


def _with_all_fields(frame: pd.DataFrame, spec: KindSpec) -> pd.DataFrame:
    """Every field of the kind as a column, in canonical order, then the meta columns."""
    out = frame.copy(deep=False)
    for key in spec.fields:
        if key not in out:
            out[key] = pd.Series(pd.NA, index=out.index, dtype=STRING)
    return out[[*spec.fields, *META_COLUMNS]]
