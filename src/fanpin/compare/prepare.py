"""Turn coerced agency frames into linkable frames: normalised IDs, names, certificates,
places, and the person key `pid` used for exact linking. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from fanpin.divisions import place_of_codes
from fanpin.findings import CIVIL, DPF, RRB
from fanpin.normalize.certs import CERT_OK, parse_certs
from fanpin.normalize.ids import STATUS_OK, division_codes, normalize_ids
from fanpin.normalize.names import normalize_names

AGENCY_OF_KIND = {"dpf": DPF, "dibao": CIVIL, "subsidy": CIVIL, "monitor": RRB}
KIND_LABELS = {
    "dpf": "残联持证残疾人",
    "dibao": "民政低保",
    "subsidy": "民政两项补贴",
    "monitor": "乡村振兴防返贫监测",
}
PLACE_FIELDS = ("city", "county", "township", "village")
STR = pd.StringDtype("pyarrow")
_Out = TypeVar("_Out", pd.Series, pd.DataFrame)


def _text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name].astype(STR)
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def on_distinct(values: pd.Series, fn: Callable[[pd.Series], _Out]) -> _Out:
    """fn (an element-wise normaliser) computed once per distinct value and spread back:
    a monthly payroll repeats each person's cells twelve times."""
    codes, uniques = pd.factorize(values.astype(STR))
    distinct = pd.Series(uniques).astype(STR)
    distinct = pd.concat([distinct, pd.Series([pd.NA], dtype=STR)], ignore_index=True)
    result = fn(distinct).iloc[np.where(codes < 0, len(distinct) - 1, codes)]
    result.index = values.index
    return result


def apply_corrections(id_clean: pd.Series, corrections: pd.DataFrame | None) -> pd.Series:
    """Replace IDs as written by the corrected IDs counties sent back (issue 6 feedback)."""
    if corrections is None or corrections.empty:
        return id_clean
    mapping = dict(
        zip(
            corrections["id_as_written"].astype(str),
            corrections["corrected_id"].astype(str),
            strict=True,
        )
    )
    return id_clean.map(mapping).astype(STR).fillna(id_clean)


def normalise_source(
    frame: pd.DataFrame, kind: str, corrections: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Add normalised columns to a coerced frame of one agency kind.

    Adds: id_number (valid normalised ID, else the cleaned text as written), id, id_clean,
    id_status, id_was_15, name (as written), name_norm, cert_number, cert_check, cert_id,
    cert_category, cert_level, pid (the linking key), city/county (filled from the ID's
    division code where the file lacks them), agency.
    """
    out = frame.copy(deep=False)  # copy-on-write: columns are replaced, never edited
    raw_ids = _text_column(out, "id_number")
    ids = on_distinct(raw_ids, normalize_ids)
    if corrections is not None and not corrections.empty:
        corrected = apply_corrections(ids["id_clean"], corrections)
        changed = corrected.ne(ids["id_clean"]).fillna(False)
        if changed.any():
            ids.loc[changed] = normalize_ids(corrected[changed]).to_numpy()
    for col in ("id", "id_clean", "id_status", "id_was_15"):
        out[col] = ids[col]

    certs = on_distinct(_text_column(out, "cert_number"), parse_certs)
    for col in certs.columns:
        out[col] = certs[col]
    # The ID inside a well-formed certificate number stands in when the ID cell is unusable.
    # Only rows without a valid ID of their own need it.
    need = (ids["id"].isna() & certs["cert_check"].eq(CERT_OK)).fillna(False).to_numpy(bool)
    cert_ids = pd.Series(pd.NA, index=out.index, dtype=STR)
    if need.any():
        cert_ids[need] = normalize_ids(certs["cert_id"][need])["id"].to_numpy()
    out["pid"] = ids["id"].fillna(cert_ids).astype(STR)
    # A row linked only through its certificate still shows the ID it was linked by.
    out["id_number"] = ids["id"].fillna(ids["id_clean"]).fillna(out["pid"]).astype(STR)
    out["cert_number"] = certs["cert"]

    out = _effective_class(out)

    out["name"] = _text_column(out, "name")
    out["name_norm"] = on_distinct(out["name"], normalize_names)
    out = _fill_places(out)
    out["agency"] = AGENCY_OF_KIND.get(kind, DPF)
    out["kind"] = kind
    return out


def _effective_class(frame: pd.DataFrame) -> pd.DataFrame:
    """category_eff / level_eff: what the coverage checks use. The certificate number fills
    a blank column; where the column and the certificate disagree on the level, the more
    severe one counts, so nobody drops off a severe-disability list through a typo (the
    disagreement itself is reported as CERT_CLASS_MISMATCH)."""
    cert_cat = frame["cert_category"].astype("Int64")
    cert_lvl = frame["cert_level"].astype("Int64")
    stated_cat = frame["category"].astype("Int64") if "category" in frame else cert_cat
    stated_lvl = frame["level"].astype("Int64") if "level" in frame else cert_lvl
    frame["category_eff"] = stated_cat.fillna(cert_cat).astype("Int8")
    both = pd.concat([stated_lvl, cert_lvl], axis=1)
    frame["level_eff"] = both.min(axis=1, skipna=True).astype("Int8")
    return frame


def _fill_places(frame: pd.DataFrame) -> pd.DataFrame:
    """City and county missing from a file are taken from the ID's division code."""
    for col in PLACE_FIELDS:
        text = _text_column(frame, col).str.strip()
        frame[col] = text.mask(text == "")
    codes = division_codes(frame["pid"])
    need = frame["city"].isna() | frame["county"].isna()
    if need.any():
        places = place_of_codes(codes[need])
        frame.loc[need, "city"] = frame.loc[need, "city"].fillna(places["city"])
        frame.loc[need, "county"] = frame.loc[need, "county"].fillna(places["county"])
    return frame


def valid_ids(frame: pd.DataFrame) -> pd.Series:
    """Boolean mask of rows whose own ID cell is a valid ID."""
    return frame["id_status"].eq(STATUS_OK).fillna(False)


def first_per_person(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per linked person (first by source order), rows without a key dropped."""
    keyed = frame[frame["pid"].notna()]
    return keyed.drop_duplicates("pid", keep="first")
