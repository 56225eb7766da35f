"""Near-miss linking by ID: typo'd IDs (SUSPECTED_ID_TYPO), numbers that went through a
float (ID_UNRECOVERABLE + a probable match), and one person under two IDs in one source
(DUPLICATE_PERSON).

Blocking never puts a possibly-wrong digit in the key. IDs become int64 codes and:
- one substituted digit in the first 17: 17 joins, each on the code with that digit
  zeroed (both sides), so the typo may sit anywhere, birth date and county included;
- wrong check character, or a 15-digit ID upgraded to 18: a join on the first 17 digits;
- two adjacent digits swapped: the written ID's 16 swapped variants looked up directly
  (a swap of the 17th digit and the check character shows up in the 17th-digit join);
- one digit dropped (17 characters) or added (19): lookups of every deletion variant.
Candidates must then agree on the name (link.names: same or variant); county, birth date
and sex columns, where the files have them, raise or lower a confidence built from the
[linking.near_miss] factors. One plausible candidate -> linked; two within the margin ->
ambiguous (not linked).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fanpin.divisions import divisions, place_of_codes
from fanpin.errors import ErrorCode, InputError
from fanpin.link.names import (
    DIFFERENT,
    SAME,
    UNKNOWN,
    NameRules,
    as_name_rules,
    compare_names,
)
from fanpin.normalize.ids import STATUS_OK, STATUS_UNRECOVERABLE, char_matrix, upgrade_15
from fanpin.rules import RulesFile, load_rules

log = logging.getLogger(__name__)
STR = pd.StringDtype("pyarrow")

EDITS = ("check_char", "transposition", "substitution", "deletion", "insertion", "upgrade_15")
P10 = 10 ** np.arange(16, -1, -1, dtype=np.int64)  # place values of the first 17 digits

# Columns of every pair frame this module returns (a = the record searched for, b = the
# record it was matched to). evidence.py turns them into the evidence sheet.
PAIR_COLUMNS = [
    "code",
    "status",
    "confidence",
    "rule",
    "positions",
    "n_candidates",
    "a_key",
    "a_source",
    "a_sheet",
    "a_row",
    "a_id",
    "a_name",
    "b_key",
    "b_source",
    "b_sheet",
    "b_row",
    "b_id",
    "b_name",
    "name_outcome",
    "name_signal",
    "char_score",
    "pinyin_score",
    "a_pinyin",
    "b_pinyin",
    "county_check",
    "birth_check",
    "sex_check",
    "note",
]

LINKED = "linked"
AMBIGUOUS = "ambiguous"
PROBABLE = "probable"


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class NearMissRules:
    names: NameRules
    link_min: float
    candidate_min: float
    margin: float
    edit_base: dict[str, float]
    name_variant: float
    written_valid: float
    county_differs: float
    birth_differs: float
    sex_differs: float
    max_range: int
    unrecoverable_for_coverage: bool
    search_valid_ids: bool


def _num(section: dict[str, Any], key: str, where: str) -> float:
    value = section.get(key)
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InputError.single(
            ErrorCode.BAD_RULES, f"规则文件 [{where}] 中 {key} 应为 0 到 1 之间的数"
        )
    return float(value)


def parse_near_miss_rules(rules: RulesFile) -> NearMissRules:
    """Read [linking.near_miss] (+ .edit_base, .factors) and [linking.unrecoverable]."""
    top = rules.section("linking.near_miss")
    base = rules.section("linking.near_miss.edit_base")
    factors = rules.section("linking.near_miss.factors")
    unrec = rules.section("linking.unrecoverable")
    where_f = "linking.near_miss.factors"
    max_range = unrec.get("max_range_candidates")
    if not isinstance(max_range, int) or max_range < 1:
        raise InputError.single(
            ErrorCode.BAD_RULES,
            "规则文件 [linking.unrecoverable] 中 max_range_candidates 应为正整数",
        )
    return NearMissRules(
        names=as_name_rules(rules),
        link_min=_num(top, "link_min_confidence", "linking.near_miss"),
        candidate_min=_num(top, "candidate_min_confidence", "linking.near_miss"),
        margin=_num(top, "ambiguous_margin", "linking.near_miss"),
        edit_base={e: _num(base, e, "linking.near_miss.edit_base") for e in EDITS},
        name_variant=_num(factors, "name_variant", where_f),
        written_valid=_num(factors, "written_id_valid", where_f),
        county_differs=_num(factors, "county_differs", where_f),
        birth_differs=_num(factors, "birth_differs", where_f),
        sex_differs=_num(factors, "sex_differs", where_f),
        max_range=max_range,
        unrecoverable_for_coverage=bool(unrec.get("use_for_coverage", False)),
        search_valid_ids=bool(top.get("search_valid_ids", True)),
    )


def as_near_miss_rules(rules: NearMissRules | RulesFile | None) -> NearMissRules:
    if isinstance(rules, NearMissRules):
        return rules
    return parse_near_miss_rules(rules if rules is not None else load_rules())


# ---------------------------------------------------------------- ID codes


def _matrix(ids: pd.Series, width: int) -> np.ndarray:
    """(n, width) int8 digit values of strings of exactly `width` ASCII characters; X = 10."""
    m = char_matrix(ids, width).astype(np.int8)  # ASCII: fits; a copy, edited in place
    m -= 48
    m[m == ord("X") - 48] = 10
    return m


def _positional(m: np.ndarray, base: int) -> np.ndarray:
    """Rows of small digits read as numbers in `base` (first column most significant).
    Column by column on a Fortran copy: integer matmul has no BLAS and is several times
    slower, and a C-order column is a strided read."""
    cols = np.asfortranarray(m)
    out = np.zeros(len(m), dtype=np.int64)
    for col in range(m.shape[1]):
        out *= base
        out += cols[:, col]
    return out


def _code17(m: np.ndarray) -> np.ndarray:
    return _positional(m[:, :17], 10)


def _code11(m: np.ndarray) -> np.ndarray:
    """Base-11 code of whole rows (X = 10); 11**19 overflows, so at most 18 columns."""
    return _positional(m, 11)


@dataclass
class _Side:
    """One side of the search, deduplicated: distinct (ID form, name, places)."""

    frame: pd.DataFrame  # one row per distinct record form, column 'rid' = position
    m18: np.ndarray  # (n, 18) digits of the 18-form (zeros where none)
    has18: np.ndarray  # bool: an 18-form exists
    c17: np.ndarray  # int64 code of the first 17 digits (-1 where no 18-form)


_CARRIED = ("name_norm", "county", "birth_date", "sex", "_source", "_sheet", "_row")


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col in frame:
        return frame[col].astype(STR)
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def _written_forms(unmatched: pd.DataFrame) -> pd.DataFrame:
    """The ID as written (cleaned) and its 18-character form where one exists."""
    written = _text(unmatched, "id_clean")
    if "id_clean" not in unmatched and "id" in unmatched:
        written = _text(unmatched, "id")
    out = pd.DataFrame({"written": written}, index=unmatched.index)
    # X may have moved one place left (swapped with the 17th digit).
    is18 = written.str.fullmatch(r"\d{16}[\dX]{2}").fillna(False)
    is15 = written.str.fullmatch(r"\d{15}").fillna(False)
    form18 = written.where(is18)
    if is15.any():
        form18[is15] = upgrade_15(written[is15]).to_numpy()
    out["form18"] = form18.astype(STR)
    out["was15"] = is15.to_numpy(dtype=bool)
    return out


def _side(frame: pd.DataFrame, form18: pd.Series) -> _Side:
    has18 = form18.notna().to_numpy(dtype=bool)
    m18 = np.zeros((len(frame), 18), dtype=np.int8)
    if has18.any():
        m18[has18] = _matrix(form18[has18], 18)
    c17 = np.where(has18, _code17(m18), -1)
    return _Side(frame.assign(rid=np.arange(len(frame))), m18, has18, c17)


def prepare_reference(reference: pd.DataFrame, *, distinct: bool = False) -> _Side:
    """The reference side of a search, ready to be passed to find_near_misses and
    find_unrecoverable_matches (so a caller searching twice prepares it once).
    distinct=True: the caller already kept one row per (id, name_norm), all with an id."""
    ref = reference if distinct else reference[reference["id"].notna()]
    cols = ["id"] + [c for c in _CARRIED if c in ref]
    # Many rows per person (monthly payrolls): one row per ID and spelling is enough.
    ref = ref[cols].assign(b_key=ref.index.to_numpy())
    if not distinct:
        ref = ref.drop_duplicates(["id", "name_norm"])
    ref = ref.reset_index(drop=True)
    return _side(ref, ref["id"].astype(STR))


def _prepare_reference(reference: pd.DataFrame | _Side) -> _Side:
    return reference if isinstance(reference, _Side) else prepare_reference(reference)


def _is_empty(reference: pd.DataFrame | _Side) -> bool:
    return len(reference.frame if isinstance(reference, _Side) else reference) == 0


def _prepare_unmatched(unmatched: pd.DataFrame) -> tuple[_Side, np.ndarray]:
    """Distinct forms of the unmatched rows, and for each input row its form's position."""
    forms = _written_forms(unmatched)
    cols = [c for c in _CARRIED if c in unmatched and not c.startswith("_")]
    base = pd.concat([forms, unmatched[cols]], axis=1)
    base["id_status"] = _text(unmatched, "id_status")
    keys = ["written", *cols]
    codes = base.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    first = base.assign(a_key=unmatched.index.to_numpy(), _code=codes).drop_duplicates("_code")
    first = first.sort_values("_code").reset_index(drop=True)
    side = _side(first.drop(columns="_code"), first["form18"])
    return side, codes


