"""County feedback: read the returned agency lists, validate the answers, record them.

The agency workbooks fanpin sends down carry, per row, 问题代码 and 公民身份号码 (and the
person's other fields), then 核查结果 (a drop-down) and 备注/正确身份证号 for the county.
Reading them back: every answered row becomes an answer for (quarter, person, code). On a
row answered 信息有误, a valid ID written in the note that differs from the row's ID becomes
an ID correction, used by later runs when linking (run_compare(corrections=...)). Other
answers' notes may quote other IDs (a household head's, say), so they never correct.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from fanpin.batch.feedback_text import ANSWER_WRONG_INFO, FEEDBACK_ANSWERS
from fanpin.batch.history import ANSWER_FIELDS, CORRECTION_FIELDS, HistoryDB
from fanpin.batch.keys import person_keys
from fanpin.compare.quarter import Quarter
from fanpin.compare.sets import member_of
from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.findings import CODES
from fanpin.normalize.ids import STATUS_OK, STATUS_UNRECOVERABLE, clean_id_text, normalize_ids
from fanpin.privacy import mask_value
from fanpin.reports.agency import FEEDBACK_COLUMN, LIST_COLUMNS, NOTE_COLUMN

STR = pd.StringDtype("pyarrow")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

# Header text in the returned list -> field name. The note column also answers to the
# shorter names a county might retype.
_HEADERS = {
    LIST_COLUMNS["code"]: "code",
    LIST_COLUMNS["id_number"]: "id_number",
    LIST_COLUMNS["name"]: "name",
    LIST_COLUMNS["cert_number"]: "cert_number",
    LIST_COLUMNS["source"]: "source",
    LIST_COLUMNS["sheet"]: "sheet",
    LIST_COLUMNS["row"]: "row",
    FEEDBACK_COLUMN: "answer",
    NOTE_COLUMN: "note",
    "备注": "note",
    "正确身份证号": "note",
    "备注（正确身份证号）": "note",
}
_REQUIRED = ("code", "id_number", "answer")
_LABEL = {v: k for k, v in _HEADERS.items() if k != "备注" and k != "正确身份证号"}
_LABEL["note"] = NOTE_COLUMN
_QUARTER_IN_TITLE = re.compile(r"(\d{4})\s*[Qq]\s*([1-4])")
# A resident ID in free text, after noise is cleaned: 18 or 15 characters, not inside a
# longer run of digits (a bank card, for instance).
_ID_IN_TEXT = r"(?:^|[^0-9])([0-9]{17}[0-9X]|[0-9]{15})(?:$|[^0-9X])"
_HEADER_SCAN_ROWS = 10


@dataclass
class FeedbackFile:
    """What one returned file held (counts only: safe to print and log)."""

    file: str
    quarter: str
    sheets: list[str]
    rows: int = 0
    answered: int = 0
    corrections: int = 0
    notes_without_answer: int = 0


@dataclass
class FeedbackBatch:
    answers: pd.DataFrame  # quarter, person_key, code, answer, note, corrected_id, file_name,
    #                        sheet, row, file_sha256
    corrections: pd.DataFrame  # id_as_written, corrected_id, quarter, file_name, sheet, row
    files: list[FeedbackFile] = field(default_factory=list)


# ---------------------------------------------------------------- reading cells


def cell_text(value: Any) -> str | None:
    """A cell as text the way fanpin's readers render it (numbers keep their damage)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text or None


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(row index, field -> column index) of the first row naming the required columns."""
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        labels = [re.sub(r"\s+", "", str(v)) if v is not None else "" for v in row]
        found = {}
        for j, label in enumerate(labels):
            fld = _HEADERS.get(label)
            if fld is not None and fld not in found:
                found[fld] = j
        if all(f in found for f in _REQUIRED):
            return i, found
    return None


def _title_quarter(rows: list[list[Any]]) -> str | None:
    """The quarter in a summary sheet's title row (e.g. '2024Q3 民政部门应保尽保排查…')."""
    for row in rows[:3]:
        for value in row:
            match = _QUARTER_IN_TITLE.search(str(value or ""))
            if match:
                return f"{match.group(1)}Q{match.group(2)}"
    return None


