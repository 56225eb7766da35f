"""Agency tables before they are written: aligned columns (numpy for numbers and codes,
Arrow for long text), label pools for coded columns, and bookkeeping columns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.samples.textcols import contiguous

# Bookkeeping columns every table carries (never written to agency files):
#   pid    person index in the population
#   rec    record id = row position (rows are only ever appended)
#   file   code of the file the row goes to (labels in Table.labels["file"])
#   order  sort key inside the file (duplicates sort after their original)
#   planted  the row carries a planted fault: harmless noise leaves its ID alone
#   id_noise / name_noise  which harmless noise form the row got (0 = none)
BOOKKEEPING = ("pid", "rec", "file", "order", "planted", "id_noise", "name_noise")


@dataclass
class Table:
    kind: str  # dpf | dibao | subsidy | monitor
    cols: dict[str, np.ndarray | pa.Array]
    labels: dict[str, np.ndarray] = field(default_factory=dict)  # coded column -> labels
    # Edits to Arrow text columns not yet applied: column -> {row: new text}.
    pending: dict[str, dict[int, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.cols["rec"])

    def num(self, column: str) -> np.ndarray:
        """A numpy column (numbers, codes, dates)."""
        values = self.cols[column]
        assert isinstance(values, np.ndarray), column
        return values

    def arrow(self, column: str) -> pa.Array:
        """A text column with every edit applied."""
        self.flush(column)
        values = self.cols[column]
        assert isinstance(values, pa.Array), column
        return values

    def text(self, column: str) -> np.ndarray:
        """Any column as strings: coded columns through their labels, text as objects."""
        values = self.cols[column]
        if column in self.labels:
            return self.labels[column][values]
        if isinstance(values, pa.Array):
            return self.arrow(column).to_numpy(zero_copy_only=False)
        return values

    def texts(self, column: str, rows: np.ndarray) -> list[str]:
        """Current text of a few rows of a text column (edits included)."""
        edits = self.pending.get(column, {})
        base = self.cols[column]
        assert isinstance(base, pa.Array), column
        got = base.take(pa.array(np.asarray(rows, dtype=np.int64))).to_pylist()
        return [edits.get(int(r), v) for r, v in zip(rows, got, strict=True)]

    def set_texts(self, column: str, rows: np.ndarray, values: Iterable[object]) -> None:
        """Replace the text of some rows (applied lazily, in one pass per column)."""
        edits = self.pending.setdefault(column, {})
        edits.update(zip((int(r) for r in rows), (str(v) for v in values), strict=True))

    def flush(self, column: str | None = None) -> None:
        for name in [column] if column else list(self.pending):
            edits = self.pending.pop(name, None)
            if not edits:
                continue
            rows = np.fromiter(edits, dtype=np.int64, count=len(edits))
            order = np.argsort(rows)
            mask = np.zeros(len(self), dtype=bool)
            mask[rows] = True
            values = pa.array([edits[int(r)] for r in rows[order]], type=pa.string())
            replaced = pc.replace_with_mask(self.cols[name], pa.array(mask), values)
            self.cols[name] = contiguous(replaced)

    def rows_of(self, recs: np.ndarray) -> np.ndarray:
        """Row positions of record ids (a record id is its row position)."""
        return np.asarray(recs, dtype=np.int64)

    def person_rows(self) -> PersonIndex:
        return PersonIndex(self.num("pid"))

    def append_copies(self, rows: np.ndarray) -> np.ndarray:
        """Append copies of `rows` (new record ids); returns the new rows' positions."""
        self.flush()
        start = len(self)
        taker = pa.array(np.asarray(rows, dtype=np.int64))
        for name, values in self.cols.items():
            if isinstance(values, pa.Array | pa.ChunkedArray):
                self.cols[name] = contiguous(pa.concat_arrays([values, values.take(taker)]))
            else:
                self.cols[name] = np.concatenate([values, values[rows]])
        self.num("rec")[start:] = np.arange(start, len(self))
        return np.arange(start, len(self))


def base_columns(pid: np.ndarray, file: np.ndarray, order: np.ndarray) -> dict:
    n = len(pid)
    return {
        "pid": pid,
        "rec": np.arange(n, dtype=np.int64),
        "file": file,
        "order": order,
        "planted": np.zeros(n, dtype=bool),
        "id_noise": np.zeros(n, dtype=np.int8),
        "name_noise": np.zeros(n, dtype=np.int8),
    }


class PersonIndex:
    """Rows of each person in a table, found by binary search (built once per table)."""

    def __init__(self, pid: np.ndarray) -> None:
        self.order = np.argsort(pid, kind="stable")
        self.sorted = pid[self.order]

    def rows(self, person: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.sorted, [person, person + 1])
        return self.order[lo:hi]
