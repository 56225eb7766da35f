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
            what = "选项" if self.column.startswith("--") else "列"
            parts.append(f"{what}“{self.column}”")
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
        """All problems when few; otherwise one line per kind of problem with its count."""
        if len(self.problems) <= limit:
            return "\n".join(p.render() for p in self.problems)
        groups: dict[tuple[str, str, str, str], list[InputProblem]] = {}
        for problem in self.problems:
            key = (problem.file, problem.sheet, problem.column, problem.message)
            groups.setdefault(key, []).append(problem)
        lines = []
        for members in list(groups.values())[:limit]:
            first = members[0]
            if len(members) == 1:
                lines.append(first.render())
                continue
            rows = [str(p.row) for p in members[:5] if p.row is not None]
            where = f"，行号 {'、'.join(rows)}{'……' if len(members) > 5 else ''}" if rows else ""
            lines.append(f"{first.render()}（同类问题共 {len(members)} 处{where}）")
        if len(groups) > limit:
            lines.append(f"……另有 {len(groups) - limit} 类问题未列出")
        lines.append(f"共 {len(self.problems)} 处问题。")
        return "\n".join(lines)


class LockedError(FanpinError):
    """Another run holds the lock for the same output."""
