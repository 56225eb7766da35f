"""Header detection, header normalisation, the column table and cell rendering."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from fanpin.errors import ErrorCode, InputError
from fanpin.io.cells import render_arrow, render_cells
from fanpin.io.header import find_header, header_like_row
from fanpin.io.header_problems import column_letter
from fanpin.io.spec import load_column_spec, normalize_header, parse_column_spec


def texts(values: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v for v in values]


@pytest.fixture(scope="module")
def dpf():
    return load_column_spec().kind("dpf")


@pytest.fixture(scope="module")
def dibao():
    return load_column_spec().kind("dibao")


@pytest.mark.parametrize(
    ("text", "key"),
    [("身份证 号码", "身份证号码"), ("公民身份号码\n", "公民身份号码"), ("县（区）", "县区"),
     ("县(区)", "县区"), ("县/区", "县区"), ("*姓名", "姓名"), ("姓　名", "姓名"),
     ("ＩＤ", "id"), ("县(市、区)", "县市区")],
)  # fmt: skip
def test_header_text_is_normalised(text: str, key: str) -> None:
    assert normalize_header(text) == key


def test_notes_in_headers_are_dropped() -> None:
    assert normalize_header("身份证号（必填）", ("必填",)) == "身份证号"


def test_header_under_title_rows_is_found(dpf) -> None:
    head = [
        ["2024年第三季度持证残疾人名单", "", ""],
        ["填报单位：某县残联", "", ""],
        ["姓名", "身份证号", "残疾等级"],
        ["张三", "140105199001010011", "二级"],
    ]
    match = find_header(head, dpf)
    assert match is not None
    assert (match.top, match.bottom) == (2, 2)
    assert match.columns == {"name": 0, "id_number": 1, "level": 2}


def test_two_row_header_without_merge_info_carries_group_right(dibao) -> None:
    # CSV has no merges: the upper cell is carried across the blanks to its right.
    head = [
        ["户主信息", "", "成员信息", "", "保障类别"],
        ["姓名", "身份证号", "姓名", "身份证号", ""],
        ["甲", "1", "乙", "2", "农村低保"],
    ]
    match = find_header(head, dibao)
    assert match is not None
    assert (match.top, match.bottom) == (0, 1)
    assert match.columns == {
        "head_name": 0,
        "head_id": 1,
        "name": 2,
        "id_number": 3,
        "dibao_type": 4,
    }


def test_merge_ranges_limit_how_far_a_group_reaches(dibao) -> None:
    head = [
        ["户主信息", "", "", ""],
        ["姓名", "身份证号", "姓名", "身份证号"],
    ]
    # "户主信息" covers only columns 0-1; columns 2-3 are the member's own.
    match = find_header(head, dibao, merges=[(0, 0, 0, 1)])
    assert match is not None
    assert match.columns == {"head_name": 0, "head_id": 1, "name": 2, "id_number": 3}


def test_guardian_group_never_falls_back_to_the_person(dpf) -> None:
    head = [["", "", "监护人", ""], ["姓名", "身份证号", "姓名", "身份证号"]]
    match = find_header(head, dpf, merges=[(0, 2, 0, 3)])
    assert match is not None
    assert match.columns == {"name": 0, "id_number": 1}
    assert match.duplicates == {}


def test_single_row_wins_a_tie_with_the_title_above_it(dpf) -> None:
    head = [["某某名单", "", ""], ["姓名", "身份证号", "性别"]]
    match = find_header(head, dpf)
    assert match is not None
    assert (match.top, match.bottom) == (1, 1)


def test_a_row_naming_one_field_is_not_a_header(dpf) -> None:
    assert find_header([["姓名", "备注"], ["甲", ""]], dpf) is None
    assert header_like_row([["说明"], ["姓名", "备注"]], dpf) == (1, 1)
    assert header_like_row([["说明"]], dpf) is None


def test_header_search_stops_after_the_configured_rows(dpf) -> None:
    head = [["x"]] * 25 + [["姓名", "身份证号"]]
    assert find_header(head, dpf) is None


def test_shipped_column_table_defines_every_kind() -> None:
    spec = load_column_spec()
    assert set(spec.kinds) >= {"dpf", "dibao", "subsidy", "monitor", "roster"}
    assert spec.kind("dpf").required_any == (("id_number", "cert_number"),)
    assert spec.kind("roster").alias_map[normalize_header("来源文件")] == "orig_source"


def test_alias_claimed_by_two_fields_of_a_kind_is_refused(tmp_path: Path) -> None:
    text = """
[fields.a]
label = "甲"
aliases = ["号码"]
[fields.b]
label = "乙"
aliases = ["号 码"]
[kinds.k]
fields = ["a", "b"]
"""
    with pytest.raises(InputError) as caught:
        parse_column_spec(tomllib.loads(text), tmp_path / "columns.toml")
    assert caught.value.problems[0].code == ErrorCode.BAD_RULES
    assert "号 码" in caught.value.problems[0].message


def test_undefined_field_in_a_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="没有定义"):
        parse_column_spec({"kinds": {"k": {"fields": ["nope"]}}}, tmp_path / "c.toml")


def test_cells_render_so_that_damage_stays_visible() -> None:
    cells = np.array(
        ["张三", "", "  ", 1.401021980010112e17, 140105800101001.0, 3.5, 12.0, True,
         dt.datetime(2024, 7, 1), dt.datetime(2024, 7, 1, 13, 5), dt.date(2024, 1, 2), 7,
         1234567890123456.0],
        dtype=object,
    )  # fmt: skip
    assert texts(render_cells(cells)) == [
        "张三", None, None, "1.401021980010112e+17", "140105800101001", "3.5", "12", "TRUE",
        "2024-07-01", "2024-07-01 13:05:00", "2024-01-02", "7", "1234567890123456.0",
    ]  # fmt: skip


def test_parquet_columns_render_like_cells() -> None:
    floats = pa.array([1.401021980010112e17, None, 45474.0])
    assert texts(render_arrow(floats)) == ["1.401021980010112e+17", None, "45474"]
    ints = pa.array([140105199001010011])  # an int64 column holds every digit
    assert render_arrow(ints).tolist() == ["140105199001010011"]
    stamps = pa.array([dt.datetime(2024, 7, 1), dt.datetime(2024, 7, 1, 8)])
    assert render_arrow(stamps).tolist() == ["2024-07-01", "2024-07-01 08:00:00"]


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB")])
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters
