"""The history database: runs, their inputs' hashes, findings per person and code, county
feedback answers and ID corrections, across quarters.

SQLite from the standard library, WAL mode, schema version in PRAGMA user_version with
forward migrations. The file is created with owner-only permissions (0600; SQLite gives its
-wal and -shm files the same mode). It holds full IDs and names: it is personal data.

A run is recorded in two steps so that a crash at any point can be put right:
`begin_run` writes the run as 'pending' together with all its findings in one
transaction, before the output directory is swapped into place; `confirm_run` marks it
'done' after the swap. A pending run found later is confirmed if the output directory
carries its run token (the swap happened) and discarded otherwise (see batch.runner).
Queries only ever see 'done' runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fanpin.compare.quarter import Quarter
from fanpin.errors import ErrorCode, InputError

log = logging.getLogger(__name__)
STR = pd.StringDtype("pyarrow")

# Columns of a finding as stored (besides run_id); all text except row and occurrences.
FINDING_FIELDS = (
    "person_key",
    "code",
    "severity",
    "agency",
    "id_number",
    "name",
    "cert_number",
    "city",
    "county",
    "township",
    "village",
    "source",
    "sheet",
    "row",
    "detail",
    "occurrences",
)

# Columns of a county answer and of an ID correction as stored.
ANSWER_FIELDS = (
    "quarter",
    "person_key",
    "code",
    "answer",
    "note",
    "corrected_id",
    "file_name",
    "sheet",
    "row",
    "file_sha256",
)
CORRECTION_FIELDS = ("id_as_written", "corrected_id", "quarter", "file_name", "sheet", "row")

# Migrations: MIGRATIONS[i] takes the schema from version i to version i + 1.
_V1 = """
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    quarter TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    fanpin_version TEXT NOT NULL,
    rules_sha256 TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    findings_count INTEGER NOT NULL,
    roster_count INTEGER NOT NULL
);
CREATE INDEX runs_by_quarter ON runs(quarter);
CREATE TABLE run_inputs (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read INTEGER,
    PRIMARY KEY (run_id, kind, file_name)
);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    person_key TEXT NOT NULL,
    code TEXT NOT NULL,
    severity TEXT,
    agency TEXT,
    id_number TEXT,
    name TEXT,
    cert_number TEXT,
    city TEXT,
    county TEXT,
    township TEXT,
    village TEXT,
    source TEXT,
    sheet TEXT,
    row INTEGER,
    detail TEXT,
    occurrences INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (run_id, person_key, code)
) WITHOUT ROWID;
CREATE INDEX findings_by_person ON findings(person_key);
"""

# Version 2: two-step run recording (status, run token, manifest hash), the job file, the
# finding codes a run could not check (a missing agency file), county feedback and ID
# corrections. Runs recorded by version 1 were complete: 'done'.
_V2 = """
ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
ALTER TABLE runs ADD COLUMN run_token TEXT;
ALTER TABLE runs ADD COLUMN manifest_sha256 TEXT;
ALTER TABLE runs ADD COLUMN job_file TEXT;
ALTER TABLE runs ADD COLUMN unchecked_codes TEXT NOT NULL DEFAULT '';
CREATE TABLE feedback (
    quarter TEXT NOT NULL,
    person_key TEXT NOT NULL,
    code TEXT NOT NULL,
    answer TEXT NOT NULL,
    note TEXT,
    corrected_id TEXT,
    file_name TEXT NOT NULL,
    sheet TEXT,
    row INTEGER,
    file_sha256 TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (quarter, person_key, code)
);
CREATE TABLE id_corrections (
    id_as_written TEXT PRIMARY KEY,
    corrected_id TEXT NOT NULL,
    quarter TEXT NOT NULL,
    file_name TEXT,
    sheet TEXT,
    row INTEGER,
    recorded_at TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class RunRecord:
    """What is known about a run before its outputs are swapped into place."""

    quarter: str
    started_at: str
    fanpin_version: str
    rules_sha256: str
    out_dir: str
    roster_count: int
    run_token: str
    job_file: str = ""
    unchecked_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InputRecord:
    kind: str
    file_name: str
    sha256: str
    rows_read: int | None = None


@dataclass(frozen=True)
class PendingRun:
    run_id: int
    quarter: str
    out_dir: Path
    run_token: str


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _create_private_file(path: Path) -> None:
    """Create an empty file readable and writable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    # Windows ignores the mode bits; the file inherits the folder's access list there.
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


class HistoryDB:
    """A connection to the history database. Use `open_history(path)`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # ---------------------------------------------------------------- set-up
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply the migrations above the file's version, each in its own transaction."""
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise InputError.single(
                ErrorCode.BAD_OPTION,
                f"历史数据库由更新版本的 fanpin 创建（结构版本 {version}，本程序支持到 "
                f"{SCHEMA_VERSION}），请升级 fanpin",
                file=self.path.name,
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as conn:
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
            log.info("history schema migrated", extra={"fields": {"to_version": target}})
        return self.schema_version()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- recording runs
    def begin_run(
        self, record: RunRecord, findings: pd.DataFrame, inputs: Sequence[InputRecord]
    ) -> int:
        """Insert a pending run with its inputs and keyed findings, in one transaction.

        `findings` has the FINDING_FIELDS columns, one row per (person_key, code).
        """
        rows = _finding_rows(findings)
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (quarter, started_at, fanpin_version, rules_sha256, out_dir,"
                " findings_count, roster_count, status, run_token, job_file, unchecked_codes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                (
                    record.quarter,
                    record.started_at,
                    record.fanpin_version,
                    record.rules_sha256,
                    record.out_dir,
                    len(rows),
                    record.roster_count,
                    record.run_token,
                    record.job_file,
                    ",".join(record.unchecked_codes),
                ),
            )
            run_id = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO run_inputs (run_id, kind, file_name, sha256, rows_read)"
                " VALUES (?, ?, ?, ?, ?)",
                [(run_id, i.kind, i.file_name, i.sha256, i.rows_read) for i in inputs],
            )
            placeholders = ", ".join("?" * (len(FINDING_FIELDS) + 1))
            conn.executemany(
                f"INSERT INTO findings (run_id, {', '.join(FINDING_FIELDS)})"
                f" VALUES ({placeholders})",
                [(run_id, *row) for row in rows],
            )
        return run_id

    def confirm_run(
        self, run_id: int, manifest_sha256: str, finished_at: str | None = None
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET status = 'done', manifest_sha256 = ?, finished_at = ?"
                " WHERE run_id = ?",
                (manifest_sha256, finished_at or _now(), run_id),
            )

    def discard_run(self, run_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))

    def pending_runs(self) -> list[PendingRun]:
        rows = self.conn.execute(
            "SELECT run_id, quarter, out_dir, run_token FROM runs WHERE status = 'pending'"
            " ORDER BY run_id"
        ).fetchall()
        return [PendingRun(int(r[0]), str(r[1]), Path(r[2]), str(r[3] or "")) for r in rows]

    # ---------------------------------------------------------------- reading runs
    def runs(self) -> pd.DataFrame:
        """Done runs, oldest first, with counts and the number of input files."""
        return self._frame(
            "SELECT r.run_id, r.quarter, r.started_at, r.finished_at, r.findings_count,"
            " r.roster_count, r.fanpin_version, r.out_dir, r.job_file,"
            " (SELECT COUNT(*) FROM run_inputs i WHERE i.run_id = r.run_id) AS inputs_count"
            " FROM runs r WHERE r.status = 'done' ORDER BY r.run_id"
        )

    def unchecked_codes(self) -> dict[str, frozenset[str]]:
        """quarter label -> codes its latest done run could not check."""
        latest = self.latest_run_per_quarter()
        out: dict[str, frozenset[str]] = {}
        for label, run_id in latest.items():
            row = self.conn.execute(
                "SELECT unchecked_codes FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
            out[label] = frozenset(c for c in str(row[0] or "").split(",") if c)
        return out

    def run_inputs(self, run_id: int) -> pd.DataFrame:
        return self._frame(
            "SELECT kind, file_name, sha256, rows_read FROM run_inputs WHERE run_id = ?"
            " ORDER BY kind, file_name",
            (run_id,),
        )

    def latest_run_per_quarter(self) -> dict[str, int]:
        """quarter label -> the last done run of that quarter (a re-run replaces earlier ones)."""
        rows = self.conn.execute(
            "SELECT quarter, MAX(run_id) FROM runs WHERE status = 'done' GROUP BY quarter"
        ).fetchall()
        return {str(q): int(r) for q, r in rows}

    def findings_of_runs(self, run_ids: Sequence[int], *, keys_only: bool = False) -> pd.DataFrame:
        """Stored findings of the given runs, with their run's quarter. keys_only reads just
        (quarter, run_id, person_key, code): enough to follow a finding across quarters."""
        if not run_ids:
            return _empty_stored()
        marks = ", ".join("?" * len(run_ids))
        fields = ("person_key", "code") if keys_only else FINDING_FIELDS
        return self._frame(
            f"SELECT r.quarter, f.run_id, {', '.join('f.' + c for c in fields)}"
            f" FROM findings f JOIN runs r ON r.run_id = f.run_id"
            f" WHERE f.run_id IN ({marks}) ORDER BY f.run_id, f.code, f.person_key",
            tuple(run_ids),
        )

    def history_until(
        self, quarter: Quarter, inclusive: bool = False, *, full: int | None = None
    ) -> pd.DataFrame:
        """Findings of the latest run of every quarter before (or up to) `quarter`.

        full=N reads every column only for the N newest of those quarters and just the keys
        for older ones (the change computation needs details only for what it shows)."""
        latest = self.latest_run_per_quarter()
        chosen = sorted(
            (label, run_id)
            for label, run_id in latest.items()
            if label < quarter.label or (inclusive and label == quarter.label)
        )
        if full is None or len(chosen) <= full:
            return self.findings_of_runs([r for _, r in chosen])
        older = self.findings_of_runs([r for _, r in chosen[:-full]], keys_only=True)
        newer = self.findings_of_runs([r for _, r in chosen[-full:]])
        return pd.concat([older.reindex(columns=newer.columns), newer], ignore_index=True)

    def person_findings(self, person_key: str, *, prefix: bool = False) -> pd.DataFrame:
        """One person's findings in the latest run of each quarter, oldest quarter first.
        With prefix=True, every key starting with `person_key` (e.g. "raw:<ID as written>|")."""
        latest = self.latest_run_per_quarter()
        if not latest:
            return _empty_stored()
        marks = ", ".join("?" * len(latest))
        if prefix:
            escaped = person_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where, key = "f.person_key LIKE ? ESCAPE '\\'", escaped + "%"
        else:
            where, key = "f.person_key = ?", person_key
        frame = self._frame(
            f"SELECT r.quarter, f.run_id, {', '.join('f.' + c for c in FINDING_FIELDS)}"
            f" FROM findings f JOIN runs r ON r.run_id = f.run_id"
            f" WHERE {where} AND f.run_id IN ({marks})",
            (key, *latest.values()),
        )
        return _sort_by_quarter(frame, ["code"])

    # ---------------------------------------------------------------- feedback
    def record_feedback(self, answers: pd.DataFrame, corrections: pd.DataFrame) -> None:
        """Store county answers and ID corrections together; a later answer replaces an earlier
        one for the same quarter, person and code, a later correction for the same ID."""
        stamp = _now()
        answer_cols, fix_cols = ANSWER_FIELDS, CORRECTION_FIELDS
        with self.transaction() as conn:
            conn.executemany(
                f"INSERT OR REPLACE INTO feedback ({', '.join(answer_cols)}, recorded_at)"
                f" VALUES ({', '.join('?' * (len(answer_cols) + 1))})",
                [(*row, stamp) for row in _plain_rows(answers, answer_cols)],
            )
            conn.executemany(
                f"INSERT OR REPLACE INTO id_corrections ({', '.join(fix_cols)}, recorded_at)"
                f" VALUES ({', '.join('?' * (len(fix_cols) + 1))})",
                [(*row, stamp) for row in _plain_rows(corrections, fix_cols)],
            )

    def latest_answers_before(self, quarter: Quarter) -> pd.DataFrame:
        """For each (person_key, code), the answer to the latest list before `quarter`."""
        frame = self._frame(
            "SELECT quarter, person_key, code, answer, note, corrected_id FROM feedback"
        )
        if frame.empty:
            return frame
        frame = frame[frame["quarter"] < quarter.label]
        frame = _sort_by_quarter(frame, ["person_key", "code"])
        return frame.drop_duplicates(["person_key", "code"], keep="last").reset_index(drop=True)

    def answers_for(self, person_key: str) -> pd.DataFrame:
        frame = self._frame(
            "SELECT quarter, code, answer, note, corrected_id, file_name, recorded_at"
            " FROM feedback WHERE person_key = ?",
            (person_key,),
        )
        return _sort_by_quarter(frame, ["code"])

    def corrections_until(self, quarter: Quarter) -> pd.DataFrame:
        """ID corrections from answers to lists of `quarter` or earlier, for linking."""
        frame = self._frame("SELECT id_as_written, corrected_id, quarter FROM id_corrections")
        if frame.empty:
            return frame[["id_as_written", "corrected_id"]]
        frame = frame[frame["quarter"] <= quarter.label].sort_values("id_as_written")
        return frame[["id_as_written", "corrected_id"]].reset_index(drop=True)

    def quarter_has_findings(self, quarter: str) -> bool:
        latest = self.latest_run_per_quarter()
        return quarter in latest

    def finding_keys(self, quarter: str) -> pd.DataFrame:
        """(person_key, code) pairs of the latest done run of `quarter`."""
        run_id = self.latest_run_per_quarter().get(quarter)
        if run_id is None:
            return pd.DataFrame({"person_key": [], "code": []}, dtype=STR)
        return self._frame("SELECT person_key, code FROM findings WHERE run_id = ?", (run_id,))

    # ---------------------------------------------------------------- deleting
    def purge_quarter(self, quarter: str) -> dict[str, int]:
        """Delete every run, finding, answer and correction of one quarter; zero the freed
        pages and empty the WAL so the deleted data does not linger in the files."""
        self.conn.execute("PRAGMA secure_delete = ON")
        with self.transaction() as conn:
            counts = {
                "runs": conn.execute(
                    "SELECT COUNT(*) FROM runs WHERE quarter = ?", (quarter,)
                ).fetchone()[0],
                "findings": conn.execute(
                    "SELECT COUNT(*) FROM findings f JOIN runs r ON r.run_id = f.run_id"
                    " WHERE r.quarter = ?",
                    (quarter,),
                ).fetchone()[0],
                "feedback": conn.execute(
                    "DELETE FROM feedback WHERE quarter = ?", (quarter,)
                ).rowcount,
                "corrections": conn.execute(
                    "DELETE FROM id_corrections WHERE quarter = ?", (quarter,)
                ).rowcount,
            }
            conn.execute("DELETE FROM runs WHERE quarter = ?", (quarter,))
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")
        return {k: int(v) for k, v in counts.items()}

    def run_out_dirs(self, quarter: str) -> list[tuple[Path, str]]:
        rows = self.conn.execute(
            "SELECT out_dir, run_token FROM runs WHERE quarter = ?", (quarter,)
        ).fetchall()
        return [(Path(r[0]), str(r[1] or "")) for r in rows]

    # ---------------------------------------------------------------- helpers
    def _frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        cur = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cur.description]
        data = cur.fetchall()
        frame = pd.DataFrame.from_records(data, columns=names)
        for col in frame.columns:
            if frame[col].dtype == object or len(frame) == 0:
                frame[col] = frame[col].astype(STR)
        return frame


