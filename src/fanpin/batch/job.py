"""Job files (JOB.toml) for unattended quarterly runs: parse, validate, resolve paths.

A job file names the quarter (or "latest"), the input files or glob patterns per agency,
the rules file, the output root and the history database. Relative paths are taken from
the job file's folder, so a job folder can be moved or copied as a whole. `{quarter}`,
`{year}` and `{q}` in a path are replaced by the quarter being run, so one job file can
serve quarter after quarter from a cron entry.
"""

from __future__ import annotations

import datetime as dt
import glob
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fanpin.compare.quarter import Quarter
from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.findings import CODES

AGENCY_KINDS = ("dpf", "dibao", "subsidy", "monitor")
KIND_LABELS = {
    "dpf": "残联持证残疾人",
    "dibao": "民政低保",
    "subsidy": "民政两项补贴",
    "monitor": "乡村振兴防返贫监测",
}
_TOP_KEYS = {"quarter", "rules", "output_root", "history", "fail_on", "mask", "inputs"}
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Job:
    """A validated job: every path absolute, every glob expanded and sorted."""

    path: Path
    quarter: Quarter
    inputs: dict[str, list[Path]]
    rules_path: Path | None
    output_root: Path
    history_path: Path
    fail_on: tuple[str, ...] = ()
    mask: bool = False
    patterns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def out_dir(self) -> Path:
        """Where this quarter's outputs go: OUTPUT_ROOT/2024Q3."""
        return self.output_root / self.quarter.label

    def all_inputs(self) -> list[Path]:
        return [p for kind in AGENCY_KINDS for p in self.inputs.get(kind, [])]


def parse_fail_on(text: str | list[str] | None, where: str = "--fail-on") -> tuple[str, ...]:
    """'DECEASED_PAID,MISSING_DIBAO' (or a list) -> validated finding codes, in given order."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    codes = [str(item).strip().upper() for item in items if str(item).strip()]
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        raise InputError(
            [
                InputProblem(
                    ErrorCode.BAD_OPTION,
                    "不认识的问题代码；可用的有：" + "、".join(CODES),
                    column=where,
                    value=c,
                )
                for c in unknown
            ]
        )
    return tuple(dict.fromkeys(codes))


def resolve_quarter(value: object, today: dt.date, file: str) -> Quarter:
    """'latest' means the last quarter that has fully ended on `today`."""
    if not isinstance(value, str) or not value.strip():
        raise InputError.single(
            ErrorCode.BAD_OPTION,
            '缺少 quarter，应写成如 quarter = "2024Q3" 或 quarter = "latest"'
            "（最近一个已结束的季度）",
            file=file,
            column="quarter",
        )
    if value.strip().lower() in ("latest", "最近"):
        return Quarter.latest_complete(today)
    try:
        return Quarter.parse(value)
    except InputError as exc:
        raise InputError(
            [
                InputProblem(p.code, p.message, file=file, column="quarter", value=value)
                for p in exc.problems
            ]
        ) from exc


def _fill(pattern: str, quarter: Quarter) -> str:
    """Substitute {quarter}/{year}/{q}; other braces are left for the user to see."""
    return (
        pattern.replace("{quarter}", quarter.label)
        .replace("{year}", str(quarter.year))
        .replace("{q}", str(quarter.q))
    )


def _resolve_path(base: Path, text: str, quarter: Quarter) -> Path:
    path = Path(_fill(text, quarter)).expanduser()
    return path if path.is_absolute() else base / path


def expand_patterns(
    base: Path, patterns: list[str], quarter: Quarter, kind: str, file: str
) -> tuple[list[Path], list[InputProblem]]:
    """Expand one agency's file list: exact names must exist, patterns must match something."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    for pattern in patterns:
        target = _resolve_path(base, pattern, quarter)
        if _GLOB_CHARS & set(_fill(pattern, quarter)):
            matches = sorted(Path(m) for m in glob.glob(str(target), recursive=True))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                problems.append(
                    InputProblem(
                        ErrorCode.FILE_NOT_FOUND,
                        f"{KIND_LABELS[kind]}的文件模式没有匹配到任何文件",
                        file=file,
                        column=f"inputs.{kind}",
                        value=pattern,
                    )
                )
            found.extend(matches)
        elif not target.is_file():
            problems.append(
                InputProblem(
                    ErrorCode.FILE_NOT_FOUND,
                    f"{KIND_LABELS[kind]}文件不存在",
                    file=file,
                    column=f"inputs.{kind}",
                    value=pattern,
                )
            )
        else:
            found.append(target)
    # The same file named twice (an exact name and a pattern) is read once.
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique, problems


