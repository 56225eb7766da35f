"""All comparison checks over normalised frames (pure): returns findings, roster, and the
checks skipped because a source or column is missing."""

from __future__ import annotations

import pandas as pd

from fanpin.compare import coverage, quality
from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import CompareRules
from fanpin.findings import CODES, empty_findings

_COVERAGE = (
    "NEW_RISK_DISABLED",
    "NOT_MONITORED_SEVERE",
    "MISSING_DIBAO",
    "MISSING_LIVING_SUBSIDY",
    "MISSING_CARE_SUBSIDY",
)
NO_MONITOR = "未提供乡村振兴监测数据：无法确定风险残疾人名单，跳过名单、上门核查和应保尽保比对"
NO_ISSUE_DATE = "残联数据无“发证日期”列：无法判断本季度新增"
NO_LEVEL = "残联数据既无“残疾等级”列也无可用的残疾人证号：跳过重度残疾人上门核查和护理补贴比对"
NO_ISSUE_DATE_VERIFY = "残联数据无“发证日期”列：跳过本季度新办证重度残疾人上门核查"
NO_DIBAO = "未提供民政低保数据：跳过未纳入低保、生活补贴比对"
NO_SUBSIDY = "未提供民政两项补贴数据：跳过两项补贴比对"
NO_PAY_PREFIX = "两项补贴数据中没有"
NO_PAY_IN_QUARTER = (
    NO_PAY_PREFIX + "{quarter}的发放记录（是否给错了月份的文件？）：跳过两项补贴比对"
)
NO_CIVIL = "未提供民政数据：跳过已死亡仍领取待遇比对"
NO_STATUS = "残联数据无“证件状态”列：跳过已死亡仍领取待遇比对"

# Which finding codes each skip leaves unchecked (the history must not read them as fixed).
SKIPPED_CODES: dict[str, tuple[str, ...]] = {
    NO_MONITOR: _COVERAGE,
    NO_ISSUE_DATE: ("NEW_RISK_DISABLED",),
    NO_LEVEL: ("NOT_MONITORED_SEVERE", "MISSING_CARE_SUBSIDY"),
    NO_ISSUE_DATE_VERIFY: ("NOT_MONITORED_SEVERE",),
    NO_DIBAO: ("MISSING_DIBAO", "MISSING_LIVING_SUBSIDY"),
    NO_SUBSIDY: ("MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"),
    NO_CIVIL: ("DECEASED_PAID",),
    NO_STATUS: ("DECEASED_PAID",),
}


def skipped_codes(skipped: list[str]) -> list[str]:
    """Finding codes left unchecked by these skips, in registry order."""
    codes = {code for note in skipped for code in SKIPPED_CODES.get(note, ())}
    if any(note.startswith(NO_PAY_PREFIX) for note in skipped):
        codes |= {"MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"}
    return [code for code in CODES if code in codes]


def _has(frame: pd.DataFrame, column: str) -> bool:
    """A column counts as present when the file had it with at least one value."""
    return column in frame and bool(frame[column].notna().any())


def run_checks(
    frames: dict[str, pd.DataFrame | None], quarter: Quarter, policy: CompareRules
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """All checks over the normalised frames; returns findings, roster, skipped checks."""
    dpf, dibao = frames["dpf"], frames["dibao"]
    subsidy, monitor = frames["subsidy"], frames["monitor"]
    assert dpf is not None  # --dpf is required by the CLI and by CompareInputs
    has_issue_date, has_level = _has(dpf, "issue_date"), _has(dpf, "level_eff")
    parts: list[pd.DataFrame] = []
    skipped: list[str] = []

    # Data quality inside each source.
    for frame in frames.values():
        if frame is None or frame.empty:
            continue
        parts += [quality.id_findings(frame), quality.sex_findings(frame)]
        parts.append(quality.cert_findings(frame))
    parts.append(quality.duplicate_findings(dpf, ["pid"], "残联持证数据中重复登记"))
    if dibao is not None:
        parts.append(quality.duplicate_findings(dibao, ["pid"], "低保名单中重复登记"))
    if subsidy is not None:
        parts.append(
            quality.duplicate_findings(
                subsidy, ["pid", "pay_month", "subsidy_type"], "同一人同月同类补贴重复发放"
            )
        )

    # Roster and coverage.
    roster = dpf.iloc[0:0].assign(is_new=pd.Series(dtype=bool))
    if monitor is None:
        skipped.append(NO_MONITOR)
    else:
        roster = coverage.build_roster(dpf, monitor, quarter, policy)
        if has_issue_date:
            parts.append(coverage.new_risk_findings(roster, quarter))
        else:
            skipped.append(NO_ISSUE_DATE)
        if not has_level:
            skipped.append(NO_LEVEL)
        elif policy.verify_scope == "new" and not has_issue_date:
            skipped.append(NO_ISSUE_DATE_VERIFY)
        else:
            parts.append(coverage.not_monitored_severe(dpf, monitor, dibao, quarter, policy))
        if dibao is None:
            skipped.append(NO_DIBAO)
        else:
            parts.append(coverage.missing_dibao(roster, dibao, policy))
        if subsidy is None:
            skipped.append(NO_SUBSIDY)
        elif not subsidy["pay_month"].isin(quarter.months).any():
            skipped.append(NO_PAY_IN_QUARTER.format(quarter=quarter.label))
        else:
            if dibao is not None:
                parts.append(
                    coverage.missing_living_subsidy(roster, dibao, subsidy, quarter, policy)
                )
            if has_level:
                parts.append(coverage.missing_care_subsidy(roster, dibao, subsidy, quarter, policy))
    if dibao is None and subsidy is None:
        skipped.append(NO_CIVIL)
    elif not _has(dpf, "cert_status"):
        skipped.append(NO_STATUS)
    else:
        parts.append(coverage.deceased_paid(dpf, dibao, subsidy, quarter, policy))

    found = [p for p in parts if not p.empty]
    findings = pd.concat(found, ignore_index=True) if found else empty_findings()
    return findings, roster, skipped
