"""Choose and shape the people an annex is filled for (pure; frames in, frames out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from fanpin.errors import ErrorCode, InputError
from fanpin.forms.people import person_fields, text_column
from fanpin.normalize.ids import STATUS_OK, normalize_ids

STR = pd.StringDtype("pyarrow")
SURVEY_NUMBERS = {"household_size": "household_size", "labour_count": "labour_count",
                  "income_per_capita": "income"}  # fmt: skip


@dataclass
class Selection:
    people: pd.DataFrame  # person_fields() columns (+ amount, survey fields)
    notes: list[str] = field(default_factory=list)  # Chinese, counts only


def select_people(
    frame: pd.DataFrame,
    *,
    city: str | None,
    as_of: dt.date,
    amount: int,
    dead_status: tuple[str, ...],
    history: pd.DataFrame | None = None,
    year: int | None = None,
    county: str | None = None,
) -> Selection:
    """People of `city` (and `county`) from a roster-like frame, without the dead and,
    given `history`, without those paid the one-off cash in another year."""
    notes: list[str] = []
    rows = frame
    if city is not None and "city" in rows:
        rows = rows[text_column(rows, "city").str.strip().eq(city).fillna(False)]
    if county is not None and "county" in rows:
        rows = rows[text_column(rows, "county").str.strip().eq(county).fillna(False)]
    if rows.empty:
        where = "".join(p for p in (city, county) if p) or "名单"
        raise InputError.single(ErrorCode.BAD_VALUE, f"名单中没有{where}的人员")

    status = text_column(rows, "cert_status").str.strip()
    dead = status.isin(list(dead_status)).fillna(False)
    if dead.any():
        notes.append(f"{int(dead.sum())} 人证件状态为死亡或注销，未列入")
    rows = rows[~dead]

    people = person_fields(rows, as_of)
    if history is not None and len(history):
        other_years = history if year is None else history[history["year"] != year]
        paid = people["id_number"].isin(other_years["id"]).fillna(False)
        if paid.any():
            notes.append(f"{int(paid.sum())} 人往年已发放一次性救助金，未列入")
        people = people[~paid]
    people = people.assign(amount=amount)
    return Selection(people.reset_index(drop=True), notes)


def add_survey(people: pd.DataFrame, survey: pd.DataFrame | None) -> pd.DataFrame:
    """Household size, labour count and income per head from the survey, matched by ID."""
    out = people.copy()
    for target in SURVEY_NUMBERS.values():
        out[target] = pd.Series(pd.NA, index=out.index, dtype=STR)
    if survey is None or survey.empty:
        return out
    ids = normalize_ids(text_column(survey, "id_number"))
    answers = pd.DataFrame({"id_number": ids["id"]})
    for source, target in SURVEY_NUMBERS.items():
        answers[target] = text_column(survey, source).str.strip()
    answers = answers[ids["id_status"] == STATUS_OK].drop_duplicates("id_number", keep="last")
    merged = out.drop(columns=list(SURVEY_NUMBERS.values())).merge(
        answers, on="id_number", how="left"
    )
    merged.index = out.index
    return merged
