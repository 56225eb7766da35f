"""Blank needs-survey workbook (需求摸底表) for counties to fill in and send back.

Sheets 需求摸底表, 在校大学生 and 亲属培训 carry exactly the headers the reader expects
(measures/fields.py), drop-down lists for every coded column, number checks for counts and
years, and ID columns formatted as text so Excel never turns an ID into 1.40102E+17. A 说明
sheet explains how to fill it in; it lists one column per row so it is never mistaken for a
data sheet.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import xlsxwriter

from fanpin.measures.fields import (
    RELATIVE_FIELDS,
    RELATIVES_SHEET,
    STUDENT_FIELDS,
    STUDENTS_SHEET,
    SURVEY_FIELDS,
    SURVEY_SHEET,
    Field,
)
from fanpin.measures.files import atomic_file

TEMPLATE_ROWS = 5000  # rows that carry the drop-downs and checks (a county has far fewer)
INSTRUCTIONS_SHEET = "说明"
YES_NO = ["是", "否"]
# Multi-item columns whose every combination fits in a drop-down (Excel caps a list at 255
# characters); the others offer single items and accept typed combinations after a warning.
_COMBINATION_FIELDS = {"prosthesis_need", "assistive_need"}

INSTRUCTIONS = (
    "本表用于摸底未解除返贫风险残疾人的帮扶需求（晋残联函〔2022〕80号），每人一行。",
    "身份证号、残疾人证号按文本填写（本模板已设为文本格式）；不要写成数字，否则后几位会丢失。",
    "是/否类的列填“是”或“否”（也可用 √/×、Y/N、1/0）。不清楚的空着：空白表示未说明，"
    "该项会判定为“无法判断”。",
    "有下拉箭头的列请从列表中选择。辅具需求、假肢需求可选组合；产业类型、多重残疾包含类别"
    "可填多项，用顿号“、”分隔。",
    "“多重残疾包含类别”只由多重残疾人填写（如“智力、肢体”），用于判断托养、假肢、康复训练。",
    "“户主身份证号”可选填：同一户有两名重度残疾人时，无障碍改造按一户统计。",
    "家中有在校大学生的，在“在校大学生”表中每名学生一行；重度残疾人的直系亲属或监护人"
    "参加实用技术培训的，在“亲属培训”表中每人一行。没有的可不填。",
    "请不要改动列名和工作表名称，不要合并单元格，不要在表格下方加合计行。",
)


def _choices_for(field: Field) -> list[str]:
    if field.kind == "yes_no":
        return YES_NO
    if field.kind == "items" and field.key in _COMBINATION_FIELDS:
        combos = [
            "、".join(combo)
            for size in range(1, len(field.choices) + 1)
            for combo in combinations(field.choices, size)
        ]
        return [*combos, "无"]
    if field.kind == "items":
        return [*field.choices, "无"]
    return list(field.choices)


def describe(field: Field) -> str:
    """How to fill a column, in Chinese (input message and 说明 sheet)."""
    if field.kind == "yes_no":
        text = "填“是”或“否”，不清楚可空着"
    elif field.kind == "choice":
        text = "从下拉列表选择：" + "、".join(field.choices)
    elif field.kind == "items":
        text = "可选：" + "、".join(field.choices) + "；可填多项，用顿号分隔；没有填“无”"
    elif field.kind == "count":
        text = "整数，不小于 0"
    elif field.kind == "money":
        text = "数字（元），不小于 0"
    elif field.kind == "year":
        text = "四位年份，如 2023"
    elif field.kind == "id":
        text = "按文本填写"
    else:
        text = "文字"
    if field.hint and field.hint not in text:
        text += "（" + field.hint + "）"
    return ("必填；" if field.required else "") + text


def _validation(field: Field) -> dict[str, object] | None:
    common: dict[str, object] = {
        "input_title": field.header[:32],
        "input_message": describe(field)[:255],
        "ignore_blank": True,
    }
    if field.kind in ("yes_no", "choice", "items"):
        strict = field.kind != "items" or field.key in _COMBINATION_FIELDS
        return {
            **common,
            "validate": "list",
            "source": _choices_for(field),
            "error_title": "填写有误",
            "error_message": describe(field)[:255],
            "error_type": "stop" if strict else "warning",
        }
    if field.kind == "count":
        return {**common, "validate": "integer", "criteria": ">=", "value": 0}
    if field.kind == "money":
        return {**common, "validate": "decimal", "criteria": ">=", "value": 0}
    if field.kind == "year":
        return {**common, "validate": "integer", "criteria": "between", "minimum": 1990,
                "maximum": 2100}  # fmt: skip
    if field.kind == "id":
        return {**common, "validate": "length", "criteria": "between", "minimum": 15,
                "maximum": 22, "error_type": "warning",
                "error_message": "身份证号应为18位（老证15位），残疾人证号为20或22位"}  # fmt: skip
    return None


def _data_sheet(book: xlsxwriter.Workbook, name: str, fields: tuple[Field, ...]) -> None:
    sheet = book.add_worksheet(name)
    head = book.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
         "bg_color": "#DDEBF7", "font_name": "宋体"}
    )  # fmt: skip
    text = book.add_format({"num_format": "@", "font_name": "宋体"})
    plain = book.add_format({"font_name": "宋体"})
    for col, field in enumerate(fields):
        sheet.write_string(0, col, field.header, head)
        width = max(10, 2 * len(field.header) + 2)
        if field.kind == "id":
            sheet.set_column(col, col, 22, text)
        else:
            sheet.set_column(col, col, width, text if field.kind == "text" else plain)
        rule = _validation(field)
        if rule is not None:
            sheet.data_validation(1, col, TEMPLATE_ROWS, col, rule)
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 2)


def _instructions(book: xlsxwriter.Workbook) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    title = book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "font_name": "宋体"})
    head = book.add_format({"bold": True, "border": 1, "font_name": "宋体"})
    boxed = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "宋体"})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 20)
    sheet.set_column(2, 2, 70)
    sheet.write_string(0, 0, "需求摸底表填写说明", title)
    row = 2
    for number, line in enumerate(INSTRUCTIONS, start=1):
        sheet.merge_range(row, 0, row, 2, f"{number}. {line}", wrap)
        sheet.set_row(row, 32)
        row += 1
    row += 1
    for col, text in enumerate(("工作表", "列", "怎么填")):
        sheet.write_string(row, col, text, head)
    row += 1
    for sheet_name, fields in (
        (SURVEY_SHEET, SURVEY_FIELDS),
        (STUDENTS_SHEET, STUDENT_FIELDS),
        (RELATIVES_SHEET, RELATIVE_FIELDS),
    ):
        for field in fields:
            sheet.write_string(row, 0, sheet_name, boxed)
            sheet.write_string(row, 1, field.header, boxed)
            sheet.write_string(row, 2, describe(field), boxed)
            row += 1


def write_survey_template(path: Path) -> None:
    """Write the blank survey workbook to `path` (atomically)."""
    with atomic_file(Path(path)) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        try:
            _data_sheet(book, SURVEY_SHEET, SURVEY_FIELDS)
            _data_sheet(book, STUDENTS_SHEET, STUDENT_FIELDS)
            _data_sheet(book, RELATIVES_SHEET, RELATIVE_FIELDS)
            _instructions(book)
        finally:
            book.close()
