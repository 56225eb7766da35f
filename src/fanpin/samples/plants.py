"""Planted situations: each changes the facts of people chosen for it and records the
finding it should produce — or, for a control, the finding it must not produce. The truth
file is made from these records, never by re-running the comparison rules over the
written files. Faults in single written rows are in faults.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fanpin.samples.agencies import SUBSIDY_TYPE
from fanpin.samples.names import with_rare_char
from fanpin.samples.people import (
    DIBAO_DESTITUTE,
    DIBAO_RURAL,
    DIBAO_URBAN,
    MONITOR_NONE,
    MONITORED_AT_RISK,
    MONITORED_CLEARED,
    STATUS_CANCELLED,
    STATUS_DEAD,
    STATUS_VALID,
    Population,
    Profile,
    refresh_dibao_rows,
)


@dataclass
class Planted:
    """One expected finding (expected=True) or one control that must stay silent."""

    code: str
    kind: str  # table holding the row the finding points at
    pid: int
    note: str  # Chinese: what was planted and why it is (not) a finding
    rec: int = -1  # the row; -1 = the person's only row in `kind` (resolved later)
    expected: bool = True


class Planter:
    """Picks people for situations, never the same person twice."""

    def __init__(self, pop: Population, rng: np.random.Generator) -> None:
        self.pop = pop
        self.rng = rng
        self.out: list[Planted] = []

    # ---- person masks (recomputed on every call: plants change the facts)
    @property
    def p(self) -> dict[str, np.ndarray]:
        return self.pop.people

    def valid(self) -> np.ndarray:
        return self.p["disabled"] & (self.p["status"] == STATUS_VALID)

    def risk(self) -> np.ndarray:
        return self.valid() & (self.pop.person_hh("monitor") == MONITORED_AT_RISK)

    def single(self) -> np.ndarray:
        return self.pop.person_hh("n_disabled") == 1

    def new(self) -> np.ndarray:
        d = self.p["cert_date"]
        return (d >= self.pop.period.start) & (d <= self.pop.period.end)

    def on_dibao(self, kinds: tuple[int, ...] = (DIBAO_URBAN, DIBAO_RURAL)) -> np.ndarray:
        return np.isin(self.pop.person_hh("dibao"), kinds) & self.p["dibao_row_active"]

    def unmonitored(self) -> np.ndarray:
        return self.pop.person_hh("monitor") == MONITOR_NONE

    def clean_holder(self) -> np.ndarray:
        """Valid, not at risk, not new, untouched: a row fault changes nothing else."""
        return self.valid() & ~self.risk() & ~self.new() & ~self.p["used"]

    def dpf_only(self) -> np.ndarray:
        """Clean holders who appear in no other agency's file."""
        return (
            self.clean_holder()
            & self.unmonitored()
            & (self.pop.person_hh("dibao") == 0)
            & np.isin(self.p["level"], [3, 4])
        )

    # ---- picking
    def pick(self, mask: np.ndarray, k: int, strict: bool = True) -> np.ndarray:
        """k people from `mask` not used yet (fewer if not strict and too few exist)."""
        idx = np.flatnonzero(mask & ~self.p["used"])
        if len(idx) < k and strict:
            raise RuntimeError(f"only {len(idx)} candidates for a situation needing {k}")
        k = min(k, len(idx))
        chosen = np.sort(self.rng.choice(idx, size=k, replace=False))
        self.p["used"][chosen] = True
        return chosen

    def quarter_days(self, k: int, last_day: int = 92) -> np.ndarray:
        span = int((self.pop.period.end - self.pop.period.start).astype(int)) + 1
        offsets = self.rng.integers(0, min(span, last_day), k)
        return self.pop.period.start + offsets.astype("timedelta64[D]")

    def note(self, code: str, kind: str, people: np.ndarray, text: str, **extra: object) -> None:
        for pid in people:
            self.out.append(Planted(code, kind, int(pid), text, **extra))  # type: ignore[arg-type]


