"""What the checks need besides the sheet: rules, quotas, registers and the options given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from fanpin.forms.annex1 import load_quotas
from fanpin.forms.settings import FormsRules
from fanpin.normalize.ids import STATUS_OK, normalize_ids
from fanpin.normalize.names import normalize_names

STR = pd.StringDtype("pyarrow")


@dataclass
class Registers:
    """Reference lists, keyed by the normalised 18-character ID.

    roster: columns id, name_norm, cert_status (one row per person);
    history: columns id, year, source (one row per payment made before).
    """

    roster: pd.DataFrame | None = None
    history: pd.DataFrame | None = None


@dataclass
class CheckContext:
    rules: FormsRules = field(default_factory=FormsRules)
    registers: Registers = field(default_factory=Registers)
    year: int | None = None  # --year: the payment year when a form does not say
    date: dt.date | None = None  # --date: the form's date when a form does not say
    today: dt.date = field(default_factory=dt.date.today)
    quotas: pd.DataFrame = field(default_factory=load_quotas)


def roster_register(frame: pd.DataFrame) -> pd.DataFrame:
    """Roster rows (English field names) -> id, name_norm, cert_status; invalid IDs dropped."""
    ids = normalize_ids(frame["id_number"].astype(STR))
    status = frame["cert_status"] if "cert_status" in frame else pd.Series(pd.NA, index=frame.index)
    out = pd.DataFrame(
        {
            "id": ids["id"],
            "name_norm": normalize_names(frame["name"].astype(STR)),
            "cert_status": status.astype(STR).str.strip(),
        }
    )
    out = out[ids["id_status"] == STATUS_OK]
    return out.drop_duplicates("id", keep="first").reset_index(drop=True)


def history_register(ids: pd.Series, years: pd.Series, source: pd.Series) -> pd.DataFrame:
    """Earlier payments: normalised IDs (certificate numbers reduced to their ID part)."""
    raw = ids.astype(STR).str.strip()
    # A certificate number carries the ID in its first 18 characters.
    as_cert = raw.str.fullmatch(r"\d{17}[\dXx][1-7][1-4](B[1-9])?").fillna(False)
    raw = raw.where(~as_cert, raw.str.slice(0, 18))
    norm = normalize_ids(raw)
    out = pd.DataFrame(
        {
            "id": norm["id"],
            "year": pd.to_numeric(years, errors="coerce").astype("Int64"),
            "source": source.astype(STR),
        }
    )
    return out[norm["id_status"] == STATUS_OK].reset_index(drop=True)
