"""Chinese messages for a header that is missing, incomplete or ambiguous."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from fanpin.errors import ErrorCode, InputProblem
from fanpin.io.grids import Grid
from fanpin.io.header import HeaderMatch, header_like_row
from fanpin.io.spec import KindSpec

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d{5,}")


def missing_columns_problem(
    grid: Grid, match: HeaderMatch, spec: KindSpec, name: str
) -> InputProblem | None:
    """The required columns the header lacks, all named in one problem; None if complete."""
    present = set(match.columns)
    missing = [spec.field_label(k) for k in spec.required if k not in present]
    for group in spec.required_any:
        if not present.intersection(group):
            missing.append(f"{'或'.join(spec.field_label(k) for k in group)}（至少一列）")
    if not missing:
        return None
    seen = "、".join(match.texts[j] for j in sorted(match.texts)[:40])
    return InputProblem(
        ErrorCode.MISSING_COLUMN,
        f"{spec.label}缺少必需的列：{'、'.join(missing)}。表头中的列有：{seen}。"
        "如果表中这一列用的是别的名称，请把它加到 schemas/columns.toml 中该字段的 "
        "aliases 里",
        file=name,
        sheet=grid.sheet,
        row=grid.line_of(match.bottom),
    )


def ambiguity_problems(
    grid: Grid, match: HeaderMatch, spec: KindSpec, name: str
) -> list[InputProblem]:
    """Personal or required fields named by more than one column."""
    where = {"file": name, "sheet": grid.sheet, "row": grid.line_of(match.bottom)}
    problems = []
    for key, cols in match.duplicates.items():
        fspec = spec.fields[key]
        if not (fspec.personal or key in spec.required):
            log.warning(
                "%s: field %s appears in %d columns; the first is used", name, key, len(cols)
            )
            continue
        letters = "、".join(f"第{column_letter(j)}列“{match.texts.get(j, '')}”" for j in cols)
        problems.append(
            InputProblem(
                ErrorCode.HEADER_NOT_FOUND,
                f"有多列都对应“{fspec.label}”：{letters}，无法确定用哪一列。"
                "请修改列名，使其中只有一列是这个意思",
                column=fspec.label,
                **where,  # type: ignore[arg-type]
            )
        )
    return problems


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def no_header_problem(
    grids: Sequence[Grid], hidden: Sequence[str], spec: KindSpec, name: str
) -> InputProblem:
    """Say what was expected and what the most header-like row held."""
    needed = [spec.field_label(k) for k in spec.required]
    needed += ["或".join(spec.field_label(k) for k in g) for g in spec.required_any]
    others = [f.label for k, f in spec.fields.items() if f.label not in needed][:8]
    rows = spec.header.search_rows
    message = (
        f"没有找到表头：前 {rows} 行中没有一行含有至少 {spec.header.min_fields} 个可识别的列名。"
        f"{spec.label}应有列：{'、'.join(needed)}（必需），以及{'、'.join(others)}等"
    )
    if hidden:
        message += f"（其中隐藏的工作表：{'、'.join(hidden)}）"
    best: tuple[int, int, Grid] | None = None
    for grid in grids:
        found = header_like_row(grid.head(rows), spec)
        if found and (best is None or found[1] > best[1]):
            best = (found[0], found[1], grid)
    if best is None:
        return InputProblem(
            ErrorCode.HEADER_NOT_FOUND,
            message + "；前几行中没有任何单元格与已知列名相符，请检查是否选错了文件",
            file=name,
        )
    index, score, grid = best
    cells = [_safe_text(t) for t in grid.head(index + 1)[index] if t.strip()][:15]
    return InputProblem(
        ErrorCode.HEADER_NOT_FOUND,
        message + f"。最像表头的一行只认出 {score} 列：{'、'.join(cells)}。"
        "如果表中的列名写法不同，请在 schemas/columns.toml 中增加别名",
        file=name,
        sheet=grid.sheet,
        row=grid.line_of(index),
    )


def _safe_text(text: str) -> str:
    """A cell shown in a message: long digit runs (IDs, phones) masked, long text cut."""
    shown = _DIGITS.sub(lambda m: m.group()[:2] + "*" * (len(m.group()) - 2), text.strip())
    return shown if len(shown) <= 20 else shown[:20] + "…"
