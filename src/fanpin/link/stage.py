"""The near-miss linking stage of `fanpin compare`, as one pure call over the normalised
frames of compare.prepare (columns pid, id, id_clean, id_status, name_norm, county, kind,
agency, _source, _sheet, _row and the finding fields).

What it does, in order:
1. NAME_VARIANT / NAME_MISMATCH: rows sharing a pid whose names differ (the first row of
   the pid, DPF first, is the reference).
2. SUSPECTED_ID_TYPO: rows whose ID is unusable or matches no other kind are searched
   among the other kinds (link.nearmiss). A linked row gets pid = the matched ID and
   link_probable = True, so the coverage checks count it, unless its own kind already
   holds that ID (then it is a second record of someone present: DUPLICATE_PERSON).
3. ID_UNRECOVERABLE rows: a probable owner, never linked (pairs returned for the caller to
   put into matched_id and detail of its ID_UNRECOVERABLE findings).
4. DUPLICATE_PERSON inside each kind.
Every non-exact link is returned as a pair row for the evidence sheet.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fanpin.compare.sets import member_of
from fanpin.findings import empty_findings, make_findings
from fanpin.link.evidence import pair_details
from fanpin.link.names import DIFFERENT, VARIANT, name_conflicts
from fanpin.link.nearmiss import (
    LINKED,
    PAIR_COLUMNS,
    NearMissRules,
    as_near_miss_rules,
    find_duplicate_persons,
    find_near_misses,
    find_unrecoverable_matches,
    id_consistency,
)
from fanpin.normalize.ids import STATUS_OK, STATUS_UNRECOVERABLE
from fanpin.rules import RulesFile

log = logging.getLogger(__name__)
STR = pd.StringDtype("pyarrow")
KIND_ORDER = ("dpf", "dibao", "subsidy", "monitor")


@dataclass
class LinkOutcome:
    frames: dict[str, pd.DataFrame | None]  # pid filled for linked rows; link_probable
    findings: pd.DataFrame  # NAME_*, SUSPECTED_ID_TYPO, DUPLICATE_PERSON (FINDING_COLUMNS)
    unrecoverable: pd.DataFrame  # pairs for ID_UNRECOVERABLE rows (code ID_UNRECOVERABLE)
    pairs: pd.DataFrame  # every non-exact link (unrecoverable ones too), for the evidence sheet


# Columns the stage reads or copies into findings; the rest stay out of the stacked frame.
_USED = (
    "pid",
    "id",
    "id_clean",
    "id_status",
    "id_number",
    "name",
    "name_norm",
    "cert_number",
    "city",
    "county",
    "township",
    "village",
    "sex",
    "birth_date",
    "agency",
    "_source",
    "_sheet",
    "_row",
)


def _stack(frames: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """All rows of all kinds, DPF first, with a unique index (kind, position)."""
    parts = []
    for kind in KIND_ORDER:
        frame = frames.get(kind)
        if frame is None or frame.empty:
            continue
        cols = [c for c in _USED if c in frame]
        parts.append(frame[cols].assign(kind=kind, _pos=np.arange(len(frame))))
    if not parts:
        return pd.DataFrame()
    stacked = pd.concat(parts, ignore_index=True)
    stacked.index = pd.Index(stacked["kind"] + ":" + stacked["_pos"].astype(str), name="key")
    return stacked


def _pairs_from_conflicts(stacked: pd.DataFrame, conflicts: pd.DataFrame) -> pd.DataFrame:
    code = np.where(conflicts["outcome"].to_numpy() == DIFFERENT, "NAME_MISMATCH", "NAME_VARIANT")
    a, b = stacked.loc[conflicts["a_index"]], stacked.loc[conflicts["b_index"]]
    out = pd.DataFrame(
        {
            "code": code,
            "status": "same_id",
            "confidence": np.nan,
            "rule": "exact",
            "positions": "",
            "n_candidates": 1,
            "a_key": conflicts["a_index"].to_numpy(),
            "b_key": conflicts["b_index"].to_numpy(),
            "name_outcome": conflicts["outcome"].to_numpy(),
            "name_signal": conflicts["signal"].to_numpy(),
            "char_score": conflicts["char_score"].to_numpy(),
            "pinyin_score": conflicts["pinyin_score"].to_numpy(),
            "a_pinyin": conflicts["pinyin_a"].to_numpy(),
            "b_pinyin": conflicts["pinyin_b"].to_numpy(),
            "county_check": "unknown",
            "birth_check": "unknown",
            "sex_check": "unknown",
            "note": "",
        }
    )
    for side, rows in (("a", a), ("b", b)):
        out[f"{side}_id"] = rows["id_number"].to_numpy()
        out[f"{side}_name"] = rows["name_norm"].to_numpy()
        for col in ("_source", "_sheet", "_row"):
            out[f"{side}{col}"] = rows[col].to_numpy() if col in rows else pd.NA
    return out[PAIR_COLUMNS]


def name_findings(stacked: pd.DataFrame, nm: NearMissRules) -> pd.DataFrame:
    """Pairs for rows whose name differs from the first row of their pid (one per
    distinct kind, pid and spelling: a monthly payroll repeats the same spelling)."""
    rows = stacked[stacked["pid"].notna()]
    firsts = rows.drop_duplicates(["pid", "name_norm", "kind"])
    conflicts = name_conflicts(firsts, key="pid", rules=nm.names)
    conflicts = conflicts[conflicts["outcome"].isin([VARIANT, DIFFERENT])]
    return _pairs_from_conflicts(stacked, conflicts.reset_index(drop=True))


def _unmatched(
    stacked: pd.DataFrame, kind: str, valid_too: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of `kind` to search for, and the reference (valid rows of the other kinds)."""
    mine = stacked[(stacked["kind"] == kind).to_numpy()]
    others = stacked[(stacked["kind"] != kind).to_numpy() & stacked["pid"].notna().to_numpy()]
    known = member_of(mine["pid"], others["pid"])
    if not valid_too:  # rules: search only IDs that fail their own check
        known |= mine["id_status"].eq(STATUS_OK).fillna(False).to_numpy(dtype=bool)
    unrecoverable = mine["id_status"].eq(STATUS_UNRECOVERABLE).fillna(False).to_numpy(bool)
    searched = mine[~known & ~unrecoverable & mine["id_clean"].notna().to_numpy()]
    return searched, others.assign(id=others["pid"])


