"""The [forms] section of the rules file, parsed and checked once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fanpin.errors import ErrorCode, InputError
from fanpin.rules import RulesFile, load_rules, require


@dataclass(frozen=True)
class FormsRules:
    """Policy values the annex writers and the validator use."""

    standard_amount: int = 500
    years: tuple[int, ...] = (2022, 2023, 2024)
    dead_cert_status: tuple[str, ...] = ("死亡", "注销")
    age_tolerance: int = 0
    over_quota_severity: str = "error"
    mobile: str = r"^1[3-9]\d{9}$"
    landline: str = r"^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$"
    phone_separators: str = r"[,，、;；/ ]+"
    card_min_digits: int = 16
    card_max_digits: int = 19


def _compiles(pattern: str, key: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError.single(
            ErrorCode.BAD_RULES, f"规则文件 [forms.phone] 中 {key} 不是有效的正则表达式：{exc}"
        ) from exc
    return pattern


def forms_rules(rules: RulesFile | None = None) -> FormsRules:
    """Parse [forms] (and its phone / bank_card sub-sections) into FormsRules."""
    rules = rules or load_rules()
    section = rules.section("forms")
    phone = section.get("phone", {})
    card = section.get("bank_card", {})
    severity = section.get("over_quota_severity", "error")
    if severity not in ("error", "warning"):
        raise InputError.single(
            ErrorCode.BAD_RULES, "规则文件 [forms] 中 over_quota_severity 只能是 error 或 warning"
        )
    amount = require(section, "standard_amount", int, "forms")
    if amount <= 0:
        raise InputError.single(ErrorCode.BAD_RULES, "规则文件 [forms] 中 standard_amount 须为正数")
    return FormsRules(
        standard_amount=amount,
        years=tuple(int(y) for y in section.get("years", [2022, 2023, 2024])),
        dead_cert_status=tuple(str(s) for s in section.get("dead_cert_status", ["死亡", "注销"])),
        age_tolerance=int(section.get("age_tolerance", 0)),
        over_quota_severity=severity,
        mobile=_compiles(str(phone.get("mobile", FormsRules.mobile)), "mobile"),
        landline=_compiles(str(phone.get("landline", FormsRules.landline)), "landline"),
        phone_separators=_compiles(
            str(phone.get("separators", FormsRules.phone_separators)), "separators"
        ),
        card_min_digits=int(card.get("min_digits", 16)),
        card_max_digits=int(card.get("max_digits", 19)),
    )
