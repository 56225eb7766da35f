"""The quarterly coverage checks: who is a risk disabled person, who needs a home visit,
who is missing 低保 or either subsidy, who is dead yet paid. Pure functions over the
normalised frames from compare.prepare; a missing source is passed as None."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import CompareRules
from fanpin.compare.sets import member_of
from fanpin.findings import empty_findings, make_findings
from fanpin.normalize.ids import id_codes
from fanpin.normalize.labels import level_label

STR = pd.StringDtype("pyarrow")


def valid_holders(dpf: pd.DataFrame, rules: CompareRules) -> pd.DataFrame:
    """One row per person with a valid certificate. A blank status counts as valid: many
    certificate lists hold only valid holders and leave the column out or empty."""
    keep = dpf["pid"].notna().to_numpy(dtype=bool, copy=True)
    if "cert_status" in dpf:
        status = dpf["cert_status"]
        keep &= (status.isna() | status.isin(rules.valid_cert_status)).fillna(False).to_numpy()
    pos = np.flatnonzero(keep)
    first = ~pd.Series(id_codes(dpf["pid"].iloc[pos])).duplicated(keep="first").to_numpy()
    return dpf.iloc[pos[first]]


def newly_certified(holders: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Mask: 发证日期 falls inside the quarter (False where the date is unknown)."""
    issued = pd.to_datetime(holders["issue_date"], errors="coerce")
    start, end = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
    return ((issued >= start) & (issued <= end)).fillna(False)


def monitored_at_risk(monitor: pd.DataFrame, rules: CompareRules) -> pd.DataFrame:
    """Members of monitored households whose risk is not lifted."""
    # A 监测户 row with 风险是否消除 left blank counts as not lifted: lifting the risk is an
    # act someone records, and a blank must not drop a person off the roster.
    risk = monitor["risk_cleared"]
    mask = monitor["household_type"].isin(rules.monitored_household_types) & (
        risk.isna() | risk.isin(rules.risk_not_cleared_values)
    )
    return monitor[mask.fillna(False) & monitor["pid"].notna()]


def build_roster(
    dpf: pd.DataFrame, monitor: pd.DataFrame, quarter: Quarter, rules: CompareRules
) -> pd.DataFrame:
    """Risk disabled people: valid certificate and member of an at-risk monitored household.

    Returns the holders' rows plus household_type, monitor_category and is_new.
    """
    holders = valid_holders(dpf, rules)
    at_risk = monitored_at_risk(monitor, rules).drop_duplicates("pid", keep="first")
    roster = holders[member_of(holders["pid"], at_risk["pid"])].copy()
    extra = at_risk.set_index("pid")
    for col in ("household_type", "monitor_category"):
        roster[col] = (
            roster["pid"].map(extra[col]).astype(STR)
            if col in extra
            else pd.Series(pd.NA, index=roster.index, dtype=STR)
        )
    if "issue_date" in roster:
        roster["is_new"] = newly_certified(roster, quarter)
    else:
        roster["is_new"] = False
    return roster