def link_sources(frames: dict[str, pd.DataFrame | None], rules: RulesFile) -> LinkOutcome:
    """Run the linking stage over the normalised frames of one comparison."""
    t0 = time.perf_counter()
    nm = as_near_miss_rules(rules)
    stacked = _stack(frames)
    if stacked.empty:
        empty = pd.DataFrame(columns=PAIR_COLUMNS)
        return LinkOutcome(dict(frames), empty_findings(), empty, empty)
    found_pairs = [name_findings(stacked, nm)]
    unrec_pairs = []
    linked_pid = pd.Series(pd.NA, index=stacked.index, dtype=STR)

    decisions = []
    for kind in KIND_ORDER:
        if not (stacked["kind"] == kind).any() or stacked["kind"].nunique() < 2:
            continue
        searched, reference = _unmatched(stacked, kind, nm.search_valid_ids)
        decisions.append(find_near_misses(searched, reference, nm).decisions)
        mine = stacked[(stacked["kind"] == kind).to_numpy()]
        unrec_pairs.append(find_unrecoverable_matches(mine, reference, nm))
    typos = (
        resolve_mutual(pd.concat(decisions, ignore_index=True), stacked)
        if decisions
        else (pd.DataFrame(columns=PAIR_COLUMNS))
    )
    found_pairs.append(typos)

    # Link for coverage only where the row's kind does not already hold the matched ID.
    linked = typos[typos["status"] == LINKED]
    if len(linked):
        a_kind = stacked.loc[linked["a_key"], "kind"].to_numpy()
        held = stacked[["kind", "pid"]].dropna().drop_duplicates()
        held_key = held["kind"] + "|" + held["pid"]
        fresh = ~member_of(
            pd.Series(a_kind + "|" + linked["b_id"].astype(str).to_numpy(), dtype=STR), held_key
        )
        linked_pid[linked["a_key"].to_numpy()[fresh]] = linked["b_id"].to_numpy()[fresh]

    dup = [
        find_duplicate_persons(stacked[stacked["kind"] == k], nm, group="kind")
        for k in KIND_ORDER
        if (stacked["kind"] == k).any()
    ]
    dup = [d.drop_duplicates("a_key") for d in dup if not d.empty]
    found_pairs.extend(dup)

    unrec = pd.concat(
        [p for p in unrec_pairs if not p.empty] or [pd.DataFrame(columns=PAIR_COLUMNS)],
        ignore_index=True,
    )
    if nm.unrecoverable_for_coverage and len(unrec):  # off by default: needs confirming
        probable = unrec[unrec["status"] == "probable"]
        linked_pid[probable["a_key"].to_numpy()] = probable["b_id"].to_numpy()

    pairs = pd.concat(
        [p for p in [*found_pairs, unrec] if not p.empty] or [pd.DataFrame(columns=PAIR_COLUMNS)],
        ignore_index=True,
    )
    out_frames = _apply_links(frames, stacked, linked_pid)
    # ID_UNRECOVERABLE findings come from compare.quality; annotate_unrecoverable adds to them.
    findings = _findings(stacked, pairs[pairs["code"] != "ID_UNRECOVERABLE"])
    log.info(
        "linking stage: %d pairs, %d linked by near-miss (%.1fs)",
        len(pairs),
        int(linked_pid.notna().sum()),
        time.perf_counter() - t0,
    )
    return LinkOutcome(out_frames, findings, unrec, pairs)


