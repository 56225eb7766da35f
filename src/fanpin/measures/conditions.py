"""The conditions of the measures as three-valued checks (see checks.py), vectorised.

Each builder reads one kind of fact (roster membership, death, year, age, category and
level, survey answers, past help) and says pass / fail / unknown with a Chinese text that
names the rule and the value, e.g. 年龄72周岁，超过70周岁上限.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fanpin.measures.checks import FAIL, PASS, STR, UNKNOWN, Check, constant_check, make_check
from fanpin.measures.fields import SURVEY_BY_KEY, label
from fanpin.measures.people import SURVEY_CONFLICT, SURVEY_MISSING
from fanpin.measures.rules import MULTIPLE, MeasureRule
from fanpin.normalize.labels import CATEGORY_NAMES, LEVEL_NAMES, category_label, level_label


def texts(values: pd.Series) -> pd.Series:
    """Values as text, "" for missing (for building reasons)."""
    return values.astype("string").astype(STR).fillna("")


# ---------------------------------------------------------------- checks about the person


def roster_check(on_roster: pd.Series, who: str = "") -> Check:
    """On the roster of risk disabled people (the target group of every measure)."""
    idx = on_roster.index
    return make_check(
        idx,
        on_roster.fillna(False).astype(bool),
        (~on_roster.fillna(True)).astype(bool),
        "",
        f"{who}不在未解除返贫风险残疾人名单中",
        f"{who}身份证号无效，无法与未解除返贫风险残疾人名单对应",
    )


def dead_check(dead: pd.Series, dead_reason: pd.Series, who: str = "") -> Check:
    """The notice: people who died are not helped (一次性资金帮扶 says so explicitly)."""
    idx = dead.index
    dead = dead.fillna(False).astype(bool)
    text = f"{who}已死亡，不纳入帮扶（" + texts(dead_reason) + "）"
    return make_check(idx, ~dead, dead, "", text)


def period_check(idx: pd.Index, rule: MeasureRule, year: int) -> Check | None:
    if rule.period is None:
        return None
    start, end = rule.period
    if start <= year <= end:
        return constant_check(idx, PASS, "")
    return constant_check(idx, FAIL, f"{year}年不在本项实施期（{start}—{end}年）内")


def age_check(age: pd.Series, low: int | None, high: int | None, who: str = "") -> Check | None:
    if low is None and high is None:
        return None
    idx = age.index
    shown = who + "年龄" + texts(age) + "周岁"
    too_young = (age < low) if low is not None else pd.Series(False, index=idx)
    too_old = (age > high) if high is not None else pd.Series(False, index=idx)
    fail_text = pd.Series("", index=idx, dtype=STR)
    if low is not None:
        fail_text = fail_text.mask(too_young.fillna(False), shown + f"，未满{low}周岁")
    if high is not None:
        fail_text = fail_text.mask(too_old.fillna(False), shown + f"，超过{high}周岁上限")
    failed = (too_young | too_old).fillna(False)
    return make_check(
        idx,
        age.notna() & ~failed,
        failed,
        shown,
        fail_text,
        f"{who}缺少出生日期（身份证号无效且未填出生日期），无法计算年龄",
    )


def _category_words(codes: Sequence[int]) -> list[str]:
    return [CATEGORY_NAMES[c].removesuffix("残疾") for c in codes]


def class_scope(rule: MeasureRule) -> str:
    """The rule's category/level condition in Chinese, e.g. 智力残疾、…或含精神残疾的多重残疾."""
    parts = []
    for cat in rule.categories:
        if cat == MULTIPLE:
            continue
        text = CATEGORY_NAMES[cat]
        if cat in rule.category_levels:
            text += "（" + "、".join(LEVEL_NAMES[v] for v in rule.category_levels[cat]) + "）"
        parts.append(text)
    if MULTIPLE in rule.categories:
        words = _category_words(rule.multiple_needs_any_of)
        parts.append(f"含{'或'.join(words)}残疾的多重残疾" if words else "多重残疾")
    scope = "、".join(parts)
    if rule.levels:
        scope += ("，" if scope else "") + "等级限" + "、".join(LEVEL_NAMES[v] for v in rule.levels)
    return scope


