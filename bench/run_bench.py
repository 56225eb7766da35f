"""Provincial-scale benchmark for `fanpin compare` (run by `make bench`).

Generates the data sets under bench/data/ when missing (Parquet at full scale, xlsx at one
fifth), then for each set measures, in fresh processes:

- a plain read of the same files (pyarrow for Parquet, python-calamine for every xlsx sheet),
- `fanpin compare` on them (the whole comparison, workbooks included),

and prints wall time, peak memory and the compare/read ratio against the targets of
issue 2. More measured steps (e.g. the near-miss search of issue 3) plug in through
`register_step`.

    python bench/run_bench.py                   # both sets
    python bench/run_bench.py --only parquet --scale 0.1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
KINDS = ("dpf", "dibao", "subsidy", "monitor")
QUARTER = "2024Q3"
# Targets from issue 2 (2-core machine): Parquet compare under 30 s and 6 GB;
# xlsx compare within 3x a plain calamine read.
PARQUET_SECONDS, PARQUET_MB, XLSX_RATIO = 30.0, 6 * 1024, 3.0


@dataclass
class DataSet:
    fmt: str  # parquet | xlsx
    scale: float
    seed: int

    @property
    def name(self) -> str:
        return f"{self.fmt}_s{self.scale:g}_seed{self.seed}"

    @property
    def folder(self) -> Path:
        return DATA / self.name

    def files(self, kind: str) -> list[Path]:
        return sorted(self.folder.glob(f"{kind}.{self.fmt}"))

    @property
    def meta_path(self) -> Path:
        return self.folder / "meta.json"


@dataclass
class Measurement:
    step: str
    seconds: float
    peak_mb: float
    exit_code: int = 0
    note: str = ""


@dataclass
class SetResult:
    data: DataSet
    rows: dict[str, int]
    generated: Measurement | None  # None when the set was already there
    steps: list[Measurement] = field(default_factory=list)

    def step(self, name: str) -> Measurement | None:
        return next((m for m in self.steps if m.step == name), None)


# ---------------------------------------------------------------- running a child process


GNU_TIME = Path("/usr/bin/time")


def run_measured(argv: list[str], log_path: Path | None = None) -> Measurement:
    """Run a command; wall time and the child's peak resident memory.

    Linux carries a process's memory high-water mark across fork and exec, so a child
    started straight from this (possibly large) process would report at least this
    process's size. GNU time, itself tiny, measures the child instead when it exists;
    otherwise os.wait4 gives the child's own figure with that floor."""
    peak_file = log_path.with_suffix(".peak") if log_path else None
    wrapped = list(argv)
    if GNU_TIME.exists() and peak_file is not None:
        wrapped = [str(GNU_TIME), "-f", "%M", "-o", str(peak_file), *argv]
    started = time.perf_counter()
    out = log_path.open("wb") if log_path else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(wrapped, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if log_path:
            out.close()  # type: ignore[union-attr]
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    # ru_maxrss and GNU time's %M are in KiB on Linux (ru_maxrss is bytes on macOS).
    kib = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    if peak_file is not None and peak_file.exists():
        last = peak_file.read_text().strip().splitlines()[-1:]
        if last and last[0].isdigit():
            kib = int(last[0])
    return Measurement(Path(argv[0]).name, seconds, kib / 1024, code)


def fanpin_executable() -> str:
    local = ROOT / ".venv" / "bin" / "fanpin"
    return str(local) if local.exists() else "fanpin"


# ---------------------------------------------------------------- data sets


def ensure_data(data: DataSet, regenerate: bool) -> tuple[dict[str, int], Measurement | None]:
    """Generate the set (in a child process, so this one stays small while compare runs)
    unless a complete copy exists; returns rows per kind and the generation measurement."""
    if data.meta_path.exists() and not regenerate:
        meta = json.loads(data.meta_path.read_text(encoding="utf-8"))
        return meta["rows"], None
    if data.meta_path.exists():
        data.meta_path.unlink()
    print(f"生成数据 {data.name} ……", flush=True)
    data.folder.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "--generate", str(data.folder)]
    argv += ["--fmt", data.fmt, "--scale", str(data.scale), "--seed", str(data.seed)]
    measured = run_measured(argv, data.folder / "generate.log")
    if measured.exit_code != 0 or not data.meta_path.exists():
        raise SystemExit(f"生成数据失败，见 {data.folder / 'generate.log'}")
    measured.step = "generate"
    meta = json.loads(data.meta_path.read_text(encoding="utf-8"))
    return meta["rows"], measured