def resolve_mutual(decisions: pd.DataFrame, stacked: pd.DataFrame) -> pd.DataFrame:
    """Two valid IDs one edit apart, each held by only one side: both sides were searched
    and each found the other. Keep the finding on one side only: the side whose ID fits its
    own row worse (nearmiss.id_consistency), else the one written in 15 digits, else the ID
    fewer kinds hold; a full tie goes to the kind listed later in KIND_ORDER (DPF last),
    marked note = direction_unknown (the detail then says either may be wrong)."""
    if decisions.empty:
        return decisions
    d = decisions.copy()
    a_pid = stacked.loc[d["a_key"], "pid"].astype(STR).to_numpy(dtype=object)
    d["_a_pid"] = a_pid
    valid = pd.notna(a_pid) & (d["status"] == LINKED).to_numpy()
    b = d["b_id"].astype(str).to_numpy()
    a = np.where(valid, a_pid, "").astype(str)
    d["_pair"] = np.where(a < b, a + "|" + b, b + "|" + a)
    sides = d[valid].groupby("_pair")["_a_pid"].nunique()
    mutual = d["_pair"].isin(sides[sides >= 2].index).to_numpy() & valid
    if not mutual.any():
        return d.drop(columns=["_a_pid", "_pair"])

    m = d[mutual].copy()
    rows = stacked.loc[m["a_key"]]
    m["_fit"] = id_consistency(rows, rows["pid"])
    support = stacked.dropna(subset=["pid"]).groupby("pid")["kind"].nunique()
    m["_support"] = m["_a_pid"].map(support).fillna(0).to_numpy()
    m["_prio"] = rows["kind"].map({k: i for i, k in enumerate(KIND_ORDER)}).to_numpy()
    # An ID written in 15 digits has no check of its own (the upgrade computes one), so a
    # typo in it passes unseen; an 18-digit ID's typo would usually fail its check.
    m["_guarded"] = rows["id_clean"].astype(STR).str.len().eq(18).fillna(False).to_numpy()
    side = m.groupby(["_pair", "_a_pid"], as_index=False).agg(
        fit=("_fit", "min"),
        guarded=("_guarded", "min"),
        support=("_support", "max"),
        prio=("_prio", "max"),
    )
    order = ["_pair", "fit", "guarded", "support", "prio"]
    side = side.sort_values(order, ascending=[True, True, True, True, False])
    first = side.drop_duplicates("_pair", keep="first")
    second = side[side.duplicated("_pair", keep="first")].drop_duplicates("_pair")
    tie = first.merge(second, on="_pair", suffixes=("", "_2"))
    same = (tie["fit"] == tie["fit_2"]) & (tie["guarded"] == tie["guarded_2"])
    tie = tie[same & (tie["support"] == tie["support_2"])]["_pair"]
    keep_key = first["_pair"] + "#" + first["_a_pid"]
    chosen = (m["_pair"] + "#" + m["_a_pid"]).isin(keep_key).to_numpy()
    m = m[chosen]
    m.loc[m["_pair"].isin(tie).to_numpy(), "note"] = "direction_unknown"
    out = pd.concat([d[~mutual], m], ignore_index=True)
    helpers = ["_a_pid", "_pair", "_fit", "_support", "_prio", "_guarded"]
    return out.drop(columns=helpers, errors="ignore")


