"""Reading quirks of county files found by QA: merged household columns, bracketed header
notes, footer blocks, summary and instruction sheets, combined 类别等级, quarterly pay periods,
Excel error cells (synthetic data only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from fanpin.errors import ErrorCode, InputError
from fanpin.io.coerce import coerce
from fanpin.io.read import read_table
from fanpin.normalize import codes
from tests.fixtures.workbooks import Sheet, write_xlsx

ID_A = "140121196503121234"
ID_B = "140121196701021245"
ID_C = "140121195509091256"


def test_household_columns_merged_down_fill_every_member_row(tmp_path: Path) -> None:
    header = ["户主身份证号", "户类型", "风险是否消除", "姓名", "公民身份号码"]
    rows = [
        header,
        [ID_A, "监测户", "否", "王甲", ID_A],  # household 1 spans Excel rows 2-3
        [None, None, None, "刘乙", ID_B],
        [ID_C, "脱贫户", None, "吴丙", ID_C],  # a household of one: no merge
    ]
    merges = [(1, 0, 2, 0, ID_A), (1, 1, 2, 1, "监测户"), (1, 2, 2, 2, "否")]
    path = write_xlsx(tmp_path / "监测.xlsx", [Sheet("监测对象", rows, merges)])
    frame = read_table(path, "monitor").frame
    assert frame["head_id"].tolist() == [ID_A, ID_A, ID_C]
    assert frame["household_type"].tolist() == ["监测户", "监测户", "脱贫户"]
    assert frame["risk_cleared"].tolist()[:2] == ["否", "否"]
    assert pd.isna(frame.loc[2, "risk_cleared"])


def test_row_wide_merge_in_data_is_not_spread_across_columns(tmp_path: Path) -> None:
    rows = [["姓名", "公民身份号码", "乡镇"], ["清源镇"], ["王甲", ID_A, "清源镇"]]
    path = write_xlsx(tmp_path / "分段.xlsx", [Sheet("名单", rows, [(1, 0, 1, 2, "清源镇")])])
    frame = read_table(path, "dpf").frame
    # The section heading stays in the name column only; nothing lands in the ID column.
    assert pd.isna(frame.loc[0, "id_number"])
    assert frame["name"].tolist() == ["清源镇", "王甲"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("身份证号码（18位）", "id_number"),
        ("姓名(户籍姓名)", "name"),
        ("保障状态【在保/停保】", "dibao_status"),
    ],
)
def test_header_with_bracketed_note_matches_its_alias(
    tmp_path: Path, header: str, field: str
) -> None:
    names = {"id_number": "公民身份号码", "name": "姓名", "dibao_status": "保障状态"}
    columns = [header if k == field else names[k] for k in names]
    path = write_xlsx(tmp_path / "低保.xlsx", [Sheet("S", [columns, ["王甲", ID_A, "在保"]])])
    table = read_table(path, "dibao")
    assert table.found[field] == header


def test_footer_labels_after_data_are_dropped_even_in_the_id_column(tmp_path: Path) -> None:
    rows = [
        ["序号", "姓名", "公民身份号码", "残疾人证号", "残疾等级"],
        [1, "王甲", ID_A, ID_A + "42", "二级"],
        [2, "刘乙", ID_B, ID_B + "11", "一级"],
        ["合计", "2人"],
        ["填表人：", "张三", "审核人：", "李四", "2024-10-08"],
        ["单位负责人：王五"],
    ]
    table = read_table(write_xlsx(tmp_path / "持证.xlsx", [Sheet("S", rows)]), "dpf")
    assert table.frame["name"].tolist() == ["王甲", "刘乙"]
    # 合计 is a total; the 填表人 row and the 单位负责人 line (text in the 序号 column) are
    # footers.
    assert table.dropped == {"合计行": 1, "说明行": 2}


def test_person_without_id_in_the_data_is_kept(tmp_path: Path) -> None:
    rows = [
        ["姓名", "公民身份号码", "残疾人证号"],
        ["王甲", None, ID_A + "42"],
        ["刘乙", None, None],
    ]
    table = read_table(write_xlsx(tmp_path / "持证.xlsx", [Sheet("S", rows)]), "dpf")
    assert table.frame["name"].tolist() == ["王甲", "刘乙"]


def _monitor_rows() -> list[list[object]]:
    return [["姓名", "身份证号码", "户类型", "风险是否消除"], ["王甲", ID_A, "监测户", "否"]]


def test_summary_and_instruction_sheets_are_skipped_with_a_reason(tmp_path: Path) -> None:
    example = [["填写示例："], *_monitor_rows()]
    summary = [["县(区)", "乡镇", "户数", "人数"], ["清徐县", "清源镇", 3, 7]]
    path = write_xlsx(
        tmp_path / "监测.xlsx",
        [Sheet("填表说明", example), Sheet("汇总", summary), Sheet("清徐县", _monitor_rows())],
    )
    table = read_table(path, "monitor")
    assert table.sheets == ["清徐县"]
    assert table.frame["name"].tolist() == ["王甲"]
    assert table.skipped_sheets["填表说明"] == "填表说明或示例工作表，不是名单"
    assert table.skipped_sheets["汇总"].startswith("防返贫监测数据（乡村振兴）缺少必需的列：姓名")


def test_file_with_only_a_summary_sheet_still_fails_on_missing_columns(tmp_path: Path) -> None:
    summary = [["县(区)", "乡镇", "户数", "人数"], ["清徐县", "清源镇", 3, 7]]
    path = write_xlsx(tmp_path / "汇总.xlsx", [Sheet("汇总", summary)])
    with pytest.raises(InputError) as caught:
        read_table(path, "monitor")
    assert [p.code for p in caught.value.problems] == [ErrorCode.MISSING_COLUMN]


def test_list_sheet_missing_a_required_column_is_not_skipped_quietly(tmp_path: Path) -> None:
    incomplete = [["姓名", "身份证号码", "户类型"], ["刘乙", ID_B, "监测户"]]
    path = write_xlsx(
        tmp_path / "监测.xlsx", [Sheet("甲乡", _monitor_rows()), Sheet("乙乡", incomplete)]
    )
    with pytest.raises(InputError) as caught:
        read_table(path, "monitor")
    [problem] = caught.value.problems
    assert problem.sheet == "乙乡"
    assert "风险是否消除" in problem.message


def test_combined_category_level_column_fills_category_and_level(tmp_path: Path) -> None:
    rows = [
        ["姓名", "公民身份号码", "残疾类别/等级", "残疾等级"],
        ["甲", ID_A, "肢体二级", None],
        ["乙", ID_B, "多重（肢体、智力）一级", None],
        ["丙", ID_C, "二级视力", "三级"],  # the level column, where filled, is kept
        ["丁", ID_A, "看不懂", None],
    ]
    table = read_table(write_xlsx(tmp_path / "持证.xlsx", [Sheet("S", rows)]), "dpf")
    frame, problems = coerce(table)
    assert frame["category"].tolist()[:3] == [4, 7, 1]
    assert frame["level"].tolist()[:3] == [2, 1, 3]
    [problem] = problems
    assert (problem.row, problem.column, problem.value) == (5, "残疾类别/等级", "看不懂")


def test_multiple_disability_with_components_and_level_with_suffix_are_read() -> None:
    vocab = codes.load_vocabularies()
    raw = pd.Series(["多重残疾（肢体、智力）", "精神类"], dtype="str")
    assert codes.map_codes(raw, vocab["category"]).tolist() == [7, 6]
    assert codes.map_codes(pd.Series(["二级残疾"], dtype="str"), vocab["level"]).tolist() == [2]


def test_subsidy_words_map_by_the_word_they_contain_unless_ambiguous() -> None:
    vocab = codes.load_vocabularies()["subsidy_type"]
    raw = pd.Series(
        ["残疾人两项补贴（护理）", "两项补贴-生活", "重度残疾人护理补贴（一级）", "残疾人两项补贴",
         "生活护理补贴"],
        dtype="str",
    )  # fmt: skip
    care, living = "重度残疾人护理补贴", "困难残疾人生活补贴"
    got = codes.map_codes(raw, vocab).tolist()
    assert got[:3] == [care, living, care]
    assert pd.isna(got[3]) and pd.isna(got[4])


def test_rural_extreme_poverty_words_are_tekun() -> None:
    vocab = codes.load_vocabularies()["dibao_type"]
    raw = pd.Series(["农村特困人员", "城市特困人员", "特困人员救助供养"], dtype="str")
    assert codes.map_codes(raw, vocab).tolist() == ["特困供养"] * 3


def test_quarterly_pay_periods_stand_for_the_quarters_last_month() -> None:
    raw = pd.Series(
        ["2024年7-9月", "2024年第三季度", "2024.07-2024.09", "2024Q3", "2024年第一季度",
         "2024-07-09", "2024年6-8月"],
        dtype="str",
    )  # fmt: skip
    got = codes.parse_months(raw).tolist()
    # A full date stays its own month; a range crossing quarters is unreadable.
    assert got[:6] == ["2024-09", "2024-09", "2024-09", "2024-09", "2024-03", "2024-07"]
    assert pd.isna(got[6])


def _with_error_cells(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("低保")
    sheet.write_row(0, 0, ["姓名", "公民身份号码", "保障状态", "村"])
    sheet.write_row(1, 0, ["王甲", ID_A, "在保", "东关村"])
    sheet.write_row(2, 0, ["刘乙", ID_B])
    sheet.write_formula(2, 2, "=VLOOKUP(B3,X!A:B,2,0)", None, "#N/A")
    sheet.write_formula(2, 3, "=X!C3", None, "#REF!")
    sheet.write_row(3, 0, ["吴丙", ID_C, None, "西关村"])
    book.close()
    return path


def test_excel_error_in_a_coded_column_is_reported_and_read_as_blank(tmp_path: Path) -> None:
    table = read_table(_with_error_cells(tmp_path / "低保.xlsx"), "dibao")
    assert pd.isna(table.frame.loc[1, "dibao_status"])
    assert pd.isna(table.frame.loc[1, "village"])
    frame, problems = coerce(table)
    [problem] = problems  # 村 is free text: its #REF! stays a quiet blank
    assert problem.code == ErrorCode.BAD_VALUE
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "低保",
        3,
        "保障状态",
        "#N/A",
    )
    assert "Excel 错误值 #N/A" in problem.message
    assert pd.isna(frame.loc[1, "dibao_status"]) and pd.isna(frame.loc[2, "dibao_status"])