def generate(folder: Path, fmt: str, scale: float, seed: int) -> None:
    """Child process of ensure_data: write the set and its meta.json (last, as the marker
    of a complete set)."""
    from fanpin.samples.scale import generate_scale

    result = generate_scale(folder, scale, fmt, seed=seed, quarter=QUARTER)
    meta = {"rows": result.rows, "seconds": result.seconds, "fmt": fmt, "scale": scale}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")


# ---------------------------------------------------------------- measured steps

Step = Callable[[DataSet, Path], Measurement | None]
STEPS: list[tuple[str, Step]] = []


def register_step(name: str) -> Callable[[Step], Step]:
    """Add a measured step. A step gets the data set and a scratch folder, runs its work
    in a child process (use run_measured) and returns a Measurement, or None to skip
    (e.g. a command not present in this build). Steps run in registration order."""

    def add(step: Step) -> Step:
        STEPS.append((name, step))
        return step

    return add


@register_step("plain_read")
def plain_read_step(data: DataSet, scratch: Path) -> Measurement:
    argv = [sys.executable, str(Path(__file__).resolve()), "--read-only", str(data.folder)]
    argv += ["--fmt", data.fmt]
    return run_measured(argv, scratch / "plain_read.log")


@register_step("compare")
def compare_step(data: DataSet, scratch: Path) -> Measurement:
    out = scratch / "compare"
    if out.exists():  # our own scratch folder from an earlier run
        shutil.rmtree(out)
    argv = [fanpin_executable(), "compare"]
    for kind in KINDS:
        for path in data.files(kind):
            argv += [f"--{kind}", str(path)]
    argv += ["--quarter", QUARTER, "--out", str(out)]
    return run_measured(argv, scratch / "compare.log")


@register_step("near_miss")
def near_miss_step(data: DataSet, scratch: Path) -> Measurement | None:
    """Issue 3's figure: 100,000 unmatched records searched against 1,000,000 (its own
    generated data, so it runs once, with the Parquet set)."""
    if data.fmt != "parquet":
        return None
    argv = [sys.executable, "-c", NEAR_MISS_CHILD]
    log = scratch / "near_miss.log"
    measured = run_measured(argv, log)
    # The child also builds its data; the figure that counts is the search it timed.
    found = re.search(r"'seconds': ([0-9.]+)", log.read_text(encoding="utf-8", errors="replace"))
    return dataclasses.replace(measured, seconds=float(found.group(1))) if found else measured


NEAR_MISS_CHILD = (
    "from fanpin.link.evaluate import bench_near_miss; "
    "print(bench_near_miss(n_unmatched=100_000, n_reference=1_000_000))"
)


def plain_read(folder: Path, fmt: str) -> int:
    """The floor: read every file of the set and touch every cell; returns rows read."""
    rows = 0
    for path in sorted(folder.glob(f"*.{fmt}")):
        if fmt == "parquet":
            import pyarrow.parquet as pq

            rows += pq.read_table(path).num_rows
        else:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            for sheet in book.sheet_names:
                rows += len(book.get_sheet_by_name(sheet).to_python()) - 1
    return rows


# ---------------------------------------------------------------- report


