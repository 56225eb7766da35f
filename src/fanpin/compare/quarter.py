"""Calendar quarters: parsing '2024Q3' and the months and dates they cover."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fanpin.errors import ErrorCode, InputError

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq第]?\s*([1-4一二三四])\s*(季度)?\s*$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Accept 2024Q3, 2024-Q3, 2024q3, 2024年第三季度 (with or without 年)."""
        cleaned = text.replace("年", "")
        match = _PATTERN.match(cleaned)
        if not match:
            raise InputError.single(
                ErrorCode.BAD_OPTION,
                "季度格式不对，应写成如 2024Q3（2024年第三季度）",
                column="--quarter",
                value=text,
            )
        year = int(match.group(1))
        q_text = match.group(2)
        q = _CN_DIGITS.get(q_text) or int(q_text)
        if not 2000 <= year <= 2100:
            raise InputError.single(
                ErrorCode.BAD_OPTION,
                "季度的年份超出范围（2000—2100）",
                column="--quarter",
                value=text,
            )
        return cls(year, q)

    @classmethod
    def latest_complete(cls, today: dt.date) -> Quarter:
        """The last quarter that has fully ended on `today`."""
        current = (today.month - 1) // 3 + 1
        return cls(today.year - 1, 4) if current == 1 else cls(today.year, current - 1)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return dt.date(nxt.year, nxt.start.month, 1) - dt.timedelta(days=1)

    @property
    def months(self) -> list[str]:
        return [f"{self.year}-{m:02d}" for m in range(3 * self.q - 2, 3 * self.q + 1)]

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def __str__(self) -> str:
        return self.label
