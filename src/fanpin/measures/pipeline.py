"""`fanpin measures` end to end: read the roster, survey and history, decide, count.

Reading goes through fanpin.io.read; everything after is pure (`decide_frames`,
`summarise`), so tests can drive it with hand-made frames.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fanpin import __version__
from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.io.coerce import coerce
from fanpin.io.read import Table, read_tables
from fanpin.measures.budget import budget_table, load_quotas
from fanpin.measures.decide import DecisionInputs, decide_all
from fanpin.measures.fields import RELATIVES_SHEET, STUDENTS_SHEET
from fanpin.measures.history import prepare_history
from fanpin.measures.people import (
    join_people,
    prepare_relatives,
    prepare_roster,
    prepare_students,
    prepare_survey,
)
from fanpin.measures.rules import MeasuresRules, parse_measures_rules
from fanpin.measures.summary import annex4_counts, outcome_summary
from fanpin.rules import RulesFile

log = logging.getLogger(__name__)


@dataclass
class MeasuresInputs:
    roster: list[Path]
    survey: list[Path]
    history: list[Path] = field(default_factory=list)

    def all_paths(self) -> list[Path]:
        return [*self.roster, *self.survey, *self.history]


@dataclass
class Frames:
    """Raw frames as read (English field names, text cells); None = not provided."""

    roster: pd.DataFrame
    survey: pd.DataFrame | None = None
    students: pd.DataFrame | None = None
    relatives: pd.DataFrame | None = None
    history: pd.DataFrame | None = None


@dataclass
class MeasuresResult:
    as_of: dt.date
    rules: MeasuresRules
    decisions: pd.DataFrame  # DECISION_COLUMNS
    counts: pd.DataFrame  # Annex 4 counts per city and county
    budget: pd.DataFrame  # BUDGET_COLUMNS
    outcomes: pd.DataFrame  # per measure: eligible / ineligible / undetermined
    problems: list[InputProblem]  # survey cells that could not be read (not fatal)
    notes: list[str]  # Chinese notes for the user (inputs missing, people unmatched)
    manifest: dict[str, Any]


def _concat(tables: list[Table]) -> pd.DataFrame:
    frames = [t.frame for t in tables]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _coerced(tables: list[Table]) -> pd.DataFrame:
    """Roster values made canonical (残疾等级 "一级" -> 1, 证件状态 "已死亡" -> 死亡); a cell
    that cannot be read is an input error: the roster is what every decision rests on."""
    frames: list[pd.DataFrame] = []
    problems: list[InputProblem] = []
    for table in tables:
        frame, found = coerce(table)
        frames.append(frame)
        problems += found
    if problems:
        raise InputError(problems)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _optional_sheet(paths: list[Path], kind: str) -> tuple[pd.DataFrame | None, list[Table]]:
    """An optional sheet kind of the survey workbooks: None when no file has such a sheet.

    The reader reports "no header found" as a HEADER_NOT_FOUND problem without a column;
    any other problem (a matching sheet missing a required column) is a real error.
    """
    found: list[Table] = []
    for path in paths:
        try:
            found += read_tables([path], kind)
        except InputError as exc:
            if all(p.code == ErrorCode.HEADER_NOT_FOUND and not p.column for p in exc.problems):
                continue
            raise
    return (_concat(found) if found else None), found


def read_frames(inputs: MeasuresInputs) -> tuple[Frames, list[Table]]:
    """Read every input file; all problems of one kind are raised together."""
    tables = read_tables(inputs.roster, "roster")
    frames = Frames(roster=_coerced(tables))
    if inputs.survey:
        survey_tables = read_tables(inputs.survey, "survey")
        survey = _concat(survey_tables)
        # A students/relatives sheet that happens to name two survey columns is not survey data.
        frames.survey = survey[~survey["_sheet"].isin([STUDENTS_SHEET, RELATIVES_SHEET])]
        tables += survey_tables
        frames.students, found = _optional_sheet(inputs.survey, "survey_students")
        tables += found
        frames.relatives, found = _optional_sheet(inputs.survey, "survey_relatives")
        tables += found
    if inputs.history:
        history_tables = read_tables(inputs.history, "history")
        frames.history = _concat(history_tables)
        tables += history_tables
    return frames, tables


def decide_frames(
    frames: Frames, rules: MeasuresRules, as_of: dt.date
) -> tuple[pd.DataFrame, list[InputProblem], list[str]]:
    """Decisions from raw frames; also the survey problems and notes for the user."""
    problems: list[InputProblem] = []
    notes: list[str] = []
    roster = prepare_roster(frames.roster, rules.dead_cert_status)
    survey = None
    if frames.survey is not None:
        survey, found = prepare_survey(frames.survey)
        problems += found
    students = relatives = None
    if frames.students is not None:
        students, found = prepare_students(frames.students)
        problems += found
    if frames.relatives is not None:
        relatives, found = prepare_relatives(frames.relatives, as_of)
        problems += found
    history = prepare_history(frames.history, rules) if frames.history is not None else None

    people = join_people(roster, survey)
    decisions = decide_all(DecisionInputs(people, as_of, students, relatives, history), rules)
    notes += _notes(people, frames, problems)
    return decisions, problems, notes


def _notes(people: pd.DataFrame, frames: Frames, problems: list[InputProblem]) -> list[str]:
    notes = []
    missing = int(((people["survey_state"] == "missing") & people["on_roster"].fillna(False)).sum())
    outside = int((people["on_roster"] == False).sum())  # noqa: E712 (NA stays out)
    unmatched = int(people["on_roster"].isna().sum())
    if frames.survey is None:
        notes.append("未提供需求摸底表：依据摸底表的帮扶项目全部记为“无法判断”。")
    elif missing:
        notes.append(f"名单中有 {missing} 人不在需求摸底表中，依据摸底表的项目记为“无法判断”。")
    if outside:
        notes.append(f"需求摸底表中有 {outside} 人不在未解除返贫风险残疾人名单中，记为“不符合”。")
    if unmatched:
        notes.append(f"需求摸底表中有 {unmatched} 行身份证号无效，无法与名单对应，记为“无法判断”。")
    if frames.survey is not None and frames.students is None:
        notes.append("需求摸底表中没有“在校大学生”工作表：助学帮扶记为“无法判断”。")
    if frames.survey is not None and frames.relatives is None:
        notes.append("需求摸底表中没有“亲属培训”工作表：未判定亲属参加实用技术培训。")
    if frames.history is None:
        notes.append(
            "未提供历年帮扶记录（--history）：限次规则（如资金帮扶每人一次）未核对以往领取情况。"
        )
    if problems:
        notes.append(
            f"输入中有 {len(problems)} 处填写无法识别，相关项目记为“无法判断”"
            "（见 摸底表问题.csv）。"
        )
    return notes


def run_measures(inputs: MeasuresInputs, as_of: dt.date, rules_file: RulesFile) -> MeasuresResult:
    """Read, decide and count. Raises InputError on unusable input; never prints."""
    started = dt.datetime.now().astimezone()
    t0 = time.perf_counter()
    rules = parse_measures_rules(rules_file)
    frames, tables = read_frames(inputs)
    decisions, problems, notes = decide_frames(frames, rules, as_of)
    result = summarise(decisions, rules, as_of, problems, notes)
    result.manifest.update(
        {
            "rules": {"path": str(rules_file.path), "sha256": rules_file.sha256},
            "inputs": [
                {
                    "file": t.path.name,
                    "kind": t.kind,
                    "sha256": t.sha256,
                    "rows": len(t.frame),
                    "sheets": t.sheets,
                    "dropped": t.dropped,
                }
                for t in tables
            ],
            "started": started.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - t0, 2),
        }
    )
    log.info("measures: %d decisions in %.2fs", len(decisions), time.perf_counter() - t0)
    return result


def summarise(
    decisions: pd.DataFrame,
    rules: MeasuresRules,
    as_of: dt.date,
    problems: list[InputProblem] | None = None,
    notes: list[str] | None = None,
) -> MeasuresResult:
    """Counts, budget and summary from decisions (pure)."""
    outcomes = outcome_summary(decisions, rules)
    manifest: dict[str, Any] = {
        "fanpin_version": __version__,
        "command": "measures",
        "as_of": as_of.isoformat(),
        "decisions": len(decisions),
        "outcomes": {
            row["measure"]: {k: row[k] for k in ("eligible", "ineligible", "undetermined")}
            for row in outcomes.to_dict("records")
        },
        "survey_problems": len(problems or []),
    }
    return MeasuresResult(
        as_of=as_of,
        rules=rules,
        decisions=decisions,
        counts=annex4_counts(decisions),
        budget=budget_table(decisions, rules, as_of.year, load_quotas()),
        outcomes=outcomes,
        problems=problems or [],
        notes=notes or [],
        manifest=manifest,
    )
