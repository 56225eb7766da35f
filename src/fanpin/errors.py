"""Domain exceptions. The core raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes for input problems (shown to users, used in tests)."""

    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    FILE_ENCRYPTED = "FILE_ENCRYPTED"
    FILE_EMPTY = "FILE_EMPTY"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    HEADER_NOT_FOUND = "HEADER_NOT_FOUND"
    MISSING_COLUMN = "MISSING_COLUMN"
    BAD_VALUE = "BAD_VALUE"
    BAD_OPTION = "BAD_OPTION"
    BAD_RULES = "BAD_RULES"
    OUTPUT_CONFLICT = "OUTPUT_CONFLICT"
    LOCKED = "LOCKED"


@dataclass(frozen=True)
class InputProblem:
    """One located problem in an input. `value` must already be masked if personal."""

    code: ErrorCode
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def render(self) -> str:
        """Chinese one-line description: file, sheet, row, column, value, message."""
        parts = []
        if self.file:
            parts.append(f"文件“{self.file}”")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列“{self.column}”")
        if self.value:
            parts.append(f"值“{self.value}”")
        where = "，".join(parts)
        return f"{where}：{self.message}" if where else self.message


class FanpinError(Exception):
    """Base class for every error fanpin raises on purpose."""


@dataclass
class InputError(FanpinError):
    """Bad input or usage: the CLI exits with code 2 and writes nothing."""

    problems: list[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    @classmethod
    def single(cls, code: ErrorCode, message: str, **where: object) -> InputError:
        return cls([InputProblem(code, message, **where)])  # type: ignore[arg-type]

    def summary(self, limit: int = 20) -> str:
        lines = [p.render() for p in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            lines.append(f"……另有 {more} 处问题未列出")
        return "\n".join(lines)


class LockedError(FanpinError):
    """Another run holds the lock for the same output."""
