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

from fanpin.findings import empty_findings, make_findings
from fanpin.link.evidence import pair_details
from fanpin.link.names import DIFFERENT, VARIANT, compare_names
from fanpin.link.nearmiss import (
    LINKED,
    PAIR_COLUMNS,
    NearMissRules,
    as_near_miss_rules,
    find_duplicate_persons,
    find_near_misses,
    find_unrecoverable_matches,
    id_consistency,
    prepare_reference,
)
from fanpin.normalize.ids import STATUS_OK, STATUS_UNRECOVERABLE, id_codes
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


@dataclass
class _Stacked:
    """All rows of all kinds, DPF first, on a RangeIndex (row position = internal key; the
    "kind:pos" labels are made only for the pair rows returned). Each kind is one
    contiguous span, so its rows are a slice, never a boolean-indexed copy. Person keys
    are int64 codes (normalize.ids.id_codes) for set look-ups and duplicate checks."""

    frame: pd.DataFrame
    spans: dict[str, slice]
    kind_code: np.ndarray  # int8: position of the row's kind in KIND_ORDER
    pid_code: np.ndarray  # int64 ID code of pid, -1 where none
    person: np.ndarray  # int64: index into `persons` (-1 where no pid)
    persons: np.ndarray  # sorted distinct pid codes
    held: np.ndarray  # uint8 per person: bit k set when kind KIND_ORDER[k] holds the pid
    name_code: np.ndarray  # int64 factorized name_norm (-1 = NA)

    def rows(self, positions: np.ndarray, cols: list[str] | None = None) -> pd.DataFrame:
        """Rows at these positions (index = positions), only the columns asked for."""
        frame = self.frame if cols is None else self.frame[[c for c in cols if c in self.frame]]
        return frame.iloc[positions]

    def span_positions(self, kind: str) -> np.ndarray:
        sl = self.spans[kind]
        return np.arange(sl.start, sl.stop)

    def holds(self, codes: np.ndarray, kind_bits: np.ndarray) -> np.ndarray:
        """Does the kind(s) in kind_bits hold each pid code (missing / unknown -> False)?"""
        at = np.searchsorted(self.persons, codes)
        at = np.minimum(at, max(len(self.persons) - 1, 0))
        found = (codes >= 0) & (len(self.persons) > 0)
        if len(self.persons):
            found &= self.persons[at] == codes
        bits = self.held[at] if len(self.persons) else np.zeros(len(codes), np.uint8)
        return found & ((bits & kind_bits) != 0)

    def labels(self, positions: np.ndarray) -> np.ndarray:
        """The public row keys "kind:pos" (pos = row number within its kind's frame)."""
        positions = np.asarray(positions, dtype=np.int64)
        kinds = np.asarray(KIND_ORDER, dtype=object)[self.kind_code[positions]]
        starts = np.array([self.spans[k].start if k in self.spans else 0 for k in KIND_ORDER])
        within = positions - starts[self.kind_code[positions]]
        return np.asarray(kinds + ":" + within.astype(str).astype(object), dtype=object)


def _stack(frames: dict[str, pd.DataFrame | None]) -> _Stacked | None:
    parts, spans, start = [], {}, 0
    for kind in KIND_ORDER:
        frame = frames.get(kind)
        if frame is None or frame.empty:
            continue
        cols = [c for c in _USED if c in frame]
        parts.append(frame[cols])  # no per-row "kind" column: kind_code and spans say it
        spans[kind] = slice(start, start + len(frame))
        start += len(frame)
    if not parts:
        return None
    stacked = pd.concat(parts, ignore_index=True)
    kind_code = np.zeros(len(stacked), dtype=np.int8)
    for kind, sl in spans.items():
        kind_code[sl] = KIND_ORDER.index(kind)
    pid_code = id_codes(stacked["pid"])
    has = pid_code >= 0
    # np.unique's result by hashing: distinct codes sorted, each row's rank among them.
    codes, uniques = pd.factorize(pid_code[has])
    order = np.argsort(uniques)
    persons = np.asarray(uniques)[order]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    person = np.full(len(stacked), -1, dtype=np.int64)
    person[has] = rank[codes]
    held = np.zeros(len(persons), dtype=np.uint8)
    for kind, sl in spans.items():
        mine = person[sl]
        held[mine[mine >= 0]] |= np.uint8(1 << KIND_ORDER.index(kind))
    name_code = pd.factorize(stacked["name_norm"])[0].astype(np.int64)
    return _Stacked(stacked, spans, kind_code, pid_code, person, persons, held, name_code)


