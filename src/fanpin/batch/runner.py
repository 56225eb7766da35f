"""One unattended quarterly run: lock, compare, changes from the history, outputs, record.

Order, and what a crash at each point leaves:
1. take the quarter lock (a second run is refused and told who holds it);
2. settle runs a crash left 'pending' in the history (below);
3. run the comparison, with the ID corrections counties sent back;
4. compute the changes against earlier quarters' findings;
5. write_outputs builds the whole quarter folder in a staging folder; inside it, extra()
   writes changes.csv and 变化.xlsx, records the run as 'pending' with all its findings in
   one transaction, and writes batch.json holding the run's token;
6. the staging folder is swapped into place; then the run is marked 'done'.
A crash before 5's transaction leaves no trace in the history; between it and the swap,
the previous output stays and the pending run is discarded at the next start (the folder's
batch.json has another token); after the swap, the pending run is confirmed at the next
start (the token matches). The history never shows a run whose outputs are not in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fanpin import __version__
from fanpin.batch.changes import Changes, compute_changes, keyed_findings
from fanpin.batch.changes_output import write_changes
from fanpin.batch.history import HistoryDB, InputRecord, PendingRun, RunRecord, open_history
from fanpin.batch.job import AGENCY_KINDS, Job
from fanpin.batch.keys import person_keys
from fanpin.batch.lock import LockHolder, QuarterLock, pid_alive
from fanpin.compare.outputs import MANIFEST, recover_interrupted, write_outputs
from fanpin.compare.pipeline import run_compare
from fanpin.compare.result import CompareInputs, CompareResult
from fanpin.errors import ErrorCode, InputError, LockedError
from fanpin.rules import RulesFile, load_rules

log = logging.getLogger(__name__)
BATCH_FILE = "batch.json"

# Codes a run cannot check without an agency's file (used when the comparison's manifest
# does not list them itself).
_CODES_NEEDING = {
    "monitor": (
        "NEW_RISK_DISABLED",
        "NOT_MONITORED_SEVERE",
        "MISSING_DIBAO",
        "MISSING_LIVING_SUBSIDY",
        "MISSING_CARE_SUBSIDY",
    ),
    "dibao": ("MISSING_DIBAO", "MISSING_LIVING_SUBSIDY"),
    "subsidy": ("MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"),
}


@dataclass
class RunOutcome:
    job: Job
    run_id: int
    out_dir: Path
    result: CompareResult
    changes: Changes
    fail_codes_found: dict[str, int]
    settled: list[str] = field(default_factory=list)  # Chinese notes on pending runs put right
    stale_lock: LockHolder | None = None
    # Input files whose content differs from the previous run of the same quarter.
    changed_inputs: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def escalate_after(rules: RulesFile) -> int:
    """[batch] escalate_after_quarters (default 2): open this many quarters -> 督办."""
    section = rules.data.get("batch", {})
    value = section.get("escalate_after_quarters", 2) if isinstance(section, dict) else 2
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError.single(
            ErrorCode.BAD_RULES,
            "[batch] escalate_after_quarters 应为不小于 1 的整数",
            file=rules.path.name,
        )
    return value


def unchecked_codes(result: CompareResult, job: Job) -> tuple[str, ...]:
    """Finding codes this run could not check: from the manifest if the comparison lists
    them, else from which agency files the job lacks."""
    listed = result.manifest.get("skipped_codes")
    if isinstance(listed, list):
        return tuple(sorted(str(c) for c in listed))
    codes: set[str] = set()
    for kind, needing in _CODES_NEEDING.items():
        if not job.inputs.get(kind):
            codes.update(needing)
    if not job.inputs.get("dibao") and not job.inputs.get("subsidy"):
        codes.add("DECEASED_PAID")
    return tuple(sorted(codes))


def input_records(result: CompareResult) -> list[InputRecord]:
    records = []
    for entry in result.manifest.get("inputs", []):
        records.append(
            InputRecord(
                kind=str(entry.get("kind", "")),
                file_name=str(entry.get("file", "")),
                sha256=str(entry.get("sha256", "")),
                rows_read=int(entry["rows_read"]) if "rows_read" in entry else None,
            )
        )
    return records


def changed_inputs(db: HistoryDB, previous_run: int | None, now: list[InputRecord]) -> list[str]:
    """Names of inputs that are new or whose SHA-256 differs from the previous run of the
    same quarter (a re-run on changed files), sorted."""
    if previous_run is None:
        return []
    before = db.run_inputs(previous_run)
    known = dict(zip(before["kind"] + "/" + before["file_name"], before["sha256"], strict=True))
    return sorted(r.file_name for r in now if known.get(f"{r.kind}/{r.file_name}") != r.sha256)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_token(out_dir: Path) -> str | None:
    try:
        data = json.loads((out_dir / BATCH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = data.get("run_token") if isinstance(data, dict) else None
    return str(token) if token else None


# ---------------------------------------------------------------- settling pending runs


def settle(db: HistoryDB, run: PendingRun) -> str:
    """Confirm a pending run whose outputs are in place, discard one whose are not.
    The caller holds the lock of run.out_dir."""
    recover_interrupted(run.out_dir)
    if read_token(run.out_dir) == run.run_token and (run.out_dir / MANIFEST).is_file():
        db.confirm_run(run.run_id, file_sha256(run.out_dir / MANIFEST))
        log.warning("pending run confirmed", extra={"fields": {"run_id": run.run_id}})
        return f"上次中断的运行（{run.quarter}，编号 {run.run_id}）结果已完整写出，已补记入历史"
    db.discard_run(run.run_id)
    log.warning("pending run discarded", extra={"fields": {"run_id": run.run_id}})
    return (
        f"上次中断的运行（{run.quarter}，编号 {run.run_id}）未写完，已从历史中撤销，原结果保持不变"
    )


def settle_pending(db: HistoryDB, held: Path | None = None) -> list[str]:
    """Settle every pending run whose quarter folder can be locked now; `held` is a folder
    whose lock this process already holds. Runs still in progress elsewhere are left."""
    notes = []
    for run in db.pending_runs():
        if held is not None and run.out_dir.resolve() == held.resolve():
            notes.append(settle(db, run))
            continue
        if not run.out_dir.parent.is_dir():  # the output root is gone: nothing was swapped
            notes.append(settle(db, run))
            continue
        try:
            with QuarterLock(run.out_dir, purpose="fanpin settle"):
                notes.append(settle(db, run))
        except LockedError:
            continue  # another run is writing that quarter right now
    return notes


def remove_abandoned_staging(out_dir: Path) -> int:
    """Delete staging folders (.2024Q3.staging-PID, see compare.outputs) left by a killed
    process: they hold a full, unmasked copy of a quarter's outputs. A folder whose process
    is still alive is left alone."""
    removed = 0
    for folder in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        pid_text = folder.name.rsplit("-", 1)[-1]
        if not pid_text.isdigit() or pid_alive(int(pid_text)) or not folder.is_dir():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        log.warning("abandoned staging removed", extra={"fields": {"folders": removed}})
    return removed


# ---------------------------------------------------------------- the run


def _check_paths(job: Job) -> None:
    """The history database must not live in a folder that gets swapped away."""
    out = job.out_dir.resolve()
    if out == job.history_path.parent or out in job.history_path.parents:
        raise InputError.single(
            ErrorCode.OUTPUT_CONFLICT,
            "历史数据库不能放在季度结果文件夹里（该文件夹每次运行会被整体替换）",
            file=job.path.name,
            column="history",
        )


def _changes_for(
    db: HistoryDB, result: CompareResult, job: Job, skipped: tuple[str, ...], after: int
) -> tuple[pd.DataFrame, Changes]:
    keys = person_keys(result.findings)
    current = keyed_findings(result.findings, keys)
    unchecked = dict(db.unchecked_codes())
    unchecked[job.quarter.label] = frozenset(skipped)
    changes = compute_changes(
        current,
        db.history_until(job.quarter, full=1),
        job.quarter,
        answers=db.latest_answers_before(job.quarter),
        unchecked=unchecked,
        escalate_after=after,
    )
    return current, changes


def _compare(
    db: HistoryDB, job: Job, rules: RulesFile, step: Callable[[str], None]
) -> tuple[CompareResult, int]:
    """The comparison, with the ID corrections counties sent back; returns the result and
    the number of corrections used."""
    t0 = time.perf_counter()
    corrections = db.corrections_until(job.quarter)
    inputs = CompareInputs(**{k: job.inputs.get(k, []) for k in AGENCY_KINDS})
    result = run_compare(inputs, job.quarter, rules, corrections=corrections, on_step=step)
    fields = {
        "findings": len(result.findings),
        "roster": len(result.roster),
        "corrections": len(corrections),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    log.info("compare done", extra={"fields": fields})
    return result, len(corrections)


def _write_and_record(
    db: HistoryDB,
    job: Job,
    result: CompareResult,
    rules: RulesFile,
    current: pd.DataFrame,
    changes: Changes,
    after_extra: Callable[[Path], None] | None,
) -> int:
    """Stage all outputs, record the run as pending inside the staging step, swap the
    folder into place, then mark the run done. Returns the run id."""
    token = uuid.uuid4().hex
    record = RunRecord(
        quarter=job.quarter.label,
        started_at=str(result.manifest.get("started", dt.datetime.now().isoformat())),
        fanpin_version=__version__,
        rules_sha256=rules.sha256,
        out_dir=str(job.out_dir),
        roster_count=len(result.roster),
        run_token=token,
        job_file=str(job.path),
        unchecked_codes=tuple(result.manifest["batch"]["unchecked_codes"]),
    )
    run_ids: list[int] = []

    def extra(staging: Path) -> None:
        write_changes(changes, staging, mask=job.mask)
        run_ids.append(db.begin_run(record, current, input_records(result)))
        batch = {"run_token": token, "run_id": run_ids[0], **result.manifest["batch"]}
        (staging / BATCH_FILE).write_text(
            json.dumps(batch, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if after_extra is not None:
            after_extra(staging)

    try:
        write_outputs(result, job.out_dir, inputs=job.all_inputs(), mask=job.mask, extra=extra)
    except BaseException:
        if run_ids:  # recorded as pending: keep it only if the swap happened after all
            settle(db, PendingRun(run_ids[0], job.quarter.label, job.out_dir, token))
        raise
    db.confirm_run(run_ids[0], file_sha256(job.out_dir / MANIFEST))
    return run_ids[0]


def run_job(
    job: Job,
    *,
    on_step: Callable[[str], None] | None = None,
    after_extra: Callable[[Path], None] | None = None,
) -> RunOutcome:
    """Run a job once (see the module docstring for the order of steps). Raises InputError
    (bad input) or LockedError (the quarter is being written by another run).

    `after_extra` is called with the staging folder once everything is staged and the
    pending run recorded, just before the swap (tests use it to simulate a crash there).
    """
    step = on_step or (lambda _name: None)
    timings: dict[str, float] = {}
    _check_paths(job)
    rules = load_rules(job.rules_path)
    after = escalate_after(rules)
    with open_history(job.history_path, create=True) as db, QuarterLock(job.out_dir) as lock:
        log.info("lock acquired", extra={"fields": {"quarter": job.quarter.label}})
        settled = settle_pending(db, held=job.out_dir)
        remove_abandoned_staging(job.out_dir)
        previous_same = db.latest_run_per_quarter().get(job.quarter.label)

        t0 = time.perf_counter()
        result, corrections = _compare(db, job, rules, step)
        timings["compare"] = round(time.perf_counter() - t0, 2)

        # Changes against earlier quarters.
        step("与以往季度对照")
        t0 = time.perf_counter()
        skipped = unchecked_codes(result, job)
        current, changes = _changes_for(db, result, job, skipped, after)
        timings["changes"] = round(time.perf_counter() - t0, 2)
        log.info("changes computed", extra={"fields": {**changes.counts(), **timings}})
        previous = changes.previous_quarter
        result.manifest["batch"] = {
            "job": job.path.name,
            "history": job.history_path.name,
            "corrections_used": corrections,
            "previous_quarter": previous.label if previous else None,
            "changes": changes.counts(),
            "unchecked_codes": list(skipped),
        }

        step("写出结果")
        t0 = time.perf_counter()
        run_id = _write_and_record(db, job, result, rules, current, changes, after_extra)
        timings["write"] = round(time.perf_counter() - t0, 2)
        log.info("run recorded", extra={"fields": {"run_id": run_id, **timings}})
        changed = changed_inputs(db, previous_same, input_records(result))
        stale = lock.stale_holder

    counts = result.findings["code"].value_counts()
    return RunOutcome(
        job=job,
        run_id=run_id,
        out_dir=job.out_dir,
        result=result,
        changes=changes,
        fail_codes_found={c: int(counts[c]) for c in job.fail_on if c in counts.index},
        settled=settled,
        stale_lock=stale,
        changed_inputs=changed,
        seconds=timings,
    )


def job_summary(outcome: RunOutcome) -> dict[str, Any]:
    """Counts for logs and --log-json (no personal data)."""
    return {
        "quarter": outcome.job.quarter.label,
        "run_id": outcome.run_id,
        "findings": len(outcome.result.findings),
        "roster": len(outcome.result.roster),
        **outcome.changes.counts(),
        "fail_on_found": outcome.fail_codes_found,
        "changed_inputs": outcome.changed_inputs,
    }
