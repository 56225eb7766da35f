"""Capital numerals (大写金额) and the Annex 1 quota table, checked against hand-worked values."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.forms.annex1 import load_quotas, quota_of, quota_table, quota_usage
from fanpin.forms.capital import CapitalVerdict, capital_amount, check_capital, parse_capital


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (500, "伍佰元整"),
        (2000, "贰仟元整"),
        (1000, "壹仟元整"),
        (100500, "壹拾万零伍佰元整"),  # zeros inside: one 零
        (1000005, "壹佰万零伍元整"),
        (10010, "壹万零壹拾元整"),
        (2479500, "贰佰肆拾柒万玖仟伍佰元整"),  # 4959 people × 500 yuan
    ],
)
def test_capital_amount_writes_the_conventional_form(amount: int, written: str) -> None:
    assert capital_amount(amount) == written


def test_capital_zero_before_thousands_after_wan_is_optional() -> None:
    # 101000: cn2an writes 壹拾万壹仟元整; the voucher rules also allow 壹拾万零壹仟元整.
    assert check_capital("壹拾万壹仟元整", 101000) == CapitalVerdict.OK
    assert check_capital("壹拾万零壹仟元整", 101000) == CapitalVerdict.OK


@pytest.mark.parametrize(
    "text",
    ["伍佰元整", "伍佰元正", "伍佰元", "伍佰", "人民币伍佰元整", "伍佰元整元", "大写：伍佰元整"],
)
def test_capital_written_into_the_form_blank_is_accepted(text: str) -> None:
    # The form prints 大写_____元, so 伍佰 alone, or 伍佰元整 followed by the printed 元, is fine.
    assert check_capital(text, 500) == CapitalVerdict.OK


def test_capital_of_a_different_amount_is_a_mismatch() -> None:
    assert check_capital("肆佰元整", 500) == CapitalVerdict.MISMATCH
    assert check_capital("壹拾万伍仟元整", 100500) == CapitalVerdict.MISMATCH  # 105000


def test_capital_missing_zero_or_lower_case_is_nonstandard() -> None:
    assert check_capital("壹拾万伍佰元整", 100500) == CapitalVerdict.NONSTANDARD
    assert check_capital("五百元", 500) == CapitalVerdict.NONSTANDARD


def test_capital_that_is_not_numerals_is_unreadable_and_blank_is_empty() -> None:
    assert check_capital("见附表", 500) == CapitalVerdict.UNREADABLE
    assert check_capital("_____", 500) == CapitalVerdict.EMPTY


def test_parse_capital_reads_inner_zeros() -> None:
    assert parse_capital("壹佰万零伍元整") == 1000005
    assert parse_capital("壹拾万零伍佰元整") == 100500


# ------------------------------------------------------------------------------- Annex 1


def test_quotas_are_the_notice_table_city_by_city() -> None:
    quotas = load_quotas()
    assert len(quotas) == 33
    assert quota_of(quotas, "太原市", 2022) == 50
    assert quota_of(quotas, "太原市", 2023) == 101
    assert quota_of(quotas, "太原市", 2024) == 100
    assert quota_of(quotas, "临汾市", 2023) == 375
    assert quota_of(quotas, "朔州市", 2023) == 0
    assert quota_of(quotas, "太原市", 2025) is None


def test_quota_totals_add_up_to_4959() -> None:
    # Worked by hand from the notice: 2022 50+110+30+120+20+165+115+100+20+170+100 = 1000;
    # 2023 101+218+0+243+52+350+225+193+50+375+193 = 2000;
    # 2024 100+218+0+242+30+349+224+194+34+374+194 = 1959.
    quotas = load_quotas()
    by_year = quotas.groupby("year")["quota"].sum().to_dict()
    assert by_year == {2022: 1000, 2023: 2000, 2024: 1959}
    assert quotas["quota"].sum() == 4959


def test_quota_table_has_city_totals_and_a_total_row() -> None:
    table = quota_table(load_quotas())
    taiyuan = table[table["市"] == "太原市"].iloc[0]
    assert taiyuan["合计（名）"] == 251  # 50 + 101 + 100
    linfen = table[table["市"] == "临汾市"].iloc[0]
    assert linfen["合计（名）"] == 919  # 170 + 375 + 374
    total = table.iloc[-1]
    assert total["序号"] == "合计"
    assert [total["2022年（名）"], total["2023年（名）"], total["2024年（名）"]] == [
        1000,
        2000,
        1959,
    ]
    assert total["合计（名）"] == 4959


def test_quota_usage_counts_payments_and_remaining() -> None:
    payments = pd.DataFrame({"city": ["太原市"] * 3 + ["朔州市"], "year": [2022] * 3 + [2023]})
    usage = quota_usage(load_quotas(), payments).set_index(["city", "year"])
    assert usage.loc[("太原市", 2022), "used"] == 3
    assert usage.loc[("太原市", 2022), "remaining"] == 47  # 50 - 3
    assert usage.loc[("朔州市", 2023), "remaining"] == -1  # quota 0
    assert usage.loc[("大同市", 2024), "remaining"] == 218
