"""Read a submitted Annex 4 sheet (帮扶人员需求汇总统计表): one row per county and a total.

Columns are found by the circled numbers ①–⑩ in the (merged, two- or three-row) header
and, under ⑦ and ⑧, by the sub-headers 大腿/小腿 and 轮椅/拐杖/助听器, so the reader does
not depend on where exactly a county's copy of the form puts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fanpin.forms.grid import SheetGrid, cell_ref, squash
from fanpin.forms.validate.model import FormSheet, find_city, header_facts
from fanpin.forms.validate.problems import Problem

MARKERS = "①②③④⑤⑥⑦⑧⑨⑩"
SUB_ITEMS = {"⑦": ("大腿", "小腿"), "⑧": ("轮椅", "拐杖", "助听器")}
# The 13 count columns in the notice's order: (key, Chinese label).
COUNT_COLUMNS: list[tuple[str, str]] = [
    ("①", "①生活救助帮扶"),
    ("②", "②助学帮扶"),
    ("③", "③实用技术培训帮扶"),
    ("④", "④促进产业发展帮扶"),
    ("⑤", "⑤托养服务帮扶"),
    ("⑥", "⑥白内障复明手术帮扶"),
    ("⑦大腿", "⑦假肢装配帮扶（大腿）"),
    ("⑦小腿", "⑦假肢装配帮扶（小腿）"),
    ("⑧轮椅", "⑧辅助器械帮扶（轮椅）"),
    ("⑧拐杖", "⑧辅助器械帮扶（拐杖）"),
    ("⑧助听器", "⑧辅助器械帮扶（助听器）"),
    ("⑨", "⑨康复训练帮扶"),
    ("⑩", "⑩无障碍改造帮扶"),
]
COUNT_KEYS = [k for k, _ in COUNT_COLUMNS]
COUNT_LABELS = dict(COUNT_COLUMNS)
HEADER_SCAN = 15
_PLACE_HEADERS = ("县（区）", "县区", "县（市、区）", "县（市区）", "市", "地市", "单位")


@dataclass
class Annex4Row:
    label: str  # county (or city) as written
    row: int  # 0-based sheet row
    counts: dict[str, str]  # key -> cell text

    @property
    def filled(self) -> bool:
        """Any count written (a county's row left blank in a city-wide template is not)."""
        return any(self.counts.values())


@dataclass
class Annex4Sheet:
    form: FormSheet
    label_col: int = 0
    place_header: str = ""
    columns: dict[str, int] = field(default_factory=dict)  # key -> column
    units: dict[str, str] = field(default_factory=dict)  # key -> lowest header text (unit)
    header_cells: dict[str, str] = field(default_factory=dict)  # key -> e.g. "N5"
    rows: list[Annex4Row] = field(default_factory=list)
    total: Annex4Row | None = None


def _place_header(sheet: SheetGrid) -> tuple[int, int, str] | None:
    for r in range(min(sheet.nrows, HEADER_SCAN)):
        for c, text in enumerate(sheet.row_texts(r)):
            flat = squash(text).replace("(", "（").replace(")", "）")
            if flat in _PLACE_HEADERS:
                return r, c, flat
    return None


def _header_rows(sheet: SheetGrid, top: int) -> range:
    """From the place header down to the row holding the sub-headers (or ⑩)."""
    last = top
    for r in range(top, min(top + 5, sheet.nrows)):
        joined = "".join(squash(t) for t in sheet.row_texts(r))
        if any(item in joined for items in SUB_ITEMS.values() for item in items) or "⑩" in joined:
            last = r
    return range(top, last + 1)


def _find_columns(
    sheet: SheetGrid, rows: range, label_col: int
) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """key -> column, key -> its lowest header text (with the unit), key -> that cell."""
    columns: dict[str, int] = {}
    units: dict[str, str] = {}
    cells: dict[str, str] = {}
    for c in range(label_col + 1, sheet.ncols):
        text = "".join(squash(sheet.filled_text(r, c)) for r in rows)
        marker = next((m for m in MARKERS if m in text), None)
        if marker is None:
            continue
        key = marker
        if marker in SUB_ITEMS:
            sub = next((s for s in SUB_ITEMS[marker] if s in text), None)
            if sub is None:
                continue
            key = marker + sub
        if key not in columns:
            columns[key] = c
            lowest = max(r for r in rows if sheet.filled_text(r, c))
            units[key] = squash(sheet.filled_text(lowest, c))
            cells[key] = cell_ref(*sheet.anchor(lowest, c))
    return columns, units, cells


def read_annex4(sheet: SheetGrid, file: str) -> Annex4Sheet:
    form = FormSheet(kind="annex4", file=file, sheet=sheet.name)
    found = Annex4Sheet(form)
    place = _place_header(sheet)
    if place is None:
        form.problems.append(
            Problem("HEADER_MISSING", file, sheet.name, "", "", "找不到“县（区）”表头")
        )
        return found
    top, label_col, place_text = place
    found.label_col, found.place_header = label_col, place_text
    header_facts(sheet, top, form, "统计表")
    if form.city is None:  # fanpin's Annex 4 names each city's sheet after the city
        form.city = find_city(sheet.name)
    rows = _header_rows(sheet, top)
    found.columns, found.units, found.header_cells = _find_columns(sheet, rows, label_col)
    missing = [COUNT_LABELS[k] for k in COUNT_KEYS if k not in found.columns]
    for label in missing:
        form.problems.append(
            Problem(
                "HEADER_MISSING",
                file,
                sheet.name,
                cell_ref(top, label_col),
                "",
                f"缺少栏目“{label}”",
            )
        )

    for r in range(rows.stop, sheet.nrows):
        label = squash(sheet.text(r, label_col))
        if label.startswith(("说明", "经办人")):
            break
        counts = {k: sheet.text(r, c) for k, c in found.columns.items()}
        if not label and not any(counts.values()):
            continue
        entry = Annex4Row(label, r, counts)
        if label.startswith(("合计", "总计")):
            found.total = entry
        else:
            found.rows.append(entry)
    return found
