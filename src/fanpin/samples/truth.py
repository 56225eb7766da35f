"""The truth file: every finding the planted situations should produce, located at the
file, sheet and row where it was written; and the controls that must stay silent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.samples.plants import Planted
from fanpin.samples.shapes import Located
from fanpin.samples.tables import PersonIndex, Table

TRUTH_COLUMNS = [
    "code",
    "id_number",
    "id_as_written",
    "name",
    "source",
    "sheet",
    "row",
    "related_source",
    "related_sheet",
    "related_row",
    "note",
]
CODE_ORDER = [
    "NEW_RISK_DISABLED",
    "NOT_MONITORED_SEVERE",
    "MISSING_DIBAO",
    "MISSING_LIVING_SUBSIDY",
    "MISSING_CARE_SUBSIDY",
    "DECEASED_PAID",
    "DUPLICATE_RECORD",
    "SEX_MISMATCH",
    "CERT_ID_MISMATCH",
    "CERT_CLASS_MISMATCH",
    "INVALID_ID",
    "ID_UNRECOVERABLE",
]
# Where a second row helps a reader check the finding by hand.
_RELATED_KIND = {
    "NEW_RISK_DISABLED": "monitor",
    "MISSING_DIBAO": "monitor",
    "MISSING_LIVING_SUBSIDY": "dibao",
    "MISSING_CARE_SUBSIDY": "monitor",
    "DECEASED_PAID": "dpf",
}


def _row_of(table: Table, index: PersonIndex, planted: Planted) -> int:
    """Row position in `table` of a planted record (by record id, else the person's row)."""
    if planted.rec >= 0:
        return int(table.rows_of(np.array([planted.rec]))[0])
    rows = index.rows(planted.pid)
    if len(rows) != 1:
        raise RuntimeError(f"{planted.code}: expected one {table.kind} row, found {len(rows)}")
    return int(rows[0])


def _related(
    tables: dict[str, Table],
    indexes: dict[str, PersonIndex],
    located: dict[str, Located],
    p: Planted,
    row: int,
) -> int:
    """Row of the related record (-1 if none): the original of a duplicate, or the
    person's first row in another table."""
    if p.code == "DUPLICATE_RECORD":
        t = tables[p.kind]
        rows = indexes[p.kind].rows(p.pid)
        if p.kind == "subsidy":
            for col in ("month", "subsidy_type"):
                rows = rows[t.num(col)[rows] == t.num(col)[row]]
        rows = rows[rows != row]
        return int(rows[0]) if len(rows) else -1
    kind = _RELATED_KIND.get(p.code)
    if not kind:
        return -1
    rows = indexes[kind].rows(p.pid)
    if len(rows) == 0:
        return -1
    loc = located[kind]
    return int(rows[np.lexsort((loc.row[rows], loc.sheet[rows].astype(str)))][0])


def truth_frame(
    plants: list[Planted],
    tables: dict[str, Table],
    located: dict[str, Located],
    person_id: np.ndarray,
    expected: bool = True,
) -> pd.DataFrame:
    """One row per planted finding (expected=True) or per control (expected=False)."""
    indexes = {kind: t.person_rows() for kind, t in tables.items()}
    chosen = [p for p in plants if p.expected == expected]
    rows = [_row_of(tables[p.kind], indexes[p.kind], p) for p in chosen]
    # Text as written, fetched in one gather per table.
    written: dict[tuple[str, int], tuple[str, str]] = {}
    for kind, t in tables.items():
        mine = np.array(sorted({r for p, r in zip(chosen, rows, strict=True) if p.kind == kind}))
        if len(mine):
            pairs = zip(t.texts("id_text", mine), t.texts("name", mine), strict=True)
            written.update({(kind, int(r)): pair for r, pair in zip(mine, pairs, strict=True)})
    records = []
    for p, row in zip(chosen, rows, strict=True):
        loc = located[p.kind]
        rel = _related(tables, indexes, located, p, row)
        rel_kind = p.kind if p.code == "DUPLICATE_RECORD" else _RELATED_KIND.get(p.code, "")
        rel_loc = located[rel_kind] if rel >= 0 else None
        id_text, name = written[(p.kind, row)]
        records.append(
            {
                "code": p.code,
                "id_number": str(person_id[p.pid]),
                "id_as_written": id_text,
                "name": name,
                "source": loc.source[row],
                "sheet": loc.sheet[row],
                "row": int(loc.row[row]),
                "related_source": rel_loc.source[rel] if rel_loc else "",
                "related_sheet": rel_loc.sheet[rel] if rel_loc else "",
                "related_row": int(rel_loc.row[rel]) if rel_loc else pd.NA,
                "note": p.note,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=TRUTH_COLUMNS)
    frame["related_row"] = frame["related_row"].astype("Int64")
    order = {c: i for i, c in enumerate(CODE_ORDER)}
    frame["_k"] = frame["code"].map(order)
    frame = frame.sort_values(["_k", "source", "sheet", "row"], kind="stable")
    return frame.drop(columns="_k").reset_index(drop=True)
