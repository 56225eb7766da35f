"""The written sample files: their shapes, the harmless noise in them, and truth rows that
point at the right person."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from fanpin.samples import generate_sample
from fanpin.samples.truth import CODE_ORDER

ID_COLUMN = {
    "dpf_taiyuan.xlsx": "公民身份号码",
    "dpf_datong.xls": "身份证号",
    "dpf_others.csv": "身份证号码",
    "dibao.xlsx": "身份证号",
    "subsidy.csv": "公民身份号码",
    "monitor.xlsx": "证件号码",
}
HEADER_ROW = {"dpf_taiyuan.xlsx": 3, "dpf_datong.xls": 2, "dibao.xlsx": 3}  # others: 1


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    result = generate_sample(out, seed=7)
    return out, result


def read_grid(path: Path) -> dict[str, list[list[object]]]:
    """Sheet name -> rows of raw cell values ("" for CSV); row 1 is index 0."""
    if path.suffix == ".csv":
        encoding = "gbk" if path.name == "dpf_others.csv" else "utf-8-sig"
        with path.open(encoding=encoding, newline="") as fh:
            return {"": [list(r) for r in csv.reader(fh)]}
    if path.suffix == ".xls":
        book = CalamineWorkbook.from_path(str(path))
        return {s: book.get_sheet_by_name(s).to_python() for s in book.sheet_names}
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


@pytest.fixture(scope="module")
def grids(sample):
    out, _ = sample
    return {p.name: read_grid(p) for p in out.iterdir() if p.name in ID_COLUMN}


def header_of(grids, name: str, sheet: str) -> list[str]:
    return [str(v) for v in grids[name][sheet][HEADER_ROW.get(name, 1) - 1]]


def cell(grids, name: str, sheet: str, row: int, column: str) -> object:
    headers = header_of(grids, name, sheet)
    return grids[name][sheet][row - 1][headers.index(column)]


def as_written(value: object) -> str:
    """How fanpin's readers render a cell (docs/ARCHITECTURE.md): an integral number below
    1e15 as its digits, any other number as repr, text as is."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def plain_id(value: object) -> str:
    """Undo the harmless forms by hand: number, NFKC, apostrophe, spaces, U+200B, 15 digits."""
    if isinstance(value, float):
        value = str(int(value))
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"['\s\u200b]", "", text).upper().removesuffix(".0")
    if len(text) == 15:
        first17 = text[:6] + "19" + text[6:]
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
        text = first17 + "10X98765432"[total % 11]
    return text


def all_id_cells(grids) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for name, sheets in grids.items():
        for sheet, rows in sheets.items():
            headers = header_of(grids, name, sheet)
            j = headers.index(ID_COLUMN[name])
            out.setdefault(name, []).extend(r[j] for r in rows[HEADER_ROW.get(name, 1) :] if r)
    return out


def test_truth_has_three_to_ten_of_every_finding_code(sample):
    _, result = sample
    counts = result.truth["code"].value_counts()
    assert set(counts.index) == set(CODE_ORDER)
    assert counts.between(3, 10).all()


def test_truth_rows_show_the_planted_person_in_the_file(sample, grids):
    _, result = sample
    for t in result.truth.itertuples():
        written = cell(grids, t.source, t.sheet, t.row, ID_COLUMN[t.source])
        assert as_written(written) == t.id_as_written, t
        name_column = "姓名"
        assert str(cell(grids, t.source, t.sheet, t.row, name_column)) == t.name, t


def test_truth_ids_are_valid_18_digit_ids(sample):
    _, result = sample
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for text in result.truth["id_number"]:
        total = sum(int(d) * w for d, w in zip(text[:17], weights, strict=True))
        assert text[17] == "10X98765432"[total % 11]


def test_duplicate_rows_come_after_their_original(sample, grids):
    _, result = sample
    dups = result.truth[result.truth["code"] == "DUPLICATE_RECORD"]
    assert set(dups["source"]) >= {"dibao.xlsx", "subsidy.csv"}
    assert dups["source"].str.startswith("dpf").any()
    for t in dups.itertuples():
        assert t.related_source == t.source and int(t.related_row) < t.row
        first = cell(grids, t.source, t.sheet, int(t.related_row), ID_COLUMN[t.source])
        assert plain_id(first) == t.id_number


def test_deceased_paid_points_at_the_payment_or_dibao_row(sample, grids):
    _, result = sample
    dead = result.truth[result.truth["code"] == "DECEASED_PAID"]
    assert set(dead["source"]) == {"subsidy.csv", "dibao.xlsx"}
    for t in dead.itertuples():
        status = cell(grids, t.related_source, t.related_sheet, int(t.related_row), "证件状态")
        assert status in ("死亡", "注销")
        if t.source == "dibao.xlsx":
            assert cell(grids, t.source, t.sheet, t.row, "保障状态") == "在保"


