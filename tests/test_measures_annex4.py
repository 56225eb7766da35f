"""Annex 4 workbook: the notice's layout (golden file) and counts that add up."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.measures.annex4 import ANNEX4_KEYS, blank_annex4, write_annex4
from fanpin.measures.summary import annex4_counts, city_tables, province_table
from tests.measures_factories import all_yes, decide, make_id, person

GOLDEN = Path(__file__).parent / "golden" / "annex4_layout.json"


def counts_frame(rows: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(ANNEX4_KEYS))


def test_annex4_layout_matches_the_notice(tmp_path):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    counts = counts_frame({"小店区": [1] * 13, "迎泽区": [2] * 13})
    path = tmp_path / "附件4.xlsx"
    write_annex4(path, {"太原市": counts}, date=dt.date(2024, 9, 30), contact="张三 0351-1234567")

    sheet = openpyxl.load_workbook(path)[golden["sheet"]]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == sorted(golden["merged"])
    for ref, text in golden["cells"].items():
        assert sheet[ref].value == text, ref
    setup = sheet.page_setup
    # fitToWidth is left out of the file when it is the OOXML default of 1.
    assert {
        "orientation": setup.orientation,
        "paper_size": int(setup.paperSize),
        "fit_to_page": sheet.sheet_properties.pageSetUpPr.fitToPage,
        "fit_to_width": setup.fitToWidth if setup.fitToWidth is not None else 1,
        "fit_to_height": int(setup.fitToHeight),
        "print_title_rows": sheet.print_title_rows,
    } == golden["print"]
    assert sheet.freeze_panes == golden["freeze_panes"]


def test_annex4_total_row_holds_sums_with_their_values(tmp_path):
    counts = counts_frame({"小店区": list(range(13)), "迎泽区": [5] * 13})
    path = tmp_path / "a.xlsx"
    write_annex4(path, {"太原市": counts})
    values = openpyxl.load_workbook(path, data_only=True)["太原市"]
    assert [values.cell(8, c).value for c in range(2, 15)] == [5 + i for i in range(13)]
    assert values["J2"].value.replace(" ", "") == "日期：年月日"  # blank date as printed


def test_blank_template_leaves_counts_empty_and_keeps_total_formulas(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_annex4(path, {"某市": blank_annex4(["", "", ""])})
    sheet = openpyxl.load_workbook(path)["某市"]
    assert all(sheet.cell(r, c).value is None for r in range(6, 9) for c in range(2, 15))
    assert sheet["A9"].value == "合计"
    assert sheet["B9"].value == "=SUM(B6:B8)"


def test_province_sheet_comes_first_with_city_rows(tmp_path):
    counts = counts_frame({"小店区": [1] * 13})
    path = tmp_path / "p.xlsx"
    write_annex4(path, {"太原市": counts}, province=counts_frame({"太原市": [1] * 13}))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["全省汇总", "太原市"]
    assert (book["全省汇总"]["A3"].value, book["全省汇总"]["A2"].value) == (
        "市",
        "省残联（公章）：",
    )


def test_missing_count_column_is_refused(tmp_path):
    with pytest.raises(ValueError, match="hearing_aid"):
        write_annex4(
            tmp_path / "x.xlsx",
            {"太原市": counts_frame({"a": [0] * 13}).drop(columns="hearing_aid")},
        )
    assert not (tmp_path / "x.xlsx").exists()


def scenario() -> pd.DataFrame:
    """Five Taiyuan people and one in Datong, answers chosen so each column is worked out."""
    a = person("19800101", 1, county="小店区")  # wants everything, 肢体二级
    b = person("19700101", 3, county="小店区", category="精神残疾", level="三级")
    c = person("19900101", 5, county="迎泽区", level="一级")
    d = person("19650101", 7, county="迎泽区", level="一级", cert_status="死亡")
    e = person("19850101", 9, county="迎泽区", level="一级")
    f = person("19750101", 11, county="平城区", city="大同市", category="视力残疾", level="四级")
    head = make_id("19500101", 13)
    survey = [
        all_yes(a["id_number"]),  # 大腿, 轮椅+拐杖, household of its own
        all_yes(b["id_number"], prosthesis_need="无", assistive_need="助听器",
                training_wish="否", industry_wish="否"),
        all_yes(c["id_number"], prosthesis_need="小腿", assistive_need="无", head_id=head),
        all_yes(d["id_number"]),
        all_yes(e["id_number"], prosthesis_need="", assistive_need="轮椅", head_id=head,
                care_need="否", rehab_potential="否"),
        all_yes(f["id_number"], assistive_need="拐杖、助听器"),
    ]  # fmt: skip
    return decide([a, b, c, d, e, f], survey)


def test_annex4_counts_worked_by_hand():
    counts = annex4_counts(scenario()).set_index(["city", "county"])
    expected = {
        #                     ①  ②  ③  ④  ⑤  ⑥ 大腿 小腿 轮椅 拐杖 助听 ⑨  ⑩
        ("太原市", "小店区"): [2, 0, 1, 1, 2, 2, 1, 0, 1, 1, 1, 1, 1],
        ("太原市", "迎泽区"): [2, 0, 2, 2, 1, 2, 0, 1, 1, 0, 0, 1, 1],
        ("大同市", "平城区"): [1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0],
    }
    for key, row in expected.items():
        assert counts.loc[key, list(ANNEX4_KEYS)].tolist() == row, key


def test_annex4_totals_equal_county_rows_and_eligible_decisions(tmp_path):
    decisions = scenario()
    counts = annex4_counts(decisions)
    path = tmp_path / "a.xlsx"
    write_annex4(path, city_tables(counts), province=province_table(counts))
    book = openpyxl.load_workbook(path, data_only=True)

    eligible = decisions[decisions["decision"] == "eligible"]
    taiyuan = eligible[eligible["city"] == "太原市"]
    sheet = book["太原市"]
    total_row = next(r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 1).value == "合计")
    for col in range(2, 2 + len(ANNEX4_KEYS)):
        county_sum = sum(sheet.cell(r, col).value for r in range(6, total_row))
        assert sheet.cell(total_row, col).value == county_sum
    # Plain columns equal the number of eligible decisions of that measure.
    for col, key in ((3, "study"), (4, "training"), (5, "industry"), (6, "care"), (13, "rehab")):
        assert sheet.cell(total_row, col).value == (taiyuan["measure"] == key).sum()
    # The province total equals the sum of the cities.
    province = book["全省汇总"]
    assert [province.cell(6, c).value for c in (1, 2)] == ["太原市", 4]
    assert [province.cell(8, c).value for c in (1, 2)] == ["合计", 5]


def test_every_county_of_the_city_gets_a_row_even_with_no_one_eligible():
    counts = annex4_counts(scenario())
    taiyuan = city_tables(counts)["太原市"]
    # 太原市 has 10 county-level units today (6 districts, 3 counties, 古交市).
    assert len(taiyuan) == 10
    assert taiyuan.loc["杏花岭区"].sum() == 0
