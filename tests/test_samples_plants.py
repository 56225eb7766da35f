"""Planted situations: the generator is deterministic, and the baseline it plants into
holds no finding by chance (checked on the population's facts, not on written files)."""

from __future__ import annotations

import numpy as np
import pytest

from fanpin.samples import build_sample
from fanpin.samples.people import (
    DIBAO_DESTITUTE,
    MONITOR_NONE,
    MONITORED_AT_RISK,
    STATUS_CANCELLED,
    STATUS_DEAD,
    STATUS_VALID,
)


@pytest.fixture(scope="module")
def built():
    return build_sample(seed=7)


def planted(built, code: str, expected: bool = True) -> set[int]:
    return {p.pid for p in built.plants if p.code == code and p.expected == expected}


def facts(built):
    pop = built.population
    p = pop.people
    valid = p["disabled"] & (p["status"] == STATUS_VALID)
    risk = valid & (pop.person_hh("monitor") == MONITORED_AT_RISK)
    new = (p["cert_date"] >= pop.period.start) & (p["cert_date"] <= pop.period.end)
    return p, valid, risk, new


def test_same_seed_gives_the_same_sample():
    a, b = build_sample(seed=7), build_sample(seed=7)
    for kind in a.tables:
        for column in ("id_text", "name"):
            assert a.tables[kind].arrow(column).equals(b.tables[kind].arrow(column))
    assert [(p.code, p.pid, p.rec) for p in a.plants] == [(p.code, p.pid, p.rec) for p in b.plants]


def test_another_seed_gives_other_people():
    a, b = build_sample(seed=7), build_sample(seed=8)
    assert not a.tables["dpf"].arrow("id_text").equals(b.tables["dpf"].arrow("id_text"))


def test_only_planted_people_are_newly_certified_and_at_risk(built):
    _, _, risk, new = facts(built)
    assert set(np.flatnonzero(risk & new)) == planted(built, "NEW_RISK_DISABLED")


def test_only_planted_severe_new_holders_are_outside_the_list(built):
    p, valid, _, new = facts(built)
    outside = built.population.person_hh("monitor") == MONITOR_NONE
    severe = np.isin(p["level"], [1, 2])
    assert set(np.flatnonzero(valid & new & severe & outside)) == planted(
        built, "NOT_MONITORED_SEVERE"
    )


def test_only_planted_risk_people_lack_dibao(built):
    p, _, risk, _ = facts(built)
    assert set(np.flatnonzero(risk & ~p["dibao_row_active"])) == planted(built, "MISSING_DIBAO")


def test_destitute_risk_people_are_kept_as_controls(built):
    _, _, risk, _ = facts(built)
    destitute = risk & (built.population.person_hh("dibao") == DIBAO_DESTITUTE)
    controls = planted(built, "MISSING_CARE_SUBSIDY", expected=False)
    assert controls & set(np.flatnonzero(destitute))


def test_dead_holders_are_paid_or_in_dibao_only_when_planted(built):
    p, *_ = facts(built)
    dead = np.isin(p["status"], [STATUS_DEAD, STATUS_CANCELLED])
    subsidy = built.tables["subsidy"]
    paid = set(subsidy.num("pid")[dead[subsidy.num("pid")]])
    in_dibao = set(np.flatnonzero(dead & p["dibao_row_active"]))
    assert paid | in_dibao == planted(built, "DECEASED_PAID")
    assert not paid & in_dibao  # each planted person has exactly one offending record


def test_every_person_is_used_by_at_most_one_situation(built):
    owners: dict[int, str] = {}
    for p in built.plants:
        if p.expected:
            assert owners.setdefault(p.pid, p.code) == p.code, p


def paid_people(built, kind_code: int) -> set[int]:
    subsidy = built.tables["subsidy"]
    return set(subsidy.num("pid")[subsidy.num("subsidy_type") == kind_code])


def test_only_planted_risk_people_on_dibao_miss_the_living_subsidy(built):
    p, _, risk, _ = facts(built)
    kind = built.population.person_hh("dibao")
    on = risk & p["dibao_row_active"] & np.isin(kind, [1, 2])
    unpaid = set(np.flatnonzero(on)) - paid_people(built, 0)
    assert unpaid == planted(built, "MISSING_LIVING_SUBSIDY")


def test_only_planted_severe_risk_people_miss_the_care_subsidy(built):
    p, _, risk, _ = facts(built)
    destitute = p["dibao_row_active"] & (built.population.person_hh("dibao") == DIBAO_DESTITUTE)
    due = risk & np.isin(p["level"], [1, 2]) & ~destitute
    unpaid = set(np.flatnonzero(due)) - paid_people(built, 1)
    assert unpaid == planted(built, "MISSING_CARE_SUBSIDY")
