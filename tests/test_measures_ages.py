"""周岁 at a reference date, including the 29 February convention (birthday = 1 March)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fanpin.measures.ages import completed_years


def age(birth: str | None, as_of: str) -> object:
    births = pd.Series(pd.to_datetime([birth]))
    return completed_years(births, dt.date.fromisoformat(as_of)).iloc[0]


@pytest.mark.parametrize(
    ("birth", "as_of", "expected"),
    [
        ("2008-09-30", "2024-09-30", 16),  # 16th birthday on the reference date
        ("2008-10-01", "2024-09-30", 15),  # one day short of 16
        ("1953-10-01", "2024-09-30", 70),  # 70 years and 364 days
        ("1953-09-30", "2024-09-30", 71),  # 71st birthday on the reference date
        ("2024-09-30", "2024-09-30", 0),  # born that day
    ],
)
def test_age_counts_completed_years_at_the_reference_date(birth, as_of, expected):
    assert age(birth, as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2025-02-28", 16),  # non-leap year: the birthday has not come yet on 28 Feb
        ("2025-03-01", 17),  # ... it is taken as 1 March
        ("2024-02-28", 15),  # leap year: one day before the real birthday
        ("2024-02-29", 16),  # leap year: the birthday itself
    ],
)
def test_29_february_birthday_is_1_march_in_non_leap_years(as_of, expected):
    assert age("2008-02-29", as_of) == expected


def test_missing_or_future_birth_date_gives_no_age():
    births = pd.Series(pd.to_datetime([None, "2030-01-01"]))
    ages = completed_years(births, dt.date(2024, 9, 30))
    assert ages.isna().tolist() == [True, True]
