"""Annex 1 (救助金发放分解表): the yearly one-off cash quotas per city, shipped as data.

schemas/quotas.csv holds the notice's table in long form (one row per city and year).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fanpin.errors import ErrorCode, InputError
from fanpin.forms.layout import fit_width, make_styles, new_workbook, print_setup
from fanpin.resources import schema_file

ANNEX1_TITLE = "“防返贫·乡村振兴”之“富”残增收行动救助金发放分解表"
QUOTA_COLUMNS = ["seq", "city_code", "city", "year", "quota"]


def load_quotas(path: Path | None = None) -> pd.DataFrame:
    """Quotas as rows (seq, city_code, city, year, quota), in the notice's city order."""
    path = path or schema_file("quotas.csv")
    try:
        table = pd.read_csv(path, dtype={"city_code": str, "city": str})
    except (OSError, ValueError) as exc:
        raise InputError.single(
            ErrorCode.FILE_UNREADABLE, "无法读取名额分解表", file=path.name
        ) from exc
    missing = [c for c in QUOTA_COLUMNS if c not in table]
    if missing:
        raise InputError.single(
            ErrorCode.MISSING_COLUMN, f"名额分解表缺少列：{'、'.join(missing)}", file=path.name
        )
    if (table["quota"] < 0).any():
        raise InputError.single(ErrorCode.BAD_VALUE, "名额不能为负数", file=path.name)
    return table[QUOTA_COLUMNS].sort_values(["seq", "year"], kind="stable").reset_index(drop=True)


def quota_of(quotas: pd.DataFrame, city: str, year: int) -> int | None:
    """The quota for one city and year, or None when the table has no such entry."""
    hit = quotas.loc[(quotas["city"] == city) & (quotas["year"] == year), "quota"]
    return int(hit.iloc[0]) if len(hit) else None


def quota_table(quotas: pd.DataFrame) -> pd.DataFrame:
    """The notice's layout: 序号, 市, one column per year, 合计; a 合计 row at the bottom."""
    wide = quotas.pivot_table(
        index=["seq", "city"], columns="year", values="quota", aggfunc="sum"
    ).reset_index()
    years = list(wide.columns[2:])
    wide["合计"] = wide[years].sum(axis=1)
    wide.columns = ["序号", "市", *[f"{int(y)}年（名）" for y in years], "合计（名）"]
    total = wide.drop(columns=["序号", "市"]).sum()
    total_row = pd.DataFrame([{"序号": "合计", "市": "", **total.to_dict()}])
    wide["序号"] = wide["序号"].astype(str)
    return pd.concat([wide, total_row], ignore_index=True)


def quota_usage(quotas: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """Quota, used and remaining per city and year.

    `payments` has one row per person paid with columns city and year. Cities or years
    that appear in payments but not in the quota table are kept with quota 0, so that
    they show as over quota.
    """
    used = payments.groupby(["city", "year"]).size().rename("used").reset_index()
    merged = quotas[["seq", "city", "year", "quota"]].merge(used, on=["city", "year"], how="outer")
    merged["seq"] = merged["seq"].fillna(99).astype(int)
    merged["quota"] = merged["quota"].fillna(0).astype(int)
    merged["used"] = merged["used"].fillna(0).astype(int)
    merged["remaining"] = merged["quota"] - merged["used"]
    return merged.sort_values(["seq", "city", "year"], kind="stable").reset_index(drop=True)


def write_annex1(path: Path, quotas: pd.DataFrame) -> None:
    """Write Annex 1 as the notice lays it out: title, one row per city, 合计 row."""
    table = quota_table(quotas)
    headers = list(table.columns)
    with new_workbook(path) as book:
        st = make_styles(book)
        sheet = book.add_worksheet("附件1")
        last = len(headers) - 1
        sheet.set_row(0, 24)
        sheet.write(0, 0, "附件1", st.plain)
        sheet.merge_range(1, 0, 1, last, ANNEX1_TITLE, st.title)
        sheet.set_row(1, 40)
        for col, head in enumerate(headers):
            sheet.write(2, col, head, st.header)
        for r, row in enumerate(table.itertuples(index=False), start=3):
            for col, value in enumerate(row):
                sheet.write(r, col, value, st.cell)
        for col, head in enumerate(headers):
            sheet.set_column(col, col, fit_width([head, *table.iloc[:, col]], minimum=8))
        print_setup(sheet, landscape=False, repeat_rows=(2, 2), pages_tall=1)
