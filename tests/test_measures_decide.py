"""Hand-worked eligibility cases, one rule of the notice at a time (reference date 2024-09-30
unless stated). Expected values come from the notice's wording, not from running the code."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fanpin.measures.rules import SLUGS
from tests.measures_factories import all_yes, decide, make_id, one, person


def decide_one(measure: str, birth: str = "19800101", *, as_of: dt.date | None = None,
               survey: dict | None = None, **roster_fields) -> pd.Series:  # fmt: skip
    """Decision for one roster person who asked for everything (unless `survey` says)."""
    row = person(birth, **roster_fields)
    answers = all_yes(row["id_number"], **(survey or {}))
    kwargs = {"as_of": as_of} if as_of else {}
    return one(decide([row], [answers], **kwargs), measure, row["id_number"])


# ---------------------------------------------------------------- age bounds (inclusive)


@pytest.mark.parametrize("measure", ["training", "industry"])
@pytest.mark.parametrize(
    ("birth", "decision", "reason"),
    [
        ("20080930", "eligible", "年龄16周岁"),  # 16th birthday on the reference date
        ("20081001", "ineligible", "年龄15周岁，未满16周岁"),  # one day later
        ("19531001", "eligible", "年龄70周岁"),  # 70 周岁 and 364 days
        ("19530930", "ineligible", "年龄71周岁，超过70周岁上限"),  # 71st birthday that day
    ],
)
def test_training_and_industry_ages_16_to_70_inclusive(measure, birth, decision, reason):
    row = decide_one(measure, birth)
    assert row["decision"] == decision
    assert reason in row["reason"]


def test_training_pays_1500_and_industry_6000_when_eligible():
    assert decide_one("training")["amount"] == 1500
    assert decide_one("industry")["amount"] == 6000


@pytest.mark.parametrize(
    ("birth", "decision", "reason"),
    [
        ("19641001", "eligible", "年龄59周岁"),
        ("19640930", "ineligible", "年龄60周岁，超过59周岁上限"),
    ],
)
def test_care_is_for_ages_16_to_59(birth, decision, reason):
    row = decide_one("care", birth)
    assert (row["decision"], row["amount"] if decision == "eligible" else None) == (
        decision,
        4000 if decision == "eligible" else None,
    )
    assert reason in row["reason"]


@pytest.mark.parametrize(
    ("birth", "decision", "reason"),
    [("20170930", "eligible", "年龄7周岁"), ("20171001", "ineligible", "年龄6周岁，未满7周岁")],
)
def test_rehab_is_for_physical_disability_from_age_7(birth, decision, reason):
    row = decide_one("rehab", birth)
    assert row["decision"] == decision
    assert reason in row["reason"]


@pytest.mark.parametrize(
    ("as_of", "decision"), [(dt.date(2023, 2, 28), "ineligible"), (dt.date(2023, 3, 1), "eligible")]
)
def test_rehab_for_a_29_february_child_starts_on_1_march_of_the_7th_year(as_of, decision):
    row = decide_one("rehab", "20160229", as_of=as_of)
    assert row["decision"] == decision


# ---------------------------------------------------------------- categories and levels


@pytest.mark.parametrize(
    ("category", "level", "survey", "decision", "reason"),
    [
        ("肢体残疾", "三级", {}, "ineligible", "肢体残疾三级，不属于本项范围"),
        ("肢体残疾", "一级", {}, "eligible", "肢体残疾一级"),
        ("智力残疾", "三级", {}, "eligible", "智力残疾三级"),
        ("精神残疾", "四级", {}, "eligible", "精神残疾四级"),
        ("视力残疾", "一级", {}, "ineligible", "视力残疾一级，不属于本项范围"),
        ("多重残疾", "二级", {"multiple_components": "精神、肢体"}, "eligible", "含肢体、精神"),
        ("多重残疾", "二级", {"multiple_components": "肢体、视力"}, "ineligible", "不含智力或精神"),
        ("多重残疾", "二级", {}, "undetermined", "缺少“多重残疾包含类别”"),
    ],
)
def test_care_categories(category, level, survey, decision, reason):
    row = decide_one("care", category=category, level=level, survey=survey)
    assert row["decision"] == decision
    assert reason in row["reason"]


def test_category_missing_from_the_roster_is_read_from_the_certificate_number():
    pid = make_id("19800101")
    row = decide_one("care", category=None, level=None, cert_number=pid + "53")  # 智力三级
    assert row["decision"] == "eligible"
    assert "智力残疾三级" in row["reason"]


def test_category_missing_everywhere_is_undetermined():
    row = decide_one("care", category=None, level=None, cert_number=None)
    assert row["decision"] == "undetermined"
    assert "缺少残疾类别" in row["reason"]


def test_prosthesis_needs_a_physical_disability():
    row = decide_one("prosthesis", category="智力残疾", level="一级")
    assert row["decision"] == "ineligible"
    ok = decide_one("prosthesis", survey={"prosthesis_need": "小腿"})
    assert (ok["decision"], ok["item"]) == ("eligible", "小腿")


def test_accessibility_is_for_severe_disability_only():
    assert decide_one("accessibility", level="二级")["decision"] == "eligible"
    row = decide_one("accessibility", level="三级")
    assert row["decision"] == "ineligible"
    assert "等级限一级、二级" in row["reason"]


# ---------------------------------------------------------------- dead, not on the roster


@pytest.mark.parametrize("status", ["死亡", "注销"])
def test_dead_or_cancelled_person_is_ineligible_for_every_measure(status):
    row = person("19800101", cert_status=status)
    decisions = decide([row], [all_yes(row["id_number"])])
    assert sorted(decisions["measure"]) == sorted(SLUGS)
    assert (decisions["decision"] == "ineligible").all()
    assert decisions["reason"].str.contains(f"已死亡，不纳入帮扶（证件状态为{status}）").all()
    assert decisions["amount"].isna().all()


def test_survey_person_not_on_the_roster_is_ineligible():
    outsider = make_id("19900101", 9)
    decisions = decide([person("19800101")], [all_yes(outsider)])
    theirs = decisions[decisions["id_number"] == outsider]
    assert len(theirs) == len(SLUGS)
    assert (theirs["reason"] == "不在未解除返贫风险残疾人名单中").all()


def test_every_roster_person_gets_a_decision_for_every_measure():
    rows = [person("19800101", 1), person("19900101", 3), person("20000101", 5)]
    decisions = decide(rows, [all_yes(rows[0]["id_number"])])
    per_person = decisions.groupby("disabled_id")["measure"].nunique()
    assert per_person.tolist() == [len(SLUGS)] * 3
    assert decisions["reason"].str.len().gt(0).all()


# ---------------------------------------------------------------- blank and unreadable answers


def test_blank_answer_is_undetermined_naming_the_field():
    row = decide_one("training", survey={"training_wish": None})
    assert row["decision"] == "undetermined"
    assert row["reason"] == "未填写“培训意愿”"


def test_person_missing_from_the_survey_is_undetermined_for_survey_measures():
    decisions = decide([person("19800101")], [])
    assert one(decisions, "training")["reason"] == "需求摸底表中没有此人"
    assert one(decisions, "cash")["decision"] == "eligible"  # needs no survey answer


def test_unreadable_answer_is_undetermined_quoting_it():
    row = decide_one("training", survey={"training_wish": "可以"})
    assert row["decision"] == "undetermined"
    assert row["reason"] == "“培训意愿”填写为“可以”，无法识别"


def test_a_certain_no_is_not_held_up_by_a_missing_answer():
    row = decide_one("training", survey={"work_ability": None, "training_wish": "否"})
    assert (row["decision"], row["reason"]) == ("ineligible", "培训意愿：否")


def test_every_missing_field_is_named():
    row = decide_one("cataract", survey={"cataract_indication": None, "surgery_consent": ""})
    assert row["reason"] == "未填写“白内障手术指征”；未填写“手术意愿”"


def test_no_work_ability_excludes_training():
    row = decide_one("training", survey={"work_ability": "无"})
    assert row["decision"] == "ineligible"
    assert "劳动能力：无" in row["reason"]


# ---------------------------------------------------------------- once-only rules (history)


def history_row(pid: str, measure: str, year: int) -> dict:
    return {"id_number": pid, "measure": measure, "year": str(year)}


def test_industry_paid_in_2023_is_not_paid_again_in_2024():
    row = person("19800101")
    pid = row["id_number"]
    decisions = decide([row], [all_yes(pid)], history=[history_row(pid, "产业发展", 2023)])
    got = one(decisions, "industry")
    assert got["decision"] == "ineligible"
    assert got["reason"] == "已于2023年获得促进产业发展帮扶，3年内只补助一次"


def test_industry_paid_in_2021_is_outside_the_three_years_ending_2024():
    row = person("19800101")
    pid = row["id_number"]
    decisions = decide([row], [all_yes(pid)], history=[history_row(pid, "industry", 2021)])
    assert one(decisions, "industry")["decision"] == "eligible"


def test_one_off_cash_is_paid_once_over_2022_to_2024():
    row = person("19800101")
    pid = row["id_number"]
    decisions = decide([row], [all_yes(pid)], history=[history_row(pid, "资金帮扶", 2022)])
    got = one(decisions, "cash")
    assert got["decision"] == "ineligible"
    assert "2022—2024年每人只帮扶一次" in got["reason"]


def test_training_received_last_year_can_be_received_again():
    row = person("19800101")
    pid = row["id_number"]
    decisions = decide([row], [all_yes(pid)], history=[history_row(pid, "实用技术培训", 2023)])
    assert one(decisions, "training")["decision"] == "eligible"


def test_without_history_eligible_once_only_measures_say_history_was_not_checked():
    got = decide_one("cash")
    assert got["decision"] == "eligible"
    assert "未核对历年帮扶记录" in got["reason"]


def test_cash_outside_2022_to_2024_is_ineligible():
    got = decide_one("cash", as_of=dt.date(2025, 3, 31))
    assert got["decision"] == "ineligible"
    assert got["reason"] == "2025年不在本项实施期（2022—2024年）内"


# ---------------------------------------------------------------- study grant (per student)


def study(student: dict, as_of: dt.date) -> pd.Series:
    parent = person("19750101")
    pid = parent["id_number"]
    row = {"disabled_id": pid, "student_name": "学生", "student_id": make_id("20040101", 2)}
    row.update(student)
    decisions = decide([parent], [all_yes(pid)], as_of=as_of, students=[row])
    return one(decisions, "study", row["student_id"])


def test_study_grant_excludes_a_2022_entrant_in_the_2022_round():
    got = study({"enrol_year": "2022", "lottery_funded": "否"}, dt.date(2022, 9, 30))
    assert got["decision"] == "ineligible"
    assert got["reason"] == "2022年入学，2022年度不纳入资助"


def test_study_grant_pays_5000_to_a_2021_entrant_in_the_2022_round():
    got = study({"enrol_year": "2021", "lottery_funded": "否"}, dt.date(2022, 9, 30))
    assert (got["decision"], got["amount"], got["role"]) == ("eligible", 5000, "在校大学生")


def test_study_grant_excludes_a_student_already_funded_by_the_lottery_grant():
    got = study({"enrol_year": "2021", "lottery_funded": "是"}, dt.date(2024, 9, 30))
    assert got["decision"] == "ineligible"
    assert got["reason"] == "在学期间已获省彩票公益金资助"


def test_study_grant_with_funding_not_stated_is_undetermined():
    got = study({"enrol_year": "2023", "lottery_funded": None}, dt.date(2024, 9, 30))
    assert got["decision"] == "undetermined"
    assert got["reason"] == "未填写“已获省彩票公益金资助”"


def test_person_without_students_listed_is_ineligible_for_the_study_grant():
    row = person("19800101")
    decisions = decide([row], [all_yes(row["id_number"])], students=[])
    assert one(decisions, "study")["reason"] == "在校大学生名单中没有其家庭子女"
    no_sheet = decide([row], [all_yes(row["id_number"])])
    assert one(no_sheet, "study")["decision"] == "undetermined"


# ---------------------------------------------------------------- relatives in training


def relative(fields: dict, level: str = "一级") -> pd.Series:
    disabled = person("19600101", level=level)
    row = {
        "disabled_id": disabled["id_number"],
        "trainee_name": "亲属",
        "trainee_id": make_id("19850101", 4),
        "relationship": "配偶",
        "cohabiting": "是",
    }
    row.update(fields)
    decisions = decide([disabled], [all_yes(disabled["id_number"])], relatives=[row])
    return one(decisions, "training", row["trainee_id"])


def test_relative_of_a_severe_disabled_person_living_with_them_is_eligible():
    got = relative({})
    assert (got["decision"], got["amount"], got["role"]) == ("eligible", 1500, "亲属")


def test_direct_relative_not_living_with_them_is_ineligible():
    got = relative({"cohabiting": "否"})
    assert (got["decision"], got["reason"]) == ("ineligible", "直系亲属未与残疾人共同生活")


def test_guardian_need_not_live_with_them():
    assert relative({"relationship": "监护人", "cohabiting": "否"})["decision"] == "eligible"


def test_relative_of_a_level_3_person_is_ineligible():
    got = relative({}, level="三级")
    assert (got["decision"], got["reason"]) == ("ineligible", "所属残疾人为三级，非重度残疾人")


def test_sibling_is_not_a_direct_relative():
    got = relative({"relationship": "哥哥"})
    assert got["decision"] == "ineligible"
    assert got["reason"] == "与残疾人关系：其他亲属，须为直系亲属或监护人"