# ---------------------------------------------------------------- candidate search


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _bits_for(n: int) -> int:
    """Bucket-array size (log2) that leaves about one bucket in eight occupied."""
    return int(min(25, max(12, int(n).bit_length() + 3)))


def _buckets(keys: np.ndarray, bits: int) -> np.ndarray:
    """Multiplicative hash of int64 keys to `bits` bits (equal keys, equal buckets)."""
    return ((keys.astype(np.uint64) * _MIX) >> np.uint64(64 - bits)).astype(np.intp)


def _occupied(buckets: np.ndarray, bits: int) -> np.ndarray:
    mark = np.zeros(1 << bits, dtype=bool)
    mark[buckets] = True
    return mark


class _Table:
    """Hash look-up of int64 keys -> the row ids holding them (keys may repeat).

    A bucket bitmap of the keys drops most probe keys before the hash-table look-up
    (exact: a key present in the table always finds its bucket marked); filtering keeps
    the probe order, so results come out in the same order either way."""

    def __init__(self, keys: np.ndarray, ids: np.ndarray) -> None:
        codes, uniques = pd.factorize(keys)
        self.index = pd.Index(uniques)
        self.order = np.argsort(codes, kind="stable")
        self.count = np.bincount(codes, minlength=len(uniques))
        self.start = np.cumsum(self.count) - self.count
        self.ids = ids
        self.bits = _bits_for(len(uniques))
        self.mark = _occupied(_buckets(np.asarray(uniques), self.bits), self.bits)

    def probe(self, keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probe ids, table ids) of every equal-key pair."""
        if len(keys) == 0 or len(self.index) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        maybe = np.flatnonzero(self.mark[_buckets(keys, self.bits)])
        keys, ids = keys[maybe], ids[maybe]
        found = self.index.get_indexer(keys)
        hit = np.flatnonzero(found >= 0)
        group = found[hit]
        count = self.count[group]
        offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        table_pos = self.order[np.repeat(self.start[group], count) + offset]
        return ids[np.repeat(hit, count)], self.ids[table_pos]


def _join(
    u_keys: np.ndarray, u_rid: np.ndarray, r_keys: np.ndarray, r_rid: np.ndarray
) -> pd.DataFrame:
    """Equi-join of two int64 key arrays -> (u, r) position pairs (hash on the smaller).

    Keys whose bucket the other side leaves empty cannot match and are dropped first;
    the side to hash is chosen on the full sizes, so the pair order does not depend on
    the filter."""
    bits = _bits_for(max(len(u_keys), len(r_keys)))
    ub, rb = _buckets(u_keys, bits), _buckets(r_keys, bits)
    uk = np.flatnonzero(_occupied(rb, bits)[ub])
    rk = np.flatnonzero(_occupied(ub, bits)[rb])
    if len(u_keys) <= len(r_keys):
        r_pos, u_pos = _Table(u_keys[uk], u_rid[uk]).probe(r_keys[rk], r_rid[rk])
    else:
        u_pos, r_pos = _Table(r_keys[rk], r_rid[rk]).probe(u_keys[uk], u_rid[uk])
    return pd.DataFrame({"u": u_pos, "r": r_pos})


def _lookup(table: _Table, u_keys: np.ndarray, u_rid: np.ndarray) -> pd.DataFrame:
    u_pos, r_pos = table.probe(u_keys, u_rid)
    return pd.DataFrame({"u": u_pos, "r": r_pos})


def _substitution_pairs(u: _Side, r: _Side, exact: _Table) -> list[pd.DataFrame]:
    ui, ri = np.flatnonzero(u.has18), np.flatnonzero(r.has18)
    uc, rc = u.c17[ui], r.c17[ri]
    # Fortran order: the per-position columns below are contiguous reads.
    um, rm = np.asfortranarray(u.m18[ui]), np.asfortranarray(r.m18[ri])
    found = [_lookup(exact, uc, ui)]  # first 17 equal: check char, or a 15-digit upgrade
    for p in range(17):
        found.append(_join(uc - um[:, p] * P10[p], ui, rc - rm[:, p] * P10[p], ri))
    return found


def _transposition_pairs(u: _Side, exact: _Table) -> pd.DataFrame:
    ui = np.flatnonzero(u.has18)
    um, uc = np.asfortranarray(u.m18[ui], dtype=np.int64), u.c17[ui]
    keys, rids = [], []
    for i in range(16):  # swap of digits i and i+1 inside the first 17
        d1, d2 = um[:, i], um[:, i + 1]
        differ = d1 != d2
        swapped = uc + (d2 - d1) * P10[i] + (d1 - d2) * P10[i + 1]
        keys.append(swapped[differ])
        rids.append(ui[differ])
    return _lookup(exact, np.concatenate(keys), np.concatenate(rids))


def _length_pairs(u: _Side, r: _Side) -> list[pd.DataFrame]:
    """17-character IDs (a digit or the check dropped) and 19 (a digit added).

    Both are look-ups of variants of the written ID among the references' whole codes:
    every digit inserted at every place (17 characters), every character deleted (19).
    """
    written = u.frame["written"]
    found: list[pd.DataFrame] = []
    is17 = written.str.fullmatch(r"\d{16}[\dX]").fillna(False).to_numpy(dtype=bool)
    is19 = written.str.fullmatch(r"\d{17}[\dX]{2}").fillna(False).to_numpy(dtype=bool)
    if not (is17.any() or is19.any()):
        return found
    ri = np.flatnonzero(r.has18)
    whole = _Table(_code11(r.m18[ri]), ri)
    if is17.any():
        ui = np.flatnonzero(is17)
        m17 = _matrix(written.iloc[ui], 17).astype(np.int64)
        pow11 = 11 ** np.arange(18, -1, -1, dtype=np.int64)  # pow11[k] = 11**(18-k)
        for p in range(17, -1, -1):  # the check char first: it wins ties
            head = m17[:, :p] @ pow11[19 - p :] if p else np.zeros(len(ui), np.int64)
            tail = m17[:, p:] @ pow11[p + 2 :] if p < 17 else np.zeros(len(ui), np.int64)
            digits = range(11) if p == 17 else range(10)  # X only as the check char
            keys = np.concatenate([head * pow11[p] + d * pow11[p + 1] + tail for d in digits])
            found.append(_lookup(whole, keys, np.tile(ui, len(digits))).assign(pos=p))
    if is19.any():
        ui = np.flatnonzero(is19)
        m19 = _matrix(written.iloc[ui], 19)
        for p in range(19):
            keys = _code11(np.delete(m19, p, axis=1))
            found.append(_lookup(whole, keys, ui).assign(pos=p))
    return found


def _classify18(u: _Side, r: _Side, pairs: pd.DataFrame) -> pd.DataFrame:
    """Edit kind and 1-based positions for pairs of 18-forms; drops pairs not one edit apart."""
    um, rm = u.m18[pairs["u"].to_numpy()], r.m18[pairs["r"].to_numpy()]
    diff = um != rm
    n17 = diff[:, :17].sum(axis=1)
    p = diff[:, :17].argmax(axis=1)
    rows = np.arange(len(pairs))
    q = np.minimum(p + 1, 17)
    swapped = (diff[rows, q]) & (um[rows, p] == rm[rows, q]) & (um[rows, q] == rm[rows, p])
    was15 = u.frame["was15"].to_numpy()[pairs["u"].to_numpy()]

    kind = np.full(len(pairs), "", dtype=object)
    kind[(n17 == 0) & diff[:, 17]] = "check_char"
    upgraded = (n17 == 0) & ~diff[:, 17] & was15
    kind[upgraded] = "upgrade_15"
    single = n17 == 1
    kind[single] = "substitution"
    kind[single & (p == 16) & swapped] = "transposition"
    kind[(n17 == 2) & (p < 16) & swapped & diff[rows, q]] = "transposition"
    pos = np.where(kind == "check_char", 18, np.where(upgraded, 0, p + 1)).astype(np.int64)
    second = np.where(kind == "transposition", pos + 1, 0)
    out = pairs.assign(edit=kind, pos1=pos, pos2=second)
    return out[out["edit"] != ""]


def _candidates(u: _Side, r: _Side) -> pd.DataFrame:
    ri = np.flatnonzero(r.has18)
    exact = _Table(r.c17[ri], ri)
    parts18 = [*_substitution_pairs(u, r, exact), _transposition_pairs(u, exact)]
    pairs = pd.concat(parts18, ignore_index=True).drop_duplicates()
    out = [_classify18(u, r, pairs)]
    for part in _length_pairs(u, r):
        if part.empty:
            continue
        is_ins = u.frame["written"].str.len().to_numpy()[part["u"].to_numpy()] == 19
        edit = np.where(is_ins, "insertion", np.where(part["pos"] == 17, "check_char", "deletion"))
        out.append(
            part.assign(edit=edit, pos1=part["pos"].to_numpy() + 1, pos2=0).drop(columns="pos")
        )
    found = pd.concat(out, ignore_index=True)
    return found.drop_duplicates(["u", "r"]).reset_index(drop=True)


# ---------------------------------------------------------------- agreement and confidence


def _birth_from_ids(m18: np.ndarray) -> np.ndarray:
    return m18[:, 6:14].astype(np.int64) @ (10 ** np.arange(7, -1, -1, dtype=np.int64))


def _checks(u: _Side, r: _Side, c: pd.DataFrame) -> pd.DataFrame:
    """county_check / birth_check / sex_check: agree | differ | explained | unknown."""
    uf, rf = u.frame.iloc[c["u"].to_numpy()], r.frame.iloc[c["r"].to_numpy()]
    # A typo in the division code (positions 1-6) explains a county that differs when the
    # county was taken from the ID itself.
    in_division = (c["pos1"] <= 6).to_numpy()

    def verdict(a: pd.Series, b: pd.Series, excuse: np.ndarray) -> np.ndarray:
        a, b = a.reset_index(drop=True), b.reset_index(drop=True)
        both = (a.notna() & b.notna()).to_numpy(dtype=bool)
        same = a.eq(b).fillna(False).to_numpy(dtype=bool) & both
        out = np.where(both, np.where(same, "agree", "differ"), "unknown").astype(object)
        out[(out == "differ") & excuse] = "explained"
        return out

    county = verdict(_text(uf, "county").str.strip(), _text(rf, "county").str.strip(), in_division)
    # Birth date and sex as registered in the searched record, against the candidate's ID.
    r_birth = pd.Series(_birth_from_ids(r.m18[c["r"].to_numpy()]))
    if "birth_date" in uf:
        stated = pd.to_datetime(uf["birth_date"], errors="coerce")
        u_birth = pd.Series(stated.dt.strftime("%Y%m%d").to_numpy()).astype("Int64")
    else:
        u_birth = pd.Series(pd.NA, index=range(len(c)), dtype="Int64")
    birth = verdict(u_birth, r_birth, np.zeros(len(c), dtype=bool))
    r_sex = np.where(r.m18[c["r"].to_numpy(), 16] % 2 == 1, "男", "女")
    sex = verdict(_text(uf, "sex").reset_index(drop=True), pd.Series(r_sex), np.zeros(len(c), bool))
    return pd.DataFrame({"county_check": county, "birth_check": birth, "sex_check": sex})


def _confidence(c: pd.DataFrame, written_ok: np.ndarray, nm: NearMissRules) -> np.ndarray:
    conf = c["edit"].map(nm.edit_base).to_numpy(dtype=float).copy()
    conf *= np.where(c["name_outcome"].to_numpy() == SAME, 1.0, nm.name_variant)
    # A written ID that passes the check may be a real, different person.
    conf *= np.where(written_ok & (c["edit"].to_numpy() != "upgrade_15"), nm.written_valid, 1.0)
    conf *= np.where(c["county_check"].to_numpy() == "differ", nm.county_differs, 1.0)
    conf *= np.where(c["birth_check"].to_numpy() == "differ", nm.birth_differs, 1.0)
    conf *= np.where(c["sex_check"].to_numpy() == "differ", nm.sex_differs, 1.0)
    return np.round(conf, 3)


# ---------------------------------------------------------------- public API


@dataclass
class NearMissResult:
    """decisions: one row per input row that got a verdict (PAIR_COLUMNS; status linked or
    ambiguous; b_* describe the best candidate). candidates: every plausible pair."""

    decisions: pd.DataFrame
    candidates: pd.DataFrame


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PAIR_COLUMNS})


def find_near_misses(
    unmatched: pd.DataFrame,
    reference: pd.DataFrame | _Side,
    rules: NearMissRules | RulesFile | None = None,
) -> NearMissResult:
    """Search `reference` for the IDs that `unmatched` rows most likely meant.

    unmatched: rows whose ID fails the check or matches no one elsewhere. Uses id_clean
    (the ID as written, cleaned; falls back to id), id_status, name_norm; optional county,
    birth_date, sex, _source, _sheet, _row. reference: rows with a valid `id` and
    name_norm (same optional columns). Row keys (a_key, b_key) are index labels.
    """
    nm = as_near_miss_rules(rules)
    t0 = time.perf_counter()
    if unmatched.empty or _is_empty(reference):
        return NearMissResult(_empty_pairs(), _empty_pairs())
    u, codes = _prepare_unmatched(unmatched)
    r = _prepare_reference(reference)
    c = _candidates(u, r)
    log.info(
        "near-miss: %d forms vs %d references, %d raw candidates (%.1fs)",
        len(u.frame),
        len(r.frame),
        len(c),
        time.perf_counter() - t0,
    )

    # Names first (cheap for equal names), then drop pairs whose names disagree.
    uname = u.frame["name_norm"].to_numpy()[c["u"].to_numpy()]
    rname = r.frame["name_norm"].to_numpy()[c["r"].to_numpy()]
    names = compare_names(
        pd.Series(uname, dtype=STR), pd.Series(rname, dtype=STR), nm.names, full_scores=False
    )
    keep = ~names["outcome"].isin([DIFFERENT, UNKNOWN]).to_numpy(dtype=bool)
    c, names = c[keep].reset_index(drop=True), names[keep].reset_index(drop=True)
    c = pd.concat(
        [
            c,
            names.rename(
                columns={
                    "outcome": "name_outcome",
                    "signal": "name_signal",
                    "pinyin_a": "a_pinyin",
                    "pinyin_b": "b_pinyin",
                }
            ),
        ],
        axis=1,
    )
    c = pd.concat([c, _checks(u, r, c)], axis=1)
    written_ok = u.frame["id_status"].to_numpy()[c["u"].to_numpy()] == STATUS_OK
    c["confidence"] = _confidence(c, written_ok, nm)
    c = c[c["confidence"] >= nm.candidate_min].reset_index(drop=True)

    pairs = _pair_frame(u, r, c, "SUSPECTED_ID_TYPO")
    decided = _decide(pairs, nm)
    result = NearMissResult(
        _broadcast(decided, unmatched, codes), _broadcast(pairs, unmatched, codes)
    )
    log.info(
        "near-miss: %d linked, %d ambiguous (%.1fs)",
        int((decided["status"] == LINKED).sum()),
        int((decided["status"] == AMBIGUOUS).sum()),
        time.perf_counter() - t0,
    )
    return result


def _positions(c: pd.DataFrame) -> pd.Series:
    """1-based positions of the edit in the correct ID ("" when none, e.g. 15-digit form)."""
    one = c["pos1"].astype("Int64").astype(STR)
    two = c["pos2"].astype("Int64").astype(STR)
    out = one.where(c["pos2"].to_numpy() == 0, one + "," + two)
    return out.where(c["pos1"].to_numpy() > 0, "")


def _pair_frame(u: _Side, r: _Side, c: pd.DataFrame, code: str) -> pd.DataFrame:
    """Assemble PAIR_COLUMNS from candidate positions (u = form row, r = reference row)."""
    uf = u.frame.iloc[c["u"].to_numpy()].reset_index(drop=True)
    rf = r.frame.iloc[c["r"].to_numpy()].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "code": code,
            "status": "",
            "confidence": c["confidence"].to_numpy(),
            "rule": c["edit"].to_numpy(),
            "positions": _positions(c).to_numpy(),
            "n_candidates": 0,
            "a_key": uf["rid"].to_numpy(),  # the form's position; broadcast later
            "a_id": uf["written"].to_numpy(),
            "a_name": uf["name_norm"].to_numpy(),
            "b_key": rf["b_key"].to_numpy(),
            "b_id": rf["id"].to_numpy(),
            "b_name": rf["name_norm"].to_numpy(),
        }
    )
    for side, frame in (("b", rf),):
        for col in ("_source", "_sheet", "_row"):
            out[f"{side}{col}"] = frame[col].to_numpy() if col in frame else pd.NA
    for col in (
        "name_outcome",
        "name_signal",
        "char_score",
        "pinyin_score",
        "a_pinyin",
        "b_pinyin",
        "county_check",
        "birth_check",
        "sex_check",
    ):
        out[col] = c[col].to_numpy()
    out["note"] = ""
    return out


def _decide(pairs: pd.DataFrame, nm: NearMissRules) -> pd.DataFrame:
    """Best candidate per searched form: linked if clear, ambiguous if two are close."""
    if pairs.empty:
        return pairs.assign(status=pd.Series(dtype=object))
    # One row per (form, candidate ID): the same person may sit in several sources.
    best = pairs.sort_values(["a_key", "confidence"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates(["a_key", "b_id"])
    groups = best.groupby("a_key", sort=False)
    first = (groups.cumcount() == 0).to_numpy()
    count = groups["b_id"].transform("size").to_numpy()
    second = groups["confidence"].shift(-1).fillna(0.0).to_numpy()
    top = best[first].copy()
    conf, sec = top["confidence"].to_numpy(), second[first]
    strong = conf >= nm.link_min
    clear = (conf - sec) >= nm.margin
    top["n_candidates"] = count[first]
    top["status"] = np.where(strong & clear, LINKED, np.where(strong, AMBIGUOUS, ""))
    return top[top["status"] != ""].reset_index(drop=True)


def _broadcast(pairs: pd.DataFrame, unmatched: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """Repeat each form's pairs for every input row that has that form (a_key = row label)."""
    if pairs.empty:
        return pairs.reindex(columns=PAIR_COLUMNS)
    rows = pd.DataFrame({"form": codes, "a_key_row": unmatched.index.to_numpy()})
    for col in ("_source", "_sheet", "_row"):
        rows[f"a{col}"] = unmatched[col].to_numpy() if col in unmatched else pd.NA
    out = pairs.drop(columns=[c for c in ("a_source", "a_sheet", "a_row") if c in pairs])
    out = out.merge(rows, left_on="a_key", right_on="form").drop(columns=["form", "a_key"])
    out = out.rename(columns={"a_key_row": "a_key"})
    return out[PAIR_COLUMNS].reset_index(drop=True)