def class_check(people: pd.DataFrame, rule: MeasureRule) -> Check | None:
    """Disability category and level; a multiple disability's parts come from the survey."""
    if not rule.categories and not rule.levels:
        return None
    idx = people.index
    cat = people["category"].astype("Int8")
    lvl = people["level"].astype("Int8")
    shown = texts(category_label(cat)) + texts(level_label(lvl))
    scope = class_scope(rule)
    false = pd.Series(False, index=idx)
    failed, unknown = false.copy(), false.copy()
    unknown_text = pd.Series("", index=idx, dtype=STR)
    fail_text = "残疾类别等级为" + shown + f"，不属于本项范围（{scope}）"

    if rule.categories:
        unknown |= cat.isna()
        unknown_text = unknown_text.mask(cat.isna().to_numpy(), "缺少残疾类别")
        failed |= (cat.notna() & ~cat.isin(rule.categories)).fillna(False)

    # Level limits: per category (category_levels) and for every category (levels).
    for code, levels in [
        *rule.category_levels.items(),
        *([(0, rule.levels)] if rule.levels else []),
    ]:
        applies = (cat == code).fillna(False) if code else pd.Series(True, index=idx)
        failed |= applies & (lvl.notna() & ~lvl.isin(levels)).fillna(False)
        missing = applies & lvl.isna()
        unknown |= missing
        unknown_text = unknown_text.mask(missing.to_numpy(), "缺少残疾等级")

    comps = people.get("multiple_components")
    if MULTIPLE in rule.categories and rule.multiple_needs_any_of:
        words = _category_words(rule.multiple_needs_any_of)
        is_multiple = (cat == MULTIPLE).fillna(False)
        comp_text = texts(comps) if comps is not None else pd.Series("", index=idx, dtype=STR)
        has_any = pd.Series(False, index=idx)
        for word in words:
            has_any |= comp_text.str.contains(word, regex=False)
        known = comp_text != ""
        need = "或".join(words)
        missing = is_multiple & ~known
        unknown |= missing
        unknown_text = unknown_text.mask(
            missing.to_numpy(),
            f"多重残疾，缺少“{label('multiple_components')}”，无法判断是否含{need}残疾",
        )
        no_part = is_multiple & known & ~has_any
        failed |= no_part
        fail_text = fail_text.mask(
            no_part.to_numpy(), "多重残疾（含" + comp_text + f"），不含{need}残疾"
        )
        shown = shown.mask((is_multiple & has_any).to_numpy(), shown + "（含" + comp_text + "）")

    passed = ~failed & ~unknown
    return make_check(idx, passed, failed, "残疾类别等级：" + shown, fail_text, unknown_text)


# ---------------------------------------------------------------- checks on survey answers


def survey_check(people: pd.DataFrame) -> Check:
    state = people["survey_state"].astype(STR).fillna(SURVEY_MISSING)
    note = texts(people["survey_note"]) if "survey_note" in people else ""
    unknown_text = pd.Series("需求摸底表中没有此人", index=people.index, dtype=STR)
    unknown_text = unknown_text.mask((state == SURVEY_CONFLICT).to_numpy(), note)
    ok = state == "ok"
    return make_check(people.index, ok, pd.Series(False, index=people.index), "", "", unknown_text)


def answer_unknown_text(rows: pd.DataFrame, key: str) -> pd.Series:
    """Why an answer is unknown: blank, or written in a way that could not be read."""
    bad = texts(rows[f"{key}__bad"]) if f"{key}__bad" in rows else None
    text = pd.Series(f"未填写“{label(key)}”", index=rows.index, dtype=STR)
    if bad is not None:
        text = text.mask((bad != "").to_numpy(), f"“{label(key)}”填写为“" + bad + "”，无法识别")
    return text


