"""The [measures] section of the rules file, parsed into dataclasses and checked.

Every problem found is collected and raised together (ErrorCode.BAD_RULES), each naming
the sub-section and key to fix, so a province editing the file sees all its mistakes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.measures.fields import ITEM_KEYS, SURVEY_BY_KEY, YES_NO_KEYS
from fanpin.rules import RulesFile

# Stable slugs, in the notice's order (measure 1 has two parts).
SLUGS: tuple[str, ...] = (
    "living_support",
    "cash",
    "study",
    "training",
    "industry",
    "care",
    "cataract",
    "prosthesis",
    "assistive",
    "rehab",
    "accessibility",
)
UNITS = {"person": "人", "student": "人", "household": "户"}
CATEGORIES = range(1, 8)
LEVELS = range(1, 5)
MULTIPLE = 7

_MEASURE_KEYS = {
    "name", "unit", "amount", "amount_note", "period", "min_age", "max_age", "categories",
    "category_levels", "levels", "multiple_needs_any_of", "work_ability", "require_yes",
    "items_field", "items", "once_in_period", "repeat_after_years", "aliases",
    "exclude_lottery_funded", "excluded_enrolment", "relatives",
}  # fmt: skip
_RELATIVE_KEYS = {
    "enabled", "disabled_levels", "relationships", "cohabit_required", "min_age", "max_age",
}  # fmt: skip


@dataclass(frozen=True)
class RelativeRule:
    """Training for a severe disabled person's direct relative or guardian."""

    enabled: bool
    disabled_levels: tuple[int, ...]
    relationships: tuple[str, ...]
    cohabit_required: tuple[str, ...]
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class MeasureRule:
    """Who qualifies for one measure and what it pays; see the comments in rules.toml."""

    slug: str
    name: str
    unit: str
    amount: int  # yuan per unit; 0 = no fixed standard
    amount_note: str
    period: tuple[int, int] | None
    min_age: int | None
    max_age: int | None
    categories: tuple[int, ...]  # empty = any category
    category_levels: dict[int, tuple[int, ...]]
    levels: tuple[int, ...]  # empty = any level
    multiple_needs_any_of: tuple[int, ...]
    work_ability: tuple[str, ...]
    require_yes: tuple[str, ...]
    items_field: str | None
    items: tuple[str, ...]
    once_in_period: bool
    repeat_after_years: int | None
    aliases: tuple[str, ...]
    exclude_lottery_funded: bool = False
    excluded_enrolment: tuple[tuple[int, int], ...] = ()
    relatives: RelativeRule | None = None

    @property
    def fixed_amount(self) -> bool:
        return self.amount > 0

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit]

    @property
    def needs_survey(self) -> bool:
        return bool(self.require_yes or self.items_field or self.work_ability)

    @property
    def uses_history(self) -> bool:
        return self.once_in_period or self.repeat_after_years is not None


@dataclass(frozen=True)
class MeasuresRules:
    dead_cert_status: tuple[str, ...]
    measures: dict[str, MeasureRule]  # keyed by slug, in SLUGS order

    def measure_of_alias(self) -> dict[str, str]:
        """Every way of writing a measure in a history file -> slug."""
        out: dict[str, str] = {}
        for slug, rule in self.measures.items():
            for word in (slug, rule.name, *rule.aliases):
                out[word] = slug
        return out


