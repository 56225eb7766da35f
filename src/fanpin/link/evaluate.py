"""Measuring the linker on synthetic data with planted faults (`fanpin eval`, `make eval`).

A population from fanpin.samples is split into the four agency kinds (DPF: disabled
people; 低保: members of 低保 households; 两项补贴: disabled people on 低保; monitoring:
members of monitored households). Then faults are planted, each with the answer it
should produce:
- ID typos of every kind (link.faults.ID_FAULTS) in rows whose person is also present in
  another kind -> SUSPECTED_ID_TYPO with matched_id = the true ID;
- IDs mangled into floats (15, 16 or 6 significant digits) -> a probable matched_id;
- name faults under the same ID (link.faults.NAME_FAULTS) -> NAME_VARIANT / NAME_MISMATCH
  or nothing (dot style);
- the same person entered twice in the DPF file with a typo'd ID -> DUPLICATE_PERSON;
- decoys that must stay unlinked: a person absent from the DPF whose ID is one digit from
  a DPF holder's, under another name (as twins and neighbours are).
The frames then go through link.stage.link_sources, exactly as in `fanpin compare`, and
each finding code is scored by precision and recall.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fanpin.compare.checks import run_checks
from fanpin.compare.prepare import normalise_source
from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import parse_compare_rules
from fanpin.link import faults
from fanpin.link.names import (
    DIFFERENT,
    VARIANT,
    NameRules,
    as_name_rules,
    compare_names,
)
from fanpin.link.nearmiss import LINKED, PROBABLE, find_near_misses
from fanpin.link.stage import link_sources
from fanpin.normalize.ids import normalize_ids
from fanpin.normalize.names import normalize_names
from fanpin.rules import RulesFile, load_rules
from fanpin.samples import idgen
from fanpin.samples.names import text_of
from fanpin.samples.people import SAMPLE, Population, build_population
from fanpin.samples.period import Period

STR = pd.StringDtype("pyarrow")
KINDS = ("dpf", "dibao", "subsidy", "monitor")
AGENCY = {"dpf": "残联", "dibao": "民政", "subsidy": "民政", "monitor": "乡村振兴"}
CODES_SCORED = ("NAME_MISMATCH", "NAME_VARIANT", "SUSPECTED_ID_TYPO", "DUPLICATE_PERSON")
TARGET_CODES = ("NAME_MISMATCH", "SUSPECTED_ID_TYPO", "DUPLICATE_PERSON")
MISSING_CODES = ("MISSING_DIBAO", "MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY")


# ---------------------------------------------------------------- the world


@dataclass
class World:
    """Agency rows as the linker sees them, plus what was planted in them."""

    frames: dict[str, pd.DataFrame]
    truth: pd.DataFrame  # code, kind, pos (row position in its kind), true_id, fault
    population: int


def _population(seed: int, scale: float) -> Population:
    rng = np.random.default_rng(seed)
    return build_population(SAMPLE.scaled(scale), Period(2024, 3), rng)


STATUS_LABELS = np.array(["正常", "死亡", "注销", "迁出"])
HOUSEHOLD_LABELS = np.array(["", "脱贫户", "监测户", "监测户"])
RISK_CLEARED = np.array(["", "是", "否", "是"])
DIBAO_LABELS = np.array(["", "城市低保", "农村低保", "特困供养"])
LIVING, CARE = "困难残疾人生活补贴", "重度残疾人护理补贴"


def _memberships(pop: Population) -> dict[str, np.ndarray]:
    p = pop.people
    dibao = pop.person_hh("dibao") > 0
    return {
        "dpf": np.flatnonzero(p["disabled"]),
        "dibao": np.flatnonzero(dibao),
        "subsidy": np.unique(_payments(pop)[0]),
        "monitor": np.flatnonzero(pop.person_hh("monitor") > 0),
    }


def _payments(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """(person, subsidy type) of the quarter's payments: what the baseline says is due."""
    p = pop.people
    valid = p["disabled"] & (p["status"] == 0)
    dibao = pop.person_hh("dibao")
    living = valid & p["dibao_row_active"] & np.isin(dibao, [1, 2])
    care = valid & np.isin(p["level"], [1, 2]) & (dibao != 3)
    person = np.concatenate([np.flatnonzero(living), np.flatnonzero(care)])
    kind = np.concatenate([np.full(living.sum(), LIVING), np.full(care.sum(), CARE)])
    return person, kind


