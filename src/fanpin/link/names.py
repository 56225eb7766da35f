"""Chinese name comparison: same / variant / different, and which signal decided.

Inputs are names already passed through `fanpin.normalize.names.normalize_names`, so
format-only differences (spaces, full-width forms, dot variants, traditional characters)
are gone. Equal pairs are settled with `==`; only the differing pairs are scored:

- char_score: rapidfuzz Indel similarity of the characters (middle dots ignored; when both
  names are dotted minority names, their parts are aligned in whichever order scores
  better, so 热合曼·阿不都 lines up with 阿不都·热合曼).
- pinyin_score: the same similarity over tone-less pinyin syllables, one token per
  syllable, maximised over the heteronym readings of every character (pypinyin), so
  晓/小 or 单(shan)/善 count as the same sound.

Decision, first rule that fires (thresholds per name length from [linking.names]):
exact -> same; "dot" (equal once dots are dropped) -> same; "order" (dotted parts
reordered) -> variant; "char" (char_score >= char_variant: one character dropped or
added) -> variant; "pinyin" (pinyin_score >= pinyin_variant and char_score >= char_floor:
one homophone) -> variant; "lookalike" (one character replaced by a look-alike listed in
schemas/lookalike_chars.txt) -> variant; otherwise "scores" -> different.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pypinyin import Style, pinyin
from rapidfuzz import process
from rapidfuzz.distance import Indel

from fanpin.errors import ErrorCode, InputError
from fanpin.resources import schema_file
from fanpin.rules import RulesFile, load_rules

STR = pd.StringDtype("pyarrow")
DOT = "\u00b7"

SAME = "same"
VARIANT = "variant"
DIFFERENT = "different"
UNKNOWN = "unknown"  # one side has no name

SIGNALS_CN = {
    "exact": "姓名完全相同",
    "dot": "仅间隔号“·”有无不同",
    "order": "少数民族姓名各段顺序不同",
    "char": "字形相似度达到阈值（多一字或少一字）",
    "pinyin": "读音相同或相近（同音字）",
    "lookalike": "一字为形近字",
    "scores": "字形与读音相似度均未达阈值",
    "missing": "缺少姓名",
}
OUTCOMES_CN = {SAME: "相同", VARIANT: "写法略有不同", DIFFERENT: "不同", UNKNOWN: "无法判断"}

RESULT_COLUMNS = [
    "outcome",
    "signal",
    "char_score",
    "pinyin_score",
    "pinyin_a",
    "pinyin_b",
    "lookalike",
]


@dataclass(frozen=True)
class LengthThresholds:
    """Thresholds for one name-length class (the longer name's length, dots excluded)."""

    char_variant: float  # char_score at or above: variant on characters alone
    pinyin_variant: float  # pinyin_score at or above (with char_floor): variant by sound
    char_floor: float  # least char_score for the pinyin rule


@dataclass(frozen=True)
class NameRules:
    by_length: dict[int, LengthThresholds]  # keys 2, 3, 4 (4 stands for four or more)
    max_readings: int  # reading combinations tried per name (heteronyms)
    fuzzy_initials: tuple[tuple[str, str], ...]
    fuzzy_finals: tuple[tuple[str, str], ...]
    lookalike_path: Path

    def thresholds(self, length: int) -> LengthThresholds:
        return self.by_length[min(max(length, 2), 4)]


# ---------------------------------------------------------------- rules


def _bad(message: str) -> InputError:
    return InputError.single(ErrorCode.BAD_RULES, message)


def _unit(section: dict[str, Any], key: str, where: str) -> float:
    value = section.get(key)
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _bad(f"规则文件 [{where}] 中 {key} 应为 0 到 1 之间的数")
    return float(value)


def _pairs(section: dict[str, Any], key: str, where: str) -> tuple[tuple[str, str], ...]:
    value = section.get(key, [])
    ok = isinstance(value, list) and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s for s in p)
        for p in value
    )
    if not ok:
        raise _bad(f'规则文件 [{where}] 中 {key} 应写成 [["zh", "z"], …]')
    return tuple((str(a), str(b)) for a, b in value)


