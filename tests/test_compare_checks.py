"""Each finding code on a small hand-made case; expectations worked from the rules."""

from __future__ import annotations

import pandas as pd

from fanpin.compare.checks import run_checks as _checks
from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import parse_compare_rules
from fanpin.rules import load_rules
from tests.factories import frame, make_id

Q = Quarter.parse("2024Q3")
RULES = parse_compare_rules(load_rules())

A = make_id("140105", "19800315", 1)  # risk, level 1, new this quarter, nothing paid
B = make_id("140105", "19750101", 3)  # risk, level 3, on 低保 (urban), living subsidy paid
C = make_id("140802", "19600606", 5)  # risk, level 2, on 低保, no living, care paid
D = make_id("140802", "19900909", 7)  # not monitored, level 2, new this quarter
E = make_id("141002", "19500505", 9)  # dead, still paid care subsidy in August
F = make_id("141002", "19700707", 11)  # risk, level 1, 特困供养: no subsidy findings
G = make_id("140105", "19880808", 13)  # monitored but risk cleared: not on the roster


def _sources() -> dict[str, pd.DataFrame | None]:
    dpf = frame(
        "dpf",
        [
            dict(
                name="甲一",
                id_number=A,
                cert_number=A + "41",
                level=1,
                category=4,
                cert_status="正常",
                issue_date="2024-08-01",
                sex="男",
            ),
            dict(
                name="乙二",
                id_number=B,
                cert_number=B + "53",
                level=3,
                category=5,
                cert_status="正常",
                issue_date="2019-01-01",
                sex="男",
            ),
            dict(
                name="丙三",
                id_number=C,
                cert_number=C + "12",
                level=2,
                category=1,
                cert_status="正常",
                issue_date="2020-01-01",
                sex="男",
            ),
            dict(
                name="丁四",
                id_number=D,
                cert_number=D + "42",
                level=2,
                category=4,
                cert_status="正常",
                issue_date="2024-09-30",
                sex="男",
            ),
            dict(
                name="戊五",
                id_number=E,
                cert_number=E + "41",
                level=1,
                category=4,
                cert_status="死亡",
                issue_date="2010-01-01",
                sex="男",
            ),
            dict(
                name="己六",
                id_number=F,
                cert_number=F + "61",
                level=1,
                category=6,
                cert_status="正常",
                issue_date="2015-01-01",
                sex="男",
            ),
            dict(
                name="庚七",
                id_number=G,
                cert_number=G + "44",
                level=4,
                category=4,
                cert_status="正常",
                issue_date="2018-01-01",
                sex="男",
            ),
        ],
    )
    monitor = frame(
        "monitor",
        [
            dict(name="甲一", id_number=A, household_type="监测户", risk_cleared="否"),
            dict(name="乙二", id_number=B, household_type="监测户", risk_cleared="否"),
            dict(name="丙三", id_number=C, household_type="监测户", risk_cleared="否"),
            dict(name="己六", id_number=F, household_type="监测户", risk_cleared="否"),
            dict(name="庚七", id_number=G, household_type="监测户", risk_cleared="是"),
        ],
    )
    dibao = frame(
        "dibao",
        [
            dict(name="乙二", id_number=B, dibao_type="城市低保", dibao_status="在保"),
            dict(name="丙三", id_number=C, dibao_type="农村低保", dibao_status="在保"),
            dict(name="己六", id_number=F, dibao_type="特困供养", dibao_status="在保"),
        ],
    )
    subsidy = frame(
        "subsidy",
        [
            dict(name="乙二", id_number=B, subsidy_type="困难残疾人生活补贴", pay_month="2024-07"),
            dict(name="丙三", id_number=C, subsidy_type="重度残疾人护理补贴", pay_month="2024-09"),
            dict(name="戊五", id_number=E, subsidy_type="重度残疾人护理补贴", pay_month="2024-08"),
        ],
    )
    return {"dpf": dpf, "dibao": dibao, "subsidy": subsidy, "monitor": monitor}


def _codes(findings: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(findings["code"], findings["id_number"], strict=True))


def test_roster_is_valid_holders_in_at_risk_monitored_households() -> None:
    _, roster, _ = _checks(_sources(), Q, RULES)
    assert set(roster["pid"]) == {A, B, C, F}


