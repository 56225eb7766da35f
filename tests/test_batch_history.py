"""The history database: private file, WAL, two-step run recording, migration from version 1,
feedback storage, and deleting a quarter for good."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from fanpin.batch.history import (
    SCHEMA_VERSION,
    InputRecord,
    RunRecord,
    open_history,
)
from fanpin.compare.quarter import Quarter
from fanpin.errors import InputError
from tests.factories import make_id

A = make_id("140105", "19800315", 1)
B = make_id("140802", "19600606", 5)


def _record(quarter: str, token: str = "t") -> RunRecord:
    return RunRecord(
        quarter=quarter,
        started_at=f"{quarter}-start",
        fanpin_version="0.1.0",
        rules_sha256="r" * 64,
        out_dir=f"/out/{quarter}",
        roster_count=2,
        run_token=token,
        unchecked_codes=("MISSING_DIBAO",),
    )


def _findings(*rows: tuple[str, str]) -> pd.DataFrame:
    """(person_key, code) pairs as stored findings; the key doubles as the ID."""
    return pd.DataFrame(
        {
            "person_key": [k for k, _ in rows],
            "code": [c for _, c in rows],
            "id_number": [k for k, _ in rows],
            "name": ["张三"] * len(rows),
            "row": [str(i + 2) for i in range(len(rows))],
            "detail": ["说明"] * len(rows),
            "occurrences": [1] * len(rows),
        }
    )


def _done(db, quarter: str, *rows: tuple[str, str]) -> int:  # type: ignore[no-untyped-def]
    run_id = db.begin_run(_record(quarter), _findings(*rows), [InputRecord("dpf", "d.csv", "h")])
    db.confirm_run(run_id, "m" * 64)
    return int(run_id)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_new_history_file_is_owner_only_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history.sqlite3"
    with open_history(path, create=True) as db:
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.schema_version() == SCHEMA_VERSION
        _done(db, "2024Q3", (A, "MISSING_DIBAO"))
        wal = Path(str(path) + "-wal")
        assert wal.exists()
        assert wal.stat().st_mode & 0o777 == 0o600
    assert path.stat().st_mode & 0o777 == 0o600


def test_pending_run_is_invisible_until_confirmed(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        run_id = db.begin_run(_record("2024Q3"), _findings((A, "MISSING_DIBAO")), [])
        assert db.runs().empty
        assert db.latest_run_per_quarter() == {}
        assert [p.run_id for p in db.pending_runs()] == [run_id]
        db.confirm_run(run_id, "m" * 64)
        assert db.runs()["quarter"].tolist() == ["2024Q3"]
        assert db.pending_runs() == []


def test_discarded_run_leaves_no_findings(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        run_id = db.begin_run(_record("2024Q3"), _findings((A, "MISSING_DIBAO")), [])
        db.discard_run(run_id)
        assert db.conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0
        assert db.pending_runs() == []


def test_rerun_of_a_quarter_replaces_it_in_history_queries(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        _done(db, "2024Q2", (A, "MISSING_DIBAO"))
        _done(db, "2024Q3", (A, "MISSING_DIBAO"), (B, "INVALID_ID"))
        rerun = _done(db, "2024Q3", (B, "INVALID_ID"))
        assert db.latest_run_per_quarter()["2024Q3"] == rerun
        before = db.history_until(Quarter(2024, 3))
        assert before["quarter"].unique().tolist() == ["2024Q2"]
        upto = db.history_until(Quarter(2024, 3), inclusive=True)
        assert sorted(zip(upto["quarter"], upto["code"], strict=True)) == [
            ("2024Q2", "MISSING_DIBAO"),
            ("2024Q3", "INVALID_ID"),
        ]
        assert db.unchecked_codes()["2024Q3"] == frozenset({"MISSING_DIBAO"})


def test_person_findings_span_quarters_oldest_first(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        _done(db, "2024Q3", (A, "MISSING_CARE_SUBSIDY"))
        _done(db, "2024Q2", (A, "MISSING_DIBAO"), (B, "INVALID_ID"))
        mine = db.person_findings(A)
        assert list(zip(mine["quarter"], mine["code"], strict=True)) == [
            ("2024Q2", "MISSING_DIBAO"),
            ("2024Q3", "MISSING_CARE_SUBSIDY"),
        ]


def test_invalid_id_findings_are_found_by_the_id_as_written(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        _done(
            db,
            "2024Q3",
            ("raw:14010_1980|张三", "INVALID_ID"),
            ("raw:1401001980|李四", "INVALID_ID"),
        )
        found = db.person_findings("raw:14010_1980|", prefix=True)
        # "_" is literal here, not SQL's one-character wildcard.
        assert found["person_key"].tolist() == ["raw:14010_1980|张三"]


# Version 1 of the schema, as an older fanpin wrote it (runs, inputs and findings only).
_V1_SCHEMA = """
CREATE TABLE runs (run_id INTEGER PRIMARY KEY, quarter TEXT NOT NULL, started_at TEXT NOT NULL,
  finished_at TEXT, fanpin_version TEXT NOT NULL, rules_sha256 TEXT NOT NULL,
  out_dir TEXT NOT NULL, findings_count INTEGER NOT NULL, roster_count INTEGER NOT NULL);