def _as_str_list(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(
            ErrorCode.FILE_NOT_FOUND, "无法读取任务文件", file=str(path)
        ) from exc
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.single(
            ErrorCode.BAD_OPTION, f"任务文件格式错误：{exc}", file=path.name
        ) from exc


def _check_keys(data: dict[str, Any], file: str) -> list[InputProblem]:
    problems = [
        InputProblem(ErrorCode.BAD_OPTION, "任务文件中有不认识的设置项", file=file, column=key)
        for key in sorted(set(data) - _TOP_KEYS)
    ]
    inputs = data.get("inputs")
    if not isinstance(inputs, dict):
        problems.append(
            InputProblem(
                ErrorCode.BAD_OPTION,
                "缺少 [inputs] 节（列出 dpf、dibao、subsidy、monitor 的文件）",
                file=file,
                column="inputs",
            )
        )
        return problems
    problems += [
        InputProblem(
            ErrorCode.BAD_OPTION,
            "[inputs] 中只能有 dpf、dibao、subsidy、monitor",
            file=file,
            column=f"inputs.{key}",
        )
        for key in sorted(set(inputs) - set(AGENCY_KINDS))
    ]
    if not inputs.get("dpf"):
        problems.append(
            InputProblem(
                ErrorCode.BAD_OPTION, "必须给出残联持证残疾人文件", file=file, column="inputs.dpf"
            )
        )
    return problems


def _path_setting(
    data: dict[str, Any], key: str, base: Path, quarter: Quarter, file: str, message: str
) -> tuple[Path | None, list[InputProblem]]:
    value = data.get(key)
    if value is None:
        return None, [InputProblem(ErrorCode.BAD_OPTION, message, file=file, column=key)]
    if not isinstance(value, str) or not value.strip():
        return None, [
            InputProblem(ErrorCode.BAD_OPTION, "应为一个路径（文字）", file=file, column=key)
        ]
    return _resolve_path(base, value, quarter), []


def load_job(
    path: Path, *, today: dt.date | None = None, quarter_override: Quarter | None = None
) -> Job:
    """Read and validate a job file; every problem found is reported at once."""
    path = Path(path).expanduser().resolve()
    file = path.name
    data = _read_toml(path)
    base = path.parent
    quarter = quarter_override or resolve_quarter(
        data.get("quarter"), today or dt.date.today(), file
    )
    problems = _check_keys(data, file)

    # Paths to the output root, history database and (optional) rules file.
    output_root, more = _path_setting(
        data, "output_root", base, quarter, file, "缺少 output_root（输出根目录）"
    )
    problems += more
    history, more = _path_setting(
        data, "history", base, quarter, file, "缺少 history（历史数据库文件）"
    )
    problems += more
    rules_path = None
    if data.get("rules") is not None:
        rules_path, more = _path_setting(data, "rules", base, quarter, file, "")
        problems += more
        if rules_path is not None and not rules_path.is_file():
            problems.append(
                InputProblem(
                    ErrorCode.FILE_NOT_FOUND,
                    "规则文件不存在",
                    file=file,
                    column="rules",
                    value=str(data["rules"]),
                )
            )

    # Inputs per agency: exact names or glob patterns.
    inputs: dict[str, list[Path]] = {}
    patterns: dict[str, list[str]] = {}
    given = data.get("inputs")
    raw_inputs: dict[str, Any] = given if isinstance(given, dict) else {}
    for kind in AGENCY_KINDS:
        value = raw_inputs.get(kind)
        if value is None:
            continue
        items = _as_str_list(value)
        if items is None:
            problems.append(
                InputProblem(
                    ErrorCode.BAD_OPTION,
                    "应为文件名或文件名列表",
                    file=file,
                    column=f"inputs.{kind}",
                )
            )
            continue
        patterns[kind] = items
        inputs[kind], more = expand_patterns(base, items, quarter, kind, file)
        problems += more

    # Options.
    fail_on: tuple[str, ...] = ()
    try:
        fail_on = parse_fail_on(data.get("fail_on"), where="fail_on")
    except InputError as exc:
        problems += [
            InputProblem(p.code, p.message, file=file, column=p.column, value=p.value)
            for p in exc.problems
        ]
    mask = data.get("mask", False)
    if not isinstance(mask, bool):
        problems.append(
            InputProblem(
                ErrorCode.BAD_OPTION, "mask 只能是 true 或 false", file=file, column="mask"
            )
        )
    if problems:
        raise InputError(problems)
    assert output_root is not None and history is not None
    return Job(
        path=path,
        quarter=quarter,
        inputs=inputs,
        rules_path=rules_path,
        output_root=output_root.resolve(),
        history_path=history.resolve(),
        fail_on=fail_on,
        mask=bool(mask),
        patterns=patterns,
    )


def resolve_history_path(db: Path | None, job: Path | None) -> Path:
    """The history database named by --db, or by the job file given with --job."""
    if db is not None:
        return Path(db).expanduser().resolve()
    if job is not None:
        job_path = Path(job).expanduser().resolve()
        data = _read_toml(job_path)
        value = data.get("history")
        if not isinstance(value, str) or not value.strip():
            raise InputError.single(
                ErrorCode.BAD_OPTION,
                "任务文件中没有 history（历史数据库文件）",
                file=job_path.name,
                column="history",
            )
        return (job_path.parent / Path(value).expanduser()).resolve()
    raise InputError.single(
        ErrorCode.BAD_OPTION,
        "请用 --db 指定历史数据库文件，或用 --job 指定任务文件（也可设置环境变量 FANPIN_DB）",
    )
