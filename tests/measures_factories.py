"""Small hand-made inputs for the measures tests (raw text cells, English field names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from fanpin.measures.decide import DecisionInputs, decide_all
from fanpin.measures.history import prepare_history
from fanpin.measures.people import (
    join_people,
    prepare_relatives,
    prepare_roster,
    prepare_students,
    prepare_survey,
)
from fanpin.measures.rules import MeasuresRules, parse_measures_rules
from fanpin.rules import load_rules

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
AS_OF = dt.date(2024, 9, 30)


def make_id(birth: str, seq: int = 1, region: str = "140105") -> str:
    """A valid ID born on `birth` (YYYYMMDD); check digit by GB 11643, written out here."""
    first17 = f"{region}{birth}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def raw_frame(
    rows: list[dict[str, Any]], source: str = "t.xlsx", sheet: str = "Sheet1"
) -> pd.DataFrame:
    """Text cells as the reader gives them, with _source/_sheet/_row meta columns."""
    frame = pd.DataFrame(rows).astype("str").astype(pd.StringDtype("pyarrow"))
    frame = frame.mask(frame == "None")
    frame["_source"] = source
    frame["_sheet"] = sheet
    frame["_row"] = pd.Series(range(2, len(frame) + 2), dtype="int64")
    return frame


def person(birth: str, seq: int = 1, **fields: Any) -> dict[str, Any]:
    """A roster row: 肢体残疾二级 in 太原市小店区 unless told otherwise."""
    pid = make_id(birth, seq)
    row = {
        "name": f"测试{seq}",
        "id_number": pid,
        "cert_number": pid + "42",
        "category": "肢体残疾",
        "level": "二级",
        "city": "太原市",
        "county": "小店区",
        "cert_status": "正常",
    }
    row.update(fields)
    return row


def all_yes(pid: str, **fields: Any) -> dict[str, Any]:
    """A survey row asking for everything."""
    row = {
        "name": "测试",
        "id_number": pid,
        "work_ability": "有",
        "training_wish": "是",
        "industry_wish": "是",
        "industry_type": "养殖",
        "care_need": "是",
        "cataract_indication": "是",
        "surgery_consent": "是",
        "prosthesis_need": "大腿",
        "assistive_need": "轮椅、拐杖",
        "rehab_potential": "是",
        "house_adaptable": "是",
        "accessibility_need": "是",
    }
    row.update(fields)
    return row


def default_rules() -> MeasuresRules:
    return parse_measures_rules(load_rules())


def decide(
    roster_rows: list[dict[str, Any]],
    survey_rows: list[dict[str, Any]] | None = None,
    *,
    as_of: dt.date = AS_OF,
    students: list[dict[str, Any]] | None = None,
    relatives: list[dict[str, Any]] | None = None,
    history: list[dict[str, Any]] | None = None,
    rules: MeasuresRules | None = None,
) -> pd.DataFrame:
    """Run the whole decision step on hand-made rows."""
    rules = rules or default_rules()
    roster = prepare_roster(raw_frame(roster_rows, "roster.csv", ""), rules.dead_cert_status)
    survey = None
    if survey_rows is not None:
        survey, _ = prepare_survey(raw_frame(survey_rows, "survey.xlsx", "需求摸底表"))
    inputs = DecisionInputs(
        people=join_people(roster, survey),
        as_of=as_of,
        students=prepare_students(raw_frame(students))[0] if students is not None else None,
        relatives=prepare_relatives(raw_frame(relatives), as_of)[0]
        if relatives is not None
        else None,
        history=prepare_history(raw_frame(history), rules) if history is not None else None,
    )
    return decide_all(inputs, rules)


def one(decisions: pd.DataFrame, measure: str, id_number: str | None = None) -> pd.Series:
    """The single decision row for a measure (and person)."""
    rows = decisions[decisions["measure"] == measure]
    if id_number is not None:
        rows = rows[rows["id_number"] == id_number]
    assert len(rows) == 1, rows
    return rows.iloc[0]