def _apply_links(
    frames: dict[str, pd.DataFrame | None], stacked: pd.DataFrame, linked: pd.Series
) -> dict[str, pd.DataFrame | None]:
    out: dict[str, pd.DataFrame | None] = dict(frames)
    for kind, frame in frames.items():
        if frame is None or frame.empty:
            continue
        mask = (stacked["kind"] == kind).to_numpy()
        new_pid = linked[mask].to_numpy()
        has = pd.notna(new_pid)
        copy = frame.copy()
        copy["link_probable"] = has
        if has.any():
            pid = copy["pid"].astype(STR).to_numpy(dtype=object)
            pid[has] = new_pid[has]
            copy["pid"] = pd.array(pid, dtype=STR)
        out[kind] = copy
    return out


def _findings(stacked: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Finding rows located at each pair's a-record, detail from the evidence summary."""
    if pairs.empty:
        return empty_findings()
    parts = []
    details = pair_details(pairs)
    for code, group in pairs.groupby("code", sort=False):
        records = stacked.loc[group["a_key"].to_numpy()].copy()
        matched = (
            group["b_id"].where(group["status"] == LINKED)
            if code == ("SUSPECTED_ID_TYPO")
            else pd.Series(pd.NA, index=group.index)
        )
        records["matched_id"] = matched.to_numpy()
        detail = pd.Series(details[group.index].to_numpy(), index=records.index, dtype=STR)
        agency = records.get("agency")
        found = make_findings(str(code), records, detail)
        if agency is not None:
            found["agency"] = agency.astype(STR).to_numpy()
        parts.append(found)
    return pd.concat(parts, ignore_index=True)


def annotate_unrecoverable(findings: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Put the probable owner into matched_id and detail of ID_UNRECOVERABLE findings."""
    if pairs.empty or findings.empty:
        return findings
    key = ["source", "sheet", "row"]
    info = pd.DataFrame(
        {
            "source": pairs["a_source"].astype(STR),
            "sheet": pairs["a_sheet"].astype(STR),
            "row": pairs["a_row"].astype("Int64").astype(STR),
            "_matched": pairs["b_id"].where(pairs["status"] == "probable").astype(STR),
            "_extra": pair_details(pairs).to_numpy(),
        }
    ).drop_duplicates(key)
    is_unrec = (findings["code"] == "ID_UNRECOVERABLE").fillna(False)
    target = findings[is_unrec].reset_index().merge(info, on=key, how="left").set_index("index")
    out = findings.copy()
    has = target["_extra"].notna()
    out.loc[target.index[has], "matched_id"] = target.loc[has, "_matched"].to_numpy()
    out.loc[target.index[has], "detail"] = (
        target.loc[has, "detail"].astype(STR) + "。" + target.loc[has, "_extra"].astype(STR)
    ).to_numpy()
    return out
