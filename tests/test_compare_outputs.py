"""The comparison's output folder: files, workbook layout, text cells, atomic replacement."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.compare.checks import run_checks
from fanpin.compare.outputs import write_outputs
from fanpin.compare.result import CompareResult
from fanpin.compare.roster import roster_table
from fanpin.errors import InputError
from fanpin.findings import FINDING_COLUMNS, sort_findings
from tests.test_compare_checks import RULES, Q, _sources


def _result(name_override: str | None = None) -> CompareResult:
    sources = _sources()
    if name_override is not None:
        dpf = sources["dpf"]
        assert dpf is not None
        dpf.loc[0, "name"] = name_override
    findings, roster, skipped = run_checks(sources, Q, RULES)
    manifest = {"quarter": Q.label, "counts": findings["code"].value_counts().to_dict()}
    return CompareResult(sort_findings(findings), roster_table(roster), manifest, skipped, Q)


def test_output_folder_holds_every_file(tmp_path: Path) -> None:
    out = write_outputs(_result(), tmp_path / "out", inputs=[])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "findings.csv",
            "roster.csv",
            "manifest.json",
            "民政_应保尽保排查名单.xlsx",
            "乡村振兴_重度残疾人上门核查名单.xlsx",
            "残联_数据质量问题清单.xlsx",
        ]
    )
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    findings = pd.read_csv(out / "findings.csv", dtype=str, encoding="utf-8-sig")
    assert list(findings.columns) == FINDING_COLUMNS
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "findings.csv" in manifest["outputs"]


def test_workbook_ids_are_text_and_header_is_frozen(tmp_path: Path) -> None:
    out = write_outputs(_result(), tmp_path / "out", inputs=[])
    book = openpyxl.load_workbook(out / "民政_应保尽保排查名单.xlsx")
    assert book.sheetnames == ["汇总", "清单"]
    sheet = book["清单"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["序号", "问题代码", "问题"]
    assert header[-2:] == ["核查结果", "备注/正确身份证号"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    id_col = header.index("公民身份号码") + 1
    ids = [sheet.cell(row=r, column=id_col) for r in range(2, sheet.max_row + 1)]
    assert ids and all(c.data_type == "s" and len(str(c.value)) == 18 for c in ids)
    validations = sheet.data_validations.dataValidation
    assert any("已纳入低保" in (v.formula1 or "") for v in validations)


def test_formula_like_name_is_written_as_text(tmp_path: Path) -> None:
    out = write_outputs(_result('=HYPERLINK("http://x")'), tmp_path / "out", inputs=[])
    book = openpyxl.load_workbook(out / "残联_数据质量问题清单.xlsx")
    cells = [c for row in book["清单"].iter_rows() for c in row if c.value]
    assert all(c.data_type != "f" for c in cells)
    assert any(str(c.value).startswith("=HYPERLINK") for c in cells)
    text = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text


def test_output_folder_holding_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in" / "dpf.xlsx"
    source.parent.mkdir()
    source.write_bytes(b"x")
    with pytest.raises(InputError, match="输出文件夹中有输入文件"):
        write_outputs(_result(), tmp_path / "in", inputs=[source])
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["dpf.xlsx"]


def test_foreign_non_empty_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.docx").write_bytes(b"x")
    with pytest.raises(InputError, match="不是 fanpin 以前的结果"):
        write_outputs(_result(), target, inputs=[])
    assert (target / "notes.docx").exists()


def test_failure_while_writing_keeps_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(_result(), out, inputs=[])
    before = (out / "findings.csv").read_bytes()

    def boom(_staging: Path) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_outputs(_result("新名字"), out, inputs=[], extra=boom)
    assert (out / "findings.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging left behind


def test_masked_output_hides_ids(tmp_path: Path) -> None:
    out = write_outputs(_result(), tmp_path / "out", inputs=[], mask=True)
    findings = pd.read_csv(out / "findings.csv", dtype=str, encoding="utf-8-sig")
    ids = findings["id_number"].dropna()
    assert len(ids) and ids.str.fullmatch(r"\d{4}\*{10}[\dX]{4}").all()


def test_staging_left_by_a_killed_run_is_removed(tmp_path: Path) -> None:
    # pid 999999999 cannot exist (above the kernel's pid limit): its run is gone.
    leftover = tmp_path / ".out.staging-999999999"
    leftover.mkdir()
    (leftover / "findings.csv").write_text("secret", encoding="utf-8")
    write_outputs(_result(), tmp_path / "out", inputs=[])
    assert not leftover.exists()


def test_manifest_lists_files_added_by_extra(tmp_path: Path) -> None:
    def add(staging: Path) -> None:
        (staging / "changes.csv").write_text("x\n", encoding="utf-8")

    out = write_outputs(_result(), tmp_path / "out", inputs=[], extra=add)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "changes.csv" in manifest["outputs"]


def test_rerun_refuses_to_delete_a_file_the_user_saved_in_the_results(tmp_path: Path) -> None:
    out = write_outputs(_result(), tmp_path / "out", inputs=[])
    saved = out / "县里反馈.xlsx"
    saved.write_bytes(b"county answers")
    with pytest.raises(InputError, match=r"县里反馈\.xlsx"):
        write_outputs(_result(), out, inputs=[])
    assert saved.read_bytes() == b"county answers"


def test_rerun_into_own_results_replaces_them(tmp_path: Path) -> None:
    out = write_outputs(_result(), tmp_path / "out", inputs=[])
    write_outputs(_result("新名字"), out, inputs=[])
    assert "新名字" in (out / "findings.csv").read_text(encoding="utf-8-sig")
