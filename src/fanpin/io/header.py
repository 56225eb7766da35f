"""Find the header row of a sheet and map its cells to fields (pure; works on text rows).

Officials' sheets put a merged title and a 填报单位 line above the header, and sometimes a
two-row header ("基本信息" merged over 姓名|身份证号, "户主信息" over 姓名|身份证号). Every row
of the first `search_rows`, alone and joined with the row above it, is scored by how many
distinct fields its cells name (then by fewest duplicated fields, so that "监护人" over
姓名|身份证号 beats reading 姓名 twice); the best wins, a single row beating a pair on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fanpin.io.spec import KindSpec, normalize_header, without_trailing_note

# A merged range as (first_row, first_col, last_row, last_col), 0-based, grid coordinates.
Merge = tuple[int, int, int, int]


@dataclass(frozen=True)
class HeaderMatch:
    """Where the header is and which column holds which field."""

    top: int  # grid index of the first header row
    bottom: int  # grid index of the last header row; data start below it
    columns: dict[str, int]  # field -> column index (first one when duplicated)
    texts: dict[int, str]  # column index -> header text as the file shows it
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    first_column: int = 0  # leftmost column with header text

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def rank(self) -> tuple[int, int]:
        """More fields first; then fewer columns claiming a field already taken."""
        return (self.score, -sum(len(cols) - 1 for cols in self.duplicates.values()))

    def text_of(self, key: str) -> str:
        return self.texts.get(self.columns[key], "")


def find_header(
    head: Sequence[Sequence[str]], spec: KindSpec, merges: Sequence[Merge] | None = None
) -> HeaderMatch | None:
    """Best header among the first rows of `head` (text cells, "" for blank), or None when no
    row names at least `min_fields` fields. `merges` (None when the format has none, e.g. CSV)
    tells how far a merged upper header cell reaches; without it, upper cells are carried
    right across blanks."""
    best: HeaderMatch | None = None
    limit = min(len(head), spec.header.search_rows + 1)
    for r in range(limit):
        candidates = [_match_single(head[r], r, spec)]
        if r > 0 and any(head[r - 1]):
            upper = _spread_upper(head[r - 1], r - 1, merges)
            candidates.append(_match_pair(upper, head[r], r, spec))
        for match in candidates:
            if best is None or match.rank > best.rank:
                best = match
    if best is None or best.score < spec.header.min_fields:
        return None
    return best


def header_like_row(head: Sequence[Sequence[str]], spec: KindSpec) -> tuple[int, int] | None:
    """(grid index, fields named) of the row naming the most fields, for error messages."""
    scored = [
        (_match_single(row, r, spec).score, -r)
        for r, row in enumerate(head[: spec.header.search_rows])
    ]
    if not scored:
        return None
    score, neg_row = max(scored)
    return (-neg_row, score) if score > 0 else None


def _lookup(texts: Sequence[str], spec: KindSpec) -> str | None:
    for text in texts:
        key = spec.alias_map.get(normalize_header(text, spec.header.notes))
        if key is None:
            # "身份证号码（18位）", "保障状态（在保/停保）": the note is not part of the name.
            bare = without_trailing_note(text)
            if bare != text:
                key = spec.alias_map.get(normalize_header(bare, spec.header.notes))
        if key is not None:
            return key
    return None


def _shown(text: str) -> str:
    """Header text for messages: line breaks inside a cell removed."""
    return text.replace("\r", "").replace("\n", "").strip()


def _build(r_top: int, r_bottom: int, found: list[tuple[int, str | None, str]]) -> HeaderMatch:
    columns: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    texts: dict[int, str] = {}
    for j, key, text in found:
        if text:
            texts[j] = _shown(text)
        if key is None:
            continue
        if key in columns:
            duplicates.setdefault(key, [columns[key]]).append(j)
        else:
            columns[key] = j
    first = min(texts) if texts else 0
    return HeaderMatch(r_top, r_bottom, columns, texts, duplicates, first)


def _match_single(row: Sequence[str], r: int, spec: KindSpec) -> HeaderMatch:
    found = [
        (j, _lookup([text], spec) if text else None, text.strip()) for j, text in enumerate(row)
    ]
    return _build(r, r, found)


def _match_pair(upper: Sequence[str], lower: Sequence[str], r: int, spec: KindSpec) -> HeaderMatch:
    found = []
    for j in range(max(len(upper), len(lower))):
        u = upper[j].strip() if j < len(upper) else ""
        low = lower[j].strip() if j < len(lower) else ""
        candidates = _pair_candidates(u, low, spec)
        shown = f"{u}/{low}" if u and low else (u or low)
        found.append((j, _lookup(candidates, spec) if candidates else None, shown))
    return _build(r - 1, r, found)


def _pair_candidates(upper: str, lower: str, spec: KindSpec) -> list[str]:
    """Header texts a column of a two-row header may stand for, most specific first."""
    if not lower:
        return [upper] if upper else []  # merged down from the upper row
    if not upper:
        return [lower]
    for marker, prefix in spec.header.group_prefixes:
        if marker in upper:
            # "户主信息" over "姓名" is the head's name; never fall back to plain "姓名".
            return [upper + lower, prefix + lower]
    return [upper + lower, lower]


def _spread_upper(row: Sequence[str], r: int, merges: Sequence[Merge] | None) -> list[str]:
    """The upper header row with each merged cell's text copied across its range."""
    out = [text.strip() for text in row]
    if merges is None:
        carried = ""
        for j, text in enumerate(out):
            carried = text or carried
            out[j] = carried
        return out
    for r0, c0, r1, c1 in merges:
        if r0 == r and r1 >= r and c1 > c0 and c0 < len(out):
            for j in range(c0 + 1, min(c1 + 1, len(out))):
                out[j] = out[j] or out[c0]
    return out
