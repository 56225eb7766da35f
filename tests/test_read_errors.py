"""Bad input files give located Chinese InputErrors, all problems of all files at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanpin.errors import ErrorCode, InputError
from fanpin.io.read import read_table, read_tables
from tests.fixtures.workbooks import Sheet, write_xlsx

FIXTURES = Path(__file__).parent / "fixtures"
ID_1 = "140105199001010011"


def problems_of(paths: list[Path], kind: str) -> list:
    with pytest.raises(InputError) as caught:
        read_tables(paths, kind)
    return caught.value.problems


def test_missing_file_is_named(tmp_path: Path) -> None:
    [problem] = problems_of([tmp_path / "没有这个文件.xlsx"], "dpf")
    assert problem.code == ErrorCode.FILE_NOT_FOUND
    assert problem.file == "没有这个文件.xlsx"
    assert "找不到文件" in problem.message


@pytest.mark.parametrize("name", ["空.csv", "空.xlsx"])
def test_empty_file_is_reported(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.FILE_EMPTY
    assert problem.file == name


def test_workbook_without_any_cell_is_empty(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "空表.xlsx", [Sheet("Sheet1", [])])
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.FILE_EMPTY


def test_corrupt_xlsx_is_unreadable(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [Sheet("Sheet1", [["姓名", "身份证号"]])])
    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    [problem] = problems_of([broken], "dpf")
    assert problem.code == ErrorCode.FILE_UNREADABLE
    assert "损坏" in problem.message


def test_password_protected_xlsx_asks_to_remove_the_password() -> None:
    [problem] = problems_of([FIXTURES / "encrypted.xlsx"], "dpf")
    assert problem.code == ErrorCode.FILE_ENCRYPTED
    assert "加密" in problem.message
    assert "密码" in problem.message
    assert problem.file == "encrypted.xlsx"


def test_text_file_with_xlsx_name_says_it_is_text(tmp_path: Path) -> None:
    path = tmp_path / "其实是文本.xlsx"
    path.write_text(f"姓名,身份证号\n甲,{ID_1}\n", encoding="utf-8")
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.FILE_UNREADABLE
    assert "纯文本" in problem.message
    assert ".csv" in problem.message


def test_web_page_saved_as_xls_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"
    path.write_text("<html><body><table><tr><td>姓名</td></tr></table></body></html>")
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.FILE_UNREADABLE
    assert "网页" in problem.message


def test_unsupported_extension_lists_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "名单.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.UNSUPPORTED_FORMAT
    assert ".docx" in problem.message
    assert ".xlsx" in problem.message and ".csv" in problem.message


def test_no_header_names_expected_columns_and_best_row(tmp_path: Path) -> None:
    rows = [["人员名单"], ["名字", "号码", "地址"], ["甲", "13800001234", "东村"]]
    path = write_xlsx(tmp_path / "无表头.xlsx", [Sheet("名单", rows)])
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.HEADER_NOT_FOUND
    assert "姓名" in problem.message
    assert "公民身份号码或残疾人证号" in problem.message
    # Row 2 is the most header-like: "名字" is an alias of 姓名, the rest are unknown.
    assert (problem.sheet, problem.row) == ("名单", 2)
    assert "只认出 1 列" in problem.message
    assert "名字、号码、地址" in problem.message


def test_no_header_row_never_shows_digits_of_ids(tmp_path: Path) -> None:
    rows = [["名字", ID_1], ["甲", ID_1]]
    path = write_xlsx(tmp_path / "无表头.xlsx", [Sheet("名单", rows)])
    [problem] = problems_of([path], "dpf")
    assert ID_1 not in problem.message
    assert "14****************" in problem.message


def test_missing_required_columns_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "补贴.csv"
    path.write_text(f"姓名,身份证号,金额\n甲,{ID_1},90\n", encoding="utf-8")
    [problem] = problems_of([path], "subsidy")
    assert problem.code == ErrorCode.MISSING_COLUMN
    assert "补贴类型、发放年月" in problem.message
    assert "表头中的列有：姓名、身份证号、金额" in problem.message
    assert "schemas/columns.toml" in problem.message
    assert problem.row == 1


def test_missing_identifier_group_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "持证.csv"
    path.write_text("姓名,残疾等级\n甲,二级\n", encoding="utf-8")
    [problem] = problems_of([path], "dpf")
    assert "公民身份号码或残疾人证号（至少一列）" in problem.message


def test_every_bad_file_and_sheet_is_reported_together(tmp_path: Path) -> None:
    missing = tmp_path / "缺.xlsx"
    bad_sheets = write_xlsx(
        tmp_path / "两表.xlsx",
        [
            Sheet("监测户", [["姓名", "身份证号", "户类型"], ["甲", ID_1, "监测户"]]),
            Sheet("脱贫户", [["姓名", "身份证号", "风险是否消除"], ["乙", ID_1, "是"]]),
        ],
    )
    problems = problems_of([missing, bad_sheets], "monitor")
    assert [(p.code, p.file, p.sheet) for p in problems] == [
        (ErrorCode.FILE_NOT_FOUND, "缺.xlsx", ""),
        (ErrorCode.MISSING_COLUMN, "两表.xlsx", "监测户"),
        (ErrorCode.MISSING_COLUMN, "两表.xlsx", "脱贫户"),
    ]
    assert "风险是否消除" in problems[1].message
    assert "户类型" in problems[2].message


def test_two_columns_for_the_same_identity_field_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "重复.csv"
    path.write_text(f"姓名,身份证号,公民身份号码\n甲,{ID_1},{ID_1}\n", encoding="utf-8")
    [problem] = problems_of([path], "dpf")
    assert problem.code == ErrorCode.HEADER_NOT_FOUND
    assert "第B列“身份证号”、第C列“公民身份号码”" in problem.message


def test_unknown_kind_is_a_bad_option(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "x.csv", "nonsense")
    assert caught.value.problems[0].code == ErrorCode.BAD_OPTION


def test_error_message_renders_file_and_sheet_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "补贴.csv"
    path.write_text(f"姓名,身份证号\n甲,{ID_1}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_tables([path], "subsidy")
    assert str(caught.value).startswith("文件“补贴.csv”，第1行：")


def test_list_only_in_a_hidden_sheet_is_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "隐藏.xlsx",
        [
            Sheet("说明", [["本表为持证残疾人名单"]]),
            Sheet("名单", [["姓名", "身份证号"], ["甲", ID_1]], hidden=True),
        ],
    )
    [table] = read_tables([path], "dpf")
    assert table.sheets == ["名单"]
    assert table.frame["name"].tolist() == ["甲"]
    assert table.skipped_sheets == {"说明": "填表说明或示例工作表，不是名单"}
