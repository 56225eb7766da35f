"""Value vocabularies and parsers of fanpin.normalize.codes (pure, vectorised)."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.errors import InputError
from fanpin.normalize import codes


def s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=pd.StringDtype("pyarrow"))


@pytest.fixture(scope="module")
def vocab() -> dict[str, codes.Vocabulary]:
    return codes.load_vocabularies()


@pytest.mark.parametrize(
    ("written", "level"),
    [("一级", 1), ("1", 1), ("1级", 1), ("一", 1), (" 二级 ", 2), ("Ⅱ级", 2), ("３", 3),
     ("肆级", 4), ("IV", 4), ("二级残疾", 2)],
)  # fmt: skip
def test_level_spellings(vocab: dict, written: str, level: int) -> None:
    assert codes.map_codes(s(written), vocab["level"]).tolist() == [level]


@pytest.mark.parametrize(
    ("written", "category"),
    [("视力", 1), ("视力残疾", 1), ("1", 1), ("听力", 2), ("言语", 3), ("肢体残疾", 4),
     ("智力", 5), ("精神残疾", 6), ("多重", 7), ("7", 7)],
)  # fmt: skip
def test_category_spellings(vocab: dict, written: str, category: int) -> None:
    assert codes.map_codes(s(written), vocab["category"]).tolist() == [category]


def test_unknown_and_blank_codes_are_na(vocab: dict) -> None:
    out = codes.map_codes(s("五级", None, "0"), vocab["level"])
    assert out.isna().tolist() == [True, True, True]
    assert str(out.dtype) == "Int8"


def test_text_vocabularies_return_canonical_words(vocab: dict) -> None:
    out = codes.map_codes(s("生活补贴", "护理补贴", "重度残疾人护理补贴"), vocab["subsidy_type"])
    assert out.tolist() == ["困难残疾人生活补贴", "重度残疾人护理补贴", "重度残疾人护理补贴"]
    assert codes.map_codes(s("监测对象", "脱贫人口"), vocab["household_type"]).tolist() == [
        "监测户",
        "脱贫户",
    ]
    assert codes.map_codes(
        s("边缘易致贫", "突发严重困难户"), vocab["monitor_category"]
    ).tolist() == [
        "边缘易致贫户",
        "突发严重困难户",
    ]
    assert codes.map_codes(s("是", "否", "TRUE", "false"), vocab["yes_no"]).tolist() == [
        "是",
        "否",
        "是",
        "否",
    ]


def test_a_spelling_claimed_by_two_values_is_refused() -> None:
    data = {"x": {"values": {"甲": ["A"], "乙": ["a"]}}}  # same after upper-casing
    with pytest.raises(InputError, match="同时对应"):
        codes.parse_vocabularies(data, "codes.toml")


@pytest.mark.parametrize(
    "written",
    ["2024-07-01", "2024/7/1", "2024.7.1", "20240701", "2024年7月1日", "45474",
     "2024-07-01 13:05:00", "45474.5"],
)  # fmt: skip
def test_date_forms(written: str) -> None:
    assert codes.parse_dates(s(written)).tolist() == [pd.Timestamp("2024-07-01")]


@pytest.mark.parametrize("written", ["2024-02-30", "2024-13-01", "1850-01-01", "7/1/2024", "abc"])
def test_impossible_dates_are_na(written: str) -> None:
    assert codes.parse_dates(s(written)).isna().tolist() == [True]


def test_serial_edges() -> None:
    # 10000 days after 1899-12-30 is 1927-05-18; four digits are not taken as serials.
    out = codes.parse_dates(s("10000", "2024"))
    assert out.iloc[0] == pd.Timestamp("1927-05-18")
    assert pd.isna(out.iloc[1])


@pytest.mark.parametrize(
    "written",
    ["202407", "2024-07", "2024/7", "2024年7月", "2024年07月份", "2024.07", "2024-07-15",
     "45474", "2024年7月1日"],
)  # fmt: skip
def test_month_forms(written: str) -> None:
    assert codes.parse_months(s(written)).tolist() == ["2024-07"]


@pytest.mark.parametrize("written", ["202413", "2024-00", "1980-07", "七月", "2024"])
def test_impossible_months_are_na(written: str) -> None:
    assert codes.parse_months(s(written)).isna().tolist() == [True]


def test_amounts_and_whole_numbers() -> None:
    assert codes.parse_amounts(s("1,200.50", "120元", "￥80", "-30", "x")).tolist()[:4] == [
        1200.5,
        120.0,
        80.0,
        -30.0,
    ]
    ints = codes.parse_ints(s("45", "45岁", "45.0", "45.5", "x"))
    assert ints.tolist()[:3] == [45, 45, 45]
    assert ints.isna().tolist()[3:] == [True, True]


def test_parsers_keep_the_index_and_blank_rows() -> None:
    raw = pd.Series(["202407", None, "202407"], index=[10, 11, 12], dtype="string")
    out = codes.parse_months(raw)
    assert out.index.tolist() == [10, 11, 12]
    assert out.isna().tolist() == [False, True, False]