def test_unrecoverable_ids_are_numbers_or_float_text(sample, grids):
    _, result = sample
    bad = result.truth[result.truth["code"] == "ID_UNRECOVERABLE"]
    for t in bad.itertuples():
        value = cell(grids, t.source, t.sheet, t.row, ID_COLUMN[t.source])
        if t.source.endswith((".xls", ".xlsx")):
            assert isinstance(value, float) and value > 1e16
        else:
            assert re.fullmatch(r"\d\.\d+E\+17|\d{18}\.0", str(value))


def test_harmless_id_noise_forms_are_in_the_files(grids):
    cells = all_id_cells(grids)
    text = {name: [str(v) for v in values] for name, values in cells.items()}
    everywhere = [v for values in text.values() for v in values]
    assert any(v.startswith("'") for v in everywhere)
    assert any(re.fullmatch(r"\d{6} \d{8} \d{3}[\dX]", v) for v in everywhere)
    assert any(re.fullmatch("[０-９]{17}[０-９Ｘ]", v) for v in everywhere)
    assert any(re.fullmatch(r"\d{17}x", v) for v in everywhere)
    assert any("\u200b" in v for v in everywhere)
    assert not any("\u200b" in v for v in text["dpf_others.csv"])
    assert any(re.fullmatch(r"\d{15}", v) for v in everywhere)
    assert any(re.fullmatch(r"\d{15}\.0", v) for v in text["dpf_others.csv"])
    # In the .xls some 15-digit IDs were typed as numbers (they survive a float).
    assert any(isinstance(v, float) and 1e14 <= v < 1e15 for v in cells["dpf_datong.xls"])


def test_name_variants_are_in_the_files(grids):
    names = []
    for name, sheets in grids.items():
        for sheet, rows in sheets.items():
            j = header_of(grids, name, sheet).index("姓名")
            names += [(name, str(r[j])) for r in rows[HEADER_ROW.get(name, 1) :] if r and r[j]]
    values = [v for _, v in names]
    assert any(ch in v for v in values for ch in "張劉陳楊趙")  # traditional spellings
    assert any("·" in v for v in values)
    for dot in ("\u2022", "\u30fb", "\u2027", "\u22c5"):
        assert any(dot in v for v in values), dot
    assert any(re.fullmatch(r"\w[ \u3000]\w", v) for v in values)
    rare = [(f, v) for f, v in names if any(ch in v for ch in "㛃䶮𠈌")]
    assert rare and all(f != "dpf_others.csv" for f, _ in rare)


def test_gbk_csv_holds_only_gbk_characters(sample):
    out, _ = sample
    raw = (out / "dpf_others.csv").read_bytes()
    text = raw.decode("gbk")  # strict: fails on any byte sequence outside GBK
    assert text.splitlines()[0].split(",")[3:5] == ["身份证号码", "残疾证号"]


def test_taiyuan_workbook_has_title_unit_line_and_total_row(sample):
    out, _ = sample
    ws = openpyxl.load_workbook(out / "dpf_taiyuan.xlsx").active
    assert "A1:N1" in {str(r) for r in ws.merged_cells.ranges}
    assert str(ws["A2"].value).startswith("填报单位")
    assert ws["D3"].value == "公民身份号码"
    assert ws.cell(ws.max_row, 1).value == "合计"
    assert ws["D4"].data_type == "s" and ws["D4"].number_format == "@"


def test_dibao_workbook_has_two_row_merged_header_and_blank_rows(sample, grids):
    out, _ = sample
    ws = openpyxl.load_workbook(out / "dibao.xlsx").active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:A3", "D2:H2", "I2:J2"} <= merged
    assert (ws["D2"].value, ws["D3"].value, ws["I2"].value) == ("基本信息", "姓名", "保障信息")
    rows = grids["dibao.xlsx"]["低保对象"][3:]
    assert any(all(v is None for v in r) for r in rows)


def test_monitor_workbook_has_one_sheet_per_city(grids):
    sheets = list(grids["monitor.xlsx"])
    assert len(sheets) == 11 and all(s.endswith("市") for s in sheets)


def test_payroll_is_utf8_with_bom_and_three_months(sample):
    out, _ = sample
    assert (out / "subsidy.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out / "subsidy.csv", dtype=str, encoding="utf-8-sig")
    assert sorted(frame["发放年月"].unique()) == ["202407", "202408", "202409"]
