"""Turn a Table's coded text columns into canonical values: `coerce(table) -> (frame, problems)`.

Levels and categories become Int8 (1..4, 1..7), statuses and types their canonical Chinese
words, dates datetime64[s], pay months "YYYY-MM", amounts Float64, whole numbers Int64.
Cells that cannot be read become NA in the frame and a located InputProblem (file, sheet,
Excel row, the column's header, the value). Text columns pass through untouched.

A combined 残疾类别等级 column (field category_level: "肢体二级") fills category and level
where those are blank. Cells that held an Excel error value (#N/A, read as NA, listed in
Table.error_cells) are reported when their column is coded or must be filled; elsewhere
they stay NA quietly.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pandera.errors

from fanpin.errors import ErrorCode, InputProblem
from fanpin.io.read import Table
from fanpin.io.schemas import (
    ParsedColumns,
    build_schema,
    check_name,
    value_parser,
    value_problem,
)
from fanpin.io.spec import ColumnSpec, KindSpec, load_column_spec
from fanpin.normalize import codes
from fanpin.privacy import mask_value

# Problems listed one by one per column of a file; the rest are counted in one more line.
MAX_PROBLEMS_PER_COLUMN = 50
_SHOWN_CHARS = 30


def coerce(
    table: Table,
    *,
    columns: ColumnSpec | None = None,
    vocabularies: Mapping[str, codes.Vocabulary] | None = None,
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Canonical frame of a Table plus the problems found; never raises for bad cells."""
    spec = (columns or load_column_spec()).kind(table.kind)
    vocabularies = vocabularies if vocabularies is not None else codes.load_vocabularies()
    frame = table.frame
    parsed = ParsedColumns()
    problems: list[InputProblem] = []
    try:
        build_schema(spec, vocabularies, parsed).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        problems = _problems(exc.failure_cases, table, spec, vocabularies)

    errors = _error_problems(table, spec)
    if errors:
        # A not_null column's error cell is reported as the error, not as a blank cell.
        located = {(p.sheet, p.row, p.column) for p in errors}
        problems = [
            p
            for p in problems
            if (p.sheet, p.row, p.column) not in located or "不能为空" not in p.message
        ]
        problems.extend(errors)

    out = frame.copy()
    for key, fspec in spec.fields.items():
        parser = value_parser(fspec, vocabularies)
        if parser is None or key not in out:
            continue
        # The check already parsed the non-blank cells; blank rows become NA.
        out[key] = parsed[key].reindex(out.index) if key in parsed else parser(out[key])
    if "category_level" in out and {"category", "level"} <= set(out.columns):
        problems.extend(_split_category_level(out, table, vocabularies))
    return out, problems


def _split_category_level(
    out: pd.DataFrame, table: Table, vocabularies: Mapping[str, codes.Vocabulary]
) -> list[InputProblem]:
    """Fill blank category / level from the combined column; report cells it cannot read."""
    combined = out["category_level"]
    if combined.isna().all():
        return []
    cat, lvl = codes.split_category_level(combined, vocabularies["category"], vocabularies["level"])
    needed_cat = out["category"].isna() & combined.notna()
    needed_lvl = out["level"].isna() & combined.notna()
    out["category"] = out["category"].fillna(cat)
    out["level"] = out["level"].fillna(lvl)
    bad = (needed_cat & cat.isna()) | (needed_lvl & lvl.isna())
    if not bad.any():
        return []
    label = table.labels.get("category_level", "残疾类别等级")
    rows = out.loc[bad, ["_sheet", "_row", "category_level"]]
    problems = [
        InputProblem(
            ErrorCode.BAD_VALUE,
            "无法从中识别残疾类别和等级，应写作如“肢体二级”“视力一级”",
            file=table.path.name,
            sheet=str(sheet),
            row=int(row),
            column=label,
            value=_shown(value, False),
        )
        for sheet, row, value in rows.head(MAX_PROBLEMS_PER_COLUMN).itertuples(index=False)
    ]
    more = len(rows) - MAX_PROBLEMS_PER_COLUMN
    if more > 0:
        problems.append(_more(more, table.path.name, label))
    return problems


def _error_problems(table: Table, spec: KindSpec) -> list[InputProblem]:
    """Excel error cells of coded or must-fill columns, located (see Table.error_cells)."""
    problems: list[InputProblem] = []
    for key, cells in table.error_cells.items():
        fspec = spec.fields.get(key)
        if fspec is None or not (fspec.type == "code" or key in spec.not_null):
            continue
        label = table.labels.get(key) or spec.field_label(key)
        for sheet, row, text in sorted(cells)[:MAX_PROBLEMS_PER_COLUMN]:
            problems.append(
                InputProblem(
                    ErrorCode.BAD_VALUE,
                    f"单元格为 Excel 错误值 {text}，请检查公式",
                    file=table.path.name,
                    sheet=sheet,
                    row=row,
                    column=label,
                    value=text,
                )
            )
        more = len(cells) - MAX_PROBLEMS_PER_COLUMN
        if more > 0:
            problems.append(_more(more, table.path.name, label))
    return problems


def _more(count: int, name: str, label: str) -> InputProblem:
    return InputProblem(
        ErrorCode.BAD_VALUE, f"另有 {count} 行有同样的问题，未逐一列出", file=name, column=label
    )


def _problems(
    failures: pd.DataFrame,
    table: Table,
    spec: KindSpec,
    vocabularies: Mapping[str, codes.Vocabulary],
) -> list[InputProblem]:
    frame = table.frame
    name = table.path.name
    problems: list[InputProblem] = []
    # One block per (column, kind of failure), rows in sheet order.
    for (column, check), group in failures.groupby(["column", "check"], sort=False):
        key = str(column)
        fspec = spec.fields.get(key)
        label = table.labels.get(key) or spec.field_label(key)
        if check == "column_in_dataframe":
            problems.append(
                InputProblem(ErrorCode.MISSING_COLUMN, f"缺少必需的列“{label}”", file=name)
            )
            continue
        if fspec is None:
            continue
        if check == "not_nullable":
            message = "此列必须填写，不能为空"
        elif check == check_name(key):
            message = value_problem(fspec, vocabularies)
        else:
            message = f"不符合要求（{check}）"
        rows = group["index"].dropna().astype("int64")
        located = frame.loc[rows, ["_sheet", "_row"]].assign(value=group["failure_case"].to_numpy())
        located = located.sort_values(["_sheet", "_row"], kind="stable")
        for sheet, row, value in located.head(MAX_PROBLEMS_PER_COLUMN).itertuples(index=False):
            problems.append(
                InputProblem(
                    ErrorCode.BAD_VALUE,
                    message,
                    file=name,
                    sheet=str(sheet),
                    row=int(row),
                    column=label,
                    value=_shown(value, fspec.personal),
                )
            )
        more = len(located) - MAX_PROBLEMS_PER_COLUMN
        if more > 0:
            problems.append(_more(more, name, label))
    return problems


def _shown(value: object, personal: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if personal:
        return mask_value(text)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
