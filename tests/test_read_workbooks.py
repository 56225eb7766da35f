"""Reading xlsx / xls files shaped like the ones counties send (synthetic data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fanpin.io.read import read_table, read_tables
from tests.fixtures.workbooks import Sheet, write_xls, write_xlsx

TITLE = "2024年第三季度持证残疾人名单"
# Row 3 of the sheet groups columns; row 4 names them (Excel rows, 1-based).
UPPER = ["序号", None, None, "残疾人证号", "残疾", None, "发证日期", "联系电话"]
LOWER = [None, "姓名", "身份证 号码", None, "类别", "等级", None, None]
MERGES = [
    (0, 0, 0, 7, TITLE),
    (2, 0, 3, 0, "序号"),
    (2, 1, 2, 2, "基本信息"),
    (2, 3, 3, 3, "残疾人证号"),
    (2, 4, 2, 5, "残疾"),
    (2, 6, 3, 6, "发证日期"),
    (2, 7, 3, 7, "联系电话"),
]
ID_1 = "140105199001010011"
ID_2_NUMBER = 140105198507070022  # typed as a number: Excel keeps a double
ID_3 = "14010519700303003X"


def dpf_rows() -> list[list[object]]:
    return [
        [None] * 8,  # title: written by the merge
        ["填报单位：小店区残联", None, None, None, None, None, "填报日期：2024年10月8日"],
        [None] * 8,  # upper header: written by the merges
        LOWER,
        [1, "张三", ID_1, ID_1 + "42", "肢体", "二级", dt.date(2024, 7, 15), 13800001234],
        [None] * 8,
        [2, "李四", ID_2_NUMBER, None, "视力", "1级", 45474, None],
        [3, "阿依古丽·买买提", ID_3, ID_3 + "71", "视力残疾", "一级", dt.date(2024, 8, 1), None],
        ["合 计", "3人", None, None, None, None, None, None],
        ["填表人：王某", None, None, None, None, None, None, None],
    ]


@pytest.fixture
def dpf_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "小店区.xlsx",
        [
            Sheet("填表说明", [["请按模板填写"], ["身份证号请填写18位"]]),
            Sheet("持证人员", dpf_rows(), MERGES),
            Sheet("旧数据", [["姓名", "身份证号"], ["赵六", "140105199909090099"]], hidden=True),
            Sheet("第二批", [["姓名", "公民身份号码", "残疾等级"], ["钱七", ID_1, "三级"]]),
        ],
    )


def test_records_keep_the_row_number_excel_shows(dpf_xlsx: Path) -> None:
    table = read_table(dpf_xlsx, "dpf")
    first = table.frame[table.frame["_sheet"] == "持证人员"]
    # Records sit on Excel rows 5, 7 and 8; row 6 is blank, 9 a total, 10 a footer.
    assert first["_row"].tolist() == [5, 7, 8]
    assert first["name"].tolist() == ["张三", "李四", "阿依古丽·买买提"]


def test_blank_total_and_footer_rows_are_counted_as_dropped(dpf_xlsx: Path) -> None:
    table = read_table(dpf_xlsx, "dpf")
    assert table.dropped == {"空行": 1, "合计行": 1, "说明行": 1}
    # Rows 5..10 of the first sheet, row 2 of the hidden one and row 2 of the last one lie
    # under a header.
    assert table.rows_read == 8
    assert len(table.frame) == table.rows_read - sum(table.dropped.values())


def test_two_row_merged_header_joins_group_and_column(dpf_xlsx: Path) -> None:
    table = read_table(dpf_xlsx, "dpf")
    assert table.found["name"] == "基本信息/姓名"
    assert table.found["category"] == "残疾/类别"
    assert table.found["level"] == "残疾/等级"
    assert table.found["cert_number"] == "残疾人证号"
    row = table.frame.iloc[0]
    assert (row["category"], row["level"], row["id_number"]) == ("肢体", "二级", ID_1)


def test_id_typed_as_number_keeps_its_exponent(dpf_xlsx: Path) -> None:
    frame = read_table(dpf_xlsx, "dpf").frame
    # Like Excel, the file keeps 15-16 significant digits: 140105198507070022 is stored as
    # 1.401051985070700E+17; the shortest text of that double drops the trailing zeros.
    assert frame.loc[1, "id_number"] == "1.4010519850707e+17"


def test_numbers_and_dates_render_as_text(dpf_xlsx: Path) -> None:
    frame = read_table(dpf_xlsx, "dpf").frame
    assert frame.loc[0, "phone"] == "13800001234"
    assert frame.loc[0, "issue_date"] == "2024-07-15"
    assert frame.loc[1, "issue_date"] == "45474"  # a serial without date format: coerce reads it
    assert pd.isna(frame.loc[1, "cert_number"])


def test_instruction_sheet_is_skipped_and_hidden_list_is_read(dpf_xlsx: Path) -> None:
    table = read_table(dpf_xlsx, "dpf")
    assert table.sheets == ["持证人员", "旧数据", "第二批"]
    assert table.skipped_sheets == {"填表说明": "填表说明或示例工作表，不是名单"}
    second = table.frame[table.frame["_sheet"] == "第二批"]
    assert second["_row"].tolist() == [2]
    assert second["level"].tolist() == ["三级"]
    hidden = table.frame[table.frame["_sheet"] == "旧数据"]
    assert hidden["name"].tolist() == ["赵六"]


def test_frame_has_every_field_then_meta_columns(dpf_xlsx: Path) -> None:
    table = read_table(dpf_xlsx, "dpf")
    assert list(table.frame.columns) == [
        "name", "id_number", "cert_number", "category", "level", "sex", "city", "county",
        "township", "village", "issue_date", "cert_status", "phone", "age",
        "category_level",
        "_source", "_sheet", "_row",
    ]  # fmt: skip
    assert table.frame["sex"].isna().all()  # not in the file
    assert set(table.frame["_source"]) == {"小店区.xlsx"}
    assert table.frame["_row"].dtype == "int64"
    assert str(table.frame["name"].dtype) == "string"


def test_sha256_identifies_the_file_bytes(dpf_xlsx: Path) -> None:
    import hashlib

    table = read_table(dpf_xlsx, "dpf")
    assert table.sha256 == hashlib.sha256(dpf_xlsx.read_bytes()).hexdigest()


def test_household_head_group_maps_to_head_columns(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "低保.xlsx",
        [
            Sheet(
                "低保",
                [
                    [None] * 5,
                    ["姓名", "身份证号", "姓名", "身份证号", None],
                    ["王某", "140105199001010011", "王小某", "140105201001010022", "农村低保"],
                ],
                [(0, 0, 0, 1, "户主信息"), (0, 2, 0, 3, "成员信息"), (0, 4, 1, 4, "保障类别")],
            )
        ],
    )
    frame = read_table(path, "dibao").frame
    row = frame.iloc[0]
    assert row["head_name"] == "王某"
    assert row["head_id"] == "140105199001010011"
    assert row["name"] == "王小某"
    assert row["id_number"] == "140105201001010022"
    assert row["dibao_type"] == "农村低保"
    assert frame["_row"].tolist() == [3]


def test_xls_from_old_systems_is_read(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "监测.xls",
        [
            Sheet(
                "监测户",
                [
                    [None] * 5,
                    ["姓名", "公民身份号码", "户类型", "风险是否消除", "纳入日期"],
                    ["孙某", 140105800101001, "监测户", "否", dt.date(2024, 7, 1)],
                    ["周某", "140105199001010011", "脱贫户", None, None],
                    ["总计", None, None, None, None],
                ],
                [(0, 0, 0, 4, "防返贫监测对象名单")],
            )
        ],
    )
    table = read_table(path, "monitor")
    frame = table.frame
    # A 15-digit old ID survives a number cell: below 1e15 every whole number is exact.
    assert frame["id_number"].tolist() == ["140105800101001", "140105199001010011"]
    assert frame["household_type"].tolist() == ["监测户", "脱贫户"]
    assert frame["_row"].tolist() == [3, 4]
    assert table.dropped == {"合计行": 1}


def test_xls_merged_two_row_header(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "补贴.xls",
        [
            Sheet(
                "2024年7月",
                [
                    [None, None, None, None, None],
                    ["姓名", "身份证号", None, None, None],
                    ["吴某", "140105199001010011", "护理补贴", 202407, 90.5],
                ],
                [
                    (0, 0, 0, 1, "基本信息"),
                    (0, 2, 1, 2, "补贴类型"),
                    (0, 3, 1, 3, "发放年月"),
                    (0, 4, 1, 4, "发放金额"),
                ],
            )
        ],
    )
    frame = read_table(path, "subsidy").frame
    assert frame[["name", "subsidy_type", "pay_month", "amount"]].iloc[0].tolist() == [
        "吴某",
        "护理补贴",
        "202407",
        "90.5",
    ]
    assert frame["_sheet"].tolist() == ["2024年7月"]


def test_several_files_give_one_table_each(tmp_path: Path) -> None:
    paths = [
        write_xlsx(tmp_path / f"{city}.xlsx", [Sheet("Sheet1", [["姓名", "身份证号"], [n, ID_1]])])
        for city, n in (("太原", "甲"), ("大同", "乙"))
    ]
    tables = read_tables(paths, "dpf")
    assert [t.path.name for t in tables] == ["太原.xlsx", "大同.xlsx"]
    assert [t.frame["name"].tolist() for t in tables] == [["甲"], ["乙"]]


def test_header_found_after_leading_blank_rows_and_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [[], [], [None, None, "姓名", "身份证号"], [None, None, "甲", ID_1]]
    path = write_xlsx(tmp_path / "偏移.xlsx", [Sheet("Sheet1", rows)])
    frame = read_table(path, "dpf").frame
    assert frame["_row"].tolist() == [4]
    assert frame["id_number"].tolist() == [ID_1]


def test_column_number_row_under_header_is_dropped(tmp_path: Path) -> None:
    rows = [["序号", "姓名", "身份证号", "残疾等级"], ["甲", 1, 2, 3], [1, "张三", ID_1, "二级"]]
    path = write_xlsx(tmp_path / "带列序号.xlsx", [Sheet("Sheet1", rows)])
    table = read_table(path, "dpf")
    assert table.frame["_row"].tolist() == [3]
    assert table.dropped == {"列序号行": 1}


def test_workbook_with_xls_content_under_xlsx_name_is_read(tmp_path: Path) -> None:
    xls = write_xls(tmp_path / "real.xls", [Sheet("Sheet1", [["姓名", "身份证号"], ["甲", ID_1]])])
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert read_table(renamed, "dpf").frame["name"].tolist() == ["甲"]


def test_excel_serial_and_date_cells_coerce_to_the_same_dates(dpf_xlsx: Path) -> None:
    from fanpin.io.coerce import coerce

    frame, problems = coerce(read_table(dpf_xlsx, "dpf"))
    assert problems == []
    first = frame[frame["_sheet"] == "持证人员"]
    # Row 7 holds the bare serial 45474 (2024-07-01); rows 5 and 8 hold date cells.
    assert first["issue_date"].tolist() == [
        pd.Timestamp("2024-07-15"),
        pd.Timestamp("2024-07-01"),
        pd.Timestamp("2024-08-01"),
    ]
    assert first["level"].tolist() == [2, 1, 1]
    assert first["category"].tolist() == [4, 1, 1]
