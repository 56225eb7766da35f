"""Per person × measure decisions: eligible / ineligible / undetermined, reason, amount.

Every rule comes from MeasuresRules (schemas/rules.toml [measures]); this module only knows
how to test each kind of condition. The study grant is decided per student and skills
training also per relative (from the survey's extra sheets). Vectorised per measure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fanpin.measures.ages import completed_years
from fanpin.measures.checks import (
    ELIGIBLE,
    FAIL,
    PASS,
    STR,
    UNKNOWN,
    Check,
    combine,
    constant_check,
    make_check,
)
from fanpin.measures.fields import SURVEY_BY_KEY, label
from fanpin.measures.people import SURVEY_CONFLICT, SURVEY_MISSING
from fanpin.measures.places import place_sort_keys
from fanpin.measures.rules import MULTIPLE, SLUGS, MeasureRule, MeasuresRules
from fanpin.measures.survey import in_set
from fanpin.normalize.labels import CATEGORY_NAMES, LEVEL_NAMES, category_label, level_label

DECISION_COLUMNS = [
    "id_number",
    "name",
    "city",
    "county",
    "measure",
    "measure_name",
    "decision",
    "reason",
    "amount",
    "role",
    "disabled_id",
    "item",
    "household_id",
    "year",
]
ROLE_SELF, ROLE_STUDENT, ROLE_RELATIVE = "本人", "在校大学生", "亲属"
_ROLE_ORDER = {ROLE_SELF: 0, ROLE_STUDENT: 1, ROLE_RELATIVE: 2}


@dataclass(frozen=True)
class DecisionInputs:
    """Prepared inputs (see people.py); None means the input was not provided at all."""

    people: pd.DataFrame
    as_of: dt.date
    students: pd.DataFrame | None = None
    relatives: pd.DataFrame | None = None
    history: pd.DataFrame | None = None

    @property
    def year(self) -> int:
        return self.as_of.year


def _texts(values: pd.Series) -> pd.Series:
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
    text = f"{who}已死亡，不纳入帮扶（" + _texts(dead_reason) + "）"
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
    shown = who + "年龄" + _texts(age) + "周岁"
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
    shown = _texts(category_label(cat)) + _texts(level_label(lvl))
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
        comp_text = _texts(comps) if comps is not None else pd.Series("", index=idx, dtype=STR)
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
    note = _texts(people["survey_note"]) if "survey_note" in people else ""
    unknown_text = pd.Series("需求摸底表中没有此人", index=people.index, dtype=STR)
    unknown_text = unknown_text.mask((state == SURVEY_CONFLICT).to_numpy(), note)
    ok = state == "ok"
    return make_check(people.index, ok, pd.Series(False, index=people.index), "", "", unknown_text)


def _answer_unknown_text(rows: pd.DataFrame, key: str) -> pd.Series:
    """Why an answer is unknown: blank, or written in a way that could not be read."""
    bad = _texts(rows[f"{key}__bad"]) if f"{key}__bad" in rows else None
    text = pd.Series(f"未填写“{label(key)}”", index=rows.index, dtype=STR)
    if bad is not None:
        text = text.mask((bad != "").to_numpy(), f"“{label(key)}”填写为“" + bad + "”，无法识别")
    return text


def _only_with_survey(check: Check, people: pd.DataFrame) -> Check:
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
        _answer_unknown_text(people, key),
    )


def work_check(people: pd.DataFrame, rule: MeasureRule) -> Check:
    key = "work_ability"
    value = people[key].astype(STR) if key in people else pd.Series(pd.NA, index=people.index)
    shown = f"{label(key)}：" + _texts(value)
    return make_check(
        people.index,
        value.isin(rule.work_ability).fillna(False),
        (value.notna() & ~value.isin(rule.work_ability)).fillna(False),
        shown,
        shown + "，本项需" + "或".join(rule.work_ability),
        _answer_unknown_text(people, key),
    )


def wanted_items(values: pd.Series, items: Sequence[str]) -> pd.Series:
    """The rule's items present in parsed cells ("轮椅、拐杖"), joined in rule order."""
    text = _texts(values)
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
    other_text = f"{label(key)}：" + _texts(value) + "，不在本项范围（" + "、".join(items) + "）"
    fail_text = other_text.mask((_texts(value) == "").to_numpy(), none_text)
    check = make_check(
        idx,
        stated & (hit != ""),
        stated & (hit == ""),
        f"{label(key)}：" + hit,
        fail_text,
        _answer_unknown_text(people, key),
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
    fail_text = f"{who}已于" + _texts(got) + f"年获得{rule.name}，{rule_text}"
    return make_check(
        idx,
        keys.notna() & got.isna(),
        got.notna(),
        "",
        fail_text,
        f"{who}身份证号无效，无法核对以往帮扶",
    )


# ---------------------------------------------------------------- assembling rows


def _rows(
    base: pd.DataFrame, rule: MeasureRule, checks: Sequence[Check | None], inputs: DecisionInputs
) -> pd.DataFrame:
    """Combine checks into decision rows; `base` supplies the descriptive columns."""
    used = [c for c in checks if c is not None]
    decision, reason = combine(used, base.index)
    eligible = (decision == ELIGIBLE).to_numpy()
    reason = reason.mask(eligible & (reason == "").to_numpy(), "属于未解除返贫风险残疾人")
    notes = []
    if not rule.fixed_amount and rule.amount_note:
        notes.append(f"标准：{rule.amount_note}")
    if rule.uses_history and inputs.history is None:
        notes.append("未核对历年帮扶记录")
    if notes:
        reason = reason.mask(eligible, reason + "（" + "；".join(notes) + "）")
    amount = pd.Series(pd.NA, index=base.index, dtype="Int64")
    if rule.fixed_amount:
        amount = amount.mask(eligible, rule.amount)
    out = pd.DataFrame(index=base.index)
    for col in (
        "id_number",
        "name",
        "city",
        "county",
        "role",
        "disabled_id",
        "item",
        "household_id",
    ):
        missing = pd.Series(pd.NA, index=base.index, dtype=STR)
        out[col] = base[col].astype(STR) if col in base else missing
    out["measure"] = rule.slug
    out["measure_name"] = rule.name
    out["decision"] = decision
    out["reason"] = reason
    out["amount"] = amount
    out["year"] = inputs.year
    return out[DECISION_COLUMNS]


def decide_person_measure(inputs: DecisionInputs, rule: MeasureRule) -> pd.DataFrame:
    """One row per person for a measure decided on the person (all but the study grant)."""
    people = inputs.people
    idx = people.index
    age = completed_years(people["birth"], inputs.as_of)
    checks: list[Check | None] = [
        roster_check(people["on_roster"]),
        dead_check(people["dead"], people["dead_reason"]),
        period_check(idx, rule, inputs.year),
        age_check(age, rule.min_age, rule.max_age),
        class_check(people, rule),
    ]
    base = people.assign(role=ROLE_SELF, disabled_id=people["id_number"])
    if rule.needs_survey:
        checks.append(survey_check(people))
    field_checks: list[Check] = []
    if rule.work_ability:
        field_checks.append(work_check(people, rule))
    field_checks += [yes_check(people, key) for key in rule.require_yes]
    if rule.items_field:
        check, hit = items_check(people, rule)
        field_checks.append(check)
        base = base.assign(item=hit.replace("", pd.NA))
    checks += [_only_with_survey(c, people) for c in field_checks]
    checks.append(history_check(people["pid"], rule, inputs.history, inputs.year))
    if rule.unit == "household":
        head = people.get("head_id")
        key = people["pid"].fillna(people["id_number"])
        base = base.assign(household_id=head.fillna(key) if head is not None else key)
    return _rows(base, rule, checks, inputs)


def _parents(inputs: DecisionInputs, disabled_ids: pd.Series) -> pd.DataFrame:
    """The roster person behind each student / relative row (by the disabled person's ID)."""
    people = inputs.people[inputs.people["pid"].notna()].set_index("pid")
    out = pd.DataFrame(index=disabled_ids.index)
    for col in ("on_roster", "dead", "dead_reason", "city", "county", "level"):
        out[col] = disabled_ids.map(people[col]) if len(people) else pd.NA
    known = disabled_ids.notna()
    out["on_roster"] = (
        out["on_roster"].astype("boolean").mask(known & out["on_roster"].isna(), False)
    )
    out["dead"] = out["dead"].astype("boolean").fillna(False)
    return out


def _parent_checks(parents: pd.DataFrame) -> list[Check | None]:
    return [
        roster_check(parents["on_roster"], who="所属残疾人"),
        dead_check(parents["dead"], parents["dead_reason"], who="所属残疾人"),
    ]


def _id_present(ids: pd.Series, what: str) -> Check:
    idx = ids.index
    return make_check(
        idx, ids.notna(), pd.Series(False, index=idx), "", "", f"{what}身份证号无效或缺失"
    )


def decide_students(inputs: DecisionInputs, rule: MeasureRule) -> pd.DataFrame:
    """Study grant: one row per listed student, and one per person with no student listed."""
    year = inputs.year
    people = inputs.people
    students = inputs.students
    listed = pd.Series(False, index=people.index)
    frames = []
    if students is not None and len(students):
        parents = _parents(inputs, students["disabled_id"])
        idx = students.index
        checks: list[Check | None] = [
            *_parent_checks(parents),
            period_check(idx, rule, year),
            _id_present(students["student_id"], "学生"),
        ]
        if rule.exclude_lottery_funded:
            checks.append(
                make_check(
                    idx,
                    (~students["lottery_funded"].astype("boolean")).fillna(False),
                    students["lottery_funded"].astype("boolean").fillna(False),
                    "在学期间未获省彩票公益金资助",
                    "在学期间已获省彩票公益金资助",
                    _answer_unknown_text(students, "lottery_funded"),
                )
            )
        excluded = [
            enrolled for round_year, enrolled in rule.excluded_enrolment if round_year == year
        ]
        if excluded:
            enrol = students["enrol_year"].astype("Int64")
            hit = enrol.isin(excluded).fillna(False)
            checks.append(
                make_check(
                    idx,
                    enrol.notna() & ~hit,
                    hit,
                    "入学年份" + _texts(enrol) + "年",
                    _texts(enrol) + f"年入学，{year}年度不纳入资助",
                    _answer_unknown_text(students, "enrol_year"),
                )
            )
        checks.append(history_check(students["student_id"], rule, inputs.history, year, "该学生"))
        base = pd.DataFrame(
            {
                "id_number": students["student_id__text"],
                "name": students["student_name"],
                "city": parents["city"],
                "county": parents["county"],
                "role": ROLE_STUDENT,
                "disabled_id": students["disabled_id__text"],
            },
            index=idx,
        )
        frames.append(_rows(base, rule, checks, inputs))
        listed = in_set(people["pid"], students["disabled_id"])

    rest = people[~listed.to_numpy()]
    idx = rest.index
    if students is None:
        missing = constant_check(
            idx, UNKNOWN, "未提供在校大学生名单（需求摸底表“在校大学生”工作表）"
        )
    else:
        missing = constant_check(idx, FAIL, "在校大学生名单中没有其家庭子女")
    checks = [
        roster_check(rest["on_roster"]),
        dead_check(rest["dead"], rest["dead_reason"]),
        period_check(idx, rule, year),
        missing,
    ]
    base = rest.assign(role=ROLE_SELF, disabled_id=rest["id_number"])
    frames.append(_rows(base, rule, checks, inputs))
    return pd.concat(frames, ignore_index=True)


def decide_relatives(inputs: DecisionInputs, rule: MeasureRule) -> pd.DataFrame | None:
    """Skills training for a severe disabled person's direct relative or guardian."""
    spec = rule.relatives
    rel = inputs.relatives
    if spec is None or not spec.enabled or rel is None or rel.empty:
        return None
    year = inputs.year
    idx = rel.index
    parents = _parents(inputs, rel["disabled_id"])
    level = parents["level"].astype("Int8")
    severe_text = "所属残疾人为" + _texts(level_label(level)) + "，非重度残疾人"
    relation = rel["relationship"].astype(STR)
    cohabit = rel["cohabiting"].astype("boolean")
    needs_cohabit = relation.isin(spec.cohabit_required).fillna(False)
    checks: list[Check | None] = [
        *_parent_checks(parents),
        period_check(idx, rule, year),
        make_check(
            idx,
            level.isin(spec.disabled_levels).fillna(False),
            (level.notna() & ~level.isin(spec.disabled_levels)).fillna(False),
            "",
            severe_text,
            "所属残疾人缺少残疾等级",
        ),
        make_check(
            idx,
            relation.isin(spec.relationships).fillna(False),
            (relation.notna() & ~relation.isin(spec.relationships)).fillna(False),
            "与残疾人关系：" + _texts(relation),
            "与残疾人关系：" + _texts(relation) + "，须为" + "或".join(spec.relationships),
            _answer_unknown_text(rel, "relationship"),
        ),
        make_check(
            idx,
            ~needs_cohabit | cohabit.fillna(False),
            needs_cohabit & (~cohabit).fillna(False),
            pd.Series("", index=idx, dtype=STR).mask(needs_cohabit.to_numpy(), "与残疾人共同生活"),
            "直系亲属未与残疾人共同生活",
            _answer_unknown_text(rel, "cohabiting"),
        ),
        age_check(rel["age"].astype("Int64"), spec.min_age, spec.max_age, who="培训人"),
        _id_present(rel["trainee_id"], "培训人"),
        history_check(rel["trainee_id"], rule, inputs.history, year, "培训人"),
    ]
    base = pd.DataFrame(
        {
            "id_number": rel["trainee_id__text"],
            "name": rel["trainee_name"],
            "city": parents["city"],
            "county": parents["county"],
            "role": ROLE_RELATIVE,
            "disabled_id": rel["disabled_id__text"],
        },
        index=idx,
    )
    return _rows(base, rule, checks, inputs)


def decide_all(inputs: DecisionInputs, rules: MeasuresRules) -> pd.DataFrame:
    """All decisions, ordered by place, person, then the notice's measure order."""
    frames = []
    for rule in rules.measures.values():
        if rule.unit == "student":
            frames.append(decide_students(inputs, rule))
            continue
        frames.append(decide_person_measure(inputs, rule))
        extra = decide_relatives(inputs, rule)
        if extra is not None:
            frames.append(extra)
    out = pd.concat(frames, ignore_index=True)
    order = {slug: i for i, slug in enumerate(SLUGS)}
    keys = place_sort_keys(out["city"], out["county"]).assign(
        **{
            "disabled_id": out["disabled_id"].fillna(""),
            "m": out["measure"].map(order),
            "r": out["role"].map(_ROLE_ORDER),
            "id": out["id_number"].fillna(""),
        }
    )
    ordered = keys.sort_values(list(keys.columns), kind="stable").index
    return out.loc[ordered].reset_index(drop=True)
