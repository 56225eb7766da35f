"""The [measures] section of the rules file: shipped defaults and how mistakes are reported."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from fanpin.errors import ErrorCode, InputError
from fanpin.measures.rules import SLUGS, parse_measures_rules
from fanpin.rules import RulesFile, load_rules


def rules_with(change: dict[str, Any]) -> RulesFile:
    """The shipped rules with one measure section updated."""
    shipped = load_rules()
    data = copy.deepcopy(shipped.data)
    for slug, values in change.items():
        data["measures"][slug].update(values)
    return RulesFile(path=Path("rules.toml"), sha256="", data=data)


def test_shipped_rules_hold_all_eleven_measures_with_the_notice_standards():
    rules = parse_measures_rules(load_rules())
    assert tuple(rules.measures) == SLUGS
    amounts = {slug: rule.amount for slug, rule in rules.measures.items()}
    # 500 once, 5000 per student, 1500 per year, 6000 once in 3 years, 4000 per year,
    # 10000 per person; the others have no fixed standard.
    assert amounts == {
        "living_support": 0, "cash": 500, "study": 5000, "training": 1500,
        "industry": 6000, "care": 4000, "cataract": 0, "prosthesis": 0,
        "assistive": 0, "rehab": 10000, "accessibility": 0,
    }  # fmt: skip
    training = rules.measures["training"]
    assert (training.min_age, training.max_age) == (16, 70)
    care = rules.measures["care"]
    assert (care.min_age, care.max_age, care.category_levels) == (16, 59, {4: (1, 2)})
    assert rules.measures["rehab"].min_age == 7
    assert rules.measures["accessibility"].unit == "household"
    assert rules.measures["study"].excluded_enrolment == ((2022, 2022),)
    assert rules.measures["industry"].repeat_after_years == 3
    assert rules.measures["cash"].once_in_period


def test_every_mistake_in_the_section_is_reported_together():
    bad = rules_with(
        {
            "training": {"min_age": "16", "require_yes": ["wish_to_train"]},
            "care": {"unit": "people", "categories": [4, 9]},
            "rehab": {"minimum_age": 7},
        }
    )
    with pytest.raises(InputError) as caught:
        parse_measures_rules(bad)
    messages = [p.message for p in caught.value.problems]
    assert all(p.code == ErrorCode.BAD_RULES for p in caught.value.problems)
    assert any("[measures.training] min_age" in m for m in messages)
    assert any("wish_to_train" in m for m in messages)
    assert any("[measures.care] unit" in m for m in messages)
    assert any("[measures.care] categories" in m for m in messages)
    assert any("[measures.rehab] minimum_age" in m and "拼写" in m for m in messages)


def test_a_missing_measure_section_is_named():
    shipped = load_rules()
    data = copy.deepcopy(shipped.data)
    del data["measures"]["cataract"]
    with pytest.raises(InputError, match="cataract"):
        parse_measures_rules(RulesFile(Path("rules.toml"), "", data))


def test_the_same_history_alias_on_two_measures_is_rejected():
    with pytest.raises(InputError, match="培训"):
        parse_measures_rules(rules_with({"industry": {"aliases": ["培训"]}}))


def test_a_province_can_widen_care_to_level_3_physical_by_editing_the_file():
    rules = parse_measures_rules(rules_with({"care": {"category_levels": {"4": [1, 2, 3]}}}))
    assert rules.measures["care"].category_levels == {4: (1, 2, 3)}
