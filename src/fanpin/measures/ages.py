"""Completed years of age (周岁) at a reference date, vectorised.

Convention for 29 February birthdays: in a non-leap year the birthday is taken to be
1 March, so a person born on 29 Feb 2008 turns 17 on 1 March 2025 (not on 28 February).
Comparing (month, day) of the reference date with (month, day) of the birth date gives
exactly this: 28 Feb sorts before 29 Feb (birthday not yet reached), 1 Mar after it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def completed_years(births: pd.Series, as_of: dt.date) -> pd.Series:
    """周岁 at `as_of` for each birth date (datetime64); NA where missing or after `as_of`."""
    stamp = pd.to_datetime(births, errors="coerce")
    year = stamp.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month_day = (stamp.dt.month * 100 + stamp.dt.day).to_numpy(dtype="float64", na_value=np.nan)
    ref_md = as_of.month * 100 + as_of.day
    # One year less until the birthday (month, day) has been reached this year.
    age = as_of.year - year - (ref_md < month_day)
    out = pd.Series(age, index=births.index).astype("Int64")
    unborn = stamp > pd.Timestamp(as_of)
    return out.mask(unborn.fillna(False))
