"""Roll county files up into the city's form, or city files into the province's.

Every input is validated first; any error, a county that appears twice, or a county that
does not belong to the city refuses the roll-up (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fanpin.errors import FanpinError
from fanpin.forms.annex3 import FIELDS as ANNEX3_FIELDS
from fanpin.forms.annex3 import Annex3Header, write_annex3
from fanpin.forms.layout import refuse_inputs
from fanpin.forms.places import county_names_of
from fanpin.forms.validate.check_annex4 import CheckedAnnex4, count_value
from fanpin.forms.validate.check_forms import CheckedSheet
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.model import city_names
from fanpin.forms.validate.read_annex4 import COUNT_KEYS
from fanpin.forms.validate.runner import ValidationReport, annex3_city, validate_paths
from fanpin.measures.annex4 import ANNEX4_KEYS, write_annex4

# fanpin.measures.annex4 names the 13 count columns in the same left-to-right order.
KEY_TO_ANNEX4 = dict(zip(COUNT_KEYS, ANNEX4_KEYS, strict=True))


@dataclass
class RollupRefused(FanpinError):
    """The inputs cannot be rolled up; `reasons` are Chinese sentences for the user."""

    reasons: list[str]
    report: ValidationReport | None = None

    def __post_init__(self) -> None:
        super().__init__("；".join(self.reasons))


@dataclass
class RollupResult:
    level: str  # "city" or "province"
    city: str | None
    inputs: int
    rows: int
    totals: dict[str, float] = field(default_factory=dict)


def _refuse_on_errors(report: ValidationReport) -> None:
    bad = [f for f in report.files if f.errors]
    if bad:
        reasons = [
            f"文件“{f.path.name}”有 {f.errors} 处错误，请先改正（fanpin validate 可列出）"
            for f in bad
        ]
        raise RollupRefused(reasons, report)


def _one_value(values: list[str | None], what: str) -> str | None:
    known = sorted({v for v in values if v})
    if len(known) > 1:
        raise RollupRefused([f"输入文件的{what}不一致：{'、'.join(known)}"])
    return known[0] if known else None


def rollup(
    paths: Sequence[Path],
    form: str,
    out: Path,
    ctx: CheckContext,
    *,
    city: str | None = None,
    date: dt.date | None = None,
) -> RollupResult:
    """Validate `paths` as `form` (annex3 or annex4) and write their roll-up to `out`."""
    refuse_inputs(out, paths)
    report = validate_paths(paths, ctx, form=form)
    _refuse_on_errors(report)
    if form == "annex3":
        sheets = [s for f in report.files for s in f.sheets if s.form.kind == "annex3"]
        return _rollup_annex3(sheets, out, ctx, city, date, len(paths))
    sheets4 = [s for f in report.files for s in f.annex4]
    return _rollup_annex4(sheets4, out, city, date, len(paths))


def _rollup_annex3(
    sheets: list[CheckedSheet],
    out: Path,
    ctx: CheckContext,
    city: str | None,
    date: dt.date | None,
    inputs: int,
) -> RollupResult:
    year = _one_value([str(s.form.year or ctx.year or "") for s in sheets], "年度")
    cities = [annex3_city(s.form, s.people) for s in sheets]
    known = sorted({c for c in cities if c})
    level = "city" if city or len(known) <= 1 else "province"
    sheet_city = city or (known[0] if len(known) == 1 else None)
    strays = [c for c in known if city and c != city]
    if strays:
        raise RollupRefused([f"输入中有不属于{city}的表：{'、'.join(strays)}"])

    # One county per county file: the same county in two files is refused.
    counties = []
    for s in sheets:
        named = s.people["county"].dropna()
        if len(named):
            counties.append((str(named.mode().iloc[0]), s.form.file))
    if level == "city":
        twice = [c for c, n in Counter(c for c, _ in counties).items() if n > 1]
        if twice:
            files = {c: [f for k, f in counties if k == c] for c in twice}
            raise RollupRefused([f"{c}出现在多个文件中：{'、'.join(files[c])}" for c in twice])

    frames = [
        s.form.entries[ANNEX3_FIELDS].assign(_city=c) for s, c in zip(sheets, cities, strict=True)
    ]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ANNEX3_FIELDS)
    if level == "province":
        order = {c: i for i, c in enumerate(city_names())}
        rows = rows.sort_values("_city", key=lambda s: s.map(order), kind="stable")
    rows = rows[ANNEX3_FIELDS].reset_index(drop=True)
    rows["seq"] = range(1, len(rows) + 1)
    rows["amount"] = pd.to_numeric(rows["amount"].str.replace(r"[,，元\s]", "", regex=True))
    age = pd.to_numeric(rows["age"], errors="coerce")
    rows["age"] = age.astype(object).where(age.notna(), rows["age"])
    header = Annex3Header(
        sheet_city if level == "city" else None, int(year) if year else None, date
    )
    write_annex3(out, rows, header)
    return RollupResult(
        level, header.city, inputs, len(rows), {"amount": float(rows["amount"].sum())}
    )


def _rollup_annex4(
    sheets: list[CheckedAnnex4],
    out: Path,
    city: str | None,
    date: dt.date | None,
    inputs: int,
) -> RollupResult:
    if any(s.level != "county" for s in sheets):
        raise RollupRefused(["输入中有按市汇总的表；汇总只接受各县（区）或各市按县（区）填写的表"])

    # Each sheet's city: its stamp, else the city its counties belong to.
    per_sheet: list[tuple[CheckedAnnex4, str | None]] = []
    for s in sheets:
        owners = {c for _, c in s.places if c}
        own = s.sheet.form.city or (next(iter(owners)) if len(owners) == 1 else None)
        per_sheet.append((s, own))
    cities = {c for _, c in per_sheet if c}
    level = "city" if city or len(cities) <= 1 else "province"
    target = city or (next(iter(cities)) if len(cities) == 1 else None)

    # Counties: each once, each in its city.
    reasons: list[str] = []
    seen: dict[str, str] = {}
    by_city: dict[str, dict[str, dict[str, int]]] = {}
    for s, own in per_sheet:
        for entry, (county, county_city) in zip(s.sheet.rows, s.places, strict=True):
            if not entry.filled:
                continue
            if county in seen:
                reasons.append(f"{county}重复出现（文件“{seen[county]}”和“{s.sheet.form.file}”）")
                continue
            seen[county] = s.sheet.form.file
            home = target if level == "city" else own
            if county_city != home:
                reasons.append(f"{county}不属于{home or '未写明的市'}（文件“{s.sheet.form.file}”）")
                continue
            counts = {k: count_value(entry.counts.get(k, "")) or 0 for k in COUNT_KEYS}
            by_city.setdefault(str(home), {})[county] = counts
    if reasons:
        raise RollupRefused(reasons)

    frames = {c: _counts_frame(_in_county_order(c, rows)) for c, rows in by_city.items()}
    order = {c: i for i, c in enumerate(city_names())}
    frames = dict(sorted(frames.items(), key=lambda kv: order.get(kv[0], 99)))
    province = None
    if level == "province":
        province = pd.DataFrame({c: f.sum() for c, f in frames.items()}).T.astype("Int64")
    write_annex4(out, frames, province=province, date=date)
    totals = pd.concat(list(frames.values())).sum() if frames else pd.Series(dtype="int64")
    return RollupResult(
        level,
        target if level == "city" else None,
        inputs,
        sum(len(f) for f in frames.values()),
        {str(k): float(v) for k, v in totals.items()},
    )


def _in_county_order(city: str, rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    order = {name: i for i, name in enumerate(county_names_of(city))}
    return dict(sorted(rows.items(), key=lambda kv: order.get(kv[0], len(order))))


def _counts_frame(rows: dict[str, dict[str, int]]) -> pd.DataFrame:
    data = {KEY_TO_ANNEX4[k]: [rows[c][k] for c in rows] for k in COUNT_KEYS}
    return pd.DataFrame(data, index=pd.Index(list(rows), name="area")).astype("Int64")
