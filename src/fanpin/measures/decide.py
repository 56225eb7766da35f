"""Per person × measure decisions: eligible / ineligible / undetermined, reason, amount.

Every rule comes from MeasuresRules (schemas/rules.toml [measures]); conditions.py tests
each kind of condition, this module chooses the conditions of each measure and assembles
rows. The study grant is decided per student and skills training also per relative (from
the survey's extra sheets). Vectorised per measure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from fanpin.measures.ages import completed_years
from fanpin.measures.checks import (
    ELIGIBLE,
    FAIL,
    STR,
    UNKNOWN,
    Check,
    combine,
    constant_check,
    make_check,
)
from fanpin.measures.conditions import (
    age_check,
    answer_unknown_text,
    class_check,
    dead_check,
    history_check,
    items_check,
    only_with_survey,
    period_check,
    roster_check,
    survey_check,
    texts,
    work_check,
    yes_check,
)
from fanpin.measures.places import place_sort_keys
from fanpin.measures.rules import SLUGS, MeasureRule, MeasuresRules
from fanpin.measures.survey import in_set
from fanpin.normalize.labels import level_label

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
    checks += [only_with_survey(c, people) for c in field_checks]
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
                    answer_unknown_text(students, "lottery_funded"),
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
                    "入学年份" + texts(enrol) + "年",
                    texts(enrol) + f"年入学，{year}年度不纳入资助",
                    answer_unknown_text(students, "enrol_year"),
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
    severe_text = "所属残疾人为" + texts(level_label(level)) + "，非重度残疾人"
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
            "与残疾人关系：" + texts(relation),
            "与残疾人关系：" + texts(relation) + "，须为" + "或".join(spec.relationships),
            answer_unknown_text(rel, "relationship"),
        ),
        make_check(
            idx,
            ~needs_cohabit | cohabit.fillna(False),
            needs_cohabit & (~cohabit).fillna(False),
            pd.Series("", index=idx, dtype=STR).mask(needs_cohabit.to_numpy(), "与残疾人共同生活"),
            "直系亲属未与残疾人共同生活",
            answer_unknown_text(rel, "cohabiting"),
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
