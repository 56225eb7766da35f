"""pandera schemas of the input kinds, built from schemas/columns.toml and schemas/codes.toml.

A schema checks a Table's raw text frame: required columns present, cells of the columns
listed in `not_null` filled, and every coded, date, month or number cell readable by its
parser from fanpin.normalize.codes. Text columns (names, IDs, certificate numbers, phones)
are left to the normalisers and the findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import pandas as pd
import pandera.pandas as pa

from fanpin.io.spec import FieldSpec, KindSpec
from fanpin.normalize import codes

Parser = Callable[[pd.Series], pd.Series]

DATE_HINT = "2024-07-01、2024/7/1、20240701 或 2024年7月1日"
MONTH_HINT = "202407、2024-07、2024/7 或 2024年7月"


def value_parser(spec: FieldSpec, vocabularies: Mapping[str, codes.Vocabulary]) -> Parser | None:
    """The function turning a field's raw text into values, or None for free text."""
    if spec.type == "code":
        return partial(codes.map_codes, vocabulary=vocabularies[spec.codes])
    return {
        "date": codes.parse_dates,
        "month": codes.parse_months,
        "amount": codes.parse_amounts,
        "int": codes.parse_ints,
    }.get(spec.type)


def value_problem(spec: FieldSpec, vocabularies: Mapping[str, codes.Vocabulary]) -> str:
    """Chinese message for a cell its parser cannot read."""
    if spec.type == "code":
        vocabulary = vocabularies[spec.codes]
        return f"无法识别的{vocabulary.label}，应为：{vocabulary.describe()}"
    return {
        "date": f"不是有效的日期，可写作 {DATE_HINT}",
        "month": f"不是有效的年月，可写作 {MONTH_HINT}",
        "amount": "不是有效的金额，应为数字",
        "int": "不是有效的整数",
    }.get(spec.type, "取值无效")


def check_name(key: str) -> str:
    return f"readable:{key}"


class ParsedColumns(dict[str, pd.Series]):
    """Where value checks leave what they parsed. pandera deep-copies a schema's checks while
    validating, so the store refuses to be copied: every copy is the store itself."""

    def __copy__(self) -> ParsedColumns:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> ParsedColumns:
        return self


def build_schema(
    spec: KindSpec,
    vocabularies: Mapping[str, codes.Vocabulary] | None = None,
    parsed: ParsedColumns | None = None,
) -> pa.DataFrameSchema:
    """The kind's DataFrameSchema. When `parsed` is given, each value check leaves the parsed
    column there (non-blank rows only) so coercion need not parse it twice."""
    vocabularies = vocabularies if vocabularies is not None else codes.load_vocabularies()
    columns = {}
    for key, fspec in spec.fields.items():
        checks = []
        parser = value_parser(fspec, vocabularies)
        if parser is not None:
            checks.append(
                pa.Check(
                    partial(_readable, parser=parser, key=key, sink=parsed),
                    name=check_name(key),
                    error=check_name(key),
                )
            )
        columns[key] = pa.Column(
            nullable=key not in spec.not_null,
            required=key in spec.required,
            checks=checks,
        )
    return pa.DataFrameSchema(columns, strict=False, name=spec.kind)


def _readable(
    values: pd.Series,
    parser: Parser,
    key: str,
    sink: ParsedColumns | None,
) -> pd.Series:
    # pandera hands over the non-blank cells only.
    result = parser(values)
    if sink is not None:
        sink[key] = result
    return result.notna().astype(bool)
