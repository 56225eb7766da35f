"""Inputs that read cleanly but are wrong for the job: told, never silently used."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.factories import make_id

A = make_id("140105", "19800315", 1)
HEADER_DPF = "姓名,公民身份号码,残疾等级,证件状态,发证日期\n"
HEADER_DIBAO = "姓名,公民身份号码,保障类别\n"
HEADER_MON = "姓名,公民身份号码,户类型,风险是否消除\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _args(dpf: Path, out: Path, *extra: str) -> list[str]:
    return ["compare", "--dpf", str(dpf), *extra, "--quarter", "2024Q3", "--out", str(out)]


def test_same_content_given_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dpf = _write(tmp_path / "a.csv", HEADER_DPF + f"甲一,{A},一级,正常,2024-08-01\n")
    copy = _write(tmp_path / "b.csv", dpf.read_text(encoding="utf-8"))
    run = run_cli(_args(dpf, tmp_path / "out", "--dpf", str(copy)), capsys)
    assert run.code == 2
    assert "b.csv" in run.err and "内容完全相同" in run.err
    assert not (tmp_path / "out").exists()


def test_header_only_file_and_statusless_dibao_are_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dpf = _write(tmp_path / "dpf.csv", HEADER_DPF + f"甲一,{A},一级,正常,2024-08-01\n")
    dibao = _write(tmp_path / "dibao.csv", HEADER_DIBAO + f"甲一,{A},农村低保\n")
    monitor = _write(tmp_path / "mon.csv", HEADER_MON)
    extra = ["--dibao", str(dibao), "--monitor", str(monitor)]
    run = run_cli(_args(dpf, tmp_path / "out", *extra), capsys)
    assert run.code == 0
    assert "“mon.csv”没有数据行" in run.err
    assert "都按在保计算" in run.err


def test_bad_value_stops_the_run_unless_rows_may_be_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    B = make_id("140105", "19750101", 3)
    dpf = _write(
        tmp_path / "dpf.csv",
        HEADER_DPF + f"甲一,{A},一级,正常,2024-08-01\n乙二,{B},五级,正常,2024-08-01\n",
    )
    strict = run_cli(_args(dpf, tmp_path / "out"), capsys)
    assert strict.code == 2
    assert "第3行" in strict.err and "五级" in strict.err  # the CSV line of 乙二
    assert not (tmp_path / "out").exists()

    lenient = run_cli(_args(dpf, tmp_path / "out", "--skip-bad-rows"), capsys)
    assert lenient.code == 0
    assert "1 行取值不合规，已跳过" in lenient.err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["inputs"][0]
    assert entry["rows_kept"] == 1
    assert entry["dropped"]["取值不合规（--skip-bad-rows）"] == 1


def test_without_monitoring_data_the_roster_is_shown_as_not_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dpf = _write(tmp_path / "dpf.csv", HEADER_DPF + f"甲一,{A},一级,正常,2024-08-01\n")
    run = run_cli(_args(dpf, tmp_path / "out"), capsys)
    assert run.code == 0
    assert "未比对" in run.out