def open_history(path: Path, *, create: bool = False) -> HistoryDB:
    """Open and migrate the history database; with create=True a missing file is created
    (mode 0600). Only `fanpin run` creates it: a mistyped --db must not yield an empty one."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise InputError.single(
                ErrorCode.FILE_NOT_FOUND,
                "历史数据库不存在（它在第一次 fanpin run 时创建），"
                "请检查 --db 或任务文件中的 history",
                file=str(path),
            )
        _create_private_file(path)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = HistoryDB(path, conn)
        db.migrate()
    except sqlite3.DatabaseError as exc:
        raise InputError.single(
            ErrorCode.FILE_UNREADABLE,
            f"历史数据库无法打开（{type(exc).__name__}），文件可能已损坏或不是 fanpin 的历史库",
            file=path.name,
        ) from exc
    return db


def _empty_stored() -> pd.DataFrame:
    cols = ["quarter", "run_id", *FINDING_FIELDS]
    return pd.DataFrame({c: pd.Series(dtype=STR) for c in cols})


def _sort_by_quarter(frame: pd.DataFrame, then: list[str]) -> pd.DataFrame:
    # Labels are always written YYYYQn, so text order is calendar order.
    return frame.sort_values(["quarter", *then], kind="stable").reset_index(drop=True)


def _plain_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[object, ...]]:
    """Rows of Python values for executemany (NA -> NULL), converted column by column."""
    present = frame.reindex(columns=list(columns))
    cols = [present[c].astype(object).where(present[c].notna(), None).tolist() for c in columns]
    return list(zip(*cols, strict=True)) if cols else []


def _finding_rows(findings: pd.DataFrame) -> list[tuple[object, ...]]:
    frame = findings.reindex(columns=list(FINDING_FIELDS))
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    frame["occurrences"] = pd.to_numeric(frame["occurrences"]).fillna(1).astype("Int64")
    return _plain_rows(frame, FINDING_FIELDS)
