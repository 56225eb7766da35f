"""The needs survey's columns (需求摸底表): English keys, Chinese headers, value kinds.

The template writer, the survey reader and the rules validator all use this one list, so a
header printed in the template is the header the reader expects. Aliases that counties use
for the same columns live in schemas/columns.toml.
"""

from __future__ import annotations

from dataclasses import dataclass

# Value kinds: text, id, yes_no, choice (one of choices), items (any of choices, several
# allowed in one cell), count (whole number >= 0), money (number >= 0), year.


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False
    hint: str = ""


SURVEY_SHEET = "需求摸底表"
STUDENTS_SHEET = "在校大学生"
RELATIVES_SHEET = "亲属培训"

# Words that mean "none of these" in an items cell (an answer, unlike a blank cell).
NONE_WORDS = ("无", "否", "没有", "不需要", "0", "N", "NO", "×")

SURVEY_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", "text", required=True),
    Field("id_number", "公民身份号码", "id", required=True, hint="18位，按文本填写"),
    Field("cert_number", "残疾人证号", "id", hint="20位（补发证22位），按文本填写"),
    Field("work_ability", "劳动能力", "choice", ("有", "部分", "无")),
    Field("training_wish", "培训意愿", "yes_no"),
    Field("industry_wish", "产业意愿", "yes_no"),
    Field("industry_type", "产业类型", "items", ("种植", "养殖", "加工", "电商", "其他")),
    Field("care_need", "托养需求", "yes_no"),
    Field("cataract_indication", "白内障手术指征", "yes_no"),
    Field("surgery_consent", "手术意愿", "yes_no"),
    Field("prosthesis_need", "假肢需求", "items", ("大腿", "小腿"), hint="大腿、小腿或无"),
    Field("assistive_need", "辅具需求", "items", ("轮椅", "拐杖", "助听器"), hint="可填多项"),
    Field("rehab_potential", "康复潜能", "yes_no"),
    Field("house_adaptable", "住房可改造", "yes_no"),
    Field("accessibility_need", "无障碍改造需求", "yes_no"),
    Field("household_size", "家庭人口数", "count"),
    Field("labour_count", "劳动力数", "count"),
    Field("income_per_capita", "年人均收入", "money", hint="元"),
    # Not in the list, optional: the certificate number carries only 多重 (7), so
    # the care/prosthesis/rehab rules need the parts of a multiple disability from here.
    Field(
        "multiple_components",
        "多重残疾包含类别",
        "items",
        ("视力", "听力", "言语", "肢体", "智力", "精神"),
        hint="仅多重残疾填写，可填多项",
    ),
    # Optional: lets two severe disabled people of one household count as one 户 in ⑩.
    Field("head_id", "户主身份证号", "id", hint="按文本填写"),
)

STUDENT_FIELDS: tuple[Field, ...] = (
    Field("disabled_id", "残疾人身份证号", "id", required=True, hint="学生家中残疾人的身份证号"),
    Field("student_name", "学生姓名", "text", required=True),
    Field("student_id", "学生身份证号", "id", required=True),
    Field("school", "就读学校", "text"),
    Field("enrol_year", "入学年份", "year", hint="如 2023"),
    Field("lottery_funded", "已获省彩票公益金资助", "yes_no", hint="在学期间是否已获资助"),
)

RELATIVE_FIELDS: tuple[Field, ...] = (
    Field("disabled_id", "残疾人身份证号", "id", required=True, hint="重度残疾人的身份证号"),
    Field("trainee_name", "培训人姓名", "text", required=True),
    Field("trainee_id", "培训人身份证号", "id", required=True),
    Field("relationship", "与残疾人关系", "choice", ("直系亲属", "监护人")),
    Field("cohabiting", "共同生活", "yes_no", hint="直系亲属须与残疾人共同生活"),
)

SURVEY_BY_KEY = {f.key: f for f in SURVEY_FIELDS}
YES_NO_KEYS = tuple(f.key for f in SURVEY_FIELDS if f.kind == "yes_no")
ITEM_KEYS = tuple(f.key for f in SURVEY_FIELDS if f.kind == "items")


_LABELS = {f.key: f.header for f in (*RELATIVE_FIELDS, *STUDENT_FIELDS, *SURVEY_FIELDS)}


def label(key: str) -> str:
    """The Chinese header of a survey field (for reasons and messages)."""
    return _LABELS.get(key, key)
