"""Checks for one Annex 4 sheet: counts are whole numbers, the total row adds up, every
county belongs to the city and appears once, and ⑩ is counted in households."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from fanpin.forms.grid import cell_ref
from fanpin.forms.places import match_county
from fanpin.forms.validate.model import find_city
from fanpin.forms.validate.problems import Problem
from fanpin.forms.validate.read_annex4 import COUNT_KEYS, COUNT_LABELS, Annex4Sheet

_WHOLE = re.compile(r"^\d+(\.0+)?$")


@dataclass
class CheckedAnnex4:
    sheet: Annex4Sheet
    problems: list[Problem]
    places: list[tuple[str, str | None]]  # (county or city as matched, its city) per row
    level: str  # "county" rows (a city's form) or "city" rows (the province's)


def count_value(text: str) -> int | None:
    """A count cell: blank is 0; a whole number (also 3.0) is itself; otherwise None."""
    flat = text.strip()
    if not flat:
        return 0
    return int(float(flat)) if _WHOLE.match(flat) else None


def check_annex4(found: Annex4Sheet) -> CheckedAnnex4:
    form = found.form
    file, sheet = form.file, form.sheet
    problems = list(form.problems)

    # ⑩ is counted in households (户), everything else in people.
    unit_text = found.units.get("⑩")
    if unit_text is not None and "户" not in unit_text:
        problems.append(
            Problem(
                "UNIT_NOT_HOUSEHOLD",
                file,
                sheet,
                found.header_cells["⑩"],
                unit_text,
                "⑩无障碍改造帮扶按户统计，表头单位应为“（户）”",
            )
        )

    # Every count a non-negative whole number.
    sums = dict.fromkeys(COUNT_KEYS, 0)
    for entry in found.rows:
        for key, text in entry.counts.items():
            value = count_value(text)
            if value is None:
                problems.append(
                    Problem(
                        "COUNT_INVALID",
                        file,
                        sheet,
                        cell_ref(entry.row, found.columns[key]),
                        text,
                        f"“{COUNT_LABELS[key]}”应为不小于 0 的整数",
                    )
                )
            else:
                sums[key] += value

    level, places = _check_places(found, problems)
    problems += _total_problems(found, sums)
    return CheckedAnnex4(found, problems, places, level)


def _check_places(found: Annex4Sheet, problems: list[Problem]) -> tuple[str, list]:
    """Rows name counties of the form's city (or, on the province's form, cities)."""
    form = found.form
    file, sheet = form.file, form.sheet
    labels = [e.label for e in found.rows]
    as_cities = [find_city(label) if label else None for label in labels]
    level = "city" if labels and all(c is not None for c in as_cities) else "county"
    places: list[tuple[str, str | None]] = []
    if level == "city":
        places = [(str(c), str(c)) for c in as_cities]
    else:
        for entry in found.rows:
            county, city = match_county(entry.label, form.city) if entry.label else (None, None)
            places.append((county or entry.label, city))
            where = cell_ref(entry.row, found.label_col)
            if not entry.label:
                problems.append(
                    Problem("REQUIRED_EMPTY", file, sheet, where, "", "县（区）名称未填写")
                )
            elif county is None:
                problems.append(
                    Problem(
                        "COUNTY_NOT_IN_CITY",
                        file,
                        sheet,
                        where,
                        entry.label,
                        "不是山西省现行的县（区）名称",
                    )
                )
            elif form.city and city != form.city:
                problems.append(
                    Problem(
                        "COUNTY_NOT_IN_CITY",
                        file,
                        sheet,
                        where,
                        entry.label,
                        f"{county}属于{city or '其他市'}，不属于{form.city}",
                    )
                )
        if form.city is None and found.rows:
            problems.append(
                Problem(
                    "CITY_MISSING", file, sheet, form.city_cell, "", "表头“市残联（公章）”未写市名"
                )
            )
    seen = Counter(name for name, _ in places if name)
    for entry, (name, _) in zip(found.rows, places, strict=True):
        if name and seen[name] > 1:
            problems.append(
                Problem(
                    "DUPLICATE_COUNTY",
                    file,
                    sheet,
                    cell_ref(entry.row, found.label_col),
                    entry.label,
                    f"“{name}”在本表中出现 {seen[name]} 次",
                )
            )
    return level, places


def _total_problems(found: Annex4Sheet, sums: dict[str, int]) -> list[Problem]:
    form = found.form
    file, sheet = form.file, form.sheet
    if found.total is None:
        if len(found.rows) > 1:
            return [
                Problem("TOTAL_ROW_MISSING", file, sheet, "", "", "多个县（区）的表须有“合计”行")
            ]
        return []
    problems = []
    for key, text in found.total.counts.items():
        value = count_value(text)
        where = cell_ref(found.total.row, found.columns[key])
        if value is None:
            problems.append(
                Problem(
                    "COUNT_INVALID", file, sheet, where, text, f"合计“{COUNT_LABELS[key]}”应为整数"
                )
            )
        elif value != sums[key]:
            problems.append(
                Problem(
                    "TOTAL_ROW_MISMATCH",
                    file,
                    sheet,
                    where,
                    text,
                    f"合计“{COUNT_LABELS[key]}”写 {value}，各县（区）之和为 {sums[key]}",
                )
            )
    return problems