def plant_facts(pop: Population, profile: Profile, rng: np.random.Generator) -> Planter:
    """Situations made by changing people's facts (coverage findings and their controls)."""
    pl = Planter(pop, rng)
    p = pop.people
    k = profile.plants
    label = pop.period.label

    # NEW_RISK_DISABLED: certified in the quarter's first two months, household at risk.
    who = pl.pick(pl.risk() & pl.single() & (p["reissue"] == 0), k)
    p["cert_date"][who] = pl.quarter_days(k, last_day=59)
    pl.note("NEW_RISK_DISABLED", "dpf", who, f"{label}新办证，所在监测户风险未消除")

    # NOT_MONITORED_SEVERE: severe, certified in the quarter, household not in the list.
    who = pl.pick(pl.valid() & pl.unmonitored() & (p["reissue"] == 0), k)
    p["level"][who] = rng.choice([1, 2], size=k)
    p["cert_date"][who] = pl.quarter_days(k)
    pl.note("NOT_MONITORED_SEVERE", "dpf", who, f"{label}新办证的一、二级残疾人，不在监测名单中")

    # MISSING_DIBAO: the household left the roster, or is 停保.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k)
    gone, stopped = who[: (k + 1) // 2], who[(k + 1) // 2 :]
    pop.hh["dibao"][p["hh"][gone]] = 0
    pop.hh["dibao_active"][p["hh"][stopped]] = False
    pl.note("MISSING_DIBAO", "dpf", gone, "风险残疾人，所在家庭不在低保名单中")
    pl.note("MISSING_DIBAO", "dpf", stopped, "风险残疾人，所在家庭低保为停保")

    # MISSING_LIVING_SUBSIDY: on 低保 (城市/农村) 在保, living subsidy not paid.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k)
    p["withhold_living"][who] = True
    pl.note("MISSING_LIVING_SUBSIDY", "dpf", who, f"低保在保，{label}未发放困难残疾人生活补贴")

    # MISSING_CARE_SUBSIDY: severe, not 特困, care subsidy not paid.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k)
    mild = who[~np.isin(p["level"][who], [1, 2])]
    p["level"][mild] = rng.choice([1, 2], size=len(mild))
    p["withhold_care"][who] = True
    pl.note("MISSING_CARE_SUBSIDY", "dpf", who, f"一、二级残疾，{label}未发放重度残疾人护理补贴")

    # DECEASED_PAID: dead or cancelled, yet paid once in the quarter or still 在保.
    base = p["disabled"] & pl.unmonitored() & (p["status"] == STATUS_VALID)
    paid = pl.pick(base & (pop.person_hh("dibao") == 0), (k + 1) // 2)
    kept = pl.pick(base & pl.single() & pl.on_dibao(), k // 2)
    for group in (paid, kept):
        p["status"][group] = rng.choice([STATUS_DEAD, STATUS_CANCELLED], size=len(group))
    p["extra_pay"][paid] = rng.integers(0, 3, len(paid))
    refresh_dibao_rows(pop)
    p["dibao_row_active"][kept] = True
    for pid in paid:
        kind = SUBSIDY_TYPE[1 if p["level"][pid] in (1, 2) else 0]
        month = pop.period.pay_months[p["extra_pay"][pid]]
        pl.note(
            "DECEASED_PAID", "subsidy", np.array([pid]), f"证件已死亡/注销，{month}仍发放{kind}"
        )
    pl.note("DECEASED_PAID", "dibao", kept, "证件已死亡/注销，低保仍为在保")

    _plant_controls(pl, profile)
    return pl


def _plant_controls(pl: Planter, profile: Profile) -> None:
    """People the comparison must NOT flag (for the codes named), under default rules."""
    p = pl.p
    k = max(2, profile.plants // 2)
    label = pl.pop.period.label

    # 特困供养 risk people, made severe: exempt from both subsidies, counted as on 低保.
    who = pl.pick(pl.risk() & pl.on_dibao((DIBAO_DESTITUTE,)), k, strict=False)
    p["level"][who] = 1
    for code in ("MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY", "MISSING_DIBAO"):
        pl.note(code, "dpf", who, "特困供养在保：默认口径不计缺发、不计未纳入低保", expected=False)

    # 三级智力: no care subsidy under default rules (the province may switch it on).
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k, strict=False)
    p["category"][who], p["level"][who] = 5, 3
    pl.note(
        "MISSING_CARE_SUBSIDY", "dpf", who, "三级智力残疾：默认口径不享受护理补贴", expected=False
    )

    # Paid only in the quarter's last month: still paid in the quarter.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k, strict=False)
    p["level"][who] = 2
    p["pay_from_override"][who] = 2
    for code in ("MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"):
        pl.note(code, "dpf", who, f"两项补贴只在{label}最后一个月发放，仍算已发放", expected=False)

    # Newly certified severe people in a 监测户 whose risk was cleared: they are in the list.
    n_new = profile.new_controls
    cleared = pl.valid() & (pl.pop.person_hh("monitor") == MONITORED_CLEARED)
    who = pl.pick(cleared, max(1, n_new // 3), strict=False)
    p["level"][who] = pl.rng.choice([1, 2], size=len(who))
    p["cert_date"][who] = pl.quarter_days(len(who))
    for code in ("NOT_MONITORED_SEVERE", "NEW_RISK_DISABLED"):
        pl.note(
            code, "dpf", who, "新办证重度残疾人，在监测名单中（监测户，风险已消除）", expected=False
        )

    # Newly certified 三/四级 people outside the list: not severe, no home visit.
    mild = pl.valid() & pl.unmonitored() & np.isin(p["level"], [3, 4])
    who = pl.pick(mild, n_new, strict=False)
    p["cert_date"][who] = pl.quarter_days(len(who))
    pl.note("NOT_MONITORED_SEVERE", "dpf", who, "新办证三、四级残疾人，不属重度", expected=False)

    # Dead or cancelled holders whose 低保 row is 停保: not paid, nothing to report.
    dead = np.isin(p["status"], [STATUS_DEAD, STATUS_CANCELLED])
    gone = p["disabled"] & dead & (pl.pop.person_hh("dibao") > 0)
    who = pl.pick(gone & ~p["dibao_row_active"], k, strict=False)
    pl.note("DECEASED_PAID", "dibao", who, "证件死亡/注销，低保已停保", expected=False)


def plant_rare_names(pop: Population, rng: np.random.Generator, k: int) -> None:
    """A few people in 太原/大同 get a name character outside GBK: their DPF rows go to the
    xlsx/xls files, never to the GBK CSV."""
    p = pop.people
    prefix = pop.counties.code[pop.person_hh("county")] // 100
    idx = np.flatnonzero(p["disabled"] & np.isin(prefix, [1401, 1402]) & ~p["dotted"])
    chosen = rng.choice(idx, size=min(k, len(idx)), replace=False)
    mask = np.zeros(pop.size, dtype=bool)
    mask[chosen] = True
    with_rare_char(p["name"], mask, rng)
    p["rare_name"][chosen] = True
