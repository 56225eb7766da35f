"""Changes across quarters, checked against hand-worked expectations.

Quarters used below (person: finding codes):

    2024Q1   A: MISSING_DIBAO   B: MISSING_CARE_SUBSIDY   C: INVALID_ID
    2024Q2   A: MISSING_DIBAO   B: MISSING_CARE_SUBSIDY   D: NOT_MONITORED_SEVERE
    2024Q3   A: MISSING_DIBAO   D: NOT_MONITORED_SEVERE   E: DECEASED_PAID

So for 2024Q3 against 2024Q2: new E; still open A (Q1..Q3 = 3 quarters), D (Q2..Q3 = 2);
resolved B (fixed in Q3). C was resolved in Q2, so it is not news in Q3. Escalation (open
two quarters or more): A (3) then D (2).
"""

from __future__ import annotations

import pandas as pd

from fanpin.batch.changes import NEW, OPEN, RESOLVED, compute_changes, diff_quarters, keyed_findings
from fanpin.compare.quarter import Quarter

Q1, Q2, Q3 = Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3)
TABLE = {
    "2024Q1": [("A", "MISSING_DIBAO"), ("B", "MISSING_CARE_SUBSIDY"), ("C", "INVALID_ID")],
    "2024Q2": [
        ("A", "MISSING_DIBAO"),
        ("B", "MISSING_CARE_SUBSIDY"),
        ("D", "NOT_MONITORED_SEVERE"),
    ],
    "2024Q3": [("A", "MISSING_DIBAO"), ("D", "NOT_MONITORED_SEVERE"), ("E", "DECEASED_PAID")],
}


def _rows(pairs: list[tuple[str, str]], quarter: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_key": [p for p, _ in pairs],
            "code": [c for _, c in pairs],
            "id_number": [p for p, _ in pairs],
            "name": [f"姓名{p}" for p, _ in pairs],
            "city": ["太原市"] * len(pairs),
            "row": [str(i + 2) for i in range(len(pairs))],
            "detail": [f"{quarter or '本季'}说明" for _ in pairs],
        },
        dtype="str",
    )
    if quarter is not None:
        frame.insert(0, "quarter", quarter)
    return frame


def _history(*quarters: str) -> pd.DataFrame:
    return pd.concat([_rows(TABLE[q], q) for q in quarters], ignore_index=True)


