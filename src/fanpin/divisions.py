"""GB/T 2260 administrative divisions of Shanxi (schemas/divisions.csv, with years).

An ID's division code may be a code since abolished (1421xx 雁北地区) or one created after
the holder's birth; both are valid. For reporting we map every code to today's city and
county: a current code directly, an old county code through a current county of the same
name, else through its prefecture's successor city (schemas/prefecture_successors.csv).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from fanpin.resources import schema_file


@lru_cache(maxsize=1)
def divisions() -> pd.DataFrame:
    """All Shanxi codes: code, name, city_code, city_name, level, start, end, current."""
    table = pd.read_csv(schema_file("divisions.csv"), dtype=str, keep_default_na=False)
    table["current"] = (table["end"] == "") & (table["name"] != "市辖区")
    return table


@lru_cache(maxsize=1)
def current_counties() -> pd.DataFrame:
    """Today's 117 county-level units with their city names."""
    table = divisions()
    return table[table["current"] & (table["level"] == "county")].reset_index(drop=True)


@lru_cache(maxsize=1)
def _code_to_place() -> dict[str, tuple[str, str]]:
    table = divisions()
    now = current_counties()
    city_names = dict(zip(table["code"], table["name"], strict=True))
    by_name = dict(zip(now["name"], zip(now["city_name"], now["name"], strict=True), strict=True))
    successors = pd.read_csv(schema_file("prefecture_successors.csv"), dtype=str)
    succ = dict(zip(successors["old_code"], successors["successor_city_code"], strict=True))

    places: dict[str, tuple[str, str]] = {}
    for row in table.itertuples(index=False):  # ~300 rows of reference data, not a hot path
        code, name = str(row.code), str(row.name)
        if row.level == "province":
            continue
        if bool(row.current) or row.level == "city":
            county = "" if row.level == "city" or name == "市辖区" else name
            city = (
                str(row.city_name) if row.end == "" else city_names.get(succ.get(code[:4], ""), "")
            )
            places[code] = (city, county)
        elif name in by_name:
            places[code] = by_name[name]
        else:
            places[code] = (city_names.get(succ.get(code[:4], ""), str(row.city_name)), "")
    return places


def place_of_codes(codes: pd.Series) -> pd.DataFrame:
    """Today's city and county names for 6-digit division codes (NA when unknown)."""
    places = _code_to_place()
    uniques = codes.dropna().unique()
    city = {c: places[c][0] for c in uniques if c in places and places[c][0]}
    county = {c: places[c][1] for c in uniques if c in places and places[c][1]}
    return pd.DataFrame(
        {
            "city": codes.map(city).astype(pd.StringDtype("pyarrow")),
            "county": codes.map(county).astype(pd.StringDtype("pyarrow")),
        },
        index=codes.index,
    )


def county_belongs_to_city(county: str, city: str) -> bool:
    """True when `county` is today a county-level unit of `city` (names as in GB/T 2260)."""
    now = current_counties()
    return bool(((now["name"] == county) & (now["city_name"] == city)).any())