def test_coverage_findings_match_the_hand_worked_table() -> None:
    findings, _, skipped = _checks(_sources(), Q, RULES)
    assert skipped == []
    assert _codes(findings) == {
        ("NEW_RISK_DISABLED", A),  # issued 2024-08-01, in 2024Q3
        ("MISSING_DIBAO", A),  # A is on no 低保 roster
        ("MISSING_CARE_SUBSIDY", A),  # level 1, no care payment
        ("MISSING_LIVING_SUBSIDY", C),  # on 低保, no living subsidy in Jul-Sep
        ("NOT_MONITORED_SEVERE", D),  # level 2, issued 2024-09-30, not monitored
        ("DECEASED_PAID", E),  # 死亡, paid care in 2024-08
        # B: level 3 -> no care due; living paid. F: 特困供养 exempt from both subsidies.
    }


def test_deceased_paid_points_at_the_payment_record() -> None:
    findings, _, _ = _checks(_sources(), Q, RULES)
    row = findings[findings["code"] == "DECEASED_PAID"].iloc[0]
    assert row["agency"] == "民政"
    assert "2024-08" in row["detail"] and "死亡" in row["detail"]


def test_payment_outside_the_quarter_does_not_count() -> None:
    sources = _sources()
    subsidy = sources["subsidy"]
    assert subsidy is not None
    subsidy.loc[subsidy["pid"] == B, "pay_month"] = "2024-06"
    findings, _, _ = _checks(sources, Q, RULES)
    assert ("MISSING_LIVING_SUBSIDY", B) in _codes(findings)


def test_missing_monitor_file_skips_roster_checks_and_says_so() -> None:
    sources = _sources()
    sources["monitor"] = None
    findings, roster, skipped = _checks(sources, Q, RULES)
    assert roster.empty
    assert any("乡村振兴" in note for note in skipped)
    assert set(findings["code"]) <= {"DECEASED_PAID"}


def test_quality_codes_on_hand_made_rows() -> None:
    wrong_check = A[:-1] + ("0" if A[-1] != "0" else "1")
    dpf = frame(
        "dpf",
        [
            dict(name="甲一", id_number=A, cert_number=A + "41", level=2, category=4, sex="女"),
            dict(name="甲一", id_number=A, cert_number=A + "41", level=1, category=4, sex="男"),
            dict(name="乙二", id_number=B, cert_number=C + "53", level=3, category=5, sex="男"),
            dict(name="丙三", id_number=wrong_check, cert_number=None, level=1, category=1),
            dict(name="丁四", id_number="1.40802199009E+17", cert_number=None, level=1, category=1),
        ],
    )
    findings, _, _ = _checks(
        {"dpf": dpf, "dibao": None, "subsidy": None, "monitor": None}, Q, RULES
    )
    got = sorted(zip(findings["code"], findings["row"], strict=True))
    assert got == sorted(
        [
            ("SEX_MISMATCH", "2"),  # 女 stated, ID sequence odd -> 男
            ("CERT_CLASS_MISMATCH", "2"),  # cert says level 1, sheet says 2
            ("DUPLICATE_RECORD", "3"),  # same ID as row 2
            ("CERT_ID_MISMATCH", "4"),  # cert built on C, ID is B
            ("INVALID_ID", "5"),  # wrong check character
            ("ID_UNRECOVERABLE", "6"),  # exponent form
        ]
    )


def test_double_payment_same_month_and_type_is_a_duplicate() -> None:
    subsidy = frame(
        "subsidy",
        [
            dict(name="乙二", id_number=B, subsidy_type="困难残疾人生活补贴", pay_month="2024-07"),
            dict(name="乙二", id_number=B, subsidy_type="困难残疾人生活补贴", pay_month="2024-08"),
            dict(name="乙二", id_number=B, subsidy_type="重度残疾人护理补贴", pay_month="2024-08"),
            dict(name="乙二", id_number=B, subsidy_type="困难残疾人生活补贴", pay_month="2024-08"),
        ],
    )
    dpf = frame("dpf", [dict(name="乙二", id_number=B, level=3, category=5)])
    sources = {"dpf": dpf, "dibao": None, "subsidy": subsidy, "monitor": None}
    findings, _, _ = _checks(sources, Q, RULES)
    dup = findings[findings["code"] == "DUPLICATE_RECORD"]
    assert dup["row"].tolist() == ["5"]  # the repeat of row 3 (Aug, living subsidy)


def test_blank_certificate_status_counts_as_valid() -> None:
    dpf = frame("dpf", [dict(name="甲一", id_number=A, level=1, cert_status=None)])
    monitor = frame(
        "monitor", [dict(name="甲一", id_number=A, household_type="监测户", risk_cleared="否")]
    )
    sources = {"dpf": dpf, "dibao": None, "subsidy": None, "monitor": monitor}
    _, roster, _ = _checks(sources, Q, RULES)
    assert roster["pid"].tolist() == [A]


