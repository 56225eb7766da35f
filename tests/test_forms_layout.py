"""Golden layout checks for the annexes fanpin writes (tests/golden/annex*.json, written by
hand from the notice), and the blank templates' drop-downs and formats."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from fanpin.forms.annex1 import load_quotas, write_annex1
from fanpin.forms.annex2 import write_annex2
from fanpin.forms.annex3 import Annex3Header, payee_rows, write_annex3
from fanpin.forms.people import person_fields
from fanpin.forms.templates import write_template
from tests import forms_fixtures as fx

GOLDEN = Path(__file__).parent / "golden"


def people_frame(keys: list[str]) -> pd.DataFrame:
    rows = []
    for key in keys:
        p = fx.P[key]
        rows.append(
            {"name": p.name, "id_number": p.id, "cert_number": p.cert, "phone": p.phone, **p.places}
        )
    return pd.DataFrame(rows)


def check_golden(sheet: Worksheet, golden: dict[str, Any]) -> None:
    assert sheet.title == golden["sheet"]
    for ref, value in golden["cells"].items():
        assert sheet[ref].value == value, ref
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert set(golden["merged"]) <= merged
    for ref in golden.get("text_cells", []):
        assert sheet[ref].number_format == "@", ref
    setup, want = sheet.page_setup, golden["print"]
    assert setup.orientation == want["orientation"]
    assert int(setup.paperSize) == want["paper"]
    if "fit_width" in want:
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # OOXML's default for both is 1, which writers leave out of the file.
        assert int(setup.fitToWidth if setup.fitToWidth is not None else 1) == want["fit_width"]
        assert int(setup.fitToHeight if setup.fitToHeight is not None else 1) == want["fit_height"]
    if "title_rows" in want:
        assert sheet.print_title_rows == want["title_rows"]
    for col, width in golden.get("min_widths", {}).items():
        assert sheet.column_dimensions[col].width >= width, col
    if "row_breaks" in golden:
        assert [b.id for b in sheet.row_breaks.brk] == golden["row_breaks"]


def load(name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def test_annex3_layout_matches_golden(tmp_path: Path) -> None:
    people = person_fields(people_frame(["zhang", "li", "wang", "zhao"]), fx.FORM_DATE)
    path = tmp_path / "a3.xlsx"
    write_annex3(path, payee_rows(people, 500), Annex3Header("太原市", 2023, fx.FORM_DATE))
    sheet = openpyxl.load_workbook(path)["附件3"]
    check_golden(sheet, load("annex3.json"))
    assert sheet["F5"].value == fx.P["zhang"].cert  # the certificate number, as text


def test_annex2_layout_matches_golden(tmp_path: Path) -> None:
    people = person_fields(people_frame(["zhang", "li"]), fx.FORM_DATE).assign(amount=500)
    path = tmp_path / "a2.xlsx"
    write_annex2(path, people)
    sheet = openpyxl.load_workbook(path)["附件2"]
    check_golden(sheet, load("annex2.json"))
    assert sheet["B3"].value == fx.P["zhang"].cert
    assert sheet["B4"].value == fx.P["zhang"].id


def test_annex1_layout_matches_golden(tmp_path: Path) -> None:
    path = tmp_path / "a1.xlsx"
    write_annex1(path, load_quotas())
    check_golden(openpyxl.load_workbook(path)["附件1"], load("annex1.json"))


def test_annex3_template_has_dropdowns_and_blank_closing(tmp_path: Path) -> None:
    path = tmp_path / "t3.xlsx"
    write_template("annex3", path, city="太原市", year=2023, rows=5)
    sheet = openpyxl.load_workbook(path)["附件3"]
    lists = {
        str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"
    }
    assert lists["C5:C9"] == '"男,女"'
    assert "肢体二级" in lists["E5:E9"] and "多重四级" in lists["E5:E9"]
    assert sheet["A10"].value == "合计慰问：_____人，金额总计：_____元，大写_____元。"
    assert sheet["F5"].number_format == "@"


@pytest.mark.parametrize("kind", ["annex2", "annex3", "annex4", "survey"])
def test_every_template_is_written(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.xlsx"
    write_template(kind, path, city="太原市", year=2023, date=dt.date(2023, 7, 1))
    assert openpyxl.load_workbook(path).sheetnames
