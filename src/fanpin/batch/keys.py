"""Person keys: how a finding is recognised as the same one quarter after quarter.

A finding is keyed by (person_key, code). The person key is, in order of preference:
1. the normalised resident ID, when the finding's ID is valid;
2. the ID inside a well-formed certificate number (the comparison links such rows too);
3. "raw:" + the ID text as written + "|" + the name, for an invalid or damaged ID. The name
   is added because two people can share the same damaged text (an ID that lost its last
   digits in a spreadsheet);
4. "row:" + source file | sheet | row, when the finding carries no ID text at all.
Keys 3 and 4 are only as stable as the county's files: a corrected ID, or a file renamed
next quarter, makes the finding look resolved and a new one appear.
"""

from __future__ import annotations

import pandas as pd

from fanpin.normalize.certs import parse_certs
from fanpin.normalize.ids import normalize_ids

STR = pd.StringDtype("pyarrow")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype=STR)
    return frame[column].astype(STR)


def person_keys(findings: pd.DataFrame) -> pd.Series:
    """One key per finding row (never missing); see the module docstring for the order."""
    ids = normalize_ids(_text(findings, "id_number"))
    certs = parse_certs(_text(findings, "cert_number"))
    # cert_id is only filled for a well-formed certificate number.
    cert_ids = normalize_ids(certs["cert_id"])["id"]

    raw = "raw:" + ids["id_clean"] + "|" + _text(findings, "name").fillna("")
    row = (
        "row:"
        + _text(findings, "source").fillna("")
        + "|"
        + _text(findings, "sheet").fillna("")
        + "|"
        + _text(findings, "row").fillna("")
    )
    key = ids["id"].fillna(cert_ids).fillna(raw).fillna(row)
    return key.astype(STR)


def id_key(text: str) -> str | None:
    """The person key for an ID typed by a user (`fanpin history ID`), None if invalid."""
    ids = normalize_ids(pd.Series([text], dtype=STR))
    value = ids["id"].iloc[0]
    return None if pd.isna(value) else str(value)
