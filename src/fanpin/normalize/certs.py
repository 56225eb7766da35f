"""Second-generation disability certificate numbers (残疾人证号).

20 characters: the holder's 18-character ID, the category digit (1 视力 … 7 多重) and the
level digit (1 一级 … 4 四级); a reissued card adds 'B' and a digit 1–9 (22 characters).
"""

from __future__ import annotations

import pandas as pd

from fanpin.normalize.ids import clean_id_text

_CERT = r"\d{17}[\dX][1-7][1-4](B[1-9])?"
_FLOAT_DAMAGE = r"^\d*\.?\d+[Ee][+]?\d+$|^\d{16,}\.0*$"

CERT_OK = "ok"
CERT_EMPTY = "empty"
CERT_FORMAT = "bad_format"
CERT_UNRECOVERABLE = "unrecoverable"


def parse_certs(raw: pd.Series) -> pd.DataFrame:
    """Split certificate numbers into their parts.

    Returns columns: cert (cleaned text, any status; NA when empty), cert_check,
    cert_id (the 18-char ID part of a well-formed number), cert_category, cert_level (Int8).
    """
    text = clean_id_text(raw)
    ok = text.str.fullmatch(_CERT).fillna(False)
    damaged = text.str.fullmatch(_FLOAT_DAMAGE).fillna(False)
    status = pd.Series("bad_format", index=raw.index, dtype=pd.StringDtype("pyarrow"))
    status = (
        status.mask(text.isna(), CERT_EMPTY).mask(ok, CERT_OK).mask(damaged, CERT_UNRECOVERABLE)
    )
    good = text.where(ok)
    return pd.DataFrame(
        {
            "cert": text,
            "cert_check": status,
            "cert_id": good.str.slice(0, 18),
            "cert_category": pd.to_numeric(good.str.slice(18, 19), errors="coerce").astype("Int8"),
            "cert_level": pd.to_numeric(good.str.slice(19, 20), errors="coerce").astype("Int8"),
        },
        index=raw.index,
    )