class _Collector:
    """Gathers BAD_RULES problems; typed getters return a safe default after a problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[InputProblem] = []

    def bad(self, where: str, key: str, message: str) -> None:
        self.problems.append(
            InputProblem(ErrorCode.BAD_RULES, f"[{where}] {key} {message}", file=self.file)
        )

    def int_or_none(self, node: dict[str, Any], key: str, where: str) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.bad(where, key, "应为不小于 0 的整数")
            return None
        return value

    def ints(self, node: dict[str, Any], key: str, where: str, allowed: range) -> tuple[int, ...]:
        value = node.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v in allowed for v in value
        ):
            self.bad(where, key, f"应为 {allowed.start}–{allowed.stop - 1} 的整数列表")
            return ()
        return tuple(value)

    def texts(self, node: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.bad(where, key, '应为文字列表，如 ["是"]')
            return ()
        return tuple(value)

    def flag(self, node: dict[str, Any], key: str, where: str) -> bool:
        value = node.get(key, False)
        if not isinstance(value, bool):
            self.bad(where, key, "应为 true 或 false")
            return False
        return value

    def text(self, node: dict[str, Any], key: str, where: str, default: str = "") -> str:
        value = node.get(key, default)
        if not isinstance(value, str):
            self.bad(where, key, "应为文字")
            return default
        return value


def _unknown_keys(col: _Collector, node: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in sorted(set(node) - allowed):
        col.bad(where, key, "不是可用的键（可能拼写有误）")


def _period(col: _Collector, node: dict[str, Any], where: str) -> tuple[int, int] | None:
    value = node.get("period")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or value[0] > value[1]
    ):
        col.bad(where, "period", "应写成 [起始年, 结束年]，如 [2022, 2024]")
        return None
    return (value[0], value[1])


def _category_levels(
    col: _Collector, node: dict[str, Any], where: str
) -> dict[int, tuple[int, ...]]:
    value = node.get("category_levels", {})
    out: dict[int, tuple[int, ...]] = {}
    if not isinstance(value, dict):
        col.bad(where, "category_levels", "应写成 { 类别 = [等级, …] }，如 { 4 = [1, 2] }")
        return out
    for raw_cat, levels in value.items():
        if not str(raw_cat).isdigit() or int(raw_cat) not in CATEGORIES:
            col.bad(where, "category_levels", f"中的类别 {raw_cat} 应为 1–7")
            continue
        out[int(raw_cat)] = col.ints({"v": levels}, "v", where, LEVELS)
    return out


def _enrolment(col: _Collector, node: dict[str, Any], where: str) -> tuple[tuple[int, int], ...]:
    value = node.get("excluded_enrolment", [])
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, int) for v in p) for p in value
    ):
        col.bad(where, "excluded_enrolment", "应写成 [[帮扶年度, 入学年份], …]")
        return ()
    return tuple((int(a), int(b)) for a, b in value)


def _relatives(col: _Collector, node: Any, where: str) -> RelativeRule | None:
    if node is None:
        return None
    if not isinstance(node, dict):
        col.bad(where, "relatives", "应为一个节")
        return None
    _unknown_keys(col, node, _RELATIVE_KEYS, where)
    return RelativeRule(
        enabled=col.flag(node, "enabled", where),
        disabled_levels=col.ints(node, "disabled_levels", where, LEVELS),
        relationships=col.texts(node, "relationships", where),
        cohabit_required=col.texts(node, "cohabit_required", where),
        min_age=col.int_or_none(node, "min_age", where),
        max_age=col.int_or_none(node, "max_age", where),
    )


def _measure(col: _Collector, slug: str, node: dict[str, Any]) -> MeasureRule:
    where = f"measures.{slug}"
    _unknown_keys(col, node, _MEASURE_KEYS, where)
    unit = col.text(node, "unit", where, "person")
    if unit not in UNITS:
        col.bad(where, "unit", "只能是 person、student 或 household")
        unit = "person"
    name = col.text(node, "name", where)
    if not name:
        col.bad(where, "name", "缺失")
    amount = col.int_or_none(node, "amount", where) or 0
    min_age = col.int_or_none(node, "min_age", where)
    max_age = col.int_or_none(node, "max_age", where)
    if min_age is not None and max_age is not None and min_age > max_age:
        col.bad(where, "min_age", "大于 max_age")

    require_yes = col.texts(node, "require_yes", where)
    for key in require_yes:
        if key not in YES_NO_KEYS:
            col.bad(where, "require_yes", f"中的“{key}”不是摸底表中的是/否项目")
    items_field = node.get("items_field")
    items = col.texts(node, "items", where)
    if items_field is not None:
        if items_field not in ITEM_KEYS:
            col.bad(where, "items_field", f"“{items_field}”不是摸底表中的选项列")
            items_field = None
        else:
            choices = SURVEY_BY_KEY[items_field].choices
            for item in items:
                if item not in choices:
                    col.bad(where, "items", f"中的“{item}”不是有效选项（{'、'.join(choices)}）")
    work = col.texts(node, "work_ability", where)
    for value in work:
        if value not in SURVEY_BY_KEY["work_ability"].choices:
            col.bad(where, "work_ability", f"中的“{value}”应为 有、部分 或 无")
    categories = col.ints(node, "categories", where, CATEGORIES)
    multiple = col.ints(node, "multiple_needs_any_of", where, range(1, 7))
    if multiple and MULTIPLE not in categories:
        col.bad(where, "multiple_needs_any_of", "需要 categories 中含 7（多重残疾）")

    return MeasureRule(
        slug=slug,
        name=name or slug,
        unit=unit,
        amount=amount,
        amount_note=col.text(node, "amount_note", where),
        period=_period(col, node, where),
        min_age=min_age,
        max_age=max_age,
        categories=categories,
        category_levels=_category_levels(col, node, where),
        levels=col.ints(node, "levels", where, LEVELS),
        multiple_needs_any_of=multiple,
        work_ability=work,
        require_yes=require_yes,
        items_field=items_field,
        items=items,
        once_in_period=col.flag(node, "once_in_period", where),
        repeat_after_years=col.int_or_none(node, "repeat_after_years", where),
        aliases=col.texts(node, "aliases", where),
        exclude_lottery_funded=col.flag(node, "exclude_lottery_funded", where),
        excluded_enrolment=_enrolment(col, node, where),
        relatives=_relatives(col, node.get("relatives"), f"{where}.relatives"),
    )


def parse_measures_rules(rules: RulesFile) -> MeasuresRules:
    """Read and check [measures]; raises InputError (BAD_RULES) listing every problem."""
    top = rules.section("measures")
    col = _Collector(rules.path.name)
    for key in sorted(set(top) - set(SLUGS) - {"dead_cert_status"}):
        col.bad("measures", key, "不是已知的帮扶措施代号（应为 " + "、".join(SLUGS) + "）")
    measures: dict[str, MeasureRule] = {}
    for slug in SLUGS:
        node = top.get(slug)
        if not isinstance(node, dict):
            col.bad("measures", slug, "节缺失")
            continue
        measures[slug] = _measure(col, slug, node)
        if measures[slug].period is None and measures[slug].once_in_period:
            col.bad(f"measures.{slug}", "once_in_period", "需要同时写 period")

    seen: dict[str, str] = {}
    for slug, rule in measures.items():
        for word in (rule.name, *rule.aliases):
            if seen.setdefault(word, slug) != slug:
                col.bad(f"measures.{slug}", "aliases", f"中的“{word}”与 {seen[word]} 重复")
    dead = col.texts(top, "dead_cert_status", "measures")
    if col.problems:
        raise InputError(col.problems)
    return MeasuresRules(dead_cert_status=dead, measures=measures)
