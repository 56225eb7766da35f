"""Resident ID (GB 11643-1999) normalisation and validation, vectorised over Arrow buffers.

Statuses: ok, empty, bad_format, bad_date, bad_check, unrecoverable. An ID that went through
a floating-point number (exponent form, or 16+ digits followed by ".0") has lost digits for
good: it is `unrecoverable` and never matched, even if its remaining digits pass the check.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)

# Characters spreadsheets and copy-paste put inside IDs: zero-width marks, BOM, quotes.
_JUNK = r"[\s\x{200B}-\x{200F}\x{2060}\x{FEFF}\x{00A0}'\x{2018}\x{2019}`\"\x{201C}\x{201D}]"
_FLOAT_DAMAGE = r"^\d*\.?\d+[Ee][+]?\d+$|^\d{16,}\.0*$"
_FIFTEEN_FLOAT = r"^\d{15}\.0*$"

STATUS_OK = "ok"
STATUS_EMPTY = "empty"
STATUS_FORMAT = "bad_format"
STATUS_DATE = "bad_date"
STATUS_CHECK = "bad_check"
STATUS_UNRECOVERABLE = "unrecoverable"


def _as_arrow(values: pd.Series) -> pa.StringArray:
    arr = pa.array(values.astype("string").array, type=pa.large_string(), from_pandas=True)
    return arr.cast(pa.string())


def clean_id_text(values: pd.Series) -> pd.Series:
    """Strip noise (spaces, quotes, zero-width marks, full-width forms); upper-case x."""
    arr = pc.utf8_normalize(_as_arrow(values), "NFKC")
    arr = pc.replace_substring_regex(arr, _JUNK, "")
    arr = pc.utf8_upper(arr)
    out = pd.Series(arr, index=values.index, dtype=pd.StringDtype("pyarrow"))
    return out.mask(out == "")


def char_matrix(fixed: pd.Series, width: int) -> np.ndarray:
    """(n, width) uint8 matrix of ASCII strings that all have exactly `width` characters."""
    if len(fixed) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    chunk = pa.array(fixed.astype("string").array, type=pa.string(), from_pandas=True)
    if isinstance(chunk, pa.ChunkedArray):  # pandas may hold several Arrow chunks
        chunk = chunk.combine_chunks()
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(len(chunk), width)


def check_chars_for(first17: np.ndarray) -> np.ndarray:
    """Check characters (as uint8 ASCII) for an (n, 17) matrix of ASCII digits."""
    total = np.zeros(len(first17), dtype=np.int64)
    for col in range(17):  # column by column: no (n, 17) int64 temporary
        total += (first17[:, col].astype(np.int64) - 48) * WEIGHTS[col]
    return CHECK_CHARS[total % 11]


def check_char(first17: pd.Series) -> pd.Series:
    """GB 11643 check character for each 17-digit string (e.g. '11010519491231002' -> 'X')."""
    matrix = char_matrix(first17, 17)
    chars = check_chars_for(matrix).tobytes().decode("ascii")
    return pd.Series(list(chars), index=first17.index, dtype=pd.StringDtype("pyarrow"))


def _valid_dates(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, today: dt.date
) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    ok_month = (month >= 1) & (month <= 12)
    limit = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    ok = ok_month & (day >= 1) & (day <= limit) & (year >= 1890)
    stamp = year * 10000 + month * 100 + day
    return ok & (stamp <= today.year * 10000 + today.month * 100 + today.day)


def _digits(matrix: np.ndarray, start: int, stop: int) -> np.ndarray:
    part = matrix[:, start:stop].astype(np.int64) - 48
    powers = 10 ** np.arange(stop - start - 1, -1, -1)
    return part @ powers


def upgrade_15(ids15: pd.Series) -> pd.Series:
    """Old 15-digit IDs to 18: insert '19' before the 2-digit year and add the check char."""
    first17 = ids15.str.slice(0, 6) + "19" + ids15.str.slice(6, 15)
    return first17 + check_char(first17)


def normalize_ids(raw: pd.Series, today: dt.date | None = None) -> pd.DataFrame:
    """Normalise resident IDs.

    Returns columns: id (valid 18-char ID or NA), id_clean (cleaned text, any status),
    id_status, id_was_15. The index is kept.
    """
    today = today or dt.date.today()
    text = clean_id_text(raw)
    n = len(text)
    status = np.full(n, STATUS_FORMAT, dtype=object)
    status[text.isna().to_numpy()] = STATUS_EMPTY

    damaged = text.str.fullmatch(_FLOAT_DAMAGE).fillna(False).to_numpy(dtype=bool)
    fifteen_float = text.str.fullmatch(_FIFTEEN_FLOAT).fillna(False).to_numpy(dtype=bool)
    # A 15-digit old ID survives a float: drop the ".0".
    text = text.where(~fifteen_float, text.str.slice(0, 15))

    is15 = text.str.fullmatch(r"\d{15}").fillna(False).to_numpy(dtype=bool)
    candidate = text.copy()
    if is15.any():
        candidate[is15] = upgrade_15(text[is15]).to_numpy()
    is18 = candidate.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(dtype=bool)

    valid = np.zeros(n, dtype=bool)
    if is18.any():
        matrix = char_matrix(candidate[is18], 18)
        date_ok = _valid_dates(
            _digits(matrix, 6, 10), _digits(matrix, 10, 12), _digits(matrix, 12, 14), today
        )
        check_ok = check_chars_for(matrix[:, :17]) == matrix[:, 17]
        sub = np.where(date_ok, np.where(check_ok, STATUS_OK, STATUS_CHECK), STATUS_DATE)
        status[is18] = sub
        valid[is18] = date_ok & check_ok
    status[damaged] = STATUS_UNRECOVERABLE
    valid &= ~damaged

    ids = candidate.where(pd.Series(valid, index=text.index))
    return pd.DataFrame(
        {
            "id": ids.astype(pd.StringDtype("pyarrow")),
            "id_clean": text.astype(pd.StringDtype("pyarrow")),
            "id_status": pd.Series(status, index=text.index, dtype=pd.StringDtype("pyarrow")),
            "id_was_15": pd.Series(is15 & valid, index=text.index),
        },
        index=raw.index,
    )


def birth_dates(ids: pd.Series) -> pd.Series:
    """Birth date from valid 18-char IDs (NaT where missing)."""
    stamp = ids.str.slice(6, 14)
    return pd.to_datetime(stamp, format="%Y%m%d", errors="coerce")


def sexes(ids: pd.Series) -> pd.Series:
    """'男' for an odd sequence digit (17th character), '女' for even; NA where missing."""
    digit = pd.to_numeric(ids.str.slice(16, 17), errors="coerce")
    out = pd.Series(pd.NA, index=ids.index, dtype=pd.StringDtype("pyarrow"))
    out[digit % 2 == 1] = "男"
    out[digit % 2 == 0] = "女"
    return out


def division_codes(ids: pd.Series) -> pd.Series:
    """The 6-digit administrative division code at the head of an ID."""
    return ids.str.slice(0, 6)


def id_codes(ids: pd.Series) -> np.ndarray:
    """int64 code of each valid 18-character ID (first 17 digits x 11 + check value, X = 10;
    below 2**63), -1 where missing. Equal codes <=> equal IDs, and integer joins, set
    look-ups and duplicate checks are far cheaper than on strings. Raises ValueError on a
    value that is not 18 characters (callers pass only normalised IDs)."""
    out = np.full(len(ids), -1, dtype=np.int64)
    if len(ids) == 0:
        return out
    arr = pa.array(ids.astype(pd.StringDtype("pyarrow")).array, type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return out
    # Missing values become 18 zeros so that every value is 18 bytes, back to back.
    arr = pc.fill_null(arr, "0" * 18)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    if not (np.diff(offsets) == 18).all():
        raise ValueError("id_codes takes normalised 18-character IDs only")
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    # Fortran order: each column below is one contiguous read, not a stride of 18 bytes.
    m = np.asfortranarray(data.reshape(-1, 18)[present])
    m -= 48
    first17 = np.zeros(len(m), dtype=np.int64)
    for col in range(17):  # column by column, in place: no (n, 18) int64 temporary
        first17 *= 10
        first17 += m[:, col]
    last = m[:, 17].astype(np.int64)
    last[last == ord("X") - 48] = 10
    first17 *= 11
    first17 += last
    out[present] = first17
    return out
