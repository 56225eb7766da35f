"""Provincial-scale data for the benchmark: the same generator at ~1,000,000 certificate
holders, written as Parquet (one file per agency) or as xlsx (xlsxwriter, constant
memory; a sheet holds at most 1,048,576 rows, so long tables continue on more sheets)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from fanpin.samples.agencies import CATEGORY, LEVEL
from fanpin.samples.generate import Built, build, write_truth
from fanpin.samples.people import PROVINCE
from fanpin.samples.shapes import Located, _ordered
from fanpin.samples.tables import Table

log = logging.getLogger(__name__)

KINDS = ("dpf", "dibao", "subsidy", "monitor")
EXCEL_MAX_ROWS = 1_048_576  # including the header row
XLSX_CHUNK = 20_000


def _coded(t: Table, column: str) -> pa.Array:
    return pa.array(t.labels[column]).take(pa.array(t.num(column)))


def _text(t: Table, column: str) -> pa.Array:
    return t.arrow(column)


def _arrow_columns(t: Table) -> dict[str, pa.Array]:
    """Chinese headers -> Arrow arrays, in the order agencies write them."""
    places = {"市": _coded(t, "city"), "县(区)": _coded(t, "county")}
    num = t.num
    if t.kind == "dpf":
        return {
            "姓名": _text(t, "name"),
            "性别": _coded(t, "sex"),
            "公民身份号码": _text(t, "id_text"),
            "残疾人证号": _text(t, "cert_text"),
            "残疾类别": pa.array(CATEGORY).take(pa.array(num("category"))),
            "残疾等级": pa.array(LEVEL).take(pa.array(num("level"))),
            **places,
            "乡镇(街道)": _coded(t, "township"),
            "村(社区)": _coded(t, "village"),
            "发证日期": pa.array(num("cert_date").astype("datetime64[D]"), type=pa.date32()),
            "证件状态": _coded(t, "status"),
            "联系电话": _text(t, "phone"),
        }
    if t.kind == "dibao":
        return {
            "姓名": _text(t, "name"),
            "公民身份号码": _text(t, "id_text"),
            "户主姓名": _text(t, "head_name"),
            "户主身份证号": _text(t, "head_id_text"),
            "与户主关系": _coded(t, "relation"),
            "保障类别": _coded(t, "dibao_type"),
            "保障状态": _coded(t, "dibao_status"),
            **places,
        }
    if t.kind == "subsidy":
        return {
            "姓名": _text(t, "name"),
            "公民身份号码": _text(t, "id_text"),
            "残疾人证号": _text(t, "cert_text"),
            "补贴类型": _coded(t, "subsidy_type"),
            "发放年月": _coded(t, "month"),
            "发放金额": pa.array(num("amount"), type=pa.float64()),
            **places,
        }
    return {
        **places,
        "乡镇": _coded(t, "township"),
        "村": _coded(t, "village"),
        "户主身份证号": _text(t, "head_id_text"),
        "姓名": _text(t, "name"),
        "公民身份号码": _text(t, "id_text"),
        "与户主关系": _coded(t, "relation"),
        "户类型": _coded(t, "household_type"),
        "监测对象类别": _coded(t, "monitor_class"),
        "风险是否消除": _coded(t, "risk_cleared"),
    }


def file_order(t: Table, county_code: np.ndarray) -> np.ndarray:
    """Row positions in file order: by county (and month), a duplicate after its original."""
    t.cols["_county_code"] = county_code[t.num("county")]
    keys = ("month", "_county_code") if t.kind == "subsidy" else ("_county_code",)
    rows = _ordered(t, np.arange(len(t)), *keys)
    t.cols.pop("_county_code")
    return rows


def arrow_table(t: Table, order: np.ndarray) -> pa.Table:
    return pa.table(_arrow_columns(t)).take(pa.array(order))


def write_parquet(t: Table, order: np.ndarray, path: Path, loc: Located) -> list[Path]:
    pq.write_table(arrow_table(t, order), path, compression="snappy")
    loc.put(order, path.name, "", 2 + np.arange(len(t)))
    return [path]


def write_xlsx(t: Table, order: np.ndarray, path: Path, loc: Located) -> list[Path]:
    """One workbook; a new sheet every 1,048,575 data rows. Per-row writing is the
    xlsxwriter API (constant_memory streams rows in order); it only runs for bench data."""
    table = arrow_table(t, order)
    cols = {name: table.column(name) for name in table.column_names}
    headers = list(cols)
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    per_sheet = EXCEL_MAX_ROWS - 1
    n = len(t)
    for s, start in enumerate(range(0, max(n, 1), per_sheet), start=1):
        ws = wb.add_worksheet(f"Sheet{s}")
        ws.write_row(0, 0, headers)
        stop = min(n, start + per_sheet)
        for lo in range(start, stop, XLSX_CHUNK):
            hi = min(stop, lo + XLSX_CHUNK)
            rows = zip(*(cols[h].slice(lo, hi - lo).to_pylist() for h in headers), strict=True)
            for i, values in enumerate(rows, start=lo - start + 1):
                ws.write_row(i, 0, values)
        loc.put(order[start:stop], path.name, ws.name, 2 + np.arange(stop - start))
    wb.close()
    return [path]


WRITERS: dict[str, Callable[[Table, np.ndarray, Path, Located], list[Path]]] = {
    "parquet": write_parquet,
    "xlsx": write_xlsx,
}


@dataclass
class ScaleResult:
    out_dir: Path
    fmt: str
    files: dict[str, list[Path]]  # kind -> files
    rows: dict[str, int]  # kind -> data rows
    seconds: dict[str, float] = field(default_factory=dict)  # build / write / total


def build_scale(scale: float = 1.0, seed: int = 2024, quarter: str = "2024Q3") -> Built:
    """The provincial population at `scale` (1.0 = ~1,000,000 certificate holders)."""
    return build(
        PROVINCE.scaled(scale),
        seed,
        quarter,
        split_dpf=False,
        numeric_files=set(),
        gbk_files=set(),
        rare_names=max(3, round(50 * scale)),
    )


def generate_scale(
    out_dir: Path,
    scale: float = 1.0,
    fmt: str = "parquet",
    seed: int = 2024,
    quarter: str = "2024Q3",
) -> ScaleResult:
    """Write dpf/dibao/subsidy/monitor.<fmt> plus truth.csv and controls.csv."""
    if fmt not in WRITERS:
        raise ValueError(f"fmt must be one of {sorted(WRITERS)}, got {fmt!r}")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    built = build_scale(scale, seed, quarter)
    t1 = time.perf_counter()

    county_code = built.population.counties.code
    files: dict[str, list[Path]] = {}
    located: dict[str, Located] = {}
    for kind in KINDS:
        table = built.tables[kind]
        located[kind] = Located.empty(len(table))
        order = file_order(table, county_code)
        files[kind] = WRITERS[fmt](table, order, out_dir / f"{kind}.{fmt}", located[kind])
    t2 = time.perf_counter()
    write_truth(built, located, out_dir)
    t3 = time.perf_counter()
    rows = {kind: len(built.tables[kind]) for kind in KINDS}
    seconds = {"build": t1 - t0, "write": t2 - t1, "truth": t3 - t2, "total": t3 - t0}
    log.info("scale %.2f %s written in %.1f s", scale, fmt, seconds["total"])
    return ScaleResult(out_dir, fmt, files, rows, seconds)
