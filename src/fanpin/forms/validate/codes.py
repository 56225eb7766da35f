"""Stable codes for problems found in county submissions, with severity and a title."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True)
class ProblemCode:
    code: str
    severity: str  # ERROR blocks forwarding (exit 3); WARNING is for a person to look at
    title: str


_CODES = [
    # Layout
    ProblemCode("HEADER_MISSING", ERROR, "缺少必需的栏目"),
    ProblemCode("REQUIRED_EMPTY", ERROR, "必填项为空"),
    ProblemCode("YEAR_MISSING", WARNING, "表头未写年度，未核对名额和往年发放"),
    ProblemCode("CITY_MISSING", WARNING, "未写明所属市，未核对名额和县区归属"),
    # The person's identifiers
    ProblemCode("ID_INVALID", ERROR, "身份证号无效"),
    ProblemCode("ID_UNRECOVERABLE", ERROR, "身份证号被表格转成数字，后几位已丢失"),
    ProblemCode("CERT_INVALID", ERROR, "残疾证号格式错误"),
    ProblemCode("CERT_ID_MISMATCH", ERROR, "残疾证号与身份证号不一致"),
    ProblemCode("ID_NOT_HOLDER", WARNING, "身份证号不是残疾证持有人本人的（若为监护人可忽略）"),
    ProblemCode("CLASS_INVALID", ERROR, "残疾类别等级无法识别"),
    ProblemCode("CLASS_MISMATCH", ERROR, "残疾类别或等级与残疾证号不符"),
    ProblemCode("SEX_MISMATCH", ERROR, "性别与身份证号不符"),
    ProblemCode("AGE_MISMATCH", ERROR, "年龄与身份证号推算的周岁不符"),
    # Registers
    ProblemCode("NOT_ON_ROSTER", ERROR, "不在未解除返贫风险残疾人名单中"),
    ProblemCode("ROSTER_NAME_MISMATCH", ERROR, "姓名与名单中同一身份证号的姓名不同"),
    ProblemCode("DECEASED", ERROR, "已死亡或残疾证已注销，不纳入帮扶"),
    ProblemCode("ALREADY_PAID", ERROR, "往年已发放过一次性救助金"),
    ProblemCode("DUPLICATE_IN_FILE", ERROR, "同一人在本文件中重复出现"),
    ProblemCode("DUPLICATE_ACROSS_FILES", ERROR, "同一人出现在多个文件中"),
    # Money
    ProblemCode("AMOUNT_NOT_STANDARD", ERROR, "救助金额不等于标准"),
    ProblemCode("TOTAL_MISSING", ERROR, "合计未填写"),
    ProblemCode("TOTAL_COUNT_MISMATCH", ERROR, "合计人数与明细行数不符"),
    ProblemCode("TOTAL_AMOUNT_MISMATCH", ERROR, "金额总计与明细金额之和不符"),
    ProblemCode("CAPITAL_MISMATCH", ERROR, "大写金额与小写金额不符"),
    ProblemCode("CAPITAL_NONSTANDARD", WARNING, "大写金额数值正确但写法不规范"),
    ProblemCode("QUOTA_EXCEEDED", ERROR, "超出附件1分解的年度名额"),
    # Places and contacts
    ProblemCode("COUNTY_NOT_IN_CITY", ERROR, "县（区）不属于该市"),
    ProblemCode("ADDRESS_OUTSIDE_CITY", ERROR, "家庭住址不在本市"),
    ProblemCode("ADDRESS_INCOMPLETE", WARNING, "家庭住址未按 X市X县X乡X村 填写完整"),
    ProblemCode("PHONE_IMPLAUSIBLE", WARNING, "联系电话不像有效的手机号或带区号的固定电话"),
    ProblemCode("BANK_CARD_INVALID", WARNING, "银行卡号位数不对"),
    # Annex 2 household figures
    ProblemCode("HOUSEHOLD_INVALID", ERROR, "人口数、劳动力数须为整数且劳动力数不超过人口数"),
    ProblemCode("INCOME_INVALID", ERROR, "年人均收入须为不小于 0 的数"),
    # Annex 4
    ProblemCode("COUNT_INVALID", ERROR, "人数（户数）须为不小于 0 的整数"),
    ProblemCode("TOTAL_ROW_MISSING", ERROR, "缺少合计行"),
    ProblemCode("TOTAL_ROW_MISMATCH", ERROR, "合计行不等于各县（区）之和"),
    ProblemCode("DUPLICATE_COUNTY", ERROR, "同一县（区）出现多次"),
    ProblemCode("UNIT_NOT_HOUSEHOLD", ERROR, "⑩无障碍改造须按户统计"),
]

PROBLEM_CODES: dict[str, ProblemCode] = {c.code: c for c in _CODES}


def severity_of(code: str) -> str:
    return PROBLEM_CODES[code].severity
