"""What changed since last quarter: new, still open (and for how many quarters), resolved;
and the escalation list (督办) of findings open for two quarters or more. Pure functions.

A finding is the same one across quarters when its (person_key, code) is the same (see
batch.keys). "Quarters open" counts calendar quarters from the first quarter of the current
unbroken streak to the current quarter, both included. A quarter with no recorded run, or
whose run could not check that code (its agency file was missing), neither breaks nor
extends a streak: nothing is known about it, so 2024Q1 and 2024Q3 present with no run in
2024Q2 count as three quarters open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from fanpin.batch.feedback_text import persisting_text
from fanpin.compare.quarter import Quarter
from fanpin.compare.sets import member_of
from fanpin.findings import CODES, FINDING_COLUMNS

STR = pd.StringDtype("pyarrow")

NEW = "new"
OPEN = "open"
RESOLVED = "resolved"
CHANGE_LABELS = {NEW: "新增", OPEN: "持续", RESOLVED: "已解决"}

# Columns of changes.csv (English, like findings.csv: machines read it too).
# The finding's own fields carried into the changes table (all but code and matched_id).
_SHOWN = [c for c in FINDING_COLUMNS if c not in ("code", "matched_id")]

CHANGE_COLUMNS = [
    "change",
    "quarters_open",
    "first_quarter",
    "escalate",
    "code",
    *_SHOWN,
    "feedback_quarter",
    "feedback_answer",
    "feedback_note",
    "feedback_text",
    "person_key",
]

_KEY_FIELDS = ["person_key", "code"]


@dataclass(frozen=True)
class Changes:
    """The change table (all rows) and the escalation list (current rows open long enough)."""

    quarter: Quarter
    previous_quarter: Quarter | None
    table: pd.DataFrame  # CHANGE_COLUMNS
    escalation: pd.DataFrame  # CHANGE_COLUMNS

    def part(self, change: str) -> pd.DataFrame:
        return self.table[self.table["change"] == change].reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        out = {c: int((self.table["change"] == c).sum()) for c in (NEW, OPEN, RESOLVED)}
        out["escalate"] = len(self.escalation)
        return out


def keyed_findings(findings: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """One row per (person_key, code): the first finding row (in sorted order) stands for
    them all, `occurrences` counts them (e.g. a duplicate record seen in three rows)."""
    frame = findings.assign(person_key=keys.to_numpy())
    counts = frame.groupby(_KEY_FIELDS, sort=False).size().rename("occurrences")
    first = frame.drop_duplicates(_KEY_FIELDS, keep="first")
    first = first.join(counts, on=_KEY_FIELDS)
    return first.reset_index(drop=True)


def _pair(frame: pd.DataFrame) -> pd.Series:
    return (frame["person_key"].astype(STR) + "\x1f" + frame["code"].astype(STR)).astype(STR)


def _labels(history: pd.DataFrame) -> list[str]:
    """Distinct quarter labels (unique() first: iterating a long Arrow column is slow)."""
    if not len(history):
        return []
    return [str(q) for q in history["quarter"].dropna().unique()]


def _index(q: Quarter) -> int:
    return q.year * 4 + q.q - 1


def first_quarters(
    current: pd.DataFrame,
    history: pd.DataFrame,
    quarter: Quarter,
    unchecked: Mapping[str, frozenset[str]],
) -> pd.Series:
    """For each current finding, the first quarter (label) of its unbroken streak."""
    pairs = _pair(current)
    first = pd.Series(quarter.label, index=current.index, dtype=STR)
    alive = pd.Series(True, index=current.index)
    earlier = sorted(_labels(history), reverse=True)
    for label in earlier:  # newest first; one step per quarter, not per row
        if label >= quarter.label:
            continue
        rows = history[history["quarter"] == label]
        present = member_of(pairs, _pair(rows))
        skipped = current["code"].isin(sorted(unchecked.get(label, frozenset()))).to_numpy()
        first = first.mask(alive & present, label)
        alive &= present | skipped
        if not alive.any():
            break
    return first


def _quarters_open(first: pd.Series, quarter: Quarter) -> pd.Series:
    start = first.str.slice(0, 4).astype(int) * 4 + first.str.slice(5, 6).astype(int) - 1
    return (_index(quarter) - start + 1).astype("Int64")


def _attach_answers(frame: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    cols = ["feedback_quarter", "feedback_answer", "feedback_note"]
    if answers is None or answers.empty:
        for col in cols:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype=STR)
        return frame
    lookup = answers.rename(
        columns={
            "quarter": "feedback_quarter",
            "answer": "feedback_answer",
            "note": "feedback_note",
        }
    )[[*_KEY_FIELDS, *cols]]
    merged = frame.merge(lookup, on=_KEY_FIELDS, how="left", sort=False)
    merged.index = frame.index
    return merged


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: change, code (as listed in findings.CODES), place, ID, row."""
    code_rank = {c: i for i, c in enumerate(CODES)}
    change_rank = {NEW: 0, OPEN: 1, RESOLVED: 2}
    tmp = frame.assign(
        _c=frame["change"].map(change_rank),
        _k=frame["code"].map(code_rank),
        _r=pd.to_numeric(frame["row"], errors="coerce"),
    )
    tmp = tmp.sort_values(
        ["_c", "_k", "city", "county", "id_number", "person_key", "source", "_r"],
        na_position="last",
        kind="stable",
    )
    return tmp.drop(columns=["_c", "_k", "_r"]).reset_index(drop=True)


