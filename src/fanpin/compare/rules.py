"""The [compare] section of the rules file, parsed and checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fanpin.errors import ErrorCode, InputError
from fanpin.rules import RulesFile


def _int_list(section: dict[str, Any], key: str, where: str) -> tuple[int, ...]:
    value = section.get(key)
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise InputError.single(ErrorCode.BAD_RULES, f"[{where}] {key} 应为整数列表，如 [1, 2]")
    return tuple(value)


def _str_list(section: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = section.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError.single(ErrorCode.BAD_RULES, f"[{where}] {key} 应为文字列表")
    return tuple(value)


@dataclass(frozen=True)
class CompareRules:
    severe_levels: tuple[int, ...]
    valid_cert_status: tuple[str, ...]
    dead_cert_status: tuple[str, ...]
    monitored_household_types: tuple[str, ...]
    risk_not_cleared_values: tuple[str, ...]
    dibao_active_status: tuple[str, ...]
    verify_scope: str  # "new" | "all"
    verify_only_poverty_or_rural_dibao: bool
    living_require_dibao: bool
    living_exempt_types: tuple[str, ...]
    care_levels: tuple[int, ...]
    care_extra: tuple[tuple[int, int], ...]  # (category, level) pairs also entitled
    care_exempt_types: tuple[str, ...]
    living_name: str
    care_name: str


def parse_compare_rules(rules: RulesFile) -> CompareRules:
    """Read [compare] and its sub-sections; every error names the key to fix."""
    top = rules.section("compare")
    verify = rules.section("compare.home_verification")
    living = rules.section("compare.living_subsidy")
    care = rules.section("compare.care_subsidy")
    names = rules.section("compare.subsidy_names")
    scope = verify.get("scope")
    if scope not in ("new", "all"):
        raise InputError.single(
            ErrorCode.BAD_RULES, '[compare.home_verification] scope 只能是 "new" 或 "all"'
        )
    extra = care.get("extra_category_levels", [])
    if not isinstance(extra, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, int) for v in p) for p in extra
    ):
        raise InputError.single(
            ErrorCode.BAD_RULES,
            "[compare.care_subsidy] extra_category_levels 应写成 [[类别, 等级], …]，如 [[5, 3]]",
        )
    return CompareRules(
        severe_levels=_int_list(top, "severe_levels", "compare"),
        valid_cert_status=_str_list(top, "valid_cert_status", "compare"),
        dead_cert_status=_str_list(top, "dead_cert_status", "compare"),
        monitored_household_types=_str_list(top, "monitored_household_types", "compare"),
        risk_not_cleared_values=_str_list(top, "risk_not_cleared_values", "compare"),
        dibao_active_status=_str_list(top, "dibao_active_status", "compare"),
        verify_scope=str(scope),
        verify_only_poverty_or_rural_dibao=bool(verify.get("only_poverty_or_rural_dibao", False)),
        living_require_dibao=bool(living.get("require_dibao", True)),
        living_exempt_types=_str_list(living, "exempt_dibao_types", "compare.living_subsidy"),
        care_levels=_int_list(care, "levels", "compare.care_subsidy"),
        care_extra=tuple((int(a), int(b)) for a, b in extra),
        care_exempt_types=_str_list(care, "exempt_dibao_types", "compare.care_subsidy"),
        living_name=str(names.get("living", "困难残疾人生活补贴")),
        care_name=str(names.get("care", "重度残疾人护理补贴")),
    )
