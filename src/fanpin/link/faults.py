"""Planted faults for measuring the linker: ID typos of every kind and name variants.

ID faults work on (n, 18) ASCII matrices (fanpin.samples.idgen), so 100,000 of them cost a
few numpy operations. Name faults are per name in Python: the eval plants a few thousand.
Each fault says what the linker should conclude, so the harness can score it.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
from pypinyin import Style, pinyin
from rapidfuzz.distance import Levenshtein

from fanpin.link.names import lookalike_pairs
from fanpin.resources import schema_file
from fanpin.samples import idgen
from fanpin.samples.names import DOTTED_FIRST, DOTTED_SECOND

# ID fault kinds and the edit the linker should report for each.
ID_FAULTS = {
    "substitution": "substitution",  # one digit wrong, check char as originally written
    "substitution_valid": "substitution",  # one digit wrong, check recomputed (passes)
    "transposition": "transposition",  # two adjacent digits swapped
    "check_wrong": "check_char",
    "check_dropped": "check_char",  # 17 characters
    "digit_dropped": "deletion",  # a digit inside the first 17 missing
    "digit_added": "insertion",  # 19 characters
    "old_15_typo": "substitution",  # 15-digit form with one digit wrong
}


def _other_digit(d: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A different ASCII digit for each ASCII digit given."""
    return (((d.astype(np.int64) - 48) + rng.integers(1, 10, len(d))) % 10 + 48).astype(np.uint8)