def only_with_survey(check: Check, people: pd.DataFrame) -> Check:
    """Without a usable survey row the survey check explains; field checks stay silent."""
    no_survey = (people["survey_state"].astype(STR).fillna(SURVEY_MISSING) != "ok").to_numpy()
    state = np.where(no_survey, UNKNOWN, check.state).astype(np.int8)
    return Check(state, check.text.mask(no_survey, ""))


def yes_check(people: pd.DataFrame, key: str, column: str | None = None) -> Check:
    answer = people.get(column or key)
    idx = people.index
    if answer is None:
        answer = pd.Series(pd.NA, index=idx, dtype="boolean")
    answer = answer.astype("boolean")
    return make_check(
        idx,
        answer.fillna(False),
        (~answer).fillna(False),
        f"{label(key)}：是",
        f"{label(key)}：否",
        answer_unknown_text(people, key),
    )


def work_check(people: pd.DataFrame, rule: MeasureRule) -> Check:
    key = "work_ability"
    value = people[key].astype(STR) if key in people else pd.Series(pd.NA, index=people.index)
    shown = f"{label(key)}：" + texts(value)
    return make_check(
        people.index,
        value.isin(rule.work_ability).fillna(False),
        (value.notna() & ~value.isin(rule.work_ability)).fillna(False),
        shown,
        shown + "，本项需" + "或".join(rule.work_ability),
        answer_unknown_text(people, key),
    )


def wanted_items(values: pd.Series, items: Sequence[str]) -> pd.Series:
    """The rule's items present in parsed cells ("轮椅、拐杖"), joined in rule order."""
    text = texts(values)
    out = pd.Series("", index=values.index, dtype=STR)
    for item in items:
        has = text.str.contains(item, regex=False).to_numpy()
        out = out.mask(has, (out + "、" + item).str.removeprefix("、"))
    return out


def items_check(people: pd.DataFrame, rule: MeasureRule) -> tuple[Check, pd.Series]:
    key = rule.items_field or ""
    idx = people.index
    value = people[key].astype(STR) if key in people else pd.Series(pd.NA, index=idx, dtype=STR)
    items = rule.items or SURVEY_BY_KEY[key].choices
    hit = wanted_items(value, items)
    stated = value.notna()
    none_text = f"{label(key)}：无"
    other_text = f"{label(key)}：" + texts(value) + "，不在本项范围（" + "、".join(items) + "）"
    fail_text = other_text.mask((texts(value) == "").to_numpy(), none_text)
    check = make_check(
        idx,
        stated & (hit != ""),
        stated & (hit == ""),
        f"{label(key)}：" + hit,
        fail_text,
        answer_unknown_text(people, key),
    )
    return check, hit


# ---------------------------------------------------------------- once-only rules


def history_check(
    keys: pd.Series, rule: MeasureRule, history: pd.DataFrame | None, year: int, who: str = ""
) -> Check | None:
    """Ineligible when the history shows this measure already received within the window."""
    if not rule.uses_history:
        return None
    idx = keys.index
    if history is None:
        return constant_check(idx, PASS, "")  # _rows adds the caveat to eligible reasons
    if rule.once_in_period and rule.period is not None:
        low, high = rule.period[0], min(rule.period[1], year)
        rule_text = f"{rule.period[0]}—{rule.period[1]}年每人只帮扶一次"
    else:
        span = rule.repeat_after_years or 1
        low, high = year - span + 1, year
        rule_text = "每年一次" if span == 1 else f"{span}年内只补助一次"
    past = history[(history["measure"] == rule.slug) & history["year"].between(low, high)]
    last = past.groupby("pid")["year"].max()
    got = keys.map(last).astype("Int64")
    fail_text = f"{who}已于" + texts(got) + f"年获得{rule.name}，{rule_text}"
    return make_check(
        idx,
        keys.notna() & got.isna(),
        got.notna(),
        "",
        fail_text,
        f"{who}身份证号无效，无法核对以往帮扶",
    )
