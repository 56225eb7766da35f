"""Deleting one quarter's personal data: its history rows and, on request, its output folder."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from fanpin.batch.history import HistoryDB
from fanpin.batch.lock import QuarterLock
from fanpin.batch.runner import read_token
from fanpin.compare.quarter import Quarter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    counts: dict[str, int]
    folders_deleted: tuple[Path, ...]
    folders_kept: tuple[Path, ...]  # recorded folders not written by one of the purged runs


def purge_quarter(db: HistoryDB, quarter: Quarter, *, delete_outputs: bool = False) -> PurgeReport:
    """Remove the quarter from the history (zeroing freed pages). With delete_outputs, also
    delete each output folder whose batch.json names one of the purged runs, under the
    quarter lock; a folder not provably written by those runs is left alone."""
    recorded = db.run_out_dirs(quarter.label)
    tokens = {token for _path, token in recorded if token}
    deleted: list[Path] = []
    kept: list[Path] = []
    if delete_outputs:
        for folder in sorted({path for path, _token in recorded}):
            if not folder.is_dir():
                continue
            with QuarterLock(folder, purpose="fanpin runs --delete"):
                if read_token(folder) in tokens:
                    shutil.rmtree(folder)
                    deleted.append(folder)
                else:
                    kept.append(folder)
    counts = db.purge_quarter(quarter.label)
    log.info(
        "quarter purged",
        extra={"fields": {"quarter": quarter.label, **counts, "folders_deleted": len(deleted)}},
    )
    return PurgeReport(counts, tuple(deleted), tuple(kept))
