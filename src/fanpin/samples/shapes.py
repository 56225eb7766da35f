"""Writing the sample files in the shapes counties really send: title rows, a 填报单位
line, merged two-row headers, a 合计 row, blank rows, an old .xls with IDs typed as
numbers, a GBK CSV with other header words, a UTF-8 CSV with BOM, one sheet per city.

Every writer returns where each table row landed: file, sheet and the row number a person
sees in Excel (for CSV, the line number with the header on line 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font

from fanpin.samples.agencies import CATEGORY, LEVEL
from fanpin.samples.people import Population
from fanpin.samples.tables import Table

DPF_HEADERS = {
    # file -> header words (the alias differences are on purpose)
    "dpf_taiyuan.xlsx": [
        "序号",
        "姓名",
        "性别",
        "公民身份号码",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "市",
        "县(区)",
        "乡镇(街道)",
        "村(社区)",
        "发证日期",
        "证件状态",
        "联系电话",
    ],
    "dpf_datong.xls": [
        "序号",
        "姓名",
        "性别",
        "身份证号",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "市",
        "县(区)",
        "乡镇(街道)",
        "村(社区)",
        "发证日期",
        "证件状态",
        "联系电话",
    ],
    "dpf_others.csv": [
        "序号",
        "姓名",
        "性别",
        "身份证号码",
        "残疾证号",
        "残疾类别",
        "残疾等级",
        "市",
        "县（区）",
        "乡镇",
        "村",
        "发证日期",
        "证件状态",
        "联系电话",
    ],
}
SUBSIDY_HEADERS = [
    "序号",
    "姓名",
    "公民身份号码",
    "残疾人证号",
    "补贴类型",
    "发放年月",
    "发放金额",
    "市",
    "县(区)",
]
MONITOR_HEADERS = [
    "序号",
    "市",
    "县(区)",
    "乡镇",
    "村",
    "户主身份证号",
    "姓名",
    "证件号码",
    "与户主关系",
    "户类型",
    "监测对象类别",
    "风险是否消除",
]
DIBAO_GROUPS = [
    ("基本信息", ["姓名", "身份证号", "户主姓名", "户主身份证号", "与户主关系"]),
    ("保障信息", ["保障类别", "保障状态"]),
]
DIBAO_BLANK_EVERY = 150  # a blank row after this many data rows, as in hand-kept rosters


@dataclass
class Located:
    """Where each row of a table was written (aligned with the table's rows)."""

    source: np.ndarray
    sheet: np.ndarray
    row: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Located:
        return cls(
            np.full(n, "", dtype=object), np.full(n, "", dtype=object), np.zeros(n, np.int64)
        )

    def put(self, rows: np.ndarray, source: str, sheet: str, excel_rows: np.ndarray) -> None:
        self.source[rows] = source
        self.sheet[rows] = sheet
        self.row[rows] = excel_rows


def _ordered(table: Table, rows: np.ndarray, *keys: str) -> np.ndarray:
    """Rows sorted by the given columns, then `order`, then record id (deterministic)."""
    sort_keys = [table.num("rec")[rows], table.num("order")[rows]]
    sort_keys += [table.num(k)[rows] for k in reversed(keys)]
    return rows[np.lexsort(sort_keys)]


def _view(t: Table) -> dict[str, np.ndarray]:
    """Every column decoded to Python values (sample files are small)."""
    return {name: t.text(name) for name in t.cols}


def _id_cell(v: dict[str, np.ndarray], r: int) -> object:
    """The ID as a text cell, or as a number where the row was typed as one."""
    number = v["id_num"][r]
    return str(v["id_text"][r]) if math.isnan(number) else float(number)


def _date(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").astype(dt.date)


def _dpf_values(v: dict[str, np.ndarray], r: int, style: str) -> list[object]:
    """One DPF row; `style` decides how category, level and dates are written."""
    category = str(CATEGORY[v["category"][r]])
    level: object = str(LEVEL[v["level"][r]])
    d = _date(v["cert_date"][r])
    date: object = d
    if style == "xls":
        category += "残疾"
        level = int(v["level"][r])
    elif style == "csv":
        date = f"{d.year}/{d.month}/{d.day}"
    return [
        str(v["name"][r]),
        str(v["sex"][r]),
        _id_cell(v, r),
        str(v["cert_text"][r]),
        category,
        level,
        str(v["city"][r]),
        str(v["county"][r]),
        str(v["township"][r]),
        str(v["village"][r]),
        date,
        str(v["status"][r]),
        str(v["phone"][r]),
    ]


def _title_font() -> Font:
    return Font(bold=True, size=14)


def write_dpf_xlsx(pop: Population, t: Table, rows: np.ndarray, path: Path, loc: Located) -> None:
    """太原: a merged title, a 填报单位 line, the header on row 3, a 合计 row at the end."""
    headers = DPF_HEADERS[path.name]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "持证残疾人"
    end = pop.period.end.astype(dt.date)
    ws.append([f"太原市持证残疾人基本信息表（截至{end.year}年{end.month}月{end.day}日）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = _title_font()
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(
        ["填报单位：太原市残疾人联合会（盖章）"] + [""] * 9 + ["填报日期：", f"{end.year}年10月8日"]
    )
    ws.append(headers)
    v = _view(t)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *_dpf_values(v, int(r), "xlsx")])
        row = ws.max_row
        ws.cell(row, 4).number_format = "@"
        ws.cell(row, 5).number_format = "@"
        ws.cell(row, 12).number_format = "yyyy-mm-dd"
        ws.cell(row, 14).number_format = "@"
    ws.append(["合计", f"{len(rows)}人"])
    for col, width in zip(
        "ABCDEFGHIJKLMN", (6, 10, 6, 22, 26, 8, 8, 10, 12, 14, 12, 12, 10, 14), strict=True
    ):
        ws.column_dimensions[col].width = width
    wb.save(path)
    loc.put(rows, path.name, ws.title, 4 + np.arange(len(rows)))


def write_dpf_xls(pop: Population, t: Table, rows: np.ndarray, path: Path, loc: Located) -> None:
    """大同: old .xls; a merged title, header on row 2; some IDs were typed as numbers."""
    headers = DPF_HEADERS[path.name]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    ws.write_merge(0, 0, 0, len(headers) - 1, "大同市残疾人基本信息花名册")
    for col, text in enumerate(headers):
        ws.write(1, col, text)
    v = _view(t)
    for i, r in enumerate(rows, start=1):
        values = [i, *_dpf_values(v, int(r), "xls")]
        for col, value in enumerate(values):
            if isinstance(value, dt.date):
                ws.write(i + 1, col, value, date_style)
            else:
                ws.write(i + 1, col, value)
    wb.save(str(path))
    loc.put(rows, path.name, "Sheet1", 3 + np.arange(len(rows)))


def write_dpf_csv(pop: Population, t: Table, rows: np.ndarray, path: Path, loc: Located) -> None:
    """Other cities: GBK CSV exported from a desktop system, other header words."""
    with path.open("w", encoding="gbk", errors="strict", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(DPF_HEADERS[path.name])
        v = _view(t)
        for i, r in enumerate(rows, start=1):
            out.writerow([i, *_dpf_values(v, int(r), "csv")])
    loc.put(rows, path.name, "", 2 + np.arange(len(rows)))


def write_dibao_xlsx(pop: Population, t: Table, rows: np.ndarray, path: Path, loc: Located) -> None:
    """低保 roster: title, a two-row merged header, blank rows between blocks."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "低保对象"
    end = pop.period.end.astype(dt.date)
    width = 3 + sum(len(cols) for _, cols in DIBAO_GROUPS)
    ws.cell(1, 1, f"{end.year}年{end.month}月城乡低保及特困供养对象花名册").font = _title_font()
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for col, text in enumerate(["序号", "市", "县(区)"], start=1):
        ws.cell(2, col, text)
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    col = 4
    for group, names in DIBAO_GROUPS:
        ws.cell(2, col, group).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + len(names) - 1)
        for j, name in enumerate(names):
            ws.cell(3, col + j, name)
        col += len(names)

    v = _view(t)
    excel_rows = np.zeros(len(rows), dtype=np.int64)
    row = 3
    for i, r in enumerate(rows):
        row += 1
        if i and i % DIBAO_BLANK_EVERY == 0:
            row += 1  # leave a blank row
        values = [
            i + 1,
            str(v["city"][r]),
            str(v["county"][r]),
            str(v["name"][r]),
            _id_cell(v, r),
            str(v["head_name"][r]),
            str(v["head_id_text"][r]),
            str(v["relation"][r]),
            str(v["dibao_type"][r]),
            str(v["dibao_status"][r]),
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if col in (5, 7) and isinstance(value, str):
                cell.number_format = "@"
        excel_rows[i] = row
    for letter, w in zip("ABCDEFGHIJ", (6, 10, 12, 12, 22, 12, 22, 10, 10, 8), strict=True):
        ws.column_dimensions[letter].width = w
    wb.save(path)
    loc.put(rows, path.name, ws.title, excel_rows)


def write_subsidy_csv(
    pop: Population, t: Table, rows: np.ndarray, path: Path, loc: Located
) -> None:
    """两项补贴 payroll: UTF-8 with BOM, 发放年月 as 202407."""
    v = _view(t)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(SUBSIDY_HEADERS)
        for i, r in enumerate(rows, start=1):
            out.writerow(
                [
                    i,
                    str(v["name"][r]),
                    str(v["id_text"][r]),
                    str(v["cert_text"][r]),
                    str(v["subsidy_type"][r]),
                    str(v["month"][r]),
                    f"{v['amount'][r]:.2f}",
                    str(v["city"][r]),
                    str(v["county"][r]),
                ]
            )
    loc.put(rows, path.name, "", 2 + np.arange(len(rows)))


def write_monitor_xlsx(
    pop: Population, t: Table, rows: np.ndarray, path: Path, loc: Located
) -> None:
    """防返贫监测 list: one sheet per city, header on row 1."""
    v = _view(t)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    cities = v["city"][rows]
    for city in dict.fromkeys(cities):  # keeps the (sorted) city order
        ws = wb.create_sheet(str(city))
        ws.append(MONITOR_HEADERS)
        mine = rows[cities == city]
        for i, r in enumerate(mine, start=1):
            ws.append(
                [
                    i,
                    str(city),
                    str(v["county"][r]),
                    str(v["township"][r]),
                    str(v["village"][r]),
                    str(v["head_id_text"][r]),
                    str(v["name"][r]),
                    _id_cell(v, r),
                    str(v["relation"][r]),
                    str(v["household_type"][r]),
                    str(v["monitor_class"][r]),
                    str(v["risk_cleared"][r]),
                ]
            )
            for col in (6, 8):
                ws.cell(ws.max_row, col).number_format = "@"
        loc.put(mine, path.name, ws.title, 2 + np.arange(len(mine)))
    wb.save(path)


def write_sample_files(pop: Population, tables: dict[str, Table], out: Path) -> dict[str, Located]:
    """All six sample files; returns where every row of every table was written."""
    out.mkdir(parents=True, exist_ok=True)
    located = {kind: Located.empty(len(t)) for kind, t in tables.items()}
    county_code = pop.counties.code

    dpf = tables["dpf"]
    dpf.flush()
    files = dpf.text("file")
    writers = {
        "dpf_taiyuan.xlsx": write_dpf_xlsx,
        "dpf_datong.xls": write_dpf_xls,
        "dpf_others.csv": write_dpf_csv,
    }
    dpf.cols["_county_code"] = county_code[dpf.num("county")]
    for name, writer in writers.items():
        rows = _ordered(dpf, np.flatnonzero(files == name), "_county_code", "township", "village")
        writer(pop, dpf, rows, out / name, located["dpf"])

    for kind, name, writer, keys in (
        ("dibao", "dibao.xlsx", write_dibao_xlsx, ("_county_code",)),
        ("subsidy", "subsidy.csv", write_subsidy_csv, ("month", "_county_code")),
        ("monitor", "monitor.xlsx", write_monitor_xlsx, ("_county_code",)),
    ):
        t = tables[kind]
        t.flush()
        t.cols["_county_code"] = county_code[t.num("county")]
        rows = _ordered(t, np.arange(len(t)), *keys)
        writer(pop, t, rows, out / name, located[kind])
    for t in tables.values():
        t.cols.pop("_county_code", None)
    return located