def _sheet_frame(rows: list[list[Any]], header: int, columns: dict[str, int]) -> pd.DataFrame:
    body = rows[header + 1 :]
    data: dict[str, list[str | None]] = {}
    for fld, j in columns.items():
        data[fld] = [cell_text(r[j]) if j < len(r) else None for r in body]
    frame = pd.DataFrame(data, dtype=STR)
    frame["_row"] = range(header + 2, header + 2 + len(body))
    # A numeric ID cell means someone retyped the ID as a number.
    j = columns["id_number"]
    frame["_id_numeric"] = [isinstance(r[j], float) if j < len(r) else False for r in body]
    blank = frame[list(columns)].isna().all(axis=1)
    return frame[~blank].reset_index(drop=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_feedback_file(path: Path) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Rows of every list sheet in a returned workbook, the quarter in its title (if any),
    and the names of the sheets read. Raises InputError when nothing can be read."""
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputError.single(
            ErrorCode.UNSUPPORTED_FORMAT,
            "反馈文件应为 fanpin 下发的 Excel 清单（.xlsx/.xls/.ods）",
            file=path.name,
        )
    if not path.is_file():
        raise InputError.single(ErrorCode.FILE_NOT_FOUND, "文件不存在", file=str(path))
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError.single(
            ErrorCode.FILE_UNREADABLE, f"无法读取文件（{type(exc).__name__}）", file=path.name
        ) from exc
    frames: list[pd.DataFrame] = []
    sheets: list[str] = []
    quarter: str | None = None
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        quarter = quarter or _title_quarter(rows)
        found = _find_header(rows)
        if found is None:
            continue
        frame = _sheet_frame(rows, *found)
        frame["_sheet"] = name
        frames.append(frame)
        sheets.append(name)
    if not frames:
        needed = "、".join(_LABEL[f] for f in _REQUIRED)
        raise InputError.single(
            ErrorCode.MISSING_COLUMN,
            f"找不到核查清单：没有一个工作表的表头同时有 {needed}（请使用 fanpin 下发的清单）",
            file=path.name,
        )
    return pd.concat(frames, ignore_index=True), quarter, sheets


# ---------------------------------------------------------------- validating rows


def _problem(
    path: Path, frame: pd.DataFrame, i: int, fld: str, message: str, value: str = ""
) -> InputProblem:
    return InputProblem(
        ErrorCode.BAD_VALUE,
        message,
        file=path.name,
        sheet=str(frame.at[i, "_sheet"]),
        row=int(str(frame.at[i, "_row"])),
        column=_LABEL.get(fld, fld),
        value=value,
    )


def ids_in_notes(notes: pd.Series) -> pd.Series:
    """The first ID-shaped token (15 or 18 characters) in each note, cleaned; NA if none."""
    cleaned = clean_id_text(notes.astype(STR))
    return cleaned.str.extract(_ID_IN_TEXT, expand=False).astype(STR)


def validate_rows(path: Path, frame: pd.DataFrame) -> list[InputProblem]:
    """Every problem in the answered rows of one file (values masked where personal)."""
    problems: list[InputProblem] = []
    answered = frame["answer"].notna()
    bad_answer = answered & ~frame["answer"].isin(FEEDBACK_ANSWERS)
    for i in frame.index[bad_answer]:
        problems.append(
            _problem(
                path,
                frame,
                i,
                "answer",
                "核查结果只能从下拉列表中选：" + "、".join(FEEDBACK_ANSWERS),
                str(frame.at[i, "answer"]),
            )
        )
    bad_code = answered & ~frame["code"].isin(list(CODES))
    for i in frame.index[bad_code]:
        problems.append(
            _problem(
                path,
                frame,
                i,
                "code",
                "问题代码不认识（请勿修改此列）",
                str(frame.at[i, "code"] or ""),
            )
        )
    numeric = answered & frame["_id_numeric"]
    statuses = normalize_ids(frame["id_number"])["id_status"]
    numeric |= answered & statuses.eq(STATUS_UNRECOVERABLE).fillna(False)
    for i in frame.index[numeric & ~bad_code]:
        problems.append(
            _problem(
                path,
                frame,
                i,
                "id_number",
                "身份证号被改成了数字格式，无法对应到原清单中的人（请勿修改此列）",
                mask_value(frame.at[i, "id_number"]),
            )
        )
    nobody = answered & frame["id_number"].isna()
    if "name" in frame:
        nobody &= frame["name"].isna()
    for i in frame.index[nobody]:
        problems.append(
            _problem(path, frame, i, "id_number", "身份证号和姓名都是空的，无法确定是哪个人")
        )

    # A corrected ID (in the note of a 信息有误 row) must be a valid ID.
    if "note" in frame:
        token = ids_in_notes(frame["note"]).where(frame["answer"].eq(ANSWER_WRONG_INFO))
        status = normalize_ids(token)["id_status"]
        bad_fix = token.notna() & status.ne(STATUS_OK).fillna(True)
        for i in frame.index[bad_fix]:
            problems.append(
                _problem(
                    path,
                    frame,
                    i,
                    "note",
                    "备注中的正确身份证号无效（校验位或出生日期不对），请核对后重填",
                    mask_value(token.at[i]),
                )
            )
    return problems


# ---------------------------------------------------------------- assembling answers


def _answers_and_fixes(
    frame: pd.DataFrame, quarter: str, path: Path, sha: str
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    if "note" not in frame:
        frame["note"] = pd.Series(pd.NA, index=frame.index, dtype=STR)
    frame["person_key"] = person_keys(frame)
    written = clean_id_text(frame["id_number"])
    current = normalize_ids(frame["id_number"])["id"]
    wrong_info = frame["answer"].eq(ANSWER_WRONG_INFO).fillna(False)
    corrected = normalize_ids(ids_in_notes(frame["note"]).where(wrong_info))["id"]
    is_fix = corrected.notna() & written.notna() & corrected.ne(current).fillna(True)
    frame["corrected_id"] = corrected.where(is_fix)
    frame["quarter"] = quarter
    frame["file_name"] = path.name
    frame["sheet"] = frame["_sheet"]
    frame["row"] = frame["_row"]
    frame["file_sha256"] = sha

    answered = frame[frame["answer"].notna()]
    fixes = frame[is_fix].assign(id_as_written=written[is_fix])
    notes_only = int((frame["answer"].isna() & frame["note"].notna()).sum())
    return answered[list(ANSWER_FIELDS)], fixes[list(CORRECTION_FIELDS)], notes_only


def read_feedback(paths: list[Path], quarter: Quarter | None = None) -> FeedbackBatch:
    """Read and validate returned lists. All problems in all files are raised together;
    nothing is returned unless every file is clean. A later row answering the same
    (quarter, person, code) replaces an earlier one, files in the order given."""
    problems: list[InputProblem] = []
    answers: list[pd.DataFrame] = []
    fixes: list[pd.DataFrame] = []
    files: list[FeedbackFile] = []
    for path in paths:
        path = Path(path)
        try:
            frame, title_quarter, sheets = read_feedback_file(path)
        except InputError as exc:
            problems += exc.problems
            continue
        label = _file_quarter(path, title_quarter, quarter, problems)
        problems += validate_rows(path, frame)
        if label is None:
            continue
        got, fix, notes_only = _answers_and_fixes(frame, label, path, _sha256(path))
        answers.append(got)
        fixes.append(fix)
        files.append(
            FeedbackFile(path.name, label, sheets, len(frame), len(got), len(fix), notes_only)
        )
    if problems:
        raise InputError(problems)
    all_answers = pd.concat(answers, ignore_index=True) if answers else pd.DataFrame()
    all_fixes = pd.concat(fixes, ignore_index=True) if fixes else pd.DataFrame()
    if len(all_answers):
        all_answers = all_answers.drop_duplicates(["quarter", "person_key", "code"], keep="last")
    if len(all_fixes):
        all_fixes = all_fixes.drop_duplicates(["id_as_written"], keep="last")
    return FeedbackBatch(
        all_answers.reset_index(drop=True), all_fixes.reset_index(drop=True), files
    )


def _file_quarter(
    path: Path, in_title: str | None, given: Quarter | None, problems: list[InputProblem]
) -> str | None:
    """The quarter whose list this file answers: from its title, or from --quarter."""
    if given is not None and in_title is not None and in_title != given.label:
        problems.append(
            InputProblem(
                ErrorCode.BAD_OPTION,
                f"文件标题中的季度是 {in_title}，与指定的 --quarter {given.label} 不一致",
                file=path.name,
                column="--quarter",
            )
        )
        return None
    if in_title is not None:
        return in_title
    if given is not None:
        return given.label
    problems.append(
        InputProblem(
            ErrorCode.BAD_OPTION,
            "无法从文件中看出是哪个季度的清单（汇总表标题缺失），请用 --quarter 指定，如 2024Q3",
            file=path.name,
            column="--quarter",
        )
    )
    return None


@dataclass(frozen=True)
class FeedbackReport:
    answers: int
    corrections: int
    unmatched: int  # answered rows whose (person, code) is not in that quarter's findings
    quarters_without_run: tuple[str, ...]


def record_feedback(db: HistoryDB, batch: FeedbackBatch) -> FeedbackReport:
    """Store a validated batch in the history (one transaction) and say what matched."""
    unmatched = 0
    missing_runs: list[str] = []
    answers = batch.answers
    labels = sorted(str(q) for q in answers["quarter"].unique()) if len(answers) else []
    for label in labels:
        rows = answers[answers["quarter"] == label]
        known = db.finding_keys(label)
        if not db.quarter_has_findings(label):
            missing_runs.append(label)
            unmatched += len(rows)
            continue
        pairs = rows["person_key"].astype(STR) + "\x1f" + rows["code"].astype(STR)
        pool = known["person_key"].astype(STR) + "\x1f" + known["code"].astype(STR)
        unmatched += int((~member_of(pairs, pool)).sum())
    db.record_feedback(batch.answers, batch.corrections)
    return FeedbackReport(
        len(batch.answers), len(batch.corrections), unmatched, tuple(missing_runs)
    )
