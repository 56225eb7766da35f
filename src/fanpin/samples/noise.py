"""Harmless damage: ways IDs and names get written that the normalisers must undo, so none
of it may produce a finding. Every form is given to an exact number of rows per file
(seeded), and the form each row got is kept in the table (id_noise / name_noise).
"""

from __future__ import annotations

import numpy as np

from fanpin.samples import idgen
from fanpin.samples.names import (
    DOT_VARIANTS,
    GBK_DOT_VARIANTS,
    MIDDLE_DOT,
    text_of,
    to_traditional,
)
from fanpin.samples.people import Population
from fanpin.samples.tables import Table

SD = np.dtypes.StringDType()

ID_FORMS = {
    1: "前导撇号（'1401…）",
    2: "号码中间有空格",
    3: "全角数字",
    4: "末位小写x",
    5: "含零宽字符（U+200B）",
    6: "15位旧身份证号",
    7: "15位旧号存成数字（CSV中为末尾带“.0”的文本）",
}
NAME_FORMS = {1: "繁体字", 2: "间隔点写法不同", 3: "两字姓名中间加空格"}

ZERO_WIDTH = "\u200b"
FULLWIDTH_SHIFT = 0xFEE0  # '0' (U+0030) -> '０' (U+FF10), 'X' -> 'Ｘ'


def _count(n_rows: int, share: float) -> int:
    return max(1, round(n_rows * share)) if n_rows else 0


def _choose(rng: np.random.Generator, mask: np.ndarray, k: int) -> np.ndarray:
    idx = np.flatnonzero(mask)
    return np.sort(rng.choice(idx, size=min(k, len(idx)), replace=False))


def fullwidth(ids: np.ndarray) -> np.ndarray:
    """18-character ASCII IDs in full-width forms (NFKC maps them back)."""
    codes = np.ascontiguousarray(ids, dtype="U18").view(np.uint32).reshape(len(ids), 18)
    return (codes + FULLWIDTH_SHIFT).view("U18").ravel()


def id_form(form: int, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Clean 18-character IDs written in one of the harmless ways 1-5."""
    s = np.asarray(ids, dtype="U18").astype(SD)
    if form == 1:
        return np.strings.add("'", s)
    if form == 2:
        head, mid, tail = (np.strings.slice(s, a, b) for a, b in ((0, 6), (6, 14), (14, 18)))
        return np.strings.add(
            np.strings.add(head, " "), np.strings.add(np.strings.add(mid, " "), tail)
        )
    if form == 3:
        return fullwidth(ids).astype(SD)
    if form == 4:
        return np.strings.lower(s)
    if form == 5:
        cut = rng.integers(1, 18, len(s))
        head, tail = np.strings.slice(s, 0, cut), np.strings.slice(s, cut, 18)
        return np.strings.add(np.strings.add(head, ZERO_WIDTH), tail)
    raise ValueError(f"not a text form: {form}")


def old15(ids: np.ndarray) -> np.ndarray:
    return idgen.as_text(idgen.old_form(idgen.to_matrix(ids, 18)))


def add_id_noise(
    pop: Population,
    table: Table,
    share: float,
    rng: np.random.Generator,
    numeric_files: set[str],
    gbk_files: set[str],
) -> None:
    """Give each harmless form to `share` of every file's rows (at least one row each)."""
    pid = table.num("pid")
    planted = table.num("planted")
    noise = table.num("id_noise")
    files = table.num("file")
    can15 = pop.people["can15"][pid]
    ends_x = pop.people["id"][pid, 17] == ord("X")
    for code, label in enumerate(table.labels["file"]):
        name = str(label)
        in_file = files == code
        for form in ID_FORMS:
            if form == 5 and name in gbk_files:
                continue  # GBK has no zero-width space
            ok = in_file & ~planted & (noise == 0)
            if form == 4:
                ok &= ends_x
            if form in (6, 7):
                ok &= can15
            rows = _choose(rng, ok, _count(int(in_file.sum()), share))
            if len(rows) == 0:
                continue
            ids = idgen.as_text(pop.people["id"][pid[rows]])
            noise[rows] = form
            if form == 6:
                table.set_texts("id_text", rows, old15(ids))
            elif form == 7 and name in numeric_files:
                old = old15(ids)
                table.set_texts("id_text", rows, old)  # how a reader renders the number
                table.num("id_num")[rows] = old.astype(np.float64)
            elif form == 7:
                table.set_texts("id_text", rows, np.char.add(old15(ids), ".0"))
            else:
                table.set_texts("id_text", rows, id_form(form, ids, rng).tolist())


def add_head_id_noise(table: Table, share: float, rng: np.random.Generator) -> None:
    """户主身份证号 columns get the simple forms too (apostrophe, spaces, full-width)."""
    n = len(table)
    touched = np.zeros(n, dtype=bool)
    for form in (1, 2, 3):
        rows = _choose(rng, ~touched, _count(n, share))
        touched[rows] = True
        current = np.array(table.texts("head_id_text", rows), dtype="U32")
        plain = np.strings.str_len(current) == 18
        rows, current = rows[plain], current[plain]
        table.set_texts("head_id_text", rows, id_form(form, current, rng).tolist())


def _has_traditional(pop: Population) -> np.ndarray:
    """People whose name has a distinct traditional spelling (computed once)."""
    p = pop.people
    if "has_trad" not in p:
        p["has_trad"] = (to_traditional(p["name"]) != p["name"]).any(axis=1)
    return p["has_trad"]


def add_name_noise(
    pop: Population, table: Table, share: float, rng: np.random.Generator, gbk_files: set[str]
) -> None:
    """Traditional spelling, another middle dot, a space inside a two-character name."""
    p = pop.people
    pid = table.num("pid")
    noise = table.num("name_noise")
    files = table.num("file")
    has_trad = _has_traditional(pop)[pid]
    for code, label in enumerate(table.labels["file"]):
        in_file = files == code
        k = _count(int(in_file.sum()), share)

        rows = _choose(rng, in_file & has_trad & (noise == 0), k)
        table.set_texts("name", rows, text_of(to_traditional(p["name"][pid[rows]])))
        noise[rows] = 1

        dots = np.array(GBK_DOT_VARIANTS if str(label) in gbk_files else DOT_VARIANTS)
        rows = _choose(rng, in_file & p["dotted"][pid] & (noise == 0), k)
        names = text_of(p["name"][pid[rows]]).astype(SD)
        variant = dots[rng.integers(0, len(dots), len(rows))].astype(SD)
        head, _, tail = np.strings.partition(names, np.array(MIDDLE_DOT, dtype=SD))
        table.set_texts("name", rows, np.strings.add(np.strings.add(head, variant), tail).tolist())
        noise[rows] = 2

        rows = _choose(rng, in_file & p["two_chars"][pid] & (noise == 0), k)
        names = text_of(p["name"][pid[rows]]).astype(SD)
        space = np.array([" ", "\u3000"])[rng.integers(0, 2, len(rows))].astype(SD)
        first, rest = np.strings.slice(names, 0, 1), np.strings.slice(names, 1, None)
        table.set_texts("name", rows, np.strings.add(np.strings.add(first, space), rest).tolist())
        noise[rows] = 3
