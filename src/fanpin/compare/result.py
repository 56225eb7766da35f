"""What the comparison takes and gives: plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fanpin.compare.quarter import Quarter

KINDS = ("dpf", "dibao", "subsidy", "monitor")


@dataclass
class CompareInputs:
    dpf: list[Path]
    dibao: list[Path] = field(default_factory=list)
    subsidy: list[Path] = field(default_factory=list)
    monitor: list[Path] = field(default_factory=list)

    def of(self, kind: str) -> list[Path]:
        return list(getattr(self, kind))

    def all_paths(self) -> list[Path]:
        return [p for kind in KINDS for p in self.of(kind)]


@dataclass
class CompareResult:
    findings: pd.DataFrame
    roster: pd.DataFrame
    manifest: dict[str, Any]
    skipped_checks: list[str]
    quarter: Quarter
    # Issue 3: every non-exact link (fanpin.link.nearmiss.PAIR_COLUMNS), for the evidence sheet.
    evidence: pd.DataFrame | None = None
