"""Blank templates counties fill in: Annex 2, Annex 3, Annex 4 and the needs survey.

Annex 2 and 3 come from this package's writers with empty rows and drop-down lists;
Annex 4 and the survey from the measures part, which owns those layouts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from fanpin.errors import ErrorCode, InputError
from fanpin.forms.annex2 import write_annex2
from fanpin.forms.annex3 import FIELDS as ANNEX3_FIELDS
from fanpin.forms.annex3 import Annex3Header, write_annex3
from fanpin.forms.places import county_names_of
from fanpin.measures.annex4 import blank_annex4, write_annex4

TEMPLATE_KINDS = ("survey", "annex2", "annex3", "annex4")
ANNEX4_BLANK_ROWS = 10


def write_template(
    kind: str,
    path: Path,
    *,
    city: str | None = None,
    year: int | None = None,
    rows: int = 30,
    forms: int = 1,
    date: dt.date | None = None,
) -> None:
    """Write the blank form `kind` to `path` (written whole, or not at all).

    rows: empty payee rows of Annex 3; forms: empty registration forms of Annex 2.
    """
    if kind == "annex3":
        empty = pd.DataFrame({f: pd.Series(dtype=object) for f in ANNEX3_FIELDS})
        write_annex3(path, empty, Annex3Header(city, year, date), blank_rows=rows)
    elif kind == "annex2":
        write_annex2(path, pd.DataFrame(), blank_forms=max(forms, 1))
    elif kind == "annex4":
        # A city's template lists its counties; without a city, blank rows to fill.
        labels = county_names_of(city) if city else [""] * ANNEX4_BLANK_ROWS
        write_annex4(path, {city or "附件4": blank_annex4(labels)}, date=date)
    elif kind == "survey":
        from fanpin.measures.survey_template import write_survey_template

        write_survey_template(path)
    else:
        raise InputError.single(
            ErrorCode.BAD_OPTION, f"没有“{kind}”模板（可用：{'、'.join(TEMPLATE_KINDS)}）"
        )
