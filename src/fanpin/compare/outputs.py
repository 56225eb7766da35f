"""Writing the comparison's outputs into a folder, all or nothing.

Everything is built in a hidden staging folder beside the target, then swapped into place,
so a failure (or a kill) leaves either the previous complete output or the new one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from fanpin.compare.result import CompareResult
from fanpin.errors import ErrorCode, InputError
from fanpin.findings import CIVIL, DPF, FINDING_COLUMNS, RRB
from fanpin.link.evidence import evidence_sheet
from fanpin.privacy import mask_series
from fanpin.reports.agency import WORKBOOKS, write_agency_workbook

log = logging.getLogger(__name__)
_RISKY_START = ("=", "+", "-", "@")
MANIFEST = "manifest.json"


def csv_safe(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    out = frame.copy()
    for col in columns:
        text = out[col].astype("string")
        risky = text.str.startswith(_RISKY_START).fillna(False)
        out[col] = text.mask(risky, "'" + text)
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it as Chinese), LF line ends, stable formatting."""
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def mask_personal(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = mask_series(out[col].astype("string"))
    return out


def check_target(out_dir: Path, inputs: list[Path]) -> None:
    """Refuse a folder that holds an input, or a non-empty folder fanpin did not write."""
    target = out_dir.resolve()
    for path in inputs:
        if target == path.resolve().parent or target in path.resolve().parents:
            raise InputError.single(
                ErrorCode.OUTPUT_CONFLICT,
                "输出文件夹中有输入文件，为防止覆盖输入，请换一个输出文件夹",
                file=path.name,
                column="--out",
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError.single(
            ErrorCode.OUTPUT_CONFLICT, "输出位置已存在同名文件，不是文件夹", column="--out"
        )
    # The whole folder is replaced, so a folder fanpin did not write is never taken over,
    # and files a user saved into an earlier result folder are never deleted.
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MANIFEST).exists():
            raise InputError.single(
                ErrorCode.OUTPUT_CONFLICT,
                "输出文件夹不是空的，也不是 fanpin 以前的结果（整个文件夹会被替换），请换新文件夹",
                column="--out",
                value=out_dir.name,
            )
        foreign = sorted(set(p.name for p in out_dir.iterdir()) - _previous_outputs(out_dir))
        if foreign:
            raise InputError.single(
                ErrorCode.OUTPUT_CONFLICT,
                "结果文件夹中有 fanpin 之外的文件（重新运行会替换整个文件夹），"
                "请先移走这些文件或换一个输出文件夹：" + "、".join(foreign[:10]),
                column="--out",
                value=out_dir.name,
            )


def _previous_outputs(out_dir: Path) -> set[str]:
    """The file names the earlier run listed in its manifest."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {str(name) for name in manifest.get("outputs", [])} | {MANIFEST}
    except (OSError, ValueError, AttributeError):
        return {MANIFEST}


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by staging with renames; the previous output survives any crash."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def recover_interrupted(out_dir: Path) -> None:
    """A crash between the two renames leaves only the .old copy: put it back."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists() and not out_dir.exists():
        os.replace(old, out_dir)


def write_outputs(
    result: CompareResult,
    out_dir: Path,
    *,
    inputs: list[Path],
    mask: bool = False,
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write findings.csv, roster.csv, the three workbooks and manifest.json into out_dir."""
    check_target(out_dir, inputs)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted(out_dir)
    remove_dead_staging(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    # Owner-only: the folder holds IDs, disability and payment data.
    staging.mkdir(mode=0o700)
    try:
        _write_files(result, staging, mask)
        if extra is not None:
            extra(staging)
        _write_manifest(result, staging, mask)
        swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote outputs: %d findings, %d roster rows", len(result.findings), len(result.roster))
    return out_dir


def remove_dead_staging(out_dir: Path) -> None:
    """A killed run leaves its staging folder (a full copy of the outputs): remove those
    whose process is gone."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_files(result: CompareResult, folder: Path, mask: bool) -> None:
    findings = result.findings[FINDING_COLUMNS]
    roster = result.roster
    if mask:
        findings = mask_personal(findings, ["id_number", "cert_number", "matched_id"])
        roster = mask_personal(roster, ["公民身份号码", "残疾人证号", "联系电话"])
    text_cols = ["name", "township", "village", "city", "county", "source", "sheet", "detail"]
    write_csv(csv_safe(findings, text_cols), folder / "findings.csv")
    write_csv(csv_safe(roster, ["姓名", "乡镇(街道)", "村(社区)"]), folder / "roster.csv")
    evidence = evidence_sheet(result.evidence, mask)  # issue 3
    for agency in (CIVIL, RRB, DPF):
        name, _ = WORKBOOKS[agency]
        subset = findings[findings["agency"] == agency]
        write_agency_workbook(
            folder / name,
            agency,
            subset,
            result.quarter.label,
            roster if agency == DPF else None,
            evidence if agency == DPF else None,  # issue 3: evidence sheet
        )


def _write_manifest(result: CompareResult, folder: Path, mask: bool) -> None:
    manifest = dict(result.manifest)
    manifest["masked"] = mask
    manifest["outputs"] = [*sorted(p.name for p in folder.iterdir()), MANIFEST]
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
