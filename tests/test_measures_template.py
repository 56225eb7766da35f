"""The blank survey workbook: headers, drop-downs, text ID columns, read back by the reader."""

from __future__ import annotations

import openpyxl
from openpyxl.utils import column_index_from_string

from fanpin.io.read import read_tables
from fanpin.measures.fields import RELATIVE_FIELDS, STUDENT_FIELDS, SURVEY_FIELDS
from fanpin.measures.survey_template import write_survey_template


def test_template_has_the_three_data_sheets_and_instructions(tmp_path):
    path = tmp_path / "摸底表.xlsx"
    write_survey_template(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["需求摸底表", "在校大学生", "亲属培训", "说明"]
    for name, fields in (
        ("需求摸底表", SURVEY_FIELDS),
        ("在校大学生", STUDENT_FIELDS),
        ("亲属培训", RELATIVE_FIELDS),
    ):
        headers = [c.value for c in book[name][1]]
        assert headers == [f.header for f in fields]
    survey = [c.value for c in book["需求摸底表"][1]]
    for header in ("劳动能力", "培训意愿", "产业意愿", "产业类型", "托养需求", "白内障手术指征",
                   "手术意愿", "假肢需求", "辅具需求", "康复潜能", "住房可改造", "无障碍改造需求",
                   "家庭人口数", "劳动力数", "年人均收入"):  # fmt: skip
        assert header in survey


def test_coded_columns_have_drop_down_lists(tmp_path):
    path = tmp_path / "摸底表.xlsx"
    write_survey_template(path)
    sheet = openpyxl.load_workbook(path)["需求摸底表"]
    lists = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    assert lists["D2"] == '"有,部分,无"'  # 劳动能力
    assert lists["E2"] == '"是,否"'  # 培训意愿
    assert lists["K2"] == '"大腿,小腿,大腿、小腿,无"'  # 假肢需求
    assert "轮椅、拐杖、助听器" in lists["L2"]  # 辅具需求, combinations offered


def column_format(sheet, letter: str) -> str:
    """Number format of a whole column (openpyxl keeps adjacent equal columns as one range)."""
    index = column_index_from_string(letter)
    for dim in sheet.column_dimensions.values():
        if dim.min is not None and dim.min <= index <= dim.max:
            return dim.number_format
    return "General"


def test_id_columns_are_formatted_as_text(tmp_path):
    """The whole column carries the text format, so a typed ID is never turned into a number."""
    path = tmp_path / "摸底表.xlsx"
    write_survey_template(path)
    book = openpyxl.load_workbook(path)
    survey = book["需求摸底表"]
    assert (column_format(survey, "B"), column_format(survey, "C")) == ("@", "@")  # ID, cert
    assert column_format(survey, "T") == "@"  # 户主身份证号
    assert column_format(survey, "P") == "General"  # 家庭人口数 is a number
    assert column_format(book["在校大学生"], "C") == "@"  # 学生身份证号


def test_filled_template_reads_back_sheet_by_sheet(tmp_path):
    path = tmp_path / "摸底表.xlsx"
    write_survey_template(path)
    book = openpyxl.load_workbook(path)
    book["需求摸底表"].append(["甲", "140105198001010011", None, "有", "是"])
    book["在校大学生"].append(["140105198001010011", "乙", "140105200401010025"])
    book.save(path)
    survey = read_tables([path], "survey")[0]
    assert survey.sheets == ["需求摸底表"]
    assert survey.frame["training_wish"].tolist() == ["是"]
    students = read_tables([path], "survey_students")[0]
    assert students.sheets == ["在校大学生"]
    assert students.frame["student_name"].tolist() == ["乙"]