def _relabel(pairs: pd.DataFrame, st: _Stacked) -> pd.DataFrame:
    """Internal positions in a_key / b_key -> the public "kind:pos" labels."""
    if pairs.empty:
        return pairs
    out = pairs.copy()
    for col in ("a_key", "b_key"):
        out[col] = st.labels(out[col].to_numpy(dtype=np.int64))
    return out


def _pairs_from_conflicts(stacked: pd.DataFrame, conflicts: pd.DataFrame) -> pd.DataFrame:
    code = np.where(conflicts["outcome"].to_numpy() == DIFFERENT, "NAME_MISMATCH", "NAME_VARIANT")
    a = stacked.iloc[conflicts["a_index"].to_numpy(dtype=np.int64)]
    b = stacked.iloc[conflicts["b_index"].to_numpy(dtype=np.int64)]
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


def _first_positions(positions: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The positions whose int64 key is seen for the first time (in the given order)."""
    return positions[~pd.Series(key).duplicated().to_numpy()]


def name_findings(st: _Stacked, nm: NearMissRules) -> pd.DataFrame:
    """Pairs for rows whose name differs from the first row of their pid (one per
    distinct kind, pid and spelling: a monthly payroll repeats the same spelling)."""
    # link.names.name_conflicts on integer codes: the reference of a row is the first row
    # (stacked order) of its person with a name; only rows whose name differs from it get
    # their strings looked at.
    rows = np.flatnonzero((st.person >= 0) & (st.name_code >= 0))
    n_names = int(st.name_code.max()) + 2 if len(st.name_code) else 1
    key = (st.person[rows] * n_names + st.name_code[rows] + 1) * 4 + st.kind_code[rows]
    firsts = _first_positions(rows, key)
    # factorize numbers persons in order of first appearance, so the k-th first row
    # of a person is the reference of code k.
    codes = pd.factorize(st.person[firsts])[0]
    ref_pos = firsts[_first_positions(np.arange(len(firsts)), codes)][codes]
    differ = st.name_code[firsts] != st.name_code[ref_pos]
    a_pos, b_pos = firsts[differ], ref_pos[differ]
    names = st.frame["name_norm"]
    a_name = names.iloc[a_pos].reset_index(drop=True)
    b_name = names.iloc[b_pos].reset_index(drop=True)
    result = compare_names(a_name, b_name, nm.names)
    result.insert(0, "a_index", a_pos)
    result.insert(1, "b_index", b_pos)
    result.insert(2, "a_name", a_name.to_numpy())
    result.insert(3, "b_name", b_name.to_numpy())
    conflicts = result[result["outcome"].isin([VARIANT, DIFFERENT])]
    return _pairs_from_conflicts(st.frame, conflicts.reset_index(drop=True))


# Columns find_near_misses / find_unrecoverable_matches read from the searched rows.
_SEARCHED = ["id_clean", "id", "id_status", "name_norm", "county", "birth_date", "sex"]
_SEARCHED += ["_source", "_sheet", "_row"]
_REFERENCE = ["pid", "name_norm", "county", "birth_date", "sex", "_source", "_sheet", "_row"]


def _searched(st: _Stacked, kind: str, valid_too: bool = True) -> np.ndarray:
    """Positions of the rows of `kind` to search for: an ID no other kind holds (or one
    that fails its own check), not float-damaged, not empty."""
    pos = st.span_positions(kind)
    others = np.uint8(0xFF ^ (1 << KIND_ORDER.index(kind)))
    person = st.person[pos]
    known = (person >= 0) & ((st.held[np.maximum(person, 0)] & others) != 0)
    status = st.frame["id_status"].iloc[pos]
    if not valid_too:  # rules: search only IDs that fail their own check
        known |= status.eq(STATUS_OK).fillna(False).to_numpy(dtype=bool)
    unrecoverable = status.eq(STATUS_UNRECOVERABLE).fillna(False).to_numpy(dtype=bool)
    written = st.frame["id_clean"].iloc[pos].notna().to_numpy(dtype=bool)
    return pos[~known & ~unrecoverable & written]


def _distinct_references(st: _Stacked) -> dict[str, np.ndarray]:
    """Per kind: positions of its first row of each (pid, name_norm)."""
    n_names = int(st.name_code.max()) + 2 if len(st.name_code) else 1
    out = {}
    for kind in st.spans:
        pos = st.span_positions(kind)
        pos = pos[st.person[pos] >= 0]
        out[kind] = _first_positions(pos, st.person[pos] * n_names + st.name_code[pos] + 1)
    return out


def _reference(st: _Stacked, kind: str, distinct: dict[str, np.ndarray]) -> pd.DataFrame:
    """Valid rows of the other kinds, one per (ID, name) as first seen in stacked order."""
    pos = np.concatenate([distinct[k] for k in KIND_ORDER if k in distinct and k != kind])
    n_names = int(st.name_code.max()) + 2
    pos = _first_positions(pos, st.person[pos] * n_names + st.name_code[pos] + 1)
    ref = st.rows(pos, _REFERENCE)
    ref = ref.assign(id=ref["pid"]).drop(columns="pid")
    return ref


def link_sources(frames: dict[str, pd.DataFrame | None], rules: RulesFile) -> LinkOutcome:
    """Run the linking stage over the normalised frames of one comparison."""
    t0 = time.perf_counter()
    nm = as_near_miss_rules(rules)
    st = _stack(frames)
    if st is None:
        empty = pd.DataFrame(columns=PAIR_COLUMNS)
        return LinkOutcome(dict(frames), empty_findings(), empty, empty)
    stacked = st.frame
    found_pairs = [name_findings(st, nm)]
    log.info("linking stage: name checks done (%.1fs)", time.perf_counter() - t0)
    unrec_pairs = []

    decisions = []
    if len(st.spans) >= 2:
        distinct = _distinct_references(st)
        for kind in KIND_ORDER:
            if kind not in st.spans:
                continue
            reference = prepare_reference(_reference(st, kind, distinct), distinct=True)
            searched = st.rows(_searched(st, kind, nm.search_valid_ids), _SEARCHED)
            decisions.append(find_near_misses(searched, reference, nm).decisions)
            mine = st.span_positions(kind)
            damaged = stacked["id_status"].iloc[mine].eq(STATUS_UNRECOVERABLE).fillna(False)
            rows = st.rows(mine[damaged.to_numpy(dtype=bool)], _SEARCHED)
            unrec_pairs.append(find_unrecoverable_matches(rows, reference, nm))
        log.info("linking stage: ID search done (%.1fs)", time.perf_counter() - t0)
    typos = (
        resolve_mutual(pd.concat(decisions, ignore_index=True), st)
        if decisions
        else (pd.DataFrame(columns=PAIR_COLUMNS))
    )
    found_pairs.append(typos)

    # Link for coverage only where the row's kind does not already hold the matched ID.
    linked_pos = np.zeros(0, dtype=np.int64)
    linked_ids = np.zeros(0, dtype=object)
    linked = typos[typos["status"] == LINKED]
    if len(linked):
        a_pos = linked["a_key"].to_numpy(dtype=np.int64)
        bits = (np.uint8(1) << st.kind_code[a_pos].astype(np.uint8)).astype(np.uint8)
        fresh = ~st.holds(id_codes(linked["b_id"].astype(STR)), bits)
        linked_pos = a_pos[fresh]
        linked_ids = linked["b_id"].to_numpy()[fresh]

    dup = []
    for kind in KIND_ORDER:
        if kind not in st.spans:
            continue
        pos = st.span_positions(kind)
        dup.append(
            find_duplicate_persons(
                _distinct_forms(st, pos).assign(kind=kind), nm, group="kind", distinct=True
            )
        )
    dup = [d.drop_duplicates("a_key") for d in dup if not d.empty]
    found_pairs.extend(dup)

    unrec = pd.concat(
        [p for p in unrec_pairs if not p.empty] or [pd.DataFrame(columns=PAIR_COLUMNS)],
        ignore_index=True,
    )
    if nm.unrecoverable_for_coverage and len(unrec):  # off by default: needs confirming
        probable = unrec[unrec["status"] == "probable"]
        linked_pos = np.concatenate([linked_pos, probable["a_key"].to_numpy(dtype=np.int64)])
        linked_ids = np.concatenate([linked_ids, probable["b_id"].to_numpy(dtype=object)])

    pairs = pd.concat(
        [p for p in [*found_pairs, unrec] if not p.empty] or [pd.DataFrame(columns=PAIR_COLUMNS)],
        ignore_index=True,
    )
    out_frames = _apply_links(frames, st, linked_pos, linked_ids)
    # ID_UNRECOVERABLE findings come from compare.quality; annotate_unrecoverable adds to them.
    findings = _findings(stacked, pairs[pairs["code"] != "ID_UNRECOVERABLE"])
    log.info(
        "linking stage: %d pairs, %d linked by near-miss (%.1fs)",
        len(pairs),
        len(pd.unique(linked_pos)),
        time.perf_counter() - t0,
    )
    return LinkOutcome(out_frames, findings, _relabel(unrec, st), _relabel(pairs, st))


_DUPLICATE_COLS = ["pid", "id_clean", "id", "id_status", "name_norm", "county"]
_DUPLICATE_COLS += ["birth_date", "sex", "_source", "_sheet", "_row"]


def _distinct_forms(st: _Stacked, pos: np.ndarray) -> pd.DataFrame:
    """Rows of one kind, the first of each (id_clean, name_norm): find_duplicate_persons
    keeps only those anyway (id follows from id_clean), and a payroll repeats them monthly."""
    written = pd.factorize(st.frame["id_clean"].iloc[pos])[0].astype(np.int64)
    n_names = int(st.name_code.max()) + 2
    firsts = _first_positions(pos, (written + 1) * n_names + st.name_code[pos] + 1)
    return st.rows(firsts, _DUPLICATE_COLS)


def resolve_mutual(decisions: pd.DataFrame, st: _Stacked) -> pd.DataFrame:
    """Two valid IDs one edit apart, each held by only one side: both sides were searched
    and each found the other. Keep the finding on one side only: the side whose ID fits its
    own row worse (nearmiss.id_consistency), else the one written in 15 digits, else the ID
    fewer kinds hold; a full tie goes to the kind listed later in KIND_ORDER (DPF last),
    marked note = direction_unknown (the detail then says either may be wrong)."""
    if decisions.empty:
        return decisions
    stacked = st.frame
    d = decisions.copy()
    a_pos = d["a_key"].to_numpy(dtype=np.int64)
    a_pid = stacked["pid"].iloc[a_pos].astype(STR).to_numpy(dtype=object)
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
    m_pos = m["a_key"].to_numpy(dtype=np.int64)
    rows = stacked.iloc[m_pos]
    m["_fit"] = id_consistency(rows, rows["pid"])
    # How many kinds hold the row's own ID (its pid is valid here).
    bits = st.held[st.person[m_pos]]
    m["_support"] = np.unpackbits(bits[:, None], axis=1).sum(axis=1).astype(float)
    m["_prio"] = st.kind_code[m_pos].astype(np.int64)
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
    tied = tie[same & (tie["support"] == tie["support_2"])]["_pair"]
    keep_key = first["_pair"] + "#" + first["_a_pid"]
    chosen = (m["_pair"] + "#" + m["_a_pid"]).isin(keep_key).to_numpy()
    m = m[chosen]
    m.loc[m["_pair"].isin(tied).to_numpy(), "note"] = "direction_unknown"
    out = pd.concat([d[~mutual], m], ignore_index=True)
    helpers = ["_a_pid", "_pair", "_fit", "_support", "_prio", "_guarded"]
    return out.drop(columns=helpers, errors="ignore")


def _apply_links(
    frames: dict[str, pd.DataFrame | None],
    st: _Stacked,
    linked_pos: np.ndarray,
    linked_ids: np.ndarray,
) -> dict[str, pd.DataFrame | None]:
    out: dict[str, pd.DataFrame | None] = dict(frames)
    for kind, frame in frames.items():
        if frame is None or frame.empty:
            continue
        sl = st.spans[kind]
        inside = (linked_pos >= sl.start) & (linked_pos < sl.stop)
        has = np.zeros(len(frame), dtype=bool)
        has[linked_pos[inside] - sl.start] = True
        copy = frame.copy(deep=False)  # copy-on-write: the caller's frame stays as it was
        copy["link_probable"] = has
        if has.any():
            pid = copy["pid"].astype(STR).to_numpy(dtype=object)
            pid[linked_pos[inside] - sl.start] = linked_ids[inside]
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
        records = stacked.iloc[group["a_key"].to_numpy(dtype=np.int64)].copy()
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