def run_set(data: DataSet, regenerate: bool) -> SetResult:
    rows, generated = ensure_data(data, regenerate)
    result = SetResult(data, rows, generated)
    scratch = DATA / "out" / data.name
    scratch.mkdir(parents=True, exist_ok=True)
    for name, step in STEPS:
        print(f"运行 {data.name}：{name} ……", flush=True)
        measured = step(data, scratch)
        if measured is not None:
            measured.step = name
            result.steps.append(measured)
    return result


def _verdict(result: SetResult) -> str:
    compare, read = result.step("compare"), result.step("plain_read")
    if compare is None or compare.exit_code != 0:
        return "比对失败，见日志"
    if result.data.fmt == "parquet":
        if result.data.scale < 1:
            return "（目标按省级规模）"
        ok = compare.seconds < PARQUET_SECONDS and compare.peak_mb < PARQUET_MB
    elif read is not None and read.seconds > 0:
        ok = compare.seconds <= XLSX_RATIO * read.seconds
    else:
        return ""
    return "达标" if ok else "未达标"


def print_report(results: list[SetResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="fanpin compare 省级规模基准测试")
    for header in ("数据集", "总行数", "步骤", "耗时（秒）", "峰值内存（MB）", "耗时倍数", "结论"):
        table.add_column(header, no_wrap=True)
    for result in results:
        read = result.step("plain_read")
        label = f"{result.data.fmt} ×{result.data.scale:g}"
        for i, m in enumerate(result.steps):
            ratio = m.seconds / read.seconds if read and read.seconds > 0 else float("nan")
            note = f"退出码 {m.exit_code}" if m.exit_code else ""
            if m.step == "compare" and not note:
                note = _verdict(result)
            table.add_row(
                label if i == 0 else "",
                f"{sum(result.rows.values()):,}" if i == 0 else "",
                m.step,
                f"{m.seconds:.1f}",
                f"{m.peak_mb:,.0f}",
                f"{ratio:.2f}",
                note,
            )
        if result.generated is not None:
            gen = result.generated
            table.add_row(
                "", "", "（生成数据）", f"{gen.seconds:.1f}", f"{gen.peak_mb:,.0f}", "", ""
            )
    Console(width=max(100, Console().width)).print(table)
    print(
        f"目标：Parquet 比对 <{PARQUET_SECONDS:g} 秒且峰值内存 <6 GB；"
        f"xlsx 比对耗时 ≤{XLSX_RATIO:g} 倍直接读取（python-calamine）。"
        "耗时倍数 = 该步骤耗时 ÷ 直接读取耗时；每步都在新进程中运行（含启动时间）。"
    )
    for r in results:
        print(f"{r.data.name}：" + "，".join(f"{k} {v:,} 行" for k, v in r.rows.items()))


def save_results(results: list[SetResult]) -> Path:
    path = DATA / "results.json"
    payload = [
        {
            "data": asdict(r.data),
            "rows": r.rows,
            "generated": asdict(r.generated) if r.generated else None,
            "steps": [asdict(m) for m in r.steps],
        }
        for r in results
    ]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="fanpin compare 省级规模基准测试")
    parser.add_argument("--only", choices=["parquet", "xlsx"], help="只测一种格式")
    parser.add_argument("--scale", type=float, default=1.0, help="规模（1 = 100万持证人）")
    parser.add_argument("--seed", type=int, default=2024, help="随机种子")
    parser.add_argument("--regenerate", action="store_true", help="重新生成数据")
    parser.add_argument("--read-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--fmt", choices=["parquet", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.read_only:  # child process of plain_read_step
        rows = plain_read(args.read_only, args.fmt)
        print(f"read {rows} rows")
        return 0
    if args.generate:  # child process of ensure_data
        generate(args.generate, args.fmt, args.scale, args.seed)
        return 0

    sets = [DataSet("parquet", args.scale, args.seed), DataSet("xlsx", args.scale / 5, args.seed)]
    sets = [s for s in sets if args.only in (None, s.fmt)]
    results = [run_set(s, args.regenerate) for s in sets]
    print_report(results)
    print(f"结果已保存：{save_results(results).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
