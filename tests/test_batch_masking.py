"""Masked copies: personal columns by header, long digit runs in free text, input untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.batch.masking import column_kind, mask_file, mask_frame
from fanpin.errors import InputError
from fanpin.findings import CIVIL, FINDING_COLUMNS
from fanpin.reports.agency import write_agency_workbook
from tests.factories import make_id

A = make_id("140105", "19800315", 1)
A_MASKED = A[:4] + "*" * 10 + A[-4:]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("公民身份号码", "id"),
        ("id_number", "id"),
        ("疑似正确身份证号", "id"),
        ("户主身份证号", "id"),
        ("残疾人证号", "cert"),
        ("cert_number", "cert"),
        ("联系电话", "phone"),
        ("监护人手机", "phone"),
        ("银行卡号", "bank"),
        ("姓名", None),
        ("问题说明", None),
    ],
)
def test_columns_are_chosen_by_header(header: str, kind: str | None) -> None:
    assert column_kind(header) == kind


def test_frame_masks_personal_columns_and_digits_in_remarks() -> None:
    frame = pd.DataFrame(
        {
            "姓名": ["张三"],
            "公民身份号码": [A],
            "残疾人证号": [A + "41"],
            "联系电话": ["13812345678"],
            "银行卡号": ["6222021234567890123"],
            "问题说明": [f"与 {A} 姓名不同，电话 13812345678"],
            "行号": ["12"],
        },
        dtype="str",
    )
    out = mask_frame(frame).iloc[0]
    assert out["姓名"] == "张三"
    assert out["公民身份号码"] == A_MASKED
    assert out["残疾人证号"] == A[:4] + "*" * 12 + A[-2:] + "41"
    assert out["联系电话"] == "138****5678"
    assert out["银行卡号"] == "6222***********0123"
    assert out["问题说明"] == f"与 {A[:4]}****{A[-4:]} 姓名不同，电话 1381****5678"
    assert out["行号"] == "12"
    assert frame.iloc[0]["公民身份号码"] == A  # the input frame is not changed


def test_csv_copy_is_masked_and_the_input_file_untouched(tmp_path: Path) -> None:
    src = tmp_path / "findings.csv"
    frame = pd.DataFrame(
        {c: ["x"] for c in FINDING_COLUMNS}
        | {"id_number": [A], "matched_id": [A], "cert_number": [A + "41"]}
    )
    frame.to_csv(src, index=False, encoding="utf-8-sig")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    changed = mask_file(src, tmp_path / "masked.csv")
    assert changed == 3
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    out = pd.read_csv(tmp_path / "masked.csv", dtype=str, encoding="utf-8-sig")
    assert out["id_number"].tolist() == [A_MASKED]
    assert out["matched_id"].tolist() == [A_MASKED]
    assert out["name"].tolist() == ["x"]
    assert list(out.columns) == FINDING_COLUMNS


def test_workbook_copy_keeps_layout_and_masks_ids(tmp_path: Path) -> None:
    findings = (
        pd.DataFrame(
            {
                "code": ["MISSING_DIBAO"],
                "severity": ["高"],
                "agency": [CIVIL],
                "id_number": [A],
                "cert_number": [A + "41"],
                "name": ["张三"],
                "detail": [f"=说明 {A}"],
            }
        )
        .reindex(columns=FINDING_COLUMNS)
        .astype("str")
    )
    src = tmp_path / "民政.xlsx"
    write_agency_workbook(src, CIVIL, findings, "2024Q3", None)
    before = src.read_bytes()
    mask_file(src, tmp_path / "masked.xlsx")
    assert src.read_bytes() == before
    book = openpyxl.load_workbook(tmp_path / "masked.xlsx")
    assert book.sheetnames == ["汇总", "清单"]
    sheet = book["清单"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["公民身份号码"].value == A_MASKED
    assert row["残疾人证号"].value.startswith(A[:4] + "*")
    assert row["姓名"].value == "张三"
    # Text starting with "=" stays text, and its ID is starred.
    assert row["问题说明"].data_type == "s"
    assert row["问题说明"].value == f"=说明 {A[:4]}****{A[-4:]}"
    assert sheet.freeze_panes == "A2"
    assert len(sheet.data_validations.dataValidation) == 1  # the 核查结果 drop-down


def test_masking_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = tmp_path / "f.csv"
    src.write_text("id_number\n" + A + "\n", encoding="utf-8-sig")
    with pytest.raises(InputError, match="不能与输入文件相同"):
        mask_file(src, src)
    with pytest.raises(InputError, match=r"\.csv 或 \.xlsx"):
        mask_file(src.rename(tmp_path / "f.txt"), tmp_path / "g.txt")
