"""Evidence rows and Chinese summaries for non-exact links (fanpin.link.evidence)."""

from __future__ import annotations

import pandas as pd

from fanpin.link.evidence import EVIDENCE_HEADERS, evidence_table, mark_differences, pair_details
from fanpin.link.nearmiss import PAIR_COLUMNS


def pair(**values: object) -> pd.DataFrame:
    base: dict[str, object] = {c: pd.NA for c in PAIR_COLUMNS}
    base.update(
        code="SUSPECTED_ID_TYPO",
        status="linked",
        confidence=0.95,
        rule="transposition",
        positions="9,10",
        n_candidates=1,
        a_source="低保.xlsx",
        a_sheet="Sheet1",
        a_row=12,
        a_id="140105190801011233",
        a_name="王晓明",
        b_source="残联.xlsx",
        b_sheet="Sheet1",
        b_row=7,
        b_id="140105198001011233",
        b_name="王晓明",
        name_outcome="same",
        name_signal="exact",
        char_score=1.0,
        pinyin_score=1.0,
        county_check="agree",
        birth_check="unknown",
        sex_check="unknown",
        note="",
    )
    base.update(values)
    return pd.DataFrame([base])


def test_differing_digits_are_bracketed_on_both_sides() -> None:
    a, b = mark_differences(pd.Series(["140105190801011233"]), pd.Series(["140105198001011233"]))
    assert a.tolist() == ["14010519[0][8]01011233"]
    assert b.tolist() == ["14010519[8][0]01011233"]


def test_a_dropped_digit_is_marked_as_a_gap() -> None:
    a, b = mark_differences(pd.Series(["14010519800101123"]), pd.Series(["140105198001011233"]))
    assert a.tolist() == ["14010519800101123[ ]"]
    assert b.tolist() == ["14010519800101123[3]"]


def test_linked_typo_summary_names_the_positions_the_other_record_and_asks_to_check() -> None:
    text = pair_details(pair()).iloc[0]
    assert "相邻两位数字颠倒（第9、10位）" in text
    assert "“残联.xlsx”第7行" in text
    assert "县(区)相同" in text
    assert "请核实" in text


def test_ambiguous_typo_summary_says_nothing_was_linked() -> None:
    text = pair_details(pair(status="ambiguous", n_candidates=2)).iloc[0]
    assert "有2个同样可能的人员" in text
    assert "未作关联" in text


def test_name_mismatch_summary_gives_both_names_and_scores() -> None:
    text = pair_details(
        pair(
            code="NAME_MISMATCH",
            b_name="李娜",
            name_outcome="different",
            name_signal="scores",
            char_score=0.0,
            pinyin_score=0.0,
        )
    ).iloc[0]
    assert "登记为“李娜”，此处为“王晓明”" in text
    assert "字形相似度0.0" in text


def test_evidence_table_has_chinese_headers_and_pinyin() -> None:
    table = evidence_table(pair())
    assert list(table.columns) == list(EVIDENCE_HEADERS.values())
    assert table["记录A拼音"].iloc[0] == "wang xiao ming"
    assert table["记录A身份证号（[ ]为不同处）"].iloc[0] == "14010519[0][8]01011233"
    assert table["判定依据"].iloc[0] == "相邻两位数字颠倒"


def test_number_that_lost_digits_is_shown_unmarked() -> None:
    table = evidence_table(
        pair(
            code="ID_UNRECOVERABLE",
            status="probable",
            rule="unrecoverable",
            positions="1-16",
            a_id="1.401051980010112e+17",
        )
    )
    assert table["记录A身份证号（[ ]为不同处）"].iloc[0] == "1.401051980010112e+17"
    assert table["记录B身份证号（[ ]为不同处）"].iloc[0] == "140105198001011233"
    assert "按残存的前16位有效数字和姓名" in table["说明"].iloc[0]