def compute_changes(
    current: pd.DataFrame,
    history: pd.DataFrame,
    quarter: Quarter,
    *,
    answers: pd.DataFrame | None = None,
    unchecked: Mapping[str, frozenset[str]] | None = None,
    escalate_after: int = 2,
) -> Changes:
    """Compare this quarter's keyed findings with the history of earlier quarters.

    current: one row per (person_key, code), with the finding columns.
    history: stored findings of the latest run of each earlier quarter, column `quarter`.
    answers: latest county answer per (person_key, code) to a list before this quarter.
    unchecked: quarter label -> codes that quarter's run could not check (this quarter too).
    """
    unchecked = unchecked or {}
    history = history[history["quarter"] < quarter.label] if len(history) else history
    earlier = sorted(_labels(history))
    previous = Quarter.parse(earlier[-1]) if earlier else None

    # This quarter's findings: new or still open, with the streak's first quarter.
    now = current.copy()
    now["first_quarter"] = first_quarters(now, history, quarter, unchecked)
    now["quarters_open"] = _quarters_open(now["first_quarter"], quarter)
    now["change"] = (now["first_quarter"] == quarter.label).map({True: NEW, False: OPEN})

    # Resolved: in the previous quarter's run, gone now, and the code was checked now.
    gone = pd.DataFrame(columns=now.columns)
    if previous is not None:
        before = history[history["quarter"] == previous.label]
        checked_now = ~before["code"].isin(sorted(unchecked.get(quarter.label, frozenset())))
        gone = before[~member_of(_pair(before), _pair(now)) & checked_now.to_numpy()].copy()
        gone["change"] = RESOLVED
        gone["first_quarter"] = pd.NA
        gone["quarters_open"] = pd.NA

    table = pd.concat([now, gone], ignore_index=True) if len(gone) else now
    table["escalate"] = (
        table["change"].ne(RESOLVED) & table["quarters_open"].ge(escalate_after)
    ).fillna(False)
    table = _attach_answers(table, answers if answers is not None else pd.DataFrame())
    current_rows = table["change"].ne(RESOLVED)
    text = persisting_text(table["feedback_answer"], table["code"])
    table["feedback_text"] = text.where(current_rows.to_numpy())
    table = _finish(table)
    escalation = table[table["escalate"]]
    escalation = escalation.sort_values(
        "quarters_open", ascending=False, kind="stable"
    ).reset_index(drop=True)
    return Changes(quarter, previous, table, escalation)


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    out = table.reindex(columns=CHANGE_COLUMNS)
    for col in CHANGE_COLUMNS:
        if col == "quarters_open":
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
        elif col == "escalate":
            out[col] = out[col].astype(bool)
        else:
            out[col] = out[col].astype(STR)
    return _order(out)


def diff_quarters(
    history: pd.DataFrame,
    older: Quarter,
    newer: Quarter,
    *,
    answers: pd.DataFrame | None = None,
    unchecked: Mapping[str, frozenset[str]] | None = None,
    escalate_after: int = 2,
) -> Changes:
    """`fanpin diff OLDER NEWER`: the changes NEWER shows against history up to OLDER."""
    current = history[history["quarter"] == newer.label]
    known = history[history["quarter"] <= older.label]
    return compute_changes(
        current.drop(columns=["quarter"]).reset_index(drop=True),
        known,
        newer,
        answers=answers,
        unchecked=unchecked,
        escalate_after=escalate_after,
    )