def id_consistency(frame: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """How well each 18-character ID fits its own row: +1 for each fact that agrees, -1 for
    each that contradicts it. Facts: the division code is a known Shanxi code; the county
    column names the code's county; the sex column matches the sequence digit's parity;
    a birth_date column matches the ID's date. Used to tell which of two valid IDs one
    edit apart is the typo."""
    ids = ids.astype(STR).reset_index(drop=True)
    code = ids.str.slice(0, 6)
    known = code.isin(set(divisions()["code"])).to_numpy(dtype=bool)
    score = np.where(known, 1, -1)
    if "county" in frame:
        stated = _text(frame, "county").str.strip().reset_index(drop=True)
        place = place_of_codes(code)["county"].reset_index(drop=True)
        both = (stated.notna() & place.notna()).to_numpy(dtype=bool)
        same = stated.eq(place).fillna(False).to_numpy(dtype=bool)
        score += np.where(both, np.where(same, 1, -1), 0)
    if "sex" in frame:
        stated = _text(frame, "sex").reset_index(drop=True)
        parity = pd.to_numeric(ids.str.slice(16, 17), errors="coerce") % 2
        from_id = pd.Series(np.where(parity == 1, "男", "女"), dtype=STR)
        both = (stated.isin(["男", "女"]) & parity.notna()).to_numpy(dtype=bool)
        score += np.where(both, np.where(stated.eq(from_id).to_numpy(dtype=bool), 1, -1), 0)
    if "birth_date" in frame:
        born = pd.to_datetime(frame["birth_date"], errors="coerce").reset_index(drop=True)
        text = born.dt.strftime("%Y%m%d").astype(STR)
        both = (text.notna() & ids.notna()).to_numpy(dtype=bool)
        same = text.eq(ids.str.slice(6, 14)).fillna(False).to_numpy(dtype=bool)
        score += np.where(both, np.where(same, 1, -1), 0)
    return score


# ---------------------------------------------------------------- unrecoverable IDs

_EXPONENT = r"^(\d*)(?:\.(\d*))?[Ee]\+?(\d+)$"
_PLAIN = r"^(\d{16,})\.0*$"


def surviving_range(text: pd.Series) -> pd.DataFrame:
    """For IDs mangled into floats: value, tolerance and the count of surviving digits.

    '1.401021980010112e+17' keeps 16 significant digits: the true ID lies within one unit
    of the 16th digit (truncated or rounded), plus the float's own rounding. Rows that are
    not an 18-digit magnitude get NA.
    """
    exp = text.str.extract(_EXPONENT)
    plain = text.str.extract(_PLAIN)[0]
    mantissa = (exp[0].fillna("") + exp[1].fillna("")).where(exp[2].notna(), plain)
    digits = mantissa.str.lstrip("0").str.rstrip("0").str.len()
    magnitude = (exp[0].str.lstrip("0").str.len() - 1 + exp[2].astype("Int64")).where(
        exp[2].notna(), plain.str.len() - 1
    )
    value = pd.to_numeric(text.where(mantissa.notna()), errors="coerce")
    ok = (magnitude == 17).fillna(False) & value.notna() & (digits > 0).fillna(False)
    kept = digits.where(ok).astype("Int64").clip(upper=17)
    unit = (10.0 ** (18 - kept.astype("Float64"))).astype("Float64")
    return pd.DataFrame(
        {
            "value": value.where(ok).astype("Float64"),
            "tolerance": unit + 64,  # 64 > the float's spacing near 1e17 (32)
            "kept_digits": kept,
        },
        index=text.index,
    )


def _numeric_values(m18: np.ndarray) -> np.ndarray:
    """int64 value of 18-digit IDs from their digit matrix; IDs ending in X cannot have
    been typed as numbers: -1."""
    return np.where(m18[:, 17] == 10, -1, _positional(m18, 10))


def find_unrecoverable_matches(
    unmatched: pd.DataFrame,
    reference: pd.DataFrame | _Side,
    rules: NearMissRules | RulesFile | None = None,
) -> pd.DataFrame:
    """Probable owners of IDs that lost digits in a spreadsheet (never a confirmed link).

    Takes the rows of `unmatched` whose id_status is unrecoverable. A reference person fits
    when their ID lies in the range the surviving digits allow, the name is the same or a
    variant, and the county agrees where both files give one. Exactly one fit -> status
    probable with b_id the ID to confirm; more -> ambiguous. Returns PAIR_COLUMNS with
    code ID_UNRECOVERABLE, one row per input row that found someone.
    """
    nm = as_near_miss_rules(rules)
    rows = unmatched[_text(unmatched, "id_status").eq(STATUS_UNRECOVERABLE).fillna(False)]
    if rows.empty or _is_empty(reference):
        return _empty_pairs()
    u, codes = _prepare_unmatched(rows)
    r = _prepare_reference(reference)
    rng = surviving_range(u.frame["written"]).reset_index(drop=True)
    usable = rng["value"].notna().to_numpy()

    # Reference IDs sorted by value; each mangled number covers a contiguous run.
    ref_val = _numeric_values(r.m18)  # r.m18 holds the digits of r.frame["id"]
    order = np.argsort(ref_val, kind="stable")
    sorted_val = ref_val[order]
    value = rng["value"].fillna(0).to_numpy(dtype=float)
    tol = rng["tolerance"].fillna(0).to_numpy(dtype=float)
    lo = np.searchsorted(sorted_val, (value - tol).astype(np.int64), side="left")
    hi = np.searchsorted(sorted_val, (value + tol).astype(np.int64), side="right")
    count = np.where(usable, hi - lo, 0)
    small = count <= nm.max_range
    n_small = np.where(small, count, 0)
    ui = np.repeat(np.arange(len(count)), n_small)
    within = np.arange(n_small.sum()) - np.repeat(np.cumsum(n_small) - n_small, n_small)
    pairs = [pd.DataFrame({"u": ui, "r": order[np.repeat(lo, n_small) + within]})]
    big = np.flatnonzero(usable & ~small)
    if len(big):  # a wide range (few digits left): look only among people of the same name
        left = pd.DataFrame({"u": big, "name_norm": u.frame["name_norm"].to_numpy()[big]})
        right = pd.DataFrame({"r": np.arange(len(r.frame)), "name_norm": r.frame["name_norm"]})
        joined = left.merge(right, on="name_norm")[["u", "r"]]
        diff = np.abs(ref_val[joined["r"].to_numpy()] - value[joined["u"].to_numpy()])
        pairs.append(
            joined[(diff <= tol[joined["u"].to_numpy()]) & (ref_val[joined["r"].to_numpy()] >= 0)]
        )
    c = pd.concat(pairs, ignore_index=True)
    if c.empty:
        return _empty_pairs()

    uname = u.frame["name_norm"].to_numpy()[c["u"].to_numpy()]
    rname = r.frame["name_norm"].to_numpy()[c["r"].to_numpy()]
    names = compare_names(
        pd.Series(uname, dtype=STR), pd.Series(rname, dtype=STR), nm.names, full_scores=False
    )
    keep = ~names["outcome"].isin([DIFFERENT, UNKNOWN]).to_numpy(dtype=bool)
    c = pd.concat([c[keep].reset_index(drop=True), names[keep].reset_index(drop=True)], axis=1)
    c = c.rename(
        columns={
            "outcome": "name_outcome",
            "signal": "name_signal",
            "pinyin_a": "a_pinyin",
            "pinyin_b": "b_pinyin",
        }
    )
    c = c.assign(edit="unrecoverable", pos1=0, pos2=0)
    c = pd.concat([c, _checks(u, r, c.assign(pos1=99))], axis=1)
    c = c[(c["county_check"] != "differ").to_numpy()].reset_index(drop=True)
    c["confidence"] = np.round(
        nm.edit_base["substitution"]
        * np.where(c["name_outcome"].to_numpy() == SAME, 1.0, nm.name_variant),
        3,
    )

    pairs_out = _pair_frame(u, r, c, "ID_UNRECOVERABLE")
    kept = rng["kept_digits"].to_numpy()[c["u"].to_numpy()]
    pairs_out["positions"] = ["1-" + str(k) for k in kept]
    best = pairs_out.sort_values(["a_key", "confidence"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates(["a_key", "b_id"])
    count_ids = best.groupby("a_key")["b_id"].transform("size").to_numpy()
    top = best[~best.duplicated("a_key")].copy()
    top["n_candidates"] = count_ids[~best.duplicated("a_key").to_numpy()]
    top["status"] = np.where(top["n_candidates"].to_numpy() == 1, PROBABLE, AMBIGUOUS)
    return _broadcast(top.reset_index(drop=True), rows, codes)


# ---------------------------------------------------------------- one person, two IDs


def _self_pairs(keys: np.ndarray) -> pd.DataFrame:
    """All (i, j), i < j, of rows sharing a key; cheap because few keys repeat."""
    dup = np.flatnonzero(pd.Series(keys).duplicated(keep=False).to_numpy())
    if len(dup) == 0:
        return pd.DataFrame({"i": [], "j": []}, dtype=np.int64)
    part = pd.DataFrame({"k": keys[dup], "i": dup})
    joined = part.merge(part.rename(columns={"i": "j"}), on="k")
    return joined.loc[joined["i"] < joined["j"], ["i", "j"]]


def find_duplicate_persons(
    records: pd.DataFrame,
    rules: NearMissRules | RulesFile | None = None,
    group: str | None = None,
    *,
    distinct: bool = False,
) -> pd.DataFrame:
    """DUPLICATE_PERSON: inside one source (rows sharing `group`, default the column
    'kind', else '_source'), the same name with IDs one edit apart (not identical IDs:
    those are duplicate records, nor rows already joined by the same `pid`, e.g. through
    a correct certificate number). County and birth-date columns, where present, must agree.

    Returns PAIR_COLUMNS, one row per pair: a = the row whose ID looks wrong (the one that
    fails the check; else the later row), b = the other.
    """
    nm = as_near_miss_rules(rules)
    if records.empty:
        return _empty_pairs()
    group = group or ("kind" if "kind" in records else "_source")
    # Repeated rows (a monthly payroll) carry the same form: the first row stands for all.
    key_cols = [c for c in (group, "id_clean", "id", "name_norm") if c in records]
    if not distinct:  # distinct=True: the caller already kept the first of each form
        records = records[~records.duplicated(key_cols).to_numpy()]
    forms = _written_forms(records)
    usable = (forms["form18"].notna() & _text(records, "name_norm").notna()).to_numpy()
    frame = records[usable]
    side = _side(
        pd.concat([forms[usable], frame[[c for c in _CARRIED if c in frame]]], axis=1).assign(
            id_status=_text(frame, "id_status"),
            b_key=frame.index.to_numpy(),
            id=forms["form18"][usable],
        ),
        forms["form18"][usable],
    )
    gcode = (pd.factorize(_text(frame, group).fillna(""))[0]).astype(np.uint64)
    ncode = pd.factorize(frame["name_norm"])[0].astype(np.uint64)
    salt = ncode * np.uint64(1_000_003) + gcode

    def keyed(code: np.ndarray, extra: int) -> np.ndarray:
        return (code.astype(np.uint64) * _MIX + salt) ^ np.uint64(extra)

    # Rows one edit apart agree on all but one digit (or one adjacent pair) of the first
    # 17, so on two of the parts 1-6 / 7-12 / 13-17, or, for a swap across a part border,
    # on everything but digits 6-7 or 12-13. Only rows that share one of these five keys
    # (with name and group) with another row can pair: the 34 keys below run on those.
    maybe = np.zeros(len(frame), dtype=bool)
    for i, skip in enumerate((range(12, 17), range(6, 12), range(0, 6), (5, 6), (11, 12))):
        value = _positional(side.m18[:, [c for c in range(17) if c not in skip]], 10)
        maybe |= pd.Series(keyed(value, 200 + i)).duplicated(keep=False).to_numpy()
    if not maybe.all():
        keep = np.flatnonzero(maybe)
        frame = frame.iloc[keep]
        side = _Side(
            side.frame.iloc[keep].reset_index(drop=True).assign(rid=np.arange(len(keep))),
            side.m18[keep],
            side.has18[keep],
            side.c17[keep],
        )
        salt = salt[keep]

    m = np.asfortranarray(side.m18, dtype=np.int64)  # column access below
    found = [_self_pairs(keyed(side.c17, 99))]
    for p in range(17):
        found.append(_self_pairs(keyed(side.c17 - m[:, p] * P10[p], p)))
    for k in range(16):  # a swap of digits k, k+1: key with those two digits sorted
        lo_d, hi_d = np.minimum(m[:, k], m[:, k + 1]), np.maximum(m[:, k], m[:, k + 1])
        ordered = side.c17 + (lo_d - m[:, k]) * P10[k] + (hi_d - m[:, k + 1]) * P10[k + 1]
        found.append(_self_pairs(keyed(ordered, 100 + k)))
    pairs = pd.concat(found, ignore_index=True).drop_duplicates()
    if pairs.empty:
        return _empty_pairs()

    # Verify what the hash only suggested: same group, same name, one edit apart.
    left, right = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    names = frame["name_norm"].to_numpy()
    groups = _text(frame, group).fillna("").to_numpy()
    ok = (names[left] == names[right]) & (groups[left] == groups[right])
    if "pid" in frame:  # already one person (e.g. through the certificate number)
        pid = _text(frame, "pid").fillna("").to_numpy(dtype=str)
        ok &= ~((pid[left] != "") & (pid[left] == pid[right]))
    pairs = pairs[ok]
    # Orient: a is the row whose ID fails the check, else the later row.
    bad = ~(side.frame["id_status"].to_numpy() == STATUS_OK)
    first, second = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    swap = bad[first] & ~bad[second]
    a = np.where(swap, first, second)
    b = np.where(swap, second, first)
    c = _classify18(side, side, pd.DataFrame({"u": a, "r": b}))
    c = c[c["edit"] != "upgrade_15"].reset_index(drop=True)
    if c.empty:
        return _empty_pairs()
    c = c.assign(
        name_outcome=SAME,
        name_signal="exact",
        char_score=1.0,
        pinyin_score=1.0,
        a_pinyin=None,
        b_pinyin=None,
    )
    c = pd.concat([c, _checks(side, side, c)], axis=1)
    c = c[~c["county_check"].isin(["differ"]) & ~c["birth_check"].isin(["differ"])]
    c = c.reset_index(drop=True)
    c["confidence"] = c["edit"].map(nm.edit_base).to_numpy(dtype=float)
    out = _pair_frame(side, side, c, "DUPLICATE_PERSON")
    out["status"] = LINKED
    out["n_candidates"] = 1
    keys = side.frame["b_key"].to_numpy()
    out["a_key"] = keys[c["u"].to_numpy()]
    out["a_id"] = side.frame["written"].to_numpy()[c["u"].to_numpy()]
    for col in ("_source", "_sheet", "_row"):
        out[f"a{col}"] = (
            side.frame[col].to_numpy()[c["u"].to_numpy()] if col in side.frame else pd.NA
        )
    out["b_id"] = side.frame["written"].to_numpy()[c["r"].to_numpy()]
    return out[PAIR_COLUMNS]