def _by_change(changes, change: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    part = changes.part(change)
    return dict(zip(part["person_key"], part["quarters_open"], strict=True))


def test_third_quarter_shows_new_open_resolved_and_escalation() -> None:
    changes = compute_changes(_rows(TABLE["2024Q3"]), _history("2024Q1", "2024Q2"), Q3)
    assert changes.previous_quarter == Q2
    assert _by_change(changes, NEW) == {"E": 1}
    assert _by_change(changes, OPEN) == {"A": 3, "D": 2}
    assert list(changes.part(RESOLVED)["person_key"]) == ["B"]
    assert list(changes.escalation["person_key"]) == ["A", "D"]
    assert changes.counts() == {"new": 1, "open": 2, "resolved": 1, "escalate": 2}
    first = dict(zip(changes.table["person_key"], changes.table["first_quarter"], strict=True))
    assert first["A"] == "2024Q1" and first["D"] == "2024Q2" and first["E"] == "2024Q3"
    # The resolved row shows what was found last quarter.
    resolved = changes.part(RESOLVED).iloc[0]
    assert resolved["code"] == "MISSING_CARE_SUBSIDY"
    assert resolved["detail"] == "2024Q2说明"


def test_first_run_has_only_new_findings() -> None:
    changes = compute_changes(_rows(TABLE["2024Q1"]), _history("2024Q1").iloc[0:0], Q1)
    assert changes.previous_quarter is None
    assert changes.counts() == {"new": 3, "open": 0, "resolved": 0, "escalate": 0}
    assert set(changes.table["quarters_open"]) == {1}


def test_same_person_with_a_different_code_is_a_new_finding() -> None:
    now = _rows([("A", "MISSING_LIVING_SUBSIDY")])
    changes = compute_changes(now, _history("2024Q2"), Q3)
    assert _by_change(changes, NEW) == {"A": 1}
    assert sorted(changes.part(RESOLVED)["person_key"]) == ["A", "B", "D"]


def test_quarter_without_a_run_does_not_break_the_streak() -> None:
    # Runs in Q1 and Q3 only: A seen in both counts Q1, Q2, Q3 as open.
    changes = compute_changes(_rows(TABLE["2024Q3"]), _history("2024Q1"), Q3)
    assert changes.previous_quarter == Q1
    assert _by_change(changes, OPEN) == {"A": 3}
    assert _by_change(changes, NEW) == {"D": 1, "E": 1}
    assert sorted(changes.part(RESOLVED)["person_key"]) == ["B", "C"]


def test_code_not_checked_in_a_quarter_neither_resolves_nor_breaks() -> None:
    # Q2's run had no 低保 file: A's MISSING_DIBAO could not be seen there.
    history = _history("2024Q1", "2024Q2")
    history = history[~((history["quarter"] == "2024Q2") & (history["person_key"] == "A"))]
    unchecked = {"2024Q2": frozenset({"MISSING_DIBAO"}), "2024Q3": frozenset()}
    changes = compute_changes(_rows(TABLE["2024Q3"]), history, Q3, unchecked=unchecked)
    assert _by_change(changes, OPEN) == {"A": 3, "D": 2}

    # Q3's run has no payroll: B's MISSING_CARE_SUBSIDY is not counted as resolved.
    unchecked = {"2024Q3": frozenset({"MISSING_CARE_SUBSIDY", "MISSING_LIVING_SUBSIDY"})}
    changes = compute_changes(
        _rows(TABLE["2024Q3"]), _history("2024Q1", "2024Q2"), Q3, unchecked=unchecked
    )
    assert changes.part(RESOLVED).empty


def test_county_answer_is_shown_beside_a_persisting_finding() -> None:
    answers = pd.DataFrame(
        {
            "quarter": ["2024Q2", "2024Q2"],
            "person_key": ["A", "B"],
            "code": ["MISSING_DIBAO", "MISSING_CARE_SUBSIDY"],
            "answer": ["已纳入低保", "已发放补贴"],
            "note": [pd.NA, "8月已补发"],
        }
    )
    changes = compute_changes(
        _rows(TABLE["2024Q3"]), _history("2024Q1", "2024Q2"), Q3, answers=answers
    )
    rows = changes.table.set_index("person_key")
    assert rows.at["A", "feedback_answer"] == "已纳入低保"
    assert rows.at["A", "feedback_text"] == "县里已答复已纳入低保，但本季度低保名单中仍无此人"
    # B is resolved: its answer is shown, but no "still" sentence.
    assert rows.at["B", "feedback_answer"] == "已发放补贴"
    assert rows.at["B", "feedback_note"] == "8月已补发"
    assert pd.isna(rows.at["B", "feedback_text"])
    assert pd.isna(rows.at["E", "feedback_answer"])


def test_escalation_threshold_comes_from_the_caller() -> None:
    changes = compute_changes(
        _rows(TABLE["2024Q3"]), _history("2024Q1", "2024Q2"), Q3, escalate_after=3
    )
    assert list(changes.escalation["person_key"]) == ["A"]


def test_diff_of_two_recorded_quarters_matches_the_run_view() -> None:
    history = _history("2024Q1", "2024Q2", "2024Q3")
    diff = diff_quarters(history, Q2, Q3)
    run_view = compute_changes(_rows(TABLE["2024Q3"]), _history("2024Q1", "2024Q2"), Q3)
    cols = ["change", "quarters_open", "code", "person_key"]
    assert diff.table[cols].equals(run_view.table[cols])
    # Against Q1, D was not there: it is new when looking from Q1 to Q3.
    wide = diff_quarters(history, Q1, Q3)
    assert _by_change(wide, NEW) == {"D": 1, "E": 1}
    assert sorted(wide.part(RESOLVED)["person_key"]) == ["B", "C"]


def test_change_table_order_is_stable_whatever_the_input_order() -> None:
    now = _rows(TABLE["2024Q3"])
    one = compute_changes(now, _history("2024Q1", "2024Q2"), Q3).table
    two = compute_changes(now.iloc[::-1], _history("2024Q2", "2024Q1").iloc[::-1], Q3).table
    assert one.drop(columns=["row"]).equals(two.drop(columns=["row"]))
    assert list(one["change"]) == [NEW, OPEN, OPEN, RESOLVED]
    # Within a change, codes follow the order of findings.CODES (NOT_MONITORED before DIBAO).
    assert list(one["code"][1:3]) == ["NOT_MONITORED_SEVERE", "MISSING_DIBAO"]


def test_keyed_findings_count_rows_of_the_same_person_and_code() -> None:
    findings = pd.DataFrame(
        {
            "code": ["DUPLICATE_RECORD", "DUPLICATE_RECORD", "INVALID_ID"],
            "id_number": ["A", "A", "A"],
            "row": ["2", "9", "4"],
        },
        dtype="str",
    )
    keyed = keyed_findings(findings, pd.Series(["A", "A", "A"]))
    assert keyed[["code", "row", "occurrences"]].values.tolist() == [
        ["DUPLICATE_RECORD", "2", 2],
        ["INVALID_ID", "4", 1],
    ]