def parse_name_rules(rules: RulesFile) -> NameRules:
    """Read [linking.names] and [linking.names.len2/len3/len4]; errors name the key."""
    top = rules.section("linking.names")
    by_length = {}
    for n in (2, 3, 4):
        where = f"linking.names.len{n}"
        sec = rules.section(where)
        by_length[n] = LengthThresholds(
            char_variant=_unit(sec, "char_variant", where),
            pinyin_variant=_unit(sec, "pinyin_variant", where),
            char_floor=_unit(sec, "char_floor", where),
        )
    max_readings = top.get("max_reading_combinations", 16)
    if not isinstance(max_readings, int) or max_readings < 1:
        raise _bad("规则文件 [linking.names] 中 max_reading_combinations 应为正整数")
    lookalike = top.get("lookalike_file", "lookalike_chars.txt")
    if not isinstance(lookalike, str):
        raise _bad("规则文件 [linking.names] 中 lookalike_file 应为文件名")
    path = Path(lookalike)
    if not path.is_absolute():
        # Relative names are looked up beside the rules file, then among fanpin's schemas.
        beside = rules.path.parent / path
        path = beside if beside.is_file() else schema_file(lookalike)
    return NameRules(
        by_length=by_length,
        max_readings=max_readings,
        fuzzy_initials=_pairs(top, "fuzzy_initials", "linking.names"),
        fuzzy_finals=_pairs(top, "fuzzy_finals", "linking.names"),
        lookalike_path=path,
    )


def as_name_rules(rules: NameRules | RulesFile | None) -> NameRules:
    if isinstance(rules, NameRules):
        return rules
    return parse_name_rules(rules if rules is not None else load_rules())


# ---------------------------------------------------------------- look-alike table


@lru_cache(maxsize=8)
def lookalike_pairs(path: Path) -> frozenset[str]:
    """Two-character keys (sorted) of every look-alike pair in the table file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError.single(
            ErrorCode.FILE_NOT_FOUND, "无法读取形近字表", file=path.name
        ) from exc
    keys: set[str] = set()
    for line in text.splitlines():
        chars = sorted(set("".join(line.split("#", 1)[0].split())))
        keys.update(a + b for a, b in itertools.combinations(chars, 2))
    return frozenset(keys)


# ---------------------------------------------------------------- pinyin


@cache
def _readings(char: str) -> tuple[str, ...]:
    """Tone-less readings of one character, heteronyms included, in pypinyin's order."""
    if char == DOT:
        return ()
    got = pinyin(char, style=Style.NORMAL, heteronym=True, errors="default")
    seen = dict.fromkeys(r for group in got for r in group if r)
    return tuple(seen) or (char,)


def _fold(
    syllable: str, initials: tuple[tuple[str, str], ...], finals: tuple[tuple[str, str], ...]
) -> str:
    """Apply fuzzy-pinyin merges (e.g. zh=z, ing=in) so dialect near-homophones meet."""
    for old, new in initials:
        if syllable.startswith(old):
            syllable = new + syllable[len(old) :]
            break
    for old, new in finals:
        if syllable.endswith(old):
            syllable = syllable[: -len(old)] + new
            break
    return syllable


