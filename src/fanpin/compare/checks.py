"""All comparison checks over normalised frames (pure): returns findings, roster, and the
checks skipped because a source or column is missing."""

from __future__ import annotations

import pandas as pd

from fanpin.compare import coverage, quality
from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import CompareRules
from fanpin.findings import empty_findings


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
    has_issue_date, has_level = _has(dpf, "issue_date"), _has(dpf, "level")
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
        skipped.append(
            "未提供乡村振兴监测数据：无法确定风险残疾人名单，跳过名单、上门核查和应保尽保比对"
        )
    else:
        roster = coverage.build_roster(dpf, monitor, quarter, policy)
        if has_issue_date:
            parts.append(coverage.new_risk_findings(roster, quarter))
        else:
            skipped.append("残联数据无“发证日期”列：无法判断本季度新增")
        if not has_level:
            skipped.append("残联数据无“残疾等级”列：跳过重度残疾人上门核查和护理补贴比对")
        elif policy.verify_scope == "new" and not has_issue_date:
            skipped.append("残联数据无“发证日期”列：跳过本季度新办证重度残疾人上门核查")
        else:
            parts.append(coverage.not_monitored_severe(dpf, monitor, dibao, quarter, policy))
        if dibao is None:
            skipped.append("未提供民政低保数据：跳过未纳入低保、生活补贴比对")
        else:
            parts.append(coverage.missing_dibao(roster, dibao, policy))
        if subsidy is None:
            skipped.append("未提供民政两项补贴数据：跳过两项补贴比对")
        else:
            if dibao is not None:
                parts.append(
                    coverage.missing_living_subsidy(roster, dibao, subsidy, quarter, policy)
                )
            if has_level:
                parts.append(coverage.missing_care_subsidy(roster, dibao, subsidy, quarter, policy))
    if dibao is None and subsidy is None:
        skipped.append("未提供民政数据：跳过已死亡仍领取待遇比对")
    else:
        parts.append(coverage.deceased_paid(dpf, dibao, subsidy, quarter, policy))

    found = [p for p in parts if not p.empty]
    findings = pd.concat(found, ignore_index=True) if found else empty_findings()
    return findings, roster, skipped
