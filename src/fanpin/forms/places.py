"""Addresses written as X市X县X乡X村, and county-in-city checks against GB/T 2260 data."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from fanpin.divisions import current_counties

STR = pd.StringDtype("pyarrow")
_TOWNSHIP = r"(?:乡|镇|街道|办事处)"
_VILLAGE = r"(?:村|社区|居委会|小区|号|组)"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, set[str]]]:
    counties = current_counties()
    cities = sorted(set(counties["city_name"]), key=len, reverse=True)
    names = sorted(set(counties["name"]), key=len, reverse=True)
    city_alt = "|".join([*cities, *[c.removesuffix("市") for c in cities]])
    county_alt = "|".join(re.escape(n) for n in names)
    pattern = re.compile(
        rf"^(?:山西省?)?(?P<city>{city_alt})?(?P<county>{county_alt})?(?P<rest>.*)$"
    )
    cities_of: dict[str, set[str]] = {}
    for name, city in zip(counties["name"], counties["city_name"], strict=True):
        cities_of.setdefault(name, set()).add(city)
    return pattern, cities_of


def _full_city(name: object) -> object:
    if not isinstance(name, str) or not name:
        return pd.NA
    return name if name.endswith("市") else f"{name}市"


def parse_addresses(addresses: pd.Series) -> pd.DataFrame:
    """city, county (today's GB/T 2260 names, NA when not written or not known), rest,
    and `complete`: city, county, a township word and a village part are all present."""
    pattern, _ = _patterns()
    text = addresses.astype(STR).str.replace(r"\s+", "", regex=True)
    parts = text.str.extract(pattern)
    city = parts["city"].map(_full_city).astype(STR)
    county = parts["county"].astype(STR).mask(parts["county"] == "")
    rest = parts["rest"].astype(STR).fillna("")
    has_township = rest.str.contains(_TOWNSHIP, regex=True)
    has_village = rest.str.contains(rf"{_TOWNSHIP}.+", regex=True) | rest.str.contains(
        _VILLAGE, regex=True
    )
    complete = city.notna() & county.notna() & has_township & has_village
    return pd.DataFrame(
        {"city": city, "county": county, "rest": rest, "complete": complete.fillna(False)},
        index=addresses.index,
    )


def counties_in_city(counties: pd.Series, cities: pd.Series) -> pd.Series:
    """True where the county is today a county-level unit of the city; NA where either is
    unknown. Names shared by several cities (城区, 郊区) count for each of them."""
    _, cities_of = _patterns()
    pairs = pd.DataFrame({"county": counties, "city": cities})
    known = pairs["county"].notna() & pairs["city"].notna()
    result = pd.Series(pd.NA, index=counties.index, dtype="boolean")
    for idx in pairs.index[known]:  # a few hundred rows per form at most
        result[idx] = pairs.at[idx, "city"] in cities_of.get(str(pairs.at[idx, "county"]), set())
    return result


def county_names_of(city: str) -> list[str]:
    counties = current_counties()
    return list(counties.loc[counties["city_name"] == city, "name"])


def match_county(written: str, city: str | None) -> tuple[str | None, str | None]:
    """(county, its city) for a county name as written in a form (小店区, or 小店 without
    its suffix). With `city`, a name the city has wins over the same name elsewhere."""
    _, cities_of = _patterns()
    flat = re.sub(r"\s+", "", written)
    candidates = [flat] if flat in cities_of else [n for n in cities_of if n.startswith(flat)]
    if len(flat) < 2 or not candidates:
        return None, None
    for name in candidates:
        if city and city in cities_of[name]:
            return name, city
    if len(candidates) == 1 and len(cities_of[candidates[0]]) == 1:
        return candidates[0], next(iter(cities_of[candidates[0]]))
    return candidates[0], None
