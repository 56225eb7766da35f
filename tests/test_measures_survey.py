"""Reading survey answers: yes/no spellings, choices, multi-item cells, located problems."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.errors import ErrorCode
from fanpin.measures.fields import RELATIVE_FIELDS, SURVEY_BY_KEY, SURVEY_FIELDS
from fanpin.measures.people import prepare_survey
from fanpin.measures.survey import parse_answers, parse_choice, parse_items, parse_yes_no
from tests.measures_factories import make_id, raw_frame


@pytest.mark.parametrize("cell", ["是", "√", "Y", "y", "1", " 是 ", "有", "ｙ", "1.0"])
def test_yes_spellings_read_as_yes(cell):
    parsed, bad = parse_yes_no(pd.Series([cell], dtype="string"))
    assert parsed.tolist() == [True]
    assert pd.isna(bad.iloc[0])


@pytest.mark.parametrize("cell", ["否", "×", "N", "n", "0", "无", "X"])
def test_no_spellings_read_as_no(cell):
    parsed, bad = parse_yes_no(pd.Series([cell], dtype="string"))
    assert parsed.tolist() == [False]
    assert pd.isna(bad.iloc[0])


@pytest.mark.parametrize("cell", [None, "", "  ", "/"])
def test_blank_cell_means_not_stated_and_is_not_a_problem(cell):
    parsed, bad = parse_yes_no(pd.Series([cell], dtype="string"))
    assert pd.isna(parsed.iloc[0])
    assert pd.isna(bad.iloc[0])


def test_unreadable_yes_no_keeps_the_text_as_written():
    parsed, bad = parse_yes_no(pd.Series(["可以"], dtype="string"))
    assert pd.isna(parsed.iloc[0])
    assert bad.iloc[0] == "可以"


def test_assistive_cell_lists_items_in_a_fixed_order():
    field = SURVEY_BY_KEY["assistive_need"]
    cells = pd.Series(["拐杖，轮椅", "助听器", "双拐", "无", None, "坐便椅"], dtype="string")
    parsed, bad = parse_items(cells, field)
    assert parsed.iloc[0] == "轮椅、拐杖"
    assert parsed.iloc[1] == "助听器"
    assert parsed.iloc[2] == "拐杖"
    assert parsed.iloc[3] == ""  # stated: nothing needed
    assert pd.isna(parsed.iloc[4])  # not stated
    assert pd.isna(parsed.iloc[5]) and bad.iloc[5] == "坐便椅"


def test_prosthesis_cell_accepts_thigh_and_lower_leg_words():
    field = SURVEY_BY_KEY["prosthesis_need"]
    parsed, _ = parse_items(pd.Series(["大腿假肢", "小腿", "大腿、小腿"], dtype="string"), field)
    assert parsed.tolist() == ["大腿", "小腿", "大腿、小腿"]


def test_work_ability_aliases_map_to_the_three_choices():
    field = SURVEY_BY_KEY["work_ability"]
    parsed, _ = parse_choice(pd.Series(["有劳动能力", "弱劳动能力", "丧失劳动能力"]), field)
    assert parsed.tolist() == ["有", "部分", "无"]


def test_sibling_is_a_stated_relationship_that_is_not_direct():
    field = next(f for f in RELATIVE_FIELDS if f.key == "relationship")
    parsed, bad = parse_choice(pd.Series(["配偶", "监护人", "哥哥"]), field)
    assert parsed.tolist() == ["直系亲属", "监护人", "其他亲属"]
    assert bad.isna().all()


def test_unreadable_cell_is_reported_with_file_sheet_row_and_column():
    frame = raw_frame(
        [{"name": "甲", "id_number": make_id("19800101"), "training_wish": "可以"}],
        source="小店区.xlsx",
        sheet="需求摸底表",
    )
    _, problems = parse_answers(frame, SURVEY_FIELDS)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.code, problem.file, problem.sheet, problem.row) == (
        ErrorCode.BAD_VALUE,
        "小店区.xlsx",
        "需求摸底表",
        2,
    )
    assert (problem.column, problem.value) == ("培训意愿", "可以")


def test_invalid_id_in_survey_is_reported_masked():
    frame = raw_frame([{"name": "甲", "id_number": "140105198001011234"}])  # wrong check digit
    _, problems = parse_answers(frame, SURVEY_FIELDS)
    assert [p.column for p in problems] == ["公民身份号码"]
    assert problems[0].value == "1401**********1234"


def test_same_person_twice_with_different_answers_is_a_conflict():
    pid = make_id("19800101")
    frame = raw_frame(
        [
            {"name": "甲", "id_number": pid, "training_wish": "是"},
            {"name": "甲", "id_number": pid, "training_wish": "否"},
        ]
    )
    survey, _ = prepare_survey(frame)
    assert len(survey) == 1
    assert survey.loc[0, "survey_state"] == "conflict"
    assert "第2、3行" in survey.loc[0, "survey_note"]


def test_same_person_twice_with_identical_answers_is_kept_once():
    pid = make_id("19800101")
    row = {"name": "甲", "id_number": pid, "training_wish": "是"}
    survey, _ = prepare_survey(raw_frame([row, row]))
    assert len(survey) == 1
    assert survey.loc[0, "survey_state"] == "ok"
