"""Load the rules file (TOML). Each part of fanpin parses its own section."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fanpin.errors import ErrorCode, InputError
from fanpin.resources import schema_file


@dataclass(frozen=True)
class RulesFile:
    """The raw rules document plus where it came from (for the manifest)."""

    path: Path
    sha256: str
    data: dict[str, Any]

    def section(self, dotted: str) -> dict[str, Any]:
        """Return e.g. section("compare.care_subsidy"); a missing section is an error."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise InputError.single(
                    ErrorCode.BAD_RULES,
                    f"规则文件缺少节 [{dotted}]",
                    file=self.path.name,
                )
            node = node[part]
        if not isinstance(node, dict):
            raise InputError.single(
                ErrorCode.BAD_RULES, f"规则文件中 [{dotted}] 不是一个节", file=self.path.name
            )
        return node


def default_rules_path() -> Path:
    return schema_file("rules.toml")


def load_rules(path: Path | None = None) -> RulesFile:
    """Read and parse the rules file; bad TOML is an input error naming the line."""
    path = path or default_rules_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(
            ErrorCode.FILE_NOT_FOUND, "无法读取规则文件", file=str(path)
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows Notepad saves "ANSI" (GBK) by default; GB18030 is a superset of it.
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputError.single(
                ErrorCode.BAD_RULES, "规则文件的文字编码无法识别，请另存为 UTF-8", file=path.name
            ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        spot = f"第{where.group(1)}行第{where.group(2)}列附近" if where else "文件末尾附近"
        raise InputError.single(
            ErrorCode.BAD_RULES,
            f"规则文件格式错误：{spot}写法不对（检查引号、方括号和逗号）",
            file=path.name,
        ) from exc
    return RulesFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), data=data)


def require(section: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """Fetch a typed key from a rules section, or raise a BAD_RULES error naming it."""
    if key not in section or not isinstance(section[key], kind):
        raise InputError.single(ErrorCode.BAD_RULES, f"规则文件 [{where}] 中 {key} 缺失或类型不对")
    return section[key]