def _facts(pop: Population, people: np.ndarray, kind: str) -> dict[str, object]:
    """The coded columns the comparison's checks read, from the population's facts."""
    p = pop.people
    if kind == "dpf":
        return {
            "level": pd.array(p["level"][people], dtype="Int8"),
            "category": pd.array(p["category"][people], dtype="Int8"),
            "cert_status": pd.array(STATUS_LABELS[p["status"][people]], dtype=STR),
            "issue_date": pd.to_datetime(p["cert_date"][people]),
        }
    if kind == "dibao":
        return {
            "dibao_type": pd.array(DIBAO_LABELS[pop.person_hh("dibao")[people]], dtype=STR),
            "dibao_status": pd.array(
                np.where(p["dibao_row_active"][people], "在保", "停保"), dtype=STR
            ),
        }
    if kind == "monitor":
        code = pop.person_hh("monitor")[people]
        return {
            "household_type": pd.array(HOUSEHOLD_LABELS[code], dtype=STR),
            "risk_cleared": pd.array(RISK_CLEARED[code], dtype=STR),
        }
    return {}


def _rows(pop: Population, people: np.ndarray, kind: str) -> pd.DataFrame:
    extra: dict[str, object] = {}
    if kind == "subsidy":  # one row per payment and month
        person, sub = _payments(pop)
        people = np.repeat(person, 3)
        extra = {
            "subsidy_type": pd.array(np.repeat(sub, 3), dtype=STR),
            "pay_month": pd.array(
                np.tile(["2024-07", "2024-08", "2024-09"], len(person)), dtype=STR
            ),
        }
    ids = idgen.as_text(pop.people["id"][people])
    county = pop.counties.name[pop.person_hh("county")[people]]
    frame = pd.DataFrame(
        {
            "person": people,
            "id_raw": pd.array(ids, dtype=STR),
            "name": pd.array(text_of(pop.people["name"][people]), dtype=STR),
            "county": pd.array(county, dtype=STR),
            "sex": pd.array(np.where(pop.people["male"][people], "男", "女"), dtype=STR),
            **_facts(pop, people, kind),
            **extra,
        }
    )
    frame["_source"] = f"{kind}.xlsx"
    frame["_sheet"] = "Sheet1"
    frame["_row"] = np.arange(2, len(people) + 2)
    return frame


@dataclass
class _Planter:
    """Keeps one planted fault per person and records the expected answers."""

    rng: np.random.Generator
    rows: dict[str, pd.DataFrame]
    members: dict[str, set[int]]
    used: set[int] = field(default_factory=set)
    truth: list[dict[str, Any]] = field(default_factory=list)

    def pick(self, kind: str, n: int, also_in: tuple[str, ...], need: np.ndarray | None = None):
        """Positions of n rows of `kind` whose person is also in one of `also_in`."""
        frame = self.rows[kind]
        person = frame["person"].to_numpy()
        ok = np.array([p not in self.used for p in person], dtype=bool)
        other = np.zeros(len(person), dtype=bool)
        for k in also_in:
            other |= np.isin(person, np.fromiter(self.members[k], dtype=np.int64))
        ok &= other
        if need is not None:
            ok &= need
        pos = np.flatnonzero(ok)
        chosen = self.rng.choice(pos, size=min(n, len(pos)), replace=False)
        self.used.update(int(p) for p in person[chosen])
        return chosen


