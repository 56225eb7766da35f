"""End to end: `fanpin compare` on the committed sample_data/ against the generator's truth.

The truth lists what was planted (code, file, Excel row); the controls list situations that
must not be flagged. Both come from the generator's planted facts, not from this code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from fanpin.samples.truth import CODE_ORDER
from tests.cli_helpers import invoke, run_cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
ISSUE2_CODES = set(CODE_ORDER)  # the codes the generator plants (issue 2)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e2e") / "out"
    args = ["compare"]
    for name in ("dpf_taiyuan.xlsx", "dpf_datong.xls", "dpf_others.csv"):
        args += ["--dpf", str(SAMPLE / name)]
    args += ["--dibao", str(SAMPLE / "dibao.xlsx"), "--subsidy", str(SAMPLE / "subsidy.csv")]
    args += ["--monitor", str(SAMPLE / "monitor.xlsx"), "--quarter", "2024Q3", "--out", str(out)]
    run = invoke(args)
    assert run.code == 0, run.err
    return out


def _keys(frame: pd.DataFrame, code_col: str = "code") -> set[tuple[str, str, str]]:
    return set(zip(frame[code_col], frame["source"], frame["row"].astype(str), strict=True))


def test_every_planted_finding_is_found_and_nothing_else(demo: Path) -> None:
    truth = pd.read_csv(SAMPLE / "truth.csv", dtype=str, encoding="utf-8-sig")
    found = pd.read_csv(demo / "findings.csv", dtype=str, encoding="utf-8-sig")
    found = found[found["code"].isin(ISSUE2_CODES)]
    assert _keys(found) == _keys(truth)


def test_no_control_case_is_flagged(demo: Path) -> None:
    controls = pd.read_csv(SAMPLE / "controls.csv", dtype=str, encoding="utf-8-sig")
    found = pd.read_csv(demo / "findings.csv", dtype=str, encoding="utf-8-sig")
    flagged = set(zip(found["code"], found["id_number"], strict=True))
    wrong = [
        (row.absent_code, row.note)
        for row in controls.itertuples()
        if (row.absent_code, row.id_number) in flagged
    ]
    assert wrong == []


def test_manifest_records_inputs_and_counts(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    names = sorted(entry["file"] for entry in manifest["inputs"])
    assert names == sorted(
        [
            "dpf_taiyuan.xlsx",
            "dpf_datong.xls",
            "dpf_others.csv",
            "dibao.xlsx",
            "subsidy.csv",
            "monitor.xlsx",
        ]
    )
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"])
    taiyuan = next(e for e in manifest["inputs"] if e["file"] == "dpf_taiyuan.xlsx")
    assert taiyuan["dropped"].get("合计行") == 1  # the sample's total row
    truth = pd.read_csv(SAMPLE / "truth.csv", dtype=str, encoding="utf-8-sig")
    for code, count in truth["code"].value_counts().items():
        assert manifest["counts"][code] == count
    assert manifest["skipped_checks"] == []


def test_run_cli_helper_is_usable_for_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.xlsx"
    run = run_cli(
        ["compare", "--dpf", str(missing), "--quarter", "2024Q3", "--out", str(tmp_path / "o")],
        capsys,
    )
    assert run.code == 2
    assert "nope.xlsx" in run.err
    assert not (tmp_path / "o").exists()
