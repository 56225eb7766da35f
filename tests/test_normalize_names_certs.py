"""Name normalisation and certificate parsing."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.normalize.certs import parse_certs
from fanpin.normalize.names import normalize_names

DOT_VARIANTS = ["\u00b7", "\u2022", "\u30fb", "\uff0e", "\u2027", "\u22c5", ".", "\uff65"]


@pytest.mark.parametrize("dot", DOT_VARIANTS)
def test_every_middle_dot_variant_becomes_u00b7(dot: str) -> None:
    assert normalize_names(pd.Series([f"阿不都{dot}热合曼"])).tolist() == ["阿不都·热合曼"]


def test_format_only_variants_compare_equal() -> None:
    names = pd.Series(["张伟", "張偉", "张 伟", " 张伟\u3000", "张\u200b伟"])
    assert normalize_names(names).nunique() == 1


def test_rare_character_outside_gbk_is_kept() -> None:
    assert normalize_names(pd.Series(["王㛃", "李𠈌"])).tolist() == ["王㛃", "李𠈌"]


def test_blank_name_is_missing() -> None:
    assert normalize_names(pd.Series(["", "  ", None])).isna().all()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="张王李赵阿不都热合曼·•・．張偉 ", min_size=1, max_size=8))
def test_name_normalising_is_idempotent(text: str) -> None:
    once = normalize_names(pd.Series([text]))
    assert normalize_names(once).tolist() == once.tolist()


def test_certificate_splits_into_id_category_and_level() -> None:
    # 140105198003150018 + category 4 (肢体) + level 2 (二级)
    row = parse_certs(pd.Series(["14010519800315001842"])).iloc[0]
    assert row["cert_check"] == "ok"
    assert row["cert_id"] == "140105198003150018"
    assert (row["cert_category"], row["cert_level"]) == (4, 2)


def test_reissued_22_char_certificate_is_accepted() -> None:
    row = parse_certs(pd.Series(["11010519491231002x51b2"])).iloc[0]
    assert row["cert"] == "11010519491231002X51B2"
    assert (row["cert_category"], row["cert_level"]) == (5, 1)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("14010519800315001882", "bad_format"),  # category 8 does not exist
        ("14010519800315001845", "bad_format"),  # level 5 does not exist
        ("1.40105198003150E+19", "unrecoverable"),
        ("", "empty"),
    ],
)
def test_malformed_certificates(text: str, status: str) -> None:
    assert parse_certs(pd.Series([text])).iloc[0]["cert_check"] == status