def build_world(seed: int = 20240701, scale: float = 4.0, plants: int = 40) -> World:
    """Population of about 4,500 × scale people with `plants` faults of each kind."""
    pop = _population(seed, scale)
    rng = np.random.default_rng(seed + 1)
    members = _memberships(pop)
    rows = {k: _rows(pop, members[k], k) for k in KINDS}
    planter = _Planter(rng, rows, {k: set(members[k].tolist()) for k in KINDS})
    _plant_id_typos(planter, plants)
    _plant_unrecoverable(planter, plants)
    _plant_names(planter, plants)
    _plant_duplicates(planter, plants, pop)
    _plant_decoys(planter, plants, pop)
    frames = {k: _normalised(rows[k], k) for k in KINDS}
    return World(frames, pd.DataFrame(planter.truth), pop.size)


def _plant_id_typos(pl: _Planter, n: int) -> None:
    for fault in faults.ID_FAULTS:
        for kind in ("dibao", "monitor", "dpf"):
            others = tuple(k for k in ("dpf", "dibao", "monitor") if k != kind)
            frame = pl.rows[kind]
            need = None
            if fault == "old_15_typo":
                need = frame["id_raw"].str.slice(6, 8).eq("19").to_numpy(dtype=bool)
            pos = pl.pick(kind, max(1, n // 3), others, need)
            truth_ids = frame["id_raw"].to_numpy()[pos]
            m = idgen.to_matrix(np.asarray(truth_ids, dtype="U18"), 18)
            written = faults.typo_ids(m, fault, pl.rng)
            frame.loc[frame.index[pos], "id_raw"] = written
            for p, t in zip(pos, truth_ids, strict=True):
                pl.truth.append(
                    {
                        "code": "SUSPECTED_ID_TYPO",
                        "kind": kind,
                        "pos": int(p),
                        "true_id": str(t),
                        "fault": fault,
                    }
                )


def _plant_unrecoverable(pl: _Planter, n: int) -> None:
    frame = pl.rows["dibao"]
    digit_end = frame["id_raw"].str.slice(17, 18).ne("X").to_numpy(dtype=bool)
    for digits in (16, 15, 6):
        pos = pl.pick("dibao", n, ("dpf", "monitor"), digit_end)
        truth_ids = frame["id_raw"].to_numpy()[pos]
        shown = faults.float_damaged(np.asarray(truth_ids, dtype=str), np.full(len(pos), digits))
        frame.loc[frame.index[pos], "id_raw"] = shown
        for p, t in zip(pos, truth_ids, strict=True):
            pl.truth.append(
                {
                    "code": "ID_UNRECOVERABLE",
                    "kind": "dibao",
                    "pos": int(p),
                    "true_id": str(t),
                    "fault": f"float_{digits}",
                }
            )


def _plant_names(pl: _Planter, n: int) -> None:
    expect = {"variant": "NAME_VARIANT", "different": "NAME_MISMATCH", "same": "NONE"}
    everyone = pl.rows["dpf"]["name"].to_numpy()
    for fault in faults.NAME_FAULTS:
        kind = "dibao" if fault != "order" else "monitor"
        frame = pl.rows[kind]
        need = None
        if fault in ("order", "dot_style", "other_part"):
            need = frame["name"].str.contains("\u00b7", regex=False).to_numpy(dtype=bool)
        pos = pl.pick(kind, n, ("dpf",), need)
        for p in pos:
            name = str(frame["name"].iloc[p])
            varied = faults.vary_name(name, fault, pl.rng, everyone)
            if varied is None:
                pl.used.discard(int(frame["person"].iloc[p]))
                continue
            frame.loc[frame.index[p], "name"] = varied
            outcome = faults.expected_outcome(fault, name, varied)
            pl.truth.append(
                {
                    "code": expect[outcome],
                    "kind": kind,
                    "pos": int(p),
                    "true_id": str(frame["id_raw"].iloc[p]),
                    "fault": fault,
                }
            )


def _plant_duplicates(pl: _Planter, n: int, pop: Population) -> None:
    """A second DPF row for someone already there, under a typo'd ID."""
    frame = pl.rows["dpf"]
    extra = []
    kinds = ("substitution", "transposition", "check_wrong", "substitution_valid")
    for fault in kinds:
        pos = pl.pick("dpf", max(1, n // len(kinds)), ("dpf",))
        copy = frame.iloc[pos].copy()
        m = idgen.to_matrix(np.asarray(copy["id_raw"].to_numpy(), dtype="U18"), 18)
        copy["id_raw"] = faults.typo_ids(m, fault, pl.rng)
        copy["fault_kind"] = fault
        extra.append(copy)
    added = pd.concat(extra, ignore_index=True)
    start = len(frame)
    added["_row"] = np.arange(start + 2, start + 2 + len(added))
    pl.rows["dpf"] = pd.concat([frame, added.drop(columns="fault_kind")], ignore_index=True)
    others = pl.members["dibao"] | pl.members["monitor"] | pl.members["subsidy"]
    for i, row in enumerate(added.itertuples(index=False)):
        true_id = str(idgen.as_text(pop.people["id"][[row.person]])[0])
        pl.truth.append(
            {
                "code": "DUPLICATE_PERSON",
                "kind": "dpf",
                "pos": start + i,
                "true_id": true_id,
                "fault": row.fault_kind,
            }
        )
        if int(row.person) in others:  # also searched against the other kinds
            pl.truth.append(
                {
                    "code": "SUSPECTED_ID_TYPO",
                    "kind": "dpf",
                    "pos": start + i,
                    "true_id": true_id,
                    "fault": "dup_" + row.fault_kind,
                }
            )


def _plant_decoys(pl: _Planter, n: int, pop: Population) -> None:
    """People on 低保 only, whose valid ID is one digit from a DPF holder's: not the same
    person, and a different name, so nothing may link them."""
    dpf = pl.rows["dpf"]
    pos = pl.rng.choice(len(dpf), size=n, replace=False)
    m = idgen.to_matrix(np.asarray(dpf["id_raw"].to_numpy()[pos], dtype="U18"), 18)
    written = faults.typo_ids(m, "substitution_valid", pl.rng)
    others = pl.rows["dibao"]["name"].to_numpy()
    names = [
        faults.vary_name(str(dpf["name"].iloc[p]), "different", pl.rng, others) or "林森"
        for p in pos
    ]
    frame = pl.rows["dibao"]
    start = len(frame)
    decoys = pd.DataFrame(
        {
            "person": -1,
            "id_raw": pd.array(written, dtype=STR),
            "name": pd.array(names, dtype=STR),
            "county": dpf["county"].to_numpy()[pos],
            "sex": dpf["sex"].to_numpy()[pos],
            "dibao_type": "农村低保",
            "dibao_status": "在保",
            "_source": "dibao.xlsx",
            "_sheet": "Sheet1",
            "_row": np.arange(start + 2, start + 2 + n),
        }
    )
    pl.rows["dibao"] = pd.concat([frame, decoys], ignore_index=True)
    for i in range(n):
        pl.truth.append(
            {
                "code": "DECOY",
                "kind": "dibao",
                "pos": start + i,
                "true_id": "",
                "fault": "neighbour",
            }
        )


def _normalised(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The frame compare.prepare makes of these rows, as in `fanpin compare`."""
    raw = rows.drop(columns=["person"]).rename(columns={"id_raw": "id_number"})
    return normalise_source(raw.reset_index(drop=True), kind)


# ---------------------------------------------------------------- scoring


@dataclass
class EvalReport:
    table: pd.DataFrame  # code, planted, flagged, correct, precision, recall
    by_fault: pd.DataFrame  # fault, planted, found
    probable: dict[str, Any]  # share of probable links that are right
    missing: dict[str, int]  # MISSING_* on people with a typo'd ID, without/with the stage
    seconds: float
    population: int

    def meets_targets(self, floor: float = 0.99) -> bool:
        """Precision and recall >= floor for the three codes the issue names, and no false
        MISSING_* left by a typo'd ID."""
        hard = self.table[self.table["code"].isin(TARGET_CODES)]
        ok = bool(((hard["precision"] >= floor) & (hard["recall"] >= floor)).all())
        return ok and self.missing["with_linking"] == 0


def _ratio(num: int, den: int) -> float:
    return float(num) / den if den else float("nan")


def evaluate(world: World, rules: RulesFile | None = None) -> EvalReport:
    """Run the linking stage over the world and score every finding code."""
    rules = rules or load_rules()
    t0 = time.perf_counter()
    outcome = link_sources(dict(world.frames), rules)
    seconds = time.perf_counter() - t0
    truth = world.truth.assign(key=world.truth["kind"] + ":" + world.truth["pos"].astype(str))
    pairs = outcome.pairs
    rows = []
    for code in CODES_SCORED:
        planted = truth[truth["code"] == code]
        flagged = pairs[pairs["code"] == code]
        if code == "SUSPECTED_ID_TYPO":
            correct = int(_typo_right(flagged, planted).sum())
        else:
            correct = flagged["a_key"].isin(planted["key"]).sum()
        flagged_n = flagged["a_key"].nunique()
        rows.append(
            {
                "code": code,
                "planted": len(planted),
                "flagged": flagged_n,
                "correct": int(correct),
                "precision": _ratio(correct, flagged_n),
                "recall": _ratio(correct, len(planted)),
            }
        )
    table = pd.DataFrame(rows)
    by_fault = _by_fault(truth, pairs, outcome.unrecoverable)
    probable = _probable(truth, pairs, outcome.unrecoverable)
    missing = _false_missing(world, outcome.frames, truth, rules)
    return EvalReport(table, by_fault, probable, missing, seconds, world.population)


def _false_missing(
    world: World, linked: dict[str, pd.DataFrame | None], truth: pd.DataFrame, rules: RulesFile
) -> dict[str, int]:
    """MISSING_* findings on people one of whose rows carries a typo'd ID: what exact
    linking alone reports, and what is left after the linking stage."""
    policy = parse_compare_rules(rules)
    quarter = Quarter.parse("2024Q3")
    typo_people = set(truth.loc[truth["code"] == "SUSPECTED_ID_TYPO", "true_id"])

    def count(frames: dict[str, pd.DataFrame | None]) -> tuple[int, int]:
        found, _, _ = run_checks(dict(frames), quarter, policy)
        missing = found[found["code"].isin(MISSING_CODES)]
        return int(missing["id_number"].isin(typo_people).sum()), len(missing)

    before, total_before = count(dict(world.frames))
    after, total_after = count(linked)
    damaged = set(truth.loc[truth["code"] == "ID_UNRECOVERABLE", "true_id"])
    found, _, _ = run_checks(dict(linked), quarter, policy)
    on_damaged = found["code"].isin(MISSING_CODES) & found["id_number"].isin(damaged)
    return {
        "exact_only": before,
        "with_linking": after,
        "unrecoverable_not_linked": int(on_damaged.sum()),
        "all_missing_exact_only": total_before,
        "all_missing_with_linking": total_after,
    }


def _typo_right(flagged: pd.DataFrame, planted: pd.DataFrame) -> pd.Series:
    """Per flagged row: it is a planted typo linked to the true ID (or ambiguous), or a
    'direction unknown' finding whose other record is the planted typo."""
    true_of = planted.drop_duplicates("key").set_index("key")["true_id"]
    on_typo = flagged["a_key"].map(true_of)
    right = on_typo.notna() & ((flagged["status"] != LINKED) | (flagged["b_id"] == on_typo))
    either = (flagged["note"] == "direction_unknown") & flagged["b_key"].isin(true_of.index)
    return (right | either).groupby(flagged["a_key"]).any()


def _by_fault(truth: pd.DataFrame, pairs: pd.DataFrame, unrec: pd.DataFrame) -> pd.DataFrame:
    """Per planted fault: how many got the right answer (for NONE and DECOY: no finding)."""
    ok = pd.Series(False, index=truth.index)
    typo = pairs[pairs["code"] == "SUSPECTED_ID_TYPO"]
    planted = truth[truth["code"] == "SUSPECTED_ID_TYPO"]
    right = _typo_right(typo, planted)
    unknown = typo.loc[typo["note"] == "direction_unknown", "b_key"]
    found_typo = set(right[right].index) | set(unknown)
    is_typo = truth["code"] == "SUSPECTED_ID_TYPO"
    ok[is_typo] = truth.loc[is_typo, "key"].isin(found_typo)

    probable = unrec[unrec["status"] == PROBABLE].drop_duplicates("a_key").set_index("a_key")
    is_unrec = truth["code"] == "ID_UNRECOVERABLE"
    got = truth.loc[is_unrec, "key"].map(probable["b_id"])
    ok[is_unrec] = (got == truth.loc[is_unrec, "true_id"]).fillna(False)

    for code in ("NAME_VARIANT", "NAME_MISMATCH", "DUPLICATE_PERSON"):
        sel = truth["code"] == code
        ok[sel] = truth.loc[sel, "key"].isin(pairs.loc[pairs["code"] == code, "a_key"])
    names = pairs[pairs["code"].isin(["NAME_VARIANT", "NAME_MISMATCH"])]
    sel = truth["code"] == "NONE"
    ok[sel] = ~truth.loc[sel, "key"].isin(names["a_key"])
    sel = truth["code"] == "DECOY"
    touched = set(typo["a_key"]) | set(typo["b_key"])
    ok[sel] = ~truth.loc[sel, "key"].isin(touched)
    frame = truth.assign(ok=ok.to_numpy())
    grouped = frame.groupby(["code", "fault"], sort=False)["ok"]
    return grouped.agg(planted="size", right="sum").reset_index()


def _probable(truth: pd.DataFrame, pairs: pd.DataFrame, unrec: pd.DataFrame) -> dict[str, Any]:
    """Share of probable links (near-miss linked, unrecoverable probable) that are right.

    right: matched_id is the true ID. same_person: the link joins two records of the same
    person (adds the 'direction unknown' links, whose detail says either ID may be wrong).
    """
    truth_of = truth.drop_duplicates("key").set_index("key")["true_id"]
    typo_keys = set(truth.loc[truth["code"] == "SUSPECTED_ID_TYPO", "key"])
    linked = pairs[(pairs["code"] == "SUSPECTED_ID_TYPO") & (pairs["status"] == LINKED)]
    probable = unrec[unrec["status"] == PROBABLE]
    out: dict[str, Any] = {}
    for label, frame in (
        ("suspected_id_typo_linked", linked),
        ("unrecoverable_probable", probable),
    ):
        right = frame["a_key"].map(truth_of) == frame["b_id"]
        either = (frame["note"] == "direction_unknown") & frame["b_key"].isin(typo_keys)
        out[label] = {
            "links": len(frame),
            "right": int(right.sum()),
            "same_person": int((right | either).sum()),
            "share": _ratio(int(right.sum()), len(frame)),
        }
    out["unrecoverable_planted"] = int((truth["code"] == "ID_UNRECOVERABLE").sum())
    out["unrecoverable_ambiguous"] = int((unrec["status"] == "ambiguous").sum())
    out["direction_unknown"] = int((pairs["note"] == "direction_unknown").sum())
    return out


def run_eval(
    seed: int = 20240701, scale: float = 4.0, plants: int = 40, rules: RulesFile | None = None
) -> EvalReport:
    return evaluate(build_world(seed, scale, plants), rules)


# ---------------------------------------------------------------- name thresholds


def labelled_name_pairs(seed: int = 11, per_fault: int = 300) -> pd.DataFrame:
    """(a, b, expected outcome, fault) for every name fault, from sample population names."""
    pop = _population(seed, 2.0)
    rng = np.random.default_rng(seed)
    names = text_of(pop.people["name"])
    dotted = names[np.char.find(names.astype(str), "\u00b7") >= 0]
    rows = []
    for fault in faults.NAME_FAULTS:
        made = 0
        for _ in range(per_fault * 4):
            if made >= per_fault:
                break
            # A quarter from minority names, so long names get enough labelled pairs.
            long = fault in ("order", "dot_style", "other_part") or rng.random() < 0.25
            pool = dotted if long else names
            name = str(pool[int(rng.integers(0, len(pool)))])
            varied = faults.vary_name(name, fault, rng, names)
            if varied is None or varied == name:
                continue
            outcome = faults.expected_outcome(fault, name, varied)
            rows.append({"a": name, "b": varied, "expected": outcome, "fault": fault})
            made += 1
    frame = pd.DataFrame(rows)
    frame["a"] = normalize_names(frame["a"].astype(STR)).to_numpy()
    frame["b"] = normalize_names(frame["b"].astype(STR)).to_numpy()
    return frame


def _midpoints(values: np.ndarray) -> np.ndarray:
    v = np.unique(np.concatenate([values[~np.isnan(values)], [0.0, 1.0]]))
    return np.concatenate([[0.0], (v[:-1] + v[1:]) / 2, [1.0]])


def _gap(threshold: float, values: np.ndarray) -> float:
    """Width of the empty interval of observed scores the threshold sits in."""
    below, above = values[values < threshold], values[values >= threshold]
    return (above.min() if len(above) else 1.0) - (below.max() if len(below) else 0.0)


def tune_name_thresholds(
    pairs: pd.DataFrame, rules: NameRules | RulesFile | None = None
) -> dict[int, dict[str, float]]:
    """Per length class, the (char_variant, pinyin_variant, char_floor) with the fewest
    variant/different errors on labelled pairs; ties go to thresholds in the widest gaps.

    Exhaustive over the midpoints between observed scores (a few thousand triples)."""
    nr = as_name_rules(rules)
    scored = compare_names(pairs["a"].astype(STR), pairs["b"].astype(STR), nr)
    data = pairs.reset_index(drop=True).join(scored.reset_index(drop=True))
    data = data[
        data["expected"].isin([VARIANT, DIFFERENT])
        & ~data["signal"].isin(["exact", "dot", "order"])
    ]
    bare_a = data["a"].str.replace("\u00b7", "", regex=False)
    bare_b = data["b"].str.replace("\u00b7", "", regex=False)
    look = data["lookalike"].to_numpy(dtype=bool)
    length = np.clip(np.maximum(bare_a.str.len().to_numpy(), bare_b.str.len().to_numpy()), 2, 4)
    out = {}
    for cls in (2, 3, 4):
        sel = length == cls
        c = data["char_score"].to_numpy()[sel]
        p = data["pinyin_score"].to_numpy()[sel]
        want = data["expected"].to_numpy()[sel] == VARIANT
        lk = look[sel]
        best: tuple[float, float, tuple[float, float, float]] | None = None
        for cv, pv, cf in itertools.product(_midpoints(c), _midpoints(p), _midpoints(c)):
            said = (c >= cv) | ((p >= pv) & (c >= cf)) | lk
            errors = int((said != want).sum())
            margin = _gap(cv, c) + _gap(pv, p) + _gap(cf, c)
            if best is None or (errors, -margin) < (best[0], -best[1]):
                best = (errors, margin, (cv, pv, cf))
        assert best is not None
        cv, pv, cf = best[2]
        out[cls] = {
            "char_variant": round(cv, 3),
            "pinyin_variant": round(pv, 3),
            "char_floor": round(cf, 3),
            "errors": best[0],
            "pairs": int(sel.sum()),
        }
    return out


def name_accuracy(pairs: pd.DataFrame, rules: NameRules | RulesFile | None = None) -> pd.DataFrame:
    """Share of labelled pairs given the expected outcome, per fault kind."""
    scored = compare_names(pairs["a"].astype(STR), pairs["b"].astype(STR), rules)
    right = scored["outcome"].to_numpy() == pairs["expected"].to_numpy()
    frame = pairs.assign(right=right)
    return frame.groupby("fault", sort=False)["right"].agg(pairs="size", right="sum").reset_index()


# ---------------------------------------------------------------- benchmark


def bench_near_miss(
    n_unmatched: int = 100_000, n_reference: int = 1_000_000, seed: int = 5
) -> dict[str, Any]:
    """Time find_near_misses: n_unmatched rows (half typo'd IDs of reference people, half
    people absent from the reference) against n_reference people. Returns seconds and
    counts; building the data is not timed."""
    rng = np.random.default_rng(seed)
    need = n_reference + n_unmatched
    scale = need / 4500  # the sample profile holds about 4,800 people per unit of scale
    pop = _population(seed, scale)
    if pop.size < need:
        pop = _population(seed, scale * need / pop.size * 1.02)
    total = pop.size
    order = rng.permutation(total)
    ref_people = order[: min(n_reference, total)]
    rest = order[len(ref_people) :]
    n_typo = n_unmatched // 2
    typo_people = rng.choice(ref_people, size=n_typo, replace=False)
    absent = rest[: n_unmatched - n_typo]
    ids = pop.people["id"]
    kinds = list(faults.ID_FAULTS)
    written = np.empty(n_typo, dtype=object)
    which = rng.integers(0, len(kinds), n_typo)
    for k, kind in enumerate(kinds):
        sel = which == k
        if kind == "old_15_typo":
            kind = "substitution"
        written[sel] = faults.typo_ids(ids[typo_people[sel]], kind, rng)
    unmatched_ids = np.concatenate([written, idgen.as_text(ids[absent]).astype(object)])
    unmatched_people = np.concatenate([typo_people, absent])
    counties = pop.counties.name[pop.person_hh("county")]
    names = text_of(pop.people["name"])

    def frame(people: np.ndarray, id_text: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                "id_raw": pd.array(id_text, dtype=STR),
                "name_norm": pd.array(names[people], dtype=STR),
                "county": pd.array(counties[people], dtype=STR),
            }
        )
        norm = normalize_ids(out["id_raw"])
        for col in ("id", "id_clean", "id_status"):
            out[col] = norm[col].to_numpy()
        out["_source"], out["_sheet"], out["_row"] = "bench.csv", "", np.arange(len(out)) + 2
        return out

    reference = frame(ref_people, idgen.as_text(ids[ref_people]))
    unmatched = frame(unmatched_people, unmatched_ids)
    t0 = time.perf_counter()
    result = find_near_misses(unmatched, reference, load_rules())
    seconds = time.perf_counter() - t0
    decided = result.decisions
    linked = decided[decided["status"] == LINKED]
    truth = pd.Series(idgen.as_text(ids[unmatched_people]), index=unmatched.index)
    right = int((linked["b_id"].to_numpy() == truth[linked["a_key"]].to_numpy()).sum())
    return {
        "n_unmatched": len(unmatched),
        "n_reference": len(reference),
        "seconds": round(seconds, 2),
        "linked": len(linked),
        "linked_right": right,
        "ambiguous": int((decided["status"] == "ambiguous").sum()),
        "typos_planted": n_typo,
    }
