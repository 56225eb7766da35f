"""Synthetic Chinese names, built as code-point matrices so millions cost milliseconds.

A name is a row of up to WIDTH code points (zero-padded), viewed as a numpy unicode
string. Each name has a traditional-character twin (OpenCC s2t per pool character, kept
only where t2s gives the character back), so rows can spell the same person either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import opencc

WIDTH = 8
MIDDLE_DOT = "\u00b7"

# Common surnames, roughly by frequency in Shanxi (weights fall off with rank).
SURNAMES = list(
    "王李张刘郭杨赵韩武贾梁陈任霍乔田段闫牛温薛裴卫宋高郝冯孙吴周马胡朱何罗董程曹"
    "袁许苏吕邓魏史侯孟白崔常康申秦姚石范樊兰雷翟耿尹阎郑"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "令狐", "尉迟", "皇甫", "诸葛"]
MALE_CHARS = list(
    "建国明伟强军平华志勇杰涛斌刚海峰波辉鹏磊林文武宏东生福贵忠德成龙虎兴旺宝山永春喜庆锁柱长保"
)
FEMALE_CHARS = list("秀英兰芳丽娟敏静霞红玲梅燕艳萍桂珍凤花琴莲玉翠云娥香爱美婷雪琳丹")
SHARED_CHARS = list("小晓金银新淑慧俊佳晨雨子亮")
# Minority names: given name, a middle dot, then the father's name.
DOTTED_FIRST = ["阿不都", "买买提", "热依拉", "古丽", "艾力", "努尔", "玉苏甫", "吐尔逊"]
DOTTED_SECOND = ["热合曼", "艾买提", "吐尔洪", "依明", "卡德尔", "麦麦提", "克里木", "沙吾提"]
# Characters outside GBK (CJK extension A/B): only Unicode files can carry them.
RARE_CHARS = ["㛃", "䶮", "𠈌"]
# Ways a middle dot gets typed (U+00B7 is the official one); GBK can hold only some.
DOT_VARIANTS = ["\u2022", "\u30fb", "\uff0e", "\u2027", "\u22c5", "."]
GBK_DOT_VARIANTS = ["\uff0e", "."]


@lru_cache(maxsize=1)
def _converters() -> tuple[opencc.OpenCC, opencc.OpenCC]:
    return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


def in_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def _trad_table() -> tuple[np.ndarray, np.ndarray]:
    """Sorted code points of pool characters and their traditional forms."""
    s2t, t2s = _converters()
    chars = sorted(
        set("".join(SURNAMES + COMPOUND_SURNAMES + MALE_CHARS + FEMALE_CHARS))
        | set("".join(SHARED_CHARS))
    )
    keys, vals = [], []
    for ch in chars:
        trad = s2t.convert(ch)
        if len(trad) == 1 and trad != ch and t2s.convert(trad) == ch:
            keys.append(ord(ch))
            vals.append(ord(trad))
    return np.array(keys, dtype=np.uint32), np.array(vals, dtype=np.uint32)


def to_traditional(matrix: np.ndarray) -> np.ndarray:
    """Map every code point that has a traditional twin; others are kept."""
    keys, vals = _trad_table()
    flat = matrix.ravel()
    pos = np.clip(np.searchsorted(keys, flat), 0, len(keys) - 1)
    hit = keys[pos] == flat
    out = flat.copy()
    out[hit] = vals[pos[hit]]
    return out.reshape(matrix.shape)


def _rows(texts: list[str]) -> np.ndarray:
    """(len(texts), WIDTH) code points, zero-padded."""
    out = np.zeros((len(texts), WIDTH), dtype=np.uint32)
    for i, text in enumerate(texts):
        out[i, : len(text)] = [ord(c) for c in text]
    return out


def text_of(matrix: np.ndarray) -> np.ndarray:
    """Code-point matrix -> numpy unicode strings (padding dropped)."""
    return np.ascontiguousarray(matrix, dtype=np.uint32).view(f"U{matrix.shape[1]}").ravel()


def surname_weights(n: int) -> np.ndarray:
    w = 1.0 / (np.arange(n) + 8.0)
    return w / w.sum()


def pick_surnames(rng: np.random.Generator, n: int, p_compound: float = 0.01) -> np.ndarray:
    """Surname codes: 0..len(SURNAMES)-1, then the compound surnames."""
    codes = rng.choice(len(SURNAMES), size=n, p=surname_weights(len(SURNAMES)))
    compound = rng.random(n) < p_compound
    codes[compound] = len(SURNAMES) + rng.integers(0, len(COMPOUND_SURNAMES), compound.sum())
    return codes


@dataclass(frozen=True)
class Names:
    matrix: np.ndarray  # (n, WIDTH) uint32 code points, simplified spelling
    dotted: np.ndarray  # bool: minority name with a middle dot
    two_chars: np.ndarray  # bool: surname + one character

    @property
    def simplified(self) -> np.ndarray:
        return text_of(self.matrix)

    @property
    def traditional(self) -> np.ndarray:
        return text_of(to_traditional(self.matrix))


def make_names(
    rng: np.random.Generator, male: np.ndarray, surname: np.ndarray, dotted: np.ndarray
) -> Names:
    """Names for people of the given sex and surname code; `dotted` people get a minority
    name instead (their surname code is ignored)."""
    n = len(male)
    rows = np.arange(n)
    surnames = _rows(SURNAMES + COMPOUND_SURNAMES)
    sur_len = (surnames[surname] > 0).sum(axis=1)
    out = np.zeros((n, WIDTH), dtype=np.uint32)
    out[:, :2] = surnames[surname, :2]

    # Given names: one or two characters from the pool matching the sex.
    male_pool = np.array([ord(c) for c in MALE_CHARS + SHARED_CHARS], dtype=np.uint32)
    female_pool = np.array([ord(c) for c in FEMALE_CHARS + SHARED_CHARS], dtype=np.uint32)
    for offset in (0, 1):
        picked = np.where(
            male,
            male_pool[rng.integers(0, len(male_pool), n)],
            female_pool[rng.integers(0, len(female_pool), n)],
        )
        out[rows, sur_len + offset] = picked
    one_char = rng.random(n) < 0.28
    out[rows[one_char], sur_len[one_char] + 1] = 0

    # Minority names replace the whole row.
    first = rng.integers(0, len(DOTTED_FIRST), n)
    second = rng.integers(0, len(DOTTED_SECOND), n)
    combos = _rows([f + MIDDLE_DOT + s for f in DOTTED_FIRST for s in DOTTED_SECOND])
    dotted = np.asarray(dotted, dtype=bool)
    out[dotted] = combos[(first * len(DOTTED_SECOND) + second)[dotted]]
    two = one_char & ~dotted & (sur_len == 1)
    return Names(out, dotted, two)


def with_rare_char(matrix: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> None:
    """Replace (in place) the last character of the chosen names by one outside GBK."""
    idx = np.flatnonzero(which)
    last = (matrix[idx] > 0).sum(axis=1) - 1
    rare = np.array([ord(c) for c in RARE_CHARS], dtype=np.uint32)
    matrix[idx, last] = rare[rng.integers(0, len(rare), len(idx))]