def new_risk_findings(roster: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    rows = roster[roster["is_new"]]
    if rows.empty:
        return empty_findings()
    return make_findings(
        "NEW_RISK_DISABLED",
        rows,
        f"{quarter.label}新办证，属于风险未消除的监测户成员，新增进入未解除返贫风险残疾人名单",
    )


def not_monitored_severe(
    dpf: pd.DataFrame,
    monitor: pd.DataFrame,
    dibao: pd.DataFrame | None,
    quarter: Quarter,
    rules: CompareRules,
) -> pd.DataFrame:
    """Severe disabled people not members of a monitored household: RRB home visit list."""
    holders = valid_holders(dpf, rules)
    severe = holders["level_eff"].isin(rules.severe_levels).fillna(False)
    scope = severe
    if rules.verify_scope == "new":
        scope &= newly_certified(holders, quarter)
    monitored = monitor[
        monitor["household_type"].isin(rules.monitored_household_types).fillna(False)
    ]
    scope &= ~member_of(holders["pid"], monitored["pid"])
    if rules.verify_only_poverty_or_rural_dibao:
        poverty = monitor[monitor["household_type"].eq("脱贫户").fillna(False)]
        narrowed = member_of(holders["pid"], poverty["pid"])
        if dibao is not None:
            rural = dibao[
                dibao["dibao_type"].eq("农村低保").fillna(False).to_numpy(bool)
                & _active_mask(dibao, rules)
            ]
            narrowed |= member_of(holders["pid"], rural["pid"])
        scope &= narrowed
    rows = holders[scope]
    if rows.empty:
        return empty_findings()
    when = f"{quarter.label}新办证的" if rules.verify_scope == "new" else ""
    detail = (
        when
        + "重度残疾人（残疾等级"
        + level_label(rows["level_eff"]).fillna("?")
        + "），未纳入防返贫监测，请组织驻村工作队上门核查"
    )
    return make_findings("NOT_MONITORED_SEVERE", rows, detail)


def _active_mask(dibao: pd.DataFrame, rules: CompareRules) -> np.ndarray:
    """在保 rows with a person key. A blank 保障状态 counts as 在保: a 低保 roster lists its
    current recipients, and reading blank as 停保 would put everyone on the MISSING list."""
    status = dibao["dibao_status"]
    active = (status.isna() | status.isin(rules.dibao_active_status)).fillna(False)
    return active.to_numpy(dtype=bool) & dibao["pid"].notna().to_numpy(dtype=bool)


def _active_dibao(dibao: pd.DataFrame, rules: CompareRules, cols: list[str]) -> pd.DataFrame:
    """Rows 在保 with a person key; only `cols` (the wide frame is not copied)."""
    return dibao[cols][_active_mask(dibao, rules)]


def _paid(subsidy: pd.DataFrame, quarter: Quarter, kind_name: str) -> pd.Series:
    """Person keys paid `kind_name` in the quarter."""
    in_quarter = subsidy["pay_month"].isin(quarter.months).fillna(False)
    of_kind = subsidy["subsidy_type"].eq(kind_name).fillna(False)
    pid = subsidy["pid"]
    return pid[(in_quarter & of_kind & pid.notna()).to_numpy(dtype=bool)]


def missing_dibao(roster: pd.DataFrame, dibao: pd.DataFrame, rules: CompareRules) -> pd.DataFrame:
    rows = roster[~member_of(roster["pid"], _active_dibao(dibao, rules, ["pid"])["pid"])]
    if rows.empty:
        return empty_findings()
    return make_findings(
        "MISSING_DIBAO", rows, "未解除返贫风险残疾人，低保名单中无在保记录，请排查是否符合低保条件"
    )


def _exempt(roster: pd.DataFrame, active: pd.DataFrame, types: tuple[str, ...]) -> pd.Series:
    exempt_rows = active[active["dibao_type"].isin(types).fillna(False)]
    return pd.Series(member_of(roster["pid"], exempt_rows["pid"]), index=roster.index)


def missing_living_subsidy(
    roster: pd.DataFrame,
    dibao: pd.DataFrame,
    subsidy: pd.DataFrame,
    quarter: Quarter,
    rules: CompareRules,
) -> pd.DataFrame:
    """On 低保 (in a 低保 household) yet no 困难残疾人生活补贴 paid in the quarter."""
    active = _active_dibao(dibao, rules, ["pid", "dibao_type"])
    on_dibao = pd.Series(member_of(roster["pid"], active["pid"]), index=roster.index)
    paid = member_of(roster["pid"], _paid(subsidy, quarter, rules.living_name))
    due = on_dibao if rules.living_require_dibao else pd.Series(True, index=roster.index)
    due &= ~_exempt(roster, active, rules.living_exempt_types)
    rows = roster[due & ~paid]
    if rows.empty:
        return empty_findings()
    return make_findings(
        "MISSING_LIVING_SUBSIDY",
        rows,
        f"低保在保的未解除返贫风险残疾人，{quarter.label}未发放{rules.living_name}",
    )


def care_entitled(roster: pd.DataFrame, rules: CompareRules) -> pd.Series:
    """Severe by level, or a (category, level) pair the province added."""
    level = roster["level_eff"].astype("Int64")
    entitled = level.isin(rules.care_levels).fillna(False)
    if rules.care_extra and "category_eff" in roster:
        category = roster["category_eff"].astype("Int64")
        for cat, lvl in rules.care_extra:
            entitled |= (category.eq(cat) & level.eq(lvl)).fillna(False)
    return entitled


def missing_care_subsidy(
    roster: pd.DataFrame,
    dibao: pd.DataFrame | None,
    subsidy: pd.DataFrame,
    quarter: Quarter,
    rules: CompareRules,
) -> pd.DataFrame:
    due = care_entitled(roster, rules)
    if dibao is not None:
        active = _active_dibao(dibao, rules, ["pid", "dibao_type"])
        due &= ~_exempt(roster, active, rules.care_exempt_types)
    paid = member_of(roster["pid"], _paid(subsidy, quarter, rules.care_name))
    rows = roster[due & ~paid]
    if rows.empty:
        return empty_findings()
    detail = (
        "残疾等级"
        + level_label(rows["level_eff"]).fillna("?")
        + f"的未解除返贫风险残疾人，{quarter.label}未发放{rules.care_name}"
    )
    return make_findings("MISSING_CARE_SUBSIDY", rows, detail)


def deceased_paid(
    dpf: pd.DataFrame,
    dibao: pd.DataFrame | None,
    subsidy: pd.DataFrame | None,
    quarter: Quarter,
    rules: CompareRules,
) -> pd.DataFrame:
    """Marked dead or cancelled by the DPF (and not also holding a valid certificate), yet
    paid a subsidy in the quarter or still on 低保 在保. One finding per person and payment
    source, located at the payment record."""
    if "cert_status" not in dpf:
        return empty_findings()
    dead_rows = dpf[dpf["cert_status"].isin(rules.dead_cert_status).fillna(False)]
    alive = valid_holders(dpf, rules)
    dead = dead_rows[~member_of(dead_rows["pid"], alive["pid"])].drop_duplicates("pid")
    if dead.empty:
        return empty_findings()
    status_of = dead.set_index("pid")["cert_status"]
    parts = []
    if subsidy is not None:
        paid = subsidy[
            subsidy["pay_month"].isin(quarter.months).fillna(False)
            & member_of(subsidy["pid"], dead["pid"])
        ]
        if len(paid):
            months = paid.groupby(["pid", "subsidy_type"])["pay_month"].agg(
                lambda m: "、".join(sorted(set(m)))
            )
            first = paid.drop_duplicates(["pid", "subsidy_type"]).copy()
            key = pd.MultiIndex.from_frame(first[["pid", "subsidy_type"]])
            first["_months"] = months.reindex(key).to_numpy()
            detail = (
                "残联证件状态为"
                + first["pid"].map(status_of).astype(STR)
                + "，但"
                + first["_months"].astype(STR)
                + "仍发放"
                + first["subsidy_type"].astype(STR)
            )
            parts.append(make_findings("DECEASED_PAID", first, detail))
    if dibao is not None:
        active = _active_mask(dibao, rules)
        on = dibao[active & member_of(dibao["pid"], dead["pid"])].drop_duplicates("pid")
        if len(on):
            detail = "残联证件状态为" + on["pid"].map(status_of).astype(STR) + "，但低保仍为在保"
            parts.append(make_findings("DECEASED_PAID", on, detail))
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()
