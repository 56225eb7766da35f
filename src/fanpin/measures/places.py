"""Ordering of cities and counties as in GB/T 2260 (太原市 first), unknown names last."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from fanpin.divisions import current_counties


@lru_cache(maxsize=1)
def _city_codes() -> dict[str, str]:
    known = current_counties()
    codes: dict[str, str] = {}
    for name, code in zip(known["city_name"], known["city_code"], strict=True):
        codes.setdefault(str(name), str(code))
    return codes


@lru_cache(maxsize=1)
def _county_codes() -> dict[str, str]:
    known = current_counties()
    return {str(n): str(c) for n, c in zip(known["name"], known["code"], strict=True)}


def ordered_cities(names: Sequence[str]) -> list[str]:
    codes = _city_codes()
    return sorted(names, key=lambda n: (n not in codes, codes.get(n, ""), n))


def place_sort_keys(city: pd.Series, county: pd.Series) -> pd.DataFrame:
    """Sortable text keys: GB/T 2260 code when known, else "~" + the name (sorts after)."""
    city_text = city.astype("string").fillna("")
    county_text = county.astype("string").fillna("")
    return pd.DataFrame(
        {
            "city_key": city_text.map(_city_codes()).fillna("~" + city_text),
            "county_key": county_text.map(_county_codes()).fillna("~" + county_text),
        }
    )