def typo_ids(m18: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """The IDs in `m18` as written with one fault of `kind` (numpy str array).

    transposition picks a position whose two digits differ, so the swap is visible.
    old_15_typo needs people born in the 1900s.
    """
    m = m18.copy()
    n, rows = len(m), np.arange(len(m))
    if kind in ("substitution", "substitution_valid"):
        p = rng.integers(0, 17, n)
        m[rows, p] = _other_digit(m[rows, p], rng)
        if kind == "substitution_valid":
            m[:, 17] = idgen.check_chars(m[:, :17])
        return idgen.as_text(m)
    if kind == "transposition":
        differ = m[:, :-1] != m[:, 1:]
        # Random position among those whose neighbour differs (one always exists here).
        score = np.where(differ, rng.random(differ.shape), -1.0)
        p = score.argmax(axis=1)
        m[rows, p], m[rows, p + 1] = m18[rows, p + 1], m18[rows, p]
        return idgen.as_text(m)
    if kind == "check_wrong":
        right = m[:, 17]
        digit = np.where(right == ord("X"), np.uint8(48), right)
        m[:, 17] = _other_digit(digit, rng)
        return idgen.as_text(m)
    if kind == "check_dropped":
        return idgen.as_text(np.ascontiguousarray(m[:, :17]))
    if kind == "digit_dropped":
        p = rng.integers(0, 17, n)
        keep = np.arange(18)[None, :] != p[:, None]
        return idgen.as_text(m[keep].reshape(n, 17))
    if kind == "digit_added":
        p = rng.integers(0, 18, n)
        out = np.empty((n, 19), dtype=np.uint8)
        cols = np.arange(19)[None, :]
        src = np.where(cols < p[:, None], cols, cols - 1)
        out[:] = m[rows[:, None], np.clip(src, 0, 17)]
        out[rows, p] = rng.integers(48, 58, n).astype(np.uint8)
        return idgen.as_text(out)
    if kind == "old_15_typo":
        old = idgen.old_form(m)
        p = rng.integers(0, 15, n)
        old[rows, p] = _other_digit(old[rows, p], rng)
        return idgen.as_text(np.ascontiguousarray(old))
    raise ValueError(f"unknown ID fault {kind!r}")


def float_damaged(ids: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """How a spreadsheet shows an all-digit ID stored as a number, with `digits`
    significant digits: 15 = Excel (digits past the 15th become zeros), 16 = a float
    printed in full, fewer = a General-format cell exported as shown ('1.40105E+17')."""
    out = []
    for text, k in zip(ids, digits, strict=True):  # a few thousand in the eval
        k = int(k)
        value = float(int(text[:15]) * 1000) if k == 15 else float(int(text))
        shown = f"{value:.{k - 1}e}"
        out.append(shown.upper() if k < 15 else shown)
    return np.array(out)


# ---------------------------------------------------------------- names


@cache
def common_chars() -> tuple[str, ...]:
    """GB 2312 level-1 characters (the 3,755 commonest), from the codec itself."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return tuple(chars)


@cache
def _readings(char: str) -> frozenset[str]:
    return frozenset(r for g in pinyin(char, style=Style.NORMAL, heteronym=True) for r in g)


@cache
def homophones() -> dict[str, tuple[str, ...]]:
    """For each common character, the other common characters sharing its main reading."""
    by_sound: dict[str, list[str]] = {}
    for ch in common_chars():
        main = pinyin(ch, style=Style.NORMAL)[0][0]
        by_sound.setdefault(main, []).append(ch)
    return {
        ch: tuple(o for o in by_sound[pinyin(ch, style=Style.NORMAL)[0][0]] if o != ch)
        for ch in common_chars()
    }


@cache
def lookalikes() -> dict[str, tuple[str, ...]]:
    partners: dict[str, set[str]] = {}
    for key in lookalike_pairs(schema_file("lookalike_chars.txt")):
        a, b = key[0], key[1]
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    return {k: tuple(sorted(v)) for k, v in partners.items()}


def _sound_apart(a: str, b: str) -> bool:
    return not (_readings(a) & _readings(b))


def _look_apart(a: str, b: str) -> bool:
    return b not in lookalikes().get(a, ())


# Name variant kinds -> outcome the linker should give (see expected_outcome for the two
# kinds whose answer depends on the name's length).
NAME_FAULTS = {
    "homophone": "variant",
    "lookalike": "variant",
    "dropped": "variant",
    "added": "variant",
    "order": "variant",
    "dot_style": "same",
    "different": "different",  # another person's name
    "one_char_other": "different",  # one character neither alike in sound nor in shape
    "two_homophones": "different",  # two characters swapped for homophones
    "same_surname": "different",  # another person's given name under the same surname
    "other_part": "different",  # minority name: one part is another person's
}
SHORT = 3  # names of up to three characters (dots excluded) are "short"


def expected_outcome(fault: str, name: str, varied: str) -> str:
    """What the linker should say about `name` written as `varied` after `fault`.

    Policy (fanpin's, stated here because the labels encode it): in a short name (up to
    three characters) one unrelated character or two homophones make a different name.
    In a longer name (mostly transliterated minority names, whose spellings vary) one
    differing character of any kind, or characters that only change the spelling of the
    same sounds, leave it likely the same person; more than that is a different name.
    """
    bare_a, bare_b = name.replace("\u00b7", ""), varied.replace("\u00b7", "")
    if max(len(bare_a), len(bare_b)) <= SHORT or fault in ("dot_style", "order"):
        return NAME_FAULTS[fault]
    if Levenshtein.distance(bare_a, bare_b) <= 1 or fault == "two_homophones":
        return "variant"
    return NAME_FAULTS[fault]


def vary_name(name: str, kind: str, rng: np.random.Generator, others: np.ndarray) -> str | None:
    """`name` with one fault of `kind`, or None when the name does not allow it."""
    dot = "\u00b7"
    body = [i for i, c in enumerate(name) if c != dot]
    given = body[1:] if len(body) > 1 else body
    if kind == "homophone":
        options = [(i, h) for i in given for h in homophones().get(name[i], ())]
    elif kind == "lookalike":
        options = [(i, h) for i in body for h in lookalikes().get(name[i], ())]
    elif kind == "two_homophones":
        options2 = [
            (i, h, j, g)
            for i, j in itertools.combinations(body, 2)
            for h in homophones().get(name[i], ())[:3]
            for g in homophones().get(name[j], ())[:3]
        ]
        if not options2:
            return None
        i, h, j, g = options2[int(rng.integers(0, len(options2)))]
        chars = list(name)
        chars[i], chars[j] = h, g
        return "".join(chars)
    elif kind == "one_char_other":
        pool = common_chars()
        picks = [pool[j] for j in rng.integers(0, len(pool), 40)]
        options = [
            (i, h)
            for i, h in itertools.product(given, picks)
            if h != name[i] and _sound_apart(name[i], h) and _look_apart(name[i], h)
        ]
    elif kind == "dropped":
        if len(body) < 3 or dot in name:
            return None
        i = given[int(rng.integers(0, len(given)))]
        return name[:i] + name[i + 1 :]
    elif kind == "added":
        if len(body) != 2:
            return None
        pool = common_chars()
        return name + pool[int(rng.integers(0, len(pool)))]
    elif kind == "order":
        if name.count(dot) != 1:
            return None
        first, second = name.split(dot)
        return second + dot + first
    elif kind == "dot_style":
        if dot not in name:
            return None
        style = ["\u2022", "\u30fb", "\uff0e", "\u2027", "\u22c5", "."][int(rng.integers(0, 6))]
        return name.replace(dot, style)
    elif kind == "different":
        for _ in range(20):
            other = str(others[int(rng.integers(0, len(others)))])
            if other[0] != name[0] and other != name:
                return other
        return None
    elif kind == "same_surname":
        if dot in name or len(body) < 2:
            return None
        for _ in range(40):
            other = str(others[int(rng.integers(0, len(others)))])
            if dot in other or len(other) < 2 or other[1:] == name[1:]:
                continue
            # A given name of the same length that differs in every character.
            given_old, given_new = name[1:], other[1:]
            if len(given_new) == len(given_old) and all(
                x != y for x, y in zip(given_new, given_old, strict=True)
            ):
                return name[0] + given_new
        return None
    elif kind == "other_part":
        if name.count(dot) != 1:
            return None
        first, second = name.split(dot)
        parts = [p for p in DOTTED_SECOND + DOTTED_FIRST if p not in (first, second)]
        keep_first = bool(rng.integers(0, 2))
        new = parts[int(rng.integers(0, len(parts)))]
        return first + dot + new if keep_first else new + dot + second
    else:
        raise ValueError(f"unknown name fault {kind!r}")
    if not options:
        return None
    i, h = options[int(rng.integers(0, len(options)))]
    return name[:i] + h + name[i + 1 :]