CREATE INDEX runs_by_quarter ON runs(quarter);
CREATE TABLE run_inputs (run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  kind TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL, rows_read INTEGER,
  PRIMARY KEY (run_id, kind, file_name));
CREATE TABLE findings (run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  person_key TEXT NOT NULL, code TEXT NOT NULL, severity TEXT, agency TEXT, id_number TEXT,
  name TEXT, cert_number TEXT, city TEXT, county TEXT, township TEXT, village TEXT,
  source TEXT, sheet TEXT, row INTEGER, detail TEXT, occurrences INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (run_id, person_key, code)) WITHOUT ROWID;
CREATE INDEX findings_by_person ON findings(person_key);
PRAGMA user_version = 1;
"""


def test_version_1_file_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(_V1_SCHEMA)
    conn.execute(
        "INSERT INTO runs VALUES (1, '2024Q2', 's', 'f', '0.0.9', 'r', '/out/2024Q2', 1, 5)"
    )
    conn.execute(
        "INSERT INTO findings (run_id, person_key, code, id_number, name, row)"
        " VALUES (1, ?, 'MISSING_DIBAO', ?, '张三', 7)",
        (A, A),
    )
    conn.commit()
    conn.close()

    with open_history(path) as db:
        assert db.schema_version() == SCHEMA_VERSION == 2
        runs = db.runs()
        assert runs["quarter"].tolist() == ["2024Q2"]
        assert runs["fanpin_version"].tolist() == ["0.0.9"]
        assert db.unchecked_codes() == {"2024Q2": frozenset()}
        old = db.person_findings(A)
        assert old["code"].tolist() == ["MISSING_DIBAO"]
        assert old["row"].astype(int).tolist() == [7]
        # The tables version 2 added are usable at once.
        answers = pd.DataFrame(
            {
                "quarter": ["2024Q2"],
                "person_key": [A],
                "code": ["MISSING_DIBAO"],
                "answer": ["已纳入低保"],
                "file_name": ["f.xlsx"],
                "file_sha256": ["x"],
            }
        )
        db.record_feedback(answers, pd.DataFrame())
        assert db.answers_for(A)["answer"].tolist() == ["已纳入低保"]
        _done(db, "2024Q3", (A, "MISSING_DIBAO"))
        assert sorted(db.latest_run_per_quarter()) == ["2024Q2", "2024Q3"]


def test_file_from_a_newer_fanpin_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(InputError, match="更新版本"):
        open_history(path)


def test_missing_file_is_created_only_when_asked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="历史数据库不存在"):
        open_history(tmp_path / "typo.sqlite3")
    assert not (tmp_path / "typo.sqlite3").exists()


def test_not_a_database_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="无法打开"):
        open_history(path)


def _answers(quarter: str, answer: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": [quarter],
            "person_key": [A],
            "code": ["MISSING_DIBAO"],
            "answer": [answer],
            "note": [pd.NA],
            "file_name": ["f.xlsx"],
            "sheet": ["清单"],
            "row": [2],
            "file_sha256": ["x"],
        }
    )


def test_later_answer_replaces_earlier_and_latest_before_a_quarter_wins(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        db.record_feedback(_answers("2024Q1", "不符合条件"), pd.DataFrame())
        db.record_feedback(_answers("2024Q2", "信息有误"), pd.DataFrame())
        db.record_feedback(_answers("2024Q2", "已纳入低保"), pd.DataFrame())
        latest = db.latest_answers_before(Quarter(2024, 3))
        assert latest[["quarter", "answer"]].values.tolist() == [["2024Q2", "已纳入低保"]]
        earlier = db.latest_answers_before(Quarter(2024, 2))
        assert earlier["answer"].tolist() == ["不符合条件"]


def test_corrections_apply_from_their_lists_quarter_on(tmp_path: Path) -> None:
    fixes = pd.DataFrame(
        {
            "id_as_written": ["140105198003150011", "X1"],
            "corrected_id": [A, B],
            "quarter": ["2024Q2", "2024Q3"],
            "file_name": ["f.xlsx", "g.xlsx"],
        }
    )
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        db.record_feedback(pd.DataFrame(), fixes)
        assert db.corrections_until(Quarter(2024, 1)).empty
        q2 = db.corrections_until(Quarter(2024, 2))
        assert q2.values.tolist() == [["140105198003150011", A]]
        assert len(db.corrections_until(Quarter(2024, 4))) == 2


def test_deleting_a_quarter_removes_its_data_from_the_files(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with open_history(path, create=True) as db:
        _done(db, "2024Q2", (B, "INVALID_ID"))
        _done(db, "2024Q3", (A, "MISSING_DIBAO"))
        db.record_feedback(_answers("2024Q3", "已纳入低保"), pd.DataFrame())
        counts = db.purge_quarter("2024Q3")
        assert counts == {"runs": 1, "findings": 1, "feedback": 1, "corrections": 0}
        assert list(db.latest_run_per_quarter()) == ["2024Q2"]
        assert db.person_findings(A).empty
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("h.sqlite3"))
    assert A.encode() not in raw  # zeroed, not just unlinked from the b-tree
    assert B.encode() in raw
