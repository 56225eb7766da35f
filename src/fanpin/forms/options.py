"""Turn command options into what the forms code needs (shared by the forms commands)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from fanpin.errors import ErrorCode, InputError
from fanpin.forms.annex1 import load_quotas
from fanpin.forms.settings import forms_rules
from fanpin.forms.sources import load_history, load_roster
from fanpin.forms.validate.context import CheckContext, Registers
from fanpin.rules import load_rules

FORM_CHOICES = ("auto", "annex2", "annex3", "annex4", "survey")


def parse_date(text: str | None) -> dt.date | None:
    """--date 2022-07-15 (also 2022/7/15 and 20220715)."""
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise InputError.single(ErrorCode.BAD_OPTION, f"日期“{text}”格式不对，应为 2022-07-15")


def check_year(year: int | None) -> int | None:
    if year is not None and not 2000 <= year <= 2100:
        raise InputError.single(ErrorCode.BAD_OPTION, f"年度“{year}”不对，应为四位年份，如 2023")
    return year


def check_city(city: str | None) -> str | None:
    """A city of the quota table; 太原 is accepted for 太原市."""
    if city is None:
        return None
    names = list(dict.fromkeys(load_quotas()["city"]))
    for name in names:
        if city.strip() in (name, name.removesuffix("市")):
            return name
    raise InputError.single(
        ErrorCode.BAD_OPTION, f"“{city}”不是山西省的市（可用：{'、'.join(names)}）"
    )


def check_form(form: str) -> str:
    if form not in FORM_CHOICES:
        raise InputError.single(
            ErrorCode.BAD_OPTION, f"--form 只能是 {'、'.join(FORM_CHOICES)} 之一，而不是“{form}”"
        )
    return form


def build_context(
    *,
    rules: Path | None = None,
    roster: Sequence[Path] = (),
    history: Sequence[Path] = (),
    year: int | None = None,
    date: str | None = None,
) -> CheckContext:
    """Rules, registers and options for validate / rollup / annex commands."""
    rules_file = load_rules(rules)
    registers = Registers(
        roster=load_roster(roster) if roster else None,
        history=load_history(history, rules_file) if history else None,
    )
    return CheckContext(
        rules=forms_rules(rules_file),
        registers=registers,
        year=check_year(year),
        date=parse_date(date),
    )
