"""The quarterly comparison end to end: read, normalise, link, check, assemble results."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fanpin import __version__
from fanpin.compare.checks import run_checks, skipped_codes
from fanpin.compare.prepare import KIND_LABELS, normalise_source
from fanpin.compare.quarter import Quarter
from fanpin.compare.result import KINDS, CompareInputs, CompareResult
from fanpin.compare.roster import roster_table
from fanpin.compare.rules import parse_compare_rules
from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.findings import CODES, sort_findings
from fanpin.io.coerce import coerce
from fanpin.io.read import read_tables
from fanpin.link.stage import annotate_unrecoverable, link_sources
from fanpin.rules import RulesFile

log = logging.getLogger(__name__)
StepCallback = Callable[[str], None]


@dataclass
class _Loaded:
    frame: pd.DataFrame
    inputs: list[dict[str, Any]]


def _load_kind(paths: list[Path], kind: str, skip_bad_rows: bool) -> _Loaded:
    """Read and coerce every file of one kind; collect all value problems before raising."""
    frames: list[pd.DataFrame] = []
    problems: list[InputProblem] = []
    by_file: dict[str, dict[str, Any]] = {}
    for table in read_tables(paths, kind):
        frame, found = coerce(table)
        entry = by_file.setdefault(
            str(table.path),
            {
                "file": table.path.name,
                "path": str(table.path),
                "kind": kind,
                "sha256": table.sha256,
                "sheets": [],
                "rows_read": 0,
                "rows_kept": 0,
                "dropped": {},
            },
        )
        entry["sheets"].extend(table.sheets)
        entry["rows_read"] += table.rows_read
        for reason, count in table.dropped.items():
            entry["dropped"][reason] = entry["dropped"].get(reason, 0) + count
        if found and skip_bad_rows:
            bad = pd.MultiIndex.from_tuples({(p.sheet, p.row) for p in found})
            where = pd.MultiIndex.from_arrays([frame["_sheet"].astype(str), frame["_row"]])
            keep = ~where.isin(bad)
            dropped = int((~keep).sum())
            frame = frame[keep]
            entry["dropped"]["取值不合规（--skip-bad-rows）"] = dropped
        elif found:
            problems.extend(found)
        entry["rows_kept"] += len(frame)
        frames.append(frame)
    if problems:
        raise InputError(problems)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return _Loaded(frame, list(by_file.values()))


def _refuse_repeated_content(entries: list[dict[str, Any]]) -> None:
    """The same file content given twice (under two names or options) would duplicate
    every row and turn each person into a DUPLICATE_RECORD."""
    seen: dict[str, dict[str, Any]] = {}
    problems = []
    for entry in entries:
        first = seen.setdefault(entry["sha256"], entry)
        if first is not entry:
            problems.append(
                InputProblem(
                    ErrorCode.BAD_OPTION,
                    f"与“{first['file']}”内容完全相同，同一份数据提供了两次",
                    file=entry["file"],
                )
            )
    if problems:
        raise InputError(problems)


def _input_notes(
    entries: list[dict[str, Any]], frames: dict[str, pd.DataFrame | None]
) -> list[str]:
    """Warnings about inputs that read cleanly but look wrong."""
    notes = [
        f"“{entry['file']}”没有数据行（只有表头），请确认是否给错了文件"
        for entry in entries
        if entry["rows_kept"] == 0
    ]
    dibao = frames.get("dibao")
    if dibao is not None and len(dibao) and dibao["dibao_status"].isna().all():
        notes.append("低保数据中“保障状态”为空或没有这一列：名单中的人都按在保计算")
    return notes


def run_compare(
    inputs: CompareInputs,
    quarter: Quarter,
    rules: RulesFile,
    *,
    corrections: pd.DataFrame | None = None,
    skip_bad_rows: bool = False,
    on_step: StepCallback | None = None,
) -> CompareResult:
    """Run the quarterly comparison. Raises InputError on bad input; never prints."""
    started = dt.datetime.now().astimezone()
    t0 = time.perf_counter()
    step = on_step or (lambda _name: None)
    policy = parse_compare_rules(rules)

    # Read and normalise each agency's files.
    frames: dict[str, pd.DataFrame | None] = {}
    manifest_inputs: list[dict[str, Any]] = []
    for kind in KINDS:
        paths = inputs.of(kind)
        if not paths:
            frames[kind] = None
            continue
        step(f"读取{KIND_LABELS[kind]}（{len(paths)}个文件）")
        loaded = _load_kind(paths, kind, skip_bad_rows)
        manifest_inputs.extend(loaded.inputs)
        frames[kind] = normalise_source(loaded.frame, kind, corrections)
        log.info("read %s: %d rows from %d files", kind, len(loaded.frame), len(paths))
    _refuse_repeated_content(manifest_inputs)
    notes = _input_notes(manifest_inputs, frames)

    # Issue 3 (fanpin.link.stage): near-miss linking before the checks, so a typo'd ID that
    # is linked counts for coverage (probable link); name, typo and duplicate findings.
    step("近似匹配（身份证号录入错误、姓名不一致）")
    linking = link_sources(frames, rules)
    frames = linking.frames

    step("比对与核查")
    findings, roster, skipped = run_checks(frames, quarter, policy)
    skipped = notes + skipped
    findings = pd.concat([findings, linking.findings], ignore_index=True)
    findings = annotate_unrecoverable(findings, linking.unrecoverable)  # issue 3
    findings = sort_findings(findings)
    roster_out = roster_table(roster)

    counts = findings["code"].value_counts().to_dict()
    manifest = {
        "fanpin_version": __version__,
        "command": "compare",
        "quarter": quarter.label,
        "rules": {"path": str(rules.path), "sha256": rules.sha256},
        "inputs": manifest_inputs,
        "skipped_checks": skipped,
        "skipped_codes": skipped_codes(skipped),
        "counts": {code: int(counts.get(code, 0)) for code in CODES},
        "roster_size": len(roster_out),
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    return CompareResult(
        findings,
        roster_out,
        manifest,
        skipped,
        quarter,
        evidence=linking.pairs,  # issue 3
    )
