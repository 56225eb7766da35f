"""Who the decisions are about: roster people joined with their survey answers.

Inputs are frames with English field names and raw text cells (as fanpin.io.read gives
them); outputs are frames the rules in decide.py read. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fanpin.divisions import place_of_codes
from fanpin.errors import InputProblem
from fanpin.measures.ages import completed_years
from fanpin.measures.fields import RELATIVE_FIELDS, STUDENT_FIELDS, SURVEY_FIELDS
from fanpin.measures.survey import (
    STR,
    clean_cells,
    in_set,
    parse_answers,
    parse_person_ids,
    parse_yes_no,
)
from fanpin.normalize.certs import parse_certs
from fanpin.normalize.ids import birth_dates, division_codes
from fanpin.normalize.labels import CATEGORY_NAMES, LEVEL_NAMES

_CATEGORY_WORDS = {name.removesuffix("残疾"): code for code, name in CATEGORY_NAMES.items()}
_LEVEL_WORDS = {name.removesuffix("级"): code for code, name in LEVEL_NAMES.items()}

SURVEY_OK = "ok"
SURVEY_MISSING = "missing"
SURVEY_CONFLICT = "conflict"


def _col(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key].astype(STR)
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def _code_of(value: str, words: dict[str, int], top: int) -> int | None:
    digits = value.removesuffix(".0").removesuffix("级")
    if digits.isdigit() and 1 <= int(digits) <= top:
        return int(digits)
    hits = {code for word, code in words.items() if word in value}
    return hits.pop() if len(hits) == 1 else None


def parse_codes(values: pd.Series, kind: str) -> pd.Series:
    """Category (1..7) or level (1..4) from digits or Chinese words; NA when unreadable.

    Already-numeric columns (coerced upstream) pass through.
    """
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("Int8")
    words, top = (_CATEGORY_WORDS, 7) if kind == "category" else (_LEVEL_WORDS, 4)
    text = clean_cells(values)
    mapping = {str(v): _code_of(str(v), words, top) for v in text.dropna().unique()}
    return text.map(mapping).astype("Int8")


def _place(frame: pd.DataFrame, pid: pd.Series) -> pd.DataFrame:
    """City and county as written, else from the ID's division code."""
    derived = place_of_codes(division_codes(pid))
    city = _col(frame, "city").str.strip()
    county = _col(frame, "county").str.strip()
    city = city.mask(city == "").fillna(derived["city"])
    county = county.mask(county == "").fillna(derived["county"])
    return pd.DataFrame({"city": city.astype(STR), "county": county.astype(STR)})


def _birth(frame: pd.DataFrame, pid: pd.Series) -> pd.Series:
    """Birth date from the ID (the notice's ages are from the ID), else the 出生日期 column."""
    column = frame["birth_date"] if "birth_date" in frame else _col(frame, "birth_date")
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        written = column
    else:
        written = pd.to_datetime(column.astype(STR), errors="coerce", format="mixed")
    return birth_dates(pid).fillna(written)


def prepare_roster(frame: pd.DataFrame, dead_status: tuple[str, ...]) -> pd.DataFrame:
    """Roster rows -> one row per person with pid, id_number, name, city, county, birth,
    category, level, dead, dead_reason (duplicates of one pid: the first row is kept)."""
    ids = parse_person_ids(_col(frame, "id_number"), _col(frame, "cert_number"))
    certs = parse_certs(_col(frame, "cert_number"))
    out = pd.DataFrame(index=frame.index)
    out["pid"] = ids["pid"]
    out["id_number"] = ids["id_number"]
    out["name"] = _col(frame, "name").str.strip()
    out[["city", "county"]] = _place(frame, ids["pid"])
    out["birth"] = _birth(frame, ids["pid"])
    # The category/level columns win; the certificate number's digits fill gaps (a mismatch
    # between the two is a data-quality finding of `fanpin compare`, not decided here).
    category = parse_codes(frame["category"], "category") if "category" in frame else None
    level = parse_codes(frame["level"], "level") if "level" in frame else None
    out["category"] = (category if category is not None else certs["cert_category"]).fillna(
        certs["cert_category"]
    )
    out["level"] = (level if level is not None else certs["cert_level"]).fillna(certs["cert_level"])

    status = _col(frame, "cert_status").str.strip()
    by_status = status.isin(list(dead_status)).fillna(False)
    flagged = parse_yes_no(_col(frame, "deceased"))[0].fillna(False).astype(bool)
    out["dead"] = by_status | flagged
    reason = pd.Series(pd.NA, index=frame.index, dtype=STR)
    reason = reason.mask(flagged, "名单中标记为已死亡")
    out["dead_reason"] = reason.mask(by_status, "证件状态为" + status)
    out["on_roster"] = pd.Series(True, index=frame.index, dtype="boolean")
    for meta in ("_source", "_sheet", "_row"):
        if meta in frame:
            out[meta] = frame[meta]
    keep = out["pid"].isna() | ~out["pid"].duplicated()
    return out[keep].reset_index(drop=True)


