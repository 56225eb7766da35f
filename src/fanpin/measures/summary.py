"""Counting decisions: Annex 4 counts per county, city and province; outcomes per measure.

Annex 4 counts eligible people (eligibility already includes having asked for the measure in
the survey). Column ① 生活救助 covers both parts of measure 1 (two subsidies + 低保, and the
one-off cash), counted as distinct people; ⑦ and ⑧ count each requested item; ⑩ counts
distinct households.
"""

from __future__ import annotations

import pandas as pd

from fanpin.divisions import current_counties
from fanpin.measures.annex4 import ANNEX4_KEYS
from fanpin.measures.checks import DECISION_LABELS, ELIGIBLE, INELIGIBLE, UNDETERMINED
from fanpin.measures.decide import ROLE_SELF
from fanpin.measures.places import ordered_cities
from fanpin.measures.rules import MeasuresRules

UNKNOWN_PLACE = "（未知）"
# Annex column key -> (measure slug, item inside the decision's `item`, or None).
_ITEM_COLUMNS = {
    "prosthesis_thigh": ("prosthesis", "大腿"),
    "prosthesis_lower_leg": ("prosthesis", "小腿"),
    "wheelchair": ("assistive", "轮椅"),
    "crutches": ("assistive", "拐杖"),
    "hearing_aid": ("assistive", "助听器"),
}
_PLAIN_COLUMNS = ("study", "training", "industry", "care", "cataract", "rehab")
LIVING_SUPPORT_MEASURES = ("living_support", "cash")


def _places(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("city", "county"):
        out[col] = out[col].astype("string").fillna(UNKNOWN_PLACE).replace("", UNKNOWN_PLACE)
    return out


def annex4_counts(decisions: pd.DataFrame) -> pd.DataFrame:
    """Counts per (city, county): a frame with columns city, county and ANNEX4_KEYS."""
    eligible = _places(decisions[decisions["decision"] == ELIGIBLE])
    keys = ["city", "county"]
    parts: dict[str, pd.Series] = {}

    living = eligible[
        eligible["measure"].isin(LIVING_SUPPORT_MEASURES) & (eligible["role"] == ROLE_SELF)
    ]
    parts["living_support"] = living.drop_duplicates([*keys, "disabled_id"]).groupby(keys).size()
    for key in _PLAIN_COLUMNS:
        parts[key] = eligible[eligible["measure"] == key].groupby(keys).size()
    for key, (measure, item) in _ITEM_COLUMNS.items():
        rows = eligible[eligible["measure"] == measure]
        has = rows["item"].astype("string").str.contains(item, regex=False).fillna(False)
        parts[key] = rows[has.to_numpy(dtype=bool)].groupby(keys).size()
    homes = eligible[eligible["measure"] == "accessibility"]
    parts["accessibility"] = homes.drop_duplicates([*keys, "household_id"]).groupby(keys).size()

    if eligible.empty:
        return pd.DataFrame(columns=["city", "county", *ANNEX4_KEYS]).astype(
            {key: "int64" for key in ANNEX4_KEYS}
        )
    table = pd.DataFrame(parts).fillna(0).astype("int64")
    table = table.reindex(columns=list(ANNEX4_KEYS), fill_value=0)
    table.index = table.index.set_names(["city", "county"])
    return table.reset_index()


def county_rows(counts: pd.DataFrame, city: str, all_counties: bool = True) -> pd.DataFrame:
    """One city's rows, indexed by county: every county of the city today (GB/T 2260 order)
    when `all_counties`, zeros where nobody qualified, then any other county names found."""
    rows = counts[counts["city"] == city].set_index("county")[list(ANNEX4_KEYS)]
    names: list[str] = []
    if all_counties:
        known = current_counties()
        names = known.loc[known["city_name"] == city].sort_values("code")["name"].tolist()
    names += [c for c in rows.index if c not in names]
    return rows.reindex(names, fill_value=0).astype("int64")


def city_tables(counts: pd.DataFrame, all_counties: bool = True) -> dict[str, pd.DataFrame]:
    """City -> county rows; cities in GB/T 2260 order, unknown places last."""
    cities = ordered_cities(counts["city"].unique().tolist())
    return {city: county_rows(counts, city, all_counties) for city in cities}


def province_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Rows per city (indexed by city name), for the province roll-up sheet."""
    by_city = counts.groupby("city")[list(ANNEX4_KEYS)].sum()
    return by_city.reindex(ordered_cities(by_city.index.tolist())).astype("int64")


OUTCOME_COLUMNS = ["measure", "measure_name", ELIGIBLE, INELIGIBLE, UNDETERMINED, "amount"]


def outcome_summary(decisions: pd.DataFrame, rules: MeasuresRules) -> pd.DataFrame:
    """Per measure (notice order): counts of each decision and the fixed amounts due."""
    slugs = list(rules.measures)
    counts = pd.crosstab(decisions["measure"], decisions["decision"])
    counts = counts.reindex(index=slugs, columns=list(DECISION_LABELS), fill_value=0)
    amounts = decisions.groupby("measure")["amount"].sum().reindex(slugs, fill_value=0)
    fixed = pd.Series([r.fixed_amount for r in rules.measures.values()], index=slugs)
    out = counts.astype("int64").reset_index(drop=True)
    out.columns.name = None
    out.insert(0, "measure", slugs)
    out.insert(1, "measure_name", [r.name for r in rules.measures.values()])
    out["amount"] = amounts.astype("Int64").where(fixed).reset_index(drop=True)
    return out[OUTCOME_COLUMNS]