class _Tokens:
    """Maps each syllable to one private-use character so edit distance counts syllables."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def __call__(self, syllable: str) -> str:
        code = self.codes.get(syllable)
        if code is None:
            code = chr(0xF0000 + len(self.codes))  # plane 15 private use: never in a name
            self.codes[syllable] = code
        return code


_TOKENS = _Tokens()


def _combinations(name: str, rules: NameRules) -> list[tuple[str, str]]:
    """(token string, readable pinyin) for each reading combination, capped in number."""
    per_char = []
    for char in name:
        readings = [_fold(r, rules.fuzzy_initials, rules.fuzzy_finals) for r in _readings(char)]
        if readings:
            per_char.append(list(dict.fromkeys(readings)))
    # Keep the product under the cap by dropping alternative readings from the end.
    total = int(np.prod([len(r) for r in per_char])) if per_char else 1
    for i in range(len(per_char) - 1, -1, -1):
        if total <= rules.max_readings:
            break
        total //= len(per_char[i])
        per_char[i] = per_char[i][:1]
    out = []
    for combo in itertools.product(*per_char):
        out.append(("".join(_TOKENS(s) for s in combo), " ".join(combo)))
    return out


def pinyin_text(names: pd.Series) -> pd.Series:
    """Readable tone-less pinyin (first reading of each character), for evidence sheets."""
    uniques = names.dropna().unique()
    mapping = {n: " ".join(r[0] for r in map(_readings, n) if r) for n in uniques}
    return names.map(mapping).astype(STR)


def _pinyin_scores(a: pd.Series, b: pd.Series, rules: NameRules) -> pd.DataFrame:
    """Best syllable similarity over reading combinations, and the readings that gave it."""
    pairs = pd.DataFrame({"pair": np.arange(len(a)), "a": a.to_numpy(), "b": b.to_numpy()})
    names = pd.unique(np.concatenate([pairs["a"].to_numpy(), pairs["b"].to_numpy()]))
    # One Python call per distinct name (not per row); characters are cached.
    rows = [(n, tok, text) for n in names for tok, text in _combinations(str(n), rules)]
    combos = pd.DataFrame(rows, columns=["name", "tok", "text"])
    exploded = pairs.merge(combos, left_on="a", right_on="name").merge(
        combos, left_on="b", right_on="name", suffixes=("_a", "_b")
    )
    exploded["score"] = process.cpdist(
        exploded["tok_a"].tolist(), exploded["tok_b"].tolist(), scorer=Indel.normalized_similarity
    )
    best = exploded.sort_values(["pair", "score"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates("pair").set_index("pair").reindex(pairs["pair"])
    return pd.DataFrame(
        {
            "pinyin_score": best["score"].to_numpy(dtype=float),
            "pinyin_a": best["text_a"].to_numpy(),
            "pinyin_b": best["text_b"].to_numpy(),
        }
    )


# ---------------------------------------------------------------- comparison


def _ordered_parts(names: pd.Series) -> pd.Series:
    """Dotted names with their parts sorted, so part order does not affect the score.

    Called only on the few differing pairs where both names carry a dot.
    """
    return names.map(lambda n: DOT.join(sorted(n.split(DOT)))).astype(STR)


def _reversed_parts(names: pd.Series) -> pd.Series:
    """Dotted names with their parts in reverse order (few rows: both names dotted)."""
    return names.map(lambda n: DOT.join(reversed(n.split(DOT)))).astype(STR)


def _single_swap_lookalike(a: pd.Series, b: pd.Series, table: frozenset[str]) -> np.ndarray:
    """Equal length, exactly one position differs, and that pair is in the look-alike table."""
    same_len = (a.str.len() == b.str.len()).to_numpy(dtype=bool)
    out = np.zeros(len(a), dtype=bool)
    if not same_len.any() or not table:
        return out
    sa, sb = a[same_len], b[same_len]
    width = int(sa.str.len().max())
    diffs = np.zeros(len(sa), dtype=np.int64)
    key = pd.Series(pd.NA, index=sa.index, dtype=STR)
    for i in range(width):  # a handful of positions, each vectorised over all pairs
        ca, cb = sa.str.get(i), sb.str.get(i)
        differ = (ca != cb).fillna(False).to_numpy(dtype=bool)
        diffs += differ
        pair = ca.where(ca < cb, cb) + cb.where(ca < cb, ca)
        key = key.mask(differ, pair)
    hit = (diffs == 1) & key.isin(table).fillna(False).to_numpy(dtype=bool)
    out[np.flatnonzero(same_len)[hit]] = True
    return out


def compare_names(
    a: pd.Series,
    b: pd.Series,
    rules: NameRules | RulesFile | None = None,
    *,
    full_scores: bool = True,
) -> pd.DataFrame:
    """Compare normalised names pairwise (a[i] with b[i]).

    Returns a frame on a's index with columns outcome (same | variant | different |
    unknown), signal (exact | dot | order | char | pinyin | lookalike | scores | missing),
    char_score and pinyin_score in [0, 1] (1.0 for equal names, NaN when a name is
    missing), pinyin_a and pinyin_b (the readings compared; NA for equal names), and
    lookalike (one character replaced by a listed look-alike, whichever rule decided).
    With full_scores=False the pinyin score is computed only where it can still change
    the outcome (char_score at least the floor), which is what bulk callers need.
    """
    if len(a) != len(b):
        raise ValueError("compare_names needs two series of equal length")
    nr = as_name_rules(rules)
    index = a.index
    a = a.astype(STR).reset_index(drop=True)
    b = b.astype(STR).reset_index(drop=True)
    n = len(a)
    outcome = np.full(n, DIFFERENT, dtype=object)
    signal = np.full(n, "scores", dtype=object)
    char_score = np.full(n, np.nan)
    pinyin_score = np.full(n, np.nan)
    pin_a = np.full(n, None, dtype=object)
    pin_b = np.full(n, None, dtype=object)
    look = np.zeros(n, dtype=bool)

    # Step 1: missing and equal names need no scoring.
    missing = (a.isna() | b.isna()).to_numpy(dtype=bool)
    equal = (a == b).fillna(False).to_numpy(dtype=bool) & ~missing
    outcome[missing], signal[missing] = UNKNOWN, "missing"
    outcome[equal], signal[equal] = SAME, "exact"
    char_score[equal] = pinyin_score[equal] = 1.0
    todo = np.flatnonzero(~missing & ~equal)
    if len(todo):
        found = _score_differing(a.iloc[todo], b.iloc[todo], nr, full_scores)
        outcome[todo], signal[todo] = found["outcome"], found["signal"]
        char_score[todo], pinyin_score[todo] = found["char_score"], found["pinyin_score"]
        pin_a[todo], pin_b[todo] = found["pinyin_a"], found["pinyin_b"]
        look[todo] = found["lookalike"]

    return pd.DataFrame(
        {
            "outcome": pd.array(outcome, dtype=STR),
            "signal": pd.array(signal, dtype=STR),
            "char_score": char_score,
            "pinyin_score": pinyin_score,
            "pinyin_a": pd.array(pin_a, dtype=STR),
            "pinyin_b": pd.array(pin_b, dtype=STR),
            "lookalike": look,
        },
        index=index,
    )


def _score_differing(
    a: pd.Series, b: pd.Series, nr: NameRules, full_scores: bool
) -> dict[str, np.ndarray]:
    """Outcome, signal, scores and readings for pairs that are known to differ."""
    # Step 2: format differences left after normalisation: dots and part order.
    bare_a, bare_b = a.str.replace(DOT, "", regex=False), b.str.replace(DOT, "", regex=False)
    dot_only = (bare_a == bare_b).fillna(False).to_numpy(dtype=bool)
    both_dotted = (a.str.contains(DOT, regex=False) & b.str.contains(DOT, regex=False)).to_numpy(
        dtype=bool
    )
    cmp_a, cmp_b = bare_a.copy(), bare_b.copy()
    reordered = np.zeros(len(a), dtype=bool)
    chars = np.asarray(
        process.cpdist(cmp_a.tolist(), cmp_b.tolist(), scorer=Indel.normalized_similarity),
        dtype=float,
    )
    if both_dotted.any():
        sub_a, sub_b = a[both_dotted], b[both_dotted]
        reordered[both_dotted] = (
            (_ordered_parts(sub_a) == _ordered_parts(sub_b)).fillna(False).to_numpy(dtype=bool)
        )
        # Part order is free: align b's parts the other way round where that scores better.
        flipped = _reversed_parts(sub_b).str.replace(DOT, "", regex=False)
        alt = np.asarray(
            process.cpdist(
                cmp_a[both_dotted].tolist(), flipped.tolist(), scorer=Indel.normalized_similarity
            ),
            dtype=float,
        )
        better = alt > chars[both_dotted]
        rows = np.flatnonzero(both_dotted)[better]
        values = cmp_b.to_numpy(dtype=object)
        values[rows] = flipped.to_numpy(dtype=object)[better]
        cmp_b = pd.Series(values, index=cmp_b.index, dtype=STR)
        chars[rows] = alt[better]
    reordered &= ~dot_only

    # Step 3: pinyin only where it could still decide.
    length = np.maximum(cmp_a.str.len().to_numpy(), cmp_b.str.len().to_numpy()).astype(int)
    cls = np.clip(length, 2, 4)
    char_variant = _per_class(nr, cls, "char_variant")
    pinyin_variant = _per_class(nr, cls, "pinyin_variant")
    floor = _per_class(nr, cls, "char_floor")
    by_char = chars >= char_variant
    pins = np.full(len(a), np.nan)
    pa_text = np.full(len(a), None, dtype=object)
    pb_text = np.full(len(a), None, dtype=object)
    need = ~dot_only & ~reordered
    if not full_scores:
        need &= chars >= floor
    if need.any():
        scored = _pinyin_scores(cmp_a[need], cmp_b[need], nr)
        pins[need] = scored["pinyin_score"].to_numpy()
        pa_text[need] = scored["pinyin_a"].to_numpy()
        pb_text[need] = scored["pinyin_b"].to_numpy()
    by_pinyin = (np.nan_to_num(pins) >= pinyin_variant) & (chars >= floor)
    by_look = _single_swap_lookalike(cmp_a, cmp_b, lookalike_pairs(nr.lookalike_path))

    # Step 4: first rule that fires decides.
    sig = np.select(
        [dot_only, reordered, by_char, by_pinyin, by_look],
        ["dot", "order", "char", "pinyin", "lookalike"],
        default="scores",
    )
    out = np.where(sig == "dot", SAME, np.where(sig == "scores", DIFFERENT, VARIANT))
    chars[dot_only | reordered] = 1.0
    pins[dot_only | reordered] = 1.0
    return {
        "outcome": out,
        "signal": sig,
        "char_score": chars,
        "pinyin_score": pins,
        "pinyin_a": pa_text,
        "pinyin_b": pb_text,
        "lookalike": by_look,
    }


def _per_class(nr: NameRules, cls: np.ndarray, field: str) -> np.ndarray:
    table = np.array([0.0, 0.0] + [getattr(nr.by_length[k], field) for k in (2, 3, 4)])
    return table[cls]


def name_conflicts(
    records: pd.DataFrame,
    key: str = "pid",
    rules: NameRules | RulesFile | None = None,
) -> pd.DataFrame:
    """Rows whose name differs from the first row sharing their `key` (e.g. the same ID).

    The first row of each key (in the frame's order: put the DPF first) is the reference.
    Returns one row per differing record: a_index (the differing row's index label),
    b_index (the reference row's), both names, and the compare_names columns.
    """
    keyed = records[records[key].notna() & records["name_norm"].notna()]
    groups = keyed.assign(_pos=np.arange(len(keyed))).groupby(key, sort=False)
    first_pos = groups["_pos"].transform("first").to_numpy()
    first_name = keyed["name_norm"].to_numpy()[first_pos]
    differ = (keyed["name_norm"].to_numpy() != first_name) & pd.notna(first_name)
    rows = keyed[differ]
    refs = pd.Series(first_name[differ], index=rows.index, dtype=STR)
    result = compare_names(rows["name_norm"], refs, rules)
    result.insert(0, "a_index", rows.index.to_numpy())
    result.insert(1, "b_index", keyed.index.to_numpy()[first_pos[differ]])
    result.insert(2, "a_name", rows["name_norm"].to_numpy())
    result.insert(3, "b_name", refs.to_numpy())
    return result.reset_index(drop=True)