def test_skips_name_the_codes_left_unchecked() -> None:
    from fanpin.compare.checks import skipped_codes

    sources = _sources()
    sources["dibao"] = None
    _, _, skipped = _checks(sources, Q, RULES)
    # No 低保 file: MISSING_DIBAO and MISSING_LIVING_SUBSIDY cannot be decided.
    assert skipped_codes(skipped) == ["MISSING_DIBAO", "MISSING_LIVING_SUBSIDY"]


def test_severe_new_holder_in_a_poverty_household_still_needs_a_visit() -> None:
    # A 脱贫户 is in the RRB list but not a 监测对象: the notice's home visit decides
    # whether the person should be brought into monitoring.
    dpf = frame(
        "dpf",
        [dict(name="丁四", id_number=D, level=1, cert_status="正常", issue_date="2024-07-15")],
    )
    monitor = frame(
        "monitor", [dict(name="丁四", id_number=D, household_type="脱贫户", risk_cleared=None)]
    )
    sources = {"dpf": dpf, "dibao": None, "subsidy": None, "monitor": monitor}
    findings, _, _ = _checks(sources, Q, RULES)
    assert _codes(findings) == {("NOT_MONITORED_SEVERE", D)}


def test_blank_dibao_status_counts_as_on_dibao() -> None:
    sources = _sources()
    dibao = sources["dibao"]
    assert dibao is not None
    dibao["dibao_status"] = pd.Series([pd.NA] * len(dibao), dtype="string", index=dibao.index)
    findings, _, _ = _checks(sources, Q, RULES)
    # Same as with 在保 everywhere: only A (on no roster) is missing 低保; C still lacks the
    # living subsidy; F stays exempt as 特困供养.
    assert {i for c, i in _codes(findings) if c == "MISSING_DIBAO"} == {A}
    assert ("MISSING_LIVING_SUBSIDY", C) in _codes(findings)


def test_level_comes_from_certificate_when_column_is_blank() -> None:
    dpf = frame(
        "dpf",
        [dict(name="丁四", id_number=D, cert_number=D + "42", level=None, issue_date="2024-08-01")],
    )
    monitor = frame(
        "monitor", [dict(name="某", id_number=A, household_type="监测户", risk_cleared="否")]
    )
    sources = {"dpf": dpf, "dibao": None, "subsidy": None, "monitor": monitor}
    findings, _, skipped = _checks(sources, Q, RULES)
    # Certificate digit 2 = 二级: severe, new in 2024Q3, not monitored.
    assert _codes(findings) == {("NOT_MONITORED_SEVERE", D)}
    assert not any("残疾等级" in note for note in skipped)


def test_more_severe_of_column_and_certificate_level_counts() -> None:
    # Column says 三级, certificate says 一级: care subsidy due, and the clash is reported.
    dpf = frame("dpf", [dict(name="甲一", id_number=A, cert_number=A + "41", level=3)])
    monitor = frame(
        "monitor", [dict(name="甲一", id_number=A, household_type="监测户", risk_cleared="否")]
    )
    subsidy = frame(
        "subsidy",
        [dict(name="甲一", id_number=A, subsidy_type="困难残疾人生活补贴", pay_month="2024-07")],
    )
    sources = {"dpf": dpf, "dibao": None, "subsidy": subsidy, "monitor": monitor}
    codes = {c for c, _ in _codes(_checks(sources, Q, RULES)[0])}
    assert {"MISSING_CARE_SUBSIDY", "CERT_CLASS_MISMATCH"} <= codes


def test_blank_risk_status_of_a_monitored_household_keeps_the_person_on_the_roster() -> None:
    dpf = frame("dpf", [dict(name="甲一", id_number=A, level=4)])
    monitor = frame(
        "monitor", [dict(name="甲一", id_number=A, household_type="监测户", risk_cleared=None)]
    )
    sources = {"dpf": dpf, "dibao": None, "subsidy": None, "monitor": monitor}
    assert _checks(sources, Q, RULES)[1]["pid"].tolist() == [A]


def test_payroll_of_another_quarter_skips_subsidy_checks_and_says_so() -> None:
    from fanpin.compare.checks import skipped_codes

    sources = _sources()
    subsidy = sources["subsidy"]
    assert subsidy is not None
    subsidy["pay_month"] = "2024-04"
    findings, _, skipped = _checks(sources, Q, RULES)
    assert not {"MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"} & set(findings["code"])
    assert any("没有2024Q3的发放记录" in note for note in skipped)
    assert {"MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"} <= set(skipped_codes(skipped))


def test_row_linked_through_certificate_shows_that_id() -> None:
    dpf = frame("dpf", [dict(name="乙二", id_number=None, cert_number=B + "53", level=3)])
    assert dpf["id_number"].tolist() == [B]
