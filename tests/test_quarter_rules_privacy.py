"""Quarters, the rules file, and masking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import parse_compare_rules
from fanpin.errors import InputError
from fanpin.privacy import mask_phone, mask_series, mask_value
from fanpin.rules import load_rules


@pytest.mark.parametrize("text", ["2024Q3", "2024q3", "2024-Q3", "2024年第三季度", "2024 Q3"])
def test_quarter_spellings_parse_to_the_same_quarter(text: str) -> None:
    assert Quarter.parse(text) == Quarter(2024, 3)


def test_quarter_months_and_bounds() -> None:
    q = Quarter.parse("2024Q4")
    assert q.months == ["2024-10", "2024-11", "2024-12"]
    assert (q.start, q.end) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))


def test_latest_complete_quarter_in_january_is_last_years_q4() -> None:
    assert Quarter.latest_complete(dt.date(2025, 1, 15)) == Quarter(2024, 4)
    assert Quarter.latest_complete(dt.date(2026, 12, 3)) == Quarter(2026, 3)


@pytest.mark.parametrize("text", ["2024Q5", "24Q3", "Q3", ""])
def test_bad_quarter_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="季度格式不对"):
        Quarter.parse(text)


def test_shipped_rules_parse() -> None:
    rules = parse_compare_rules(load_rules())
    assert rules.severe_levels == (1, 2)
    assert rules.verify_scope == "new"


def test_bad_rules_value_names_the_key(tmp_path: Path) -> None:
    text = load_rules().path.read_text(encoding="utf-8").replace('scope = "new"', 'scope = "某些"')
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="scope"):
        parse_compare_rules(load_rules(path))


def test_broken_toml_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[compare\nsevere_levels = [1,", encoding="utf-8")
    with pytest.raises(InputError, match="规则文件格式错误"):
        load_rules(path)


def test_masks_keep_head_and_tail() -> None:
    assert mask_value("14010519800315001X") == "1401**********001X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_series(pd.Series(["14010519800315001X", None])).tolist()[0] == "1401**********001X"
    assert pd.isna(mask_series(pd.Series(["x", None])).iloc[1])


def test_rules_saved_as_gbk_by_notepad_still_load(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(load_rules().path.read_text(encoding="utf-8").encode("gb18030"))
    assert parse_compare_rules(load_rules(path)).severe_levels == (1, 2)


def test_toml_syntax_error_names_the_line_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[compare]\nsevere_levels = [1, 2\nx = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="第3行"):
        load_rules(path)
