"""Turn a Table's coded text columns into canonical values: `coerce(table) -> (frame, problems)`.

Levels and categories become Int8 (1..4, 1..7), statuses and types their canonical Chinese
words, dates datetime64[s], pay months "YYYY-MM", amounts Float64, whole numbers Int64.
Cells that cannot be read become NA in the frame and a located InputProblem (file, sheet,
Excel row, the column's header, the value). Text columns pass through untouched.
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

    out = frame.copy()
    for key, fspec in spec.fields.items():
        parser = value_parser(fspec, vocabularies)
        if parser is None or key not in out:
            continue
        # The check already parsed the non-blank cells; blank rows become NA.
        out[key] = parsed[key].reindex(out.index) if key in parsed else parser(out[key])
    return out, problems


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
            problems.append(
                InputProblem(
                    ErrorCode.BAD_VALUE,
                    f"另有 {more} 行有同样的问题，未逐一列出",
                    file=name,
                    column=label,
                )
            )
    return problems


def _shown(value: object, personal: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if personal:
        return mask_value(text)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
