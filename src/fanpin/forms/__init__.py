"""The notice's forms: Annex 1 quotas, Annex 2/3 writers, templates, validation of county
submissions and roll-ups (issue 5). The supported API is re-exported here."""

from __future__ import annotations

from fanpin.forms.annex1 import load_quotas, quota_of, quota_table, quota_usage, write_annex1
from fanpin.forms.annex2 import write_annex2
from fanpin.forms.annex3 import Annex3Header, payee_rows, write_annex3
from fanpin.forms.capital import CapitalVerdict, capital_amount, check_capital, parse_capital
from fanpin.forms.templates import write_template

__all__ = [
    "Annex3Header",
    "CapitalVerdict",
    "capital_amount",
    "check_capital",
    "load_quotas",
    "parse_capital",
    "payee_rows",
    "quota_of",
    "quota_table",
    "quota_usage",
    "write_annex1",
    "write_annex2",
    "write_annex3",
    "write_template",
]
