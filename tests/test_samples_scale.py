"""Provincial-scale writer at a tiny scale: Parquet and xlsx (long tables continue on
further sheets), truth rows located in the written files, and the benchmark's read."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from fanpin.samples import generate_scale, scale

ROOT = Path(__file__).resolve().parents[1]


def load_bench():
    spec = importlib.util.spec_from_file_location("run_bench", ROOT / "bench" / "run_bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_bench"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def parquet_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("pq")
    return out, generate_scale(out, scale=0.003, fmt="parquet", seed=5)


def test_parquet_set_has_four_files_with_the_counted_rows(parquet_set):
    out, result = parquet_set
    for kind in scale.KINDS:
        table = pq.read_table(out / f"{kind}.parquet")
        assert table.num_rows == result.rows[kind] > 0
    dpf = pq.read_table(out / "dpf.parquet")
    assert dpf.column_names[:4] == ["姓名", "性别", "公民身份号码", "残疾人证号"]
    assert str(dpf.schema.field("发证日期").type) == "date32[day]"


def test_parquet_truth_rows_show_the_planted_person(parquet_set):
    out, _ = parquet_set
    frame = pd.read_csv(out / "truth.csv", dtype=str, keep_default_na=False)
    assert len(frame) > 0
    tables = {}
    for t in frame.itertuples():
        if t.source not in tables:
            tables[t.source] = pq.read_table(out / t.source).to_pydict()
        data = tables[t.source]
        row = int(t.row) - 2  # header is row 1
        assert data["公民身份号码"][row] == t.id_as_written
        assert data["姓名"][row] == t.name


def test_long_tables_continue_on_further_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "EXCEL_MAX_ROWS", 1001)
    result = generate_scale(tmp_path, scale=0.002, fmt="xlsx", seed=5)
    book = CalamineWorkbook.from_path(str(tmp_path / "subsidy.xlsx"))
    sheets = [book.get_sheet_by_name(s).to_python() for s in book.sheet_names]
    assert len(sheets) > 1 and all(len(s) <= 1001 for s in sheets)
    assert sum(len(s) - 1 for s in sheets) == result.rows["subsidy"]

    truth = pd.read_csv(tmp_path / "truth.csv", dtype=str, keep_default_na=False)
    for t in truth.itertuples():
        grid = CalamineWorkbook.from_path(str(tmp_path / t.source)).get_sheet_by_name(t.sheet)
        rows = grid.to_python()
        j = [str(v) for v in rows[0]].index("公民身份号码")
        assert str(rows[int(t.row) - 1][j]) == t.id_as_written


def test_bench_plain_read_counts_every_row(parquet_set):
    out, result = parquet_set
    bench = load_bench()
    assert bench.plain_read(out, "parquet") == sum(result.rows.values())


def test_bench_measures_a_child_process(tmp_path):
    bench = load_bench()
    code = "x = bytearray(50 * 2**20); print(len(x))"
    measured = bench.run_measured([sys.executable, "-c", code], tmp_path / "child.log")
    assert measured.exit_code == 0
    assert measured.peak_mb >= 50
    assert (tmp_path / "child.log").read_text().strip() == str(50 * 2**20)


def test_bench_generation_writes_the_completion_marker_last(tmp_path):
    bench = load_bench()
    bench.generate(tmp_path, "parquet", 0.002, 5)
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert meta["fmt"] == "parquet" and meta["scale"] == 0.002
    for kind, rows in meta["rows"].items():
        assert pq.read_table(tmp_path / f"{kind}.parquet").num_rows == rows
