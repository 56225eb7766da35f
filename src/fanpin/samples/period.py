"""The reporting quarter the sample is built around (kept apart from fanpin.compare so the
generator stays an independent oracle for the comparison)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_LABEL = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """A calendar quarter such as 2024Q3."""

    year: int
    q: int

    @classmethod
    def parse(cls, label: str) -> Period:
        match = _LABEL.match(label.strip().upper())
        if not match:
            raise ValueError(f"quarter must look like 2024Q3, got {label!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def first_month(self) -> int:
        return 3 * self.q - 2

    @property
    def start(self) -> np.datetime64:
        return np.datetime64(f"{self.year}-{self.first_month:02d}-01", "D")

    @property
    def end(self) -> np.datetime64:
        """Last day of the quarter."""
        return self.month_start(3) - np.timedelta64(1, "D")

    def month_start(self, index: int) -> np.datetime64:
        """First day of month `index` of the quarter (0..2; 3 is the month after)."""
        month = np.datetime64(f"{self.year}-{self.first_month:02d}", "M")
        return (month + np.timedelta64(index, "M")).astype("datetime64[D]")

    @property
    def pay_months(self) -> list[str]:
        """The quarter's months as payroll files write them: 202407, 202408, 202409."""
        return [f"{self.year}{m:02d}" for m in range(self.first_month, self.first_month + 3)]
