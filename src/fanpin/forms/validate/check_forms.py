"""Checks for one Annex 2 or Annex 3 sheet: every person row, then Annex 3's closing line."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fanpin.forms.capital import CapitalVerdict, capital_amount, check_capital
from fanpin.forms.validate import check_person as person
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.model import STR, FormSheet
from fanpin.forms.validate.problems import Problem

REQUIRED = {
    "annex3": {"name": "姓名", "number": "残疾证号/身份证号", "amount": "救助金额"},
    "annex2": {"name": "姓名", "amount": "资助金额"},
}


@dataclass
class CheckedSheet:
    """A sheet's problems plus, per person row, what cross-file checks need."""

    form: FormSheet
    problems: list[Problem]
    people: pd.DataFrame  # holder (ID), key_cell, name, amount, city, county, row


def check_form(form: FormSheet, ctx: CheckContext) -> CheckedSheet:
    """Run the row checks (and, for Annex 3, the closing-line checks) on one sheet."""
    problems = list(form.problems)
    e = form.entries
    if e.empty:
        if form.kind == "annex3" and form.closing is not None and form.closing.count:
            problems += _closing_problems(form, pd.Series(dtype="float64"), ctx)
        return CheckedSheet(form, problems, _people(form, pd.Series(dtype=STR), None))

    out = person.Emitter(form)
    year = form.year or ctx.year
    holder = person.check_identifiers(out, ctx.today)
    person.check_required(out, REQUIRED.get(form.kind, {"name": "姓名"}))
    if form.kind in ("annex2", "survey"):
        both_empty = (person._col(e, "cert_number") == "") & (person._col(e, "id_number") == "")
        out.add("REQUIRED_EMPTY", both_empty, "cert_number", "残疾证号和身份证号都未填写")
    person.check_sex_age(out, holder, ctx)
    person.check_amount(out, ctx)
    person.check_registers(out, holder, ctx, year)
    parsed = person.check_address(out, form.city) if "address" in e else None
    person.check_phone(out, ctx)
    if form.kind in ("annex2", "survey"):
        person.check_bank_and_household(out, ctx)
    problems += out.problems

    amounts = person._numbers(person._col(e, "amount"))
    if form.kind == "annex3":
        problems += _closing_problems(form, amounts, ctx)
    return CheckedSheet(form, problems, _people(form, holder, parsed))


def _people(form: FormSheet, holder: pd.Series, parsed: pd.DataFrame | None) -> pd.DataFrame:
    e = form.entries
    key_field = "number" if "number" in e else "cert_number"
    city = parsed["city"] if parsed is not None else pd.Series(pd.NA, index=e.index, dtype=STR)
    county = parsed["county"] if parsed is not None else pd.Series(pd.NA, index=e.index, dtype=STR)
    return pd.DataFrame(
        {
            "holder": holder.reindex(e.index),
            "key_cell": e.get(f"{key_field}@", ""),
            "key_value": e.get(key_field, ""),
            "name": e.get("name", ""),
            "city": city,
            "county": county,
            "row": e.get("_row", 0),
        },
        index=e.index,
    )


def _closing_problems(form: FormSheet, amounts: pd.Series, ctx: CheckContext) -> list[Problem]:
    """合计慰问 N 人 = rows, 金额总计 = sum of amounts, 大写 = the total in capitals."""
    file, sheet = form.file, form.sheet
    closing = form.closing
    if closing is None:
        return [Problem("TOTAL_MISSING", file, sheet, "", "", "缺少“合计慰问……大写……元”合计行")]
    found: list[Problem] = []
    rows = len(form.entries)
    total = float(amounts.fillna(0).sum())
    shown_total = int(total) if total.is_integer() else total
    cell, text = closing.cell, closing.text
    if closing.count is None:
        found.append(Problem("TOTAL_MISSING", file, sheet, cell, text, "合计慰问人数未填写"))
    elif closing.count != rows:
        found.append(
            Problem(
                "TOTAL_COUNT_MISMATCH",
                file,
                sheet,
                cell,
                str(closing.count),
                f"合计写 {closing.count} 人，明细共 {rows} 行",
            )
        )
    if closing.total is None:
        found.append(Problem("TOTAL_MISSING", file, sheet, cell, text, "金额总计未填写"))
    elif abs(closing.total - total) > 0.005:
        written = int(closing.total) if closing.total.is_integer() else closing.total
        found.append(
            Problem(
                "TOTAL_AMOUNT_MISMATCH",
                file,
                sheet,
                cell,
                str(written),
                f"金额总计写 {written} 元，明细金额之和为 {shown_total} 元",
            )
        )
    if closing.total is not None:
        verdict = check_capital(closing.capital, closing.total)
        capital = capital_amount(closing.total)
        if verdict == CapitalVerdict.EMPTY:
            found.append(Problem("TOTAL_MISSING", file, sheet, cell, text, "大写金额未填写"))
        elif verdict in (CapitalVerdict.MISMATCH, CapitalVerdict.UNREADABLE):
            found.append(
                Problem(
                    "CAPITAL_MISMATCH",
                    file,
                    sheet,
                    cell,
                    closing.capital,
                    f"大写金额应为“{capital}”（金额总计 {closing.total:g} 元）",
                )
            )
        elif verdict == CapitalVerdict.NONSTANDARD:
            found.append(
                Problem(
                    "CAPITAL_NONSTANDARD",
                    file,
                    sheet,
                    cell,
                    closing.capital,
                    f"数值正确，但规范写法为“{capital}”",
                )
            )
    return found