_ANSWER_SUFFIXES = ("", "__bad")


def prepare_survey(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Survey rows -> parsed answers with pid; plus located problems (unreadable cells).

    A person on several rows with identical answers keeps one row; with different answers
    the person is marked `survey_state` = conflict and the rows are named in `survey_note`.
    """
    answers, problems = parse_answers(frame, SURVEY_FIELDS)
    ids = parse_person_ids(_col(frame, "id_number"), _col(frame, "cert_number"))
    answers["pid"] = ids["pid"]
    answers["id_number"] = ids["id_number"]
    certs = parse_certs(_col(frame, "cert_number"))
    answers["cert_category"] = certs["cert_category"]
    answers["cert_level"] = certs["cert_level"]
    answers[["city", "county"]] = _place(frame, ids["pid"])
    answers["survey_state"] = SURVEY_OK
    answers["survey_note"] = pd.Series(pd.NA, index=answers.index, dtype=STR)

    coded = [
        f.key + s for f in SURVEY_FIELDS if f.kind not in ("text", "id") for s in _ANSWER_SUFFIXES
    ]
    dup = answers["pid"].notna() & answers["pid"].duplicated(keep=False)
    if dup.any():
        group = answers[dup]
        distinct = group.drop_duplicates(["pid", *coded])["pid"].value_counts()
        conflicting = distinct.index[distinct > 1]
        rows = _row_col(group).astype(str).groupby(group["pid"]).agg("、".join)
        clash = in_set(answers["pid"], conflicting)
        note = "需求摸底表中此人出现多次且填写不一致（第" + answers["pid"].map(rows) + "行）"
        answers.loc[clash, "survey_state"] = SURVEY_CONFLICT
        answers["survey_note"] = answers["survey_note"].mask(clash, note)
    keep = answers["pid"].isna() | ~answers["pid"].duplicated()
    return answers[keep].reset_index(drop=True), problems


def _row_col(frame: pd.DataFrame) -> pd.Series:
    if "_row" in frame:
        return frame["_row"]
    return pd.Series(frame.index + 2, index=frame.index)


def join_people(roster: pd.DataFrame, survey: pd.DataFrame | None) -> pd.DataFrame:
    """One row per person: every roster person, then survey people not on the roster
    (on_roster False) and survey rows without a usable ID (on_roster unknown)."""
    people = roster.copy()
    people["survey_state"] = SURVEY_MISSING
    people["survey_note"] = pd.Series(pd.NA, index=people.index, dtype=STR)
    if survey is None or survey.empty:
        return people.reset_index(drop=True)

    skip = {*people.columns, "cert_category", "cert_level"}
    answer_cols = [c for c in survey.columns if c not in skip and not c.startswith("_")]
    answer_cols += ["survey_state", "survey_note"]
    keyed = survey[survey["pid"].notna()].set_index("pid")
    matched = in_set(people["pid"], keyed.index).to_numpy()
    for col in answer_cols:
        values = people["pid"].map(keyed[col]) if col in keyed else pd.NA
        if col in people:
            people[col] = people[col].where(~matched, values)
        else:
            people[col] = pd.Series(values, index=people.index).where(matched)
    for col in ("survey_state", "survey_note"):
        people[col] = people[col].astype(STR)
    people.loc[~matched, "survey_state"] = SURVEY_MISSING

    # Survey people the roster does not hold: decided too (as not on the roster).
    extra = survey[~in_set(survey["pid"], roster["pid"]).to_numpy()].copy()
    extra["on_roster"] = pd.Series(pd.NA, index=extra.index, dtype="boolean").mask(
        extra["pid"].notna(), False
    )
    extra["name"] = extra.get("name", pd.NA)
    extra["birth"] = birth_dates(extra["pid"])
    extra["category"] = extra["cert_category"]
    extra["level"] = extra["cert_level"]
    extra["dead"] = False
    extra["dead_reason"] = pd.Series(pd.NA, index=extra.index, dtype=STR)
    extra = extra.drop(columns=["cert_category", "cert_level"])
    combined = pd.concat([people, extra], ignore_index=True)
    combined["dead"] = combined["dead"].astype(bool)
    return combined


def prepare_students(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[InputProblem]]:
    """在校大学生 rows: disabled_id (parent), student_id/name, school, enrol_year,
    lottery_funded; IDs normalised."""
    return parse_answers(frame, STUDENT_FIELDS)


def prepare_relatives(
    frame: pd.DataFrame, as_of: dt.date
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """亲属培训 rows with the trainee's age from the trainee's ID."""
    parsed, problems = parse_answers(frame, RELATIVE_FIELDS)
    parsed["age"] = completed_years(birth_dates(parsed["trainee_id"]), as_of)
    return parsed, problems
