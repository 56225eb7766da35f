"""Resident ID normalisation: noise removal, 15→18, validity, float damage."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.normalize.ids import birth_dates, check_char, normalize_ids, sexes

# Worked by hand: 1*7+4*9+0+1*5+0+5*4+1*2+9*1+8*6+0+0+3*9+1*10+5*5+0+0+1*2 = 191,
# 191 mod 11 = 4, "10X98765432"[4] = "8".
MALE = "140105198003150018"
# Same but sequence 002: the last term becomes 2*2, sum 193, mod 11 = 6 -> "6".
FEMALE = "140105198003150026"
# The standard's own example.
STANDARD = "11010519491231002X"
TODAY = dt.date(2026, 12, 3)


def _one(text: object) -> pd.Series:
    return normalize_ids(pd.Series([text], dtype="string"), today=TODAY).iloc[0]


def _reference_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def test_hand_worked_ids_are_valid_and_keep_sex() -> None:
    frame = normalize_ids(pd.Series([MALE, FEMALE, STANDARD]), today=TODAY)
    assert frame["id_status"].tolist() == ["ok", "ok", "ok"]
    assert sexes(frame["id"]).tolist() == ["男", "女", "女"]
    assert birth_dates(frame["id"]).dt.strftime("%Y-%m-%d").tolist() == [
        "1980-03-15",
        "1980-03-15",
        "1949-12-31",
    ]


def test_check_char_of_standard_example_is_x() -> None:
    assert check_char(pd.Series(["11010519491231002"])).tolist() == ["X"]


def test_15_digit_id_is_upgraded_with_19_and_check_char() -> None:
    row = _one("110105491231002")
    assert row["id"] == STANDARD
    assert row["id_status"] == "ok"
    assert bool(row["id_was_15"])


def test_15_digit_id_stored_as_number_survives() -> None:
    assert _one("110105491231002.0")["id"] == STANDARD


def test_exponent_form_is_unrecoverable() -> None:
    assert _one("1.40105E+17")["id_status"] == "unrecoverable"
    assert _one("1.401051980031500e+17")["id_status"] == "unrecoverable"


def test_18_digits_ending_dot_zero_is_unrecoverable_even_if_check_passes() -> None:
    # The digits are a valid ID, but a float cannot have held them: never trust them.
    row = _one(MALE + ".0")
    assert row["id_status"] == "unrecoverable"
    assert pd.isna(row["id"])


def test_wrong_check_char_is_bad_check() -> None:
    assert _one("140105198003150019")["id_status"] == "bad_check"


def test_impossible_birth_date_is_bad_date() -> None:
    # 1980-02-30 does not exist; check char recomputed so only the date is wrong.
    first17 = "14010519800230001"
    assert _one(first17 + _reference_check(first17))["id_status"] == "bad_date"


def test_future_birth_date_is_bad_date() -> None:
    first17 = "14010520300101001"
    assert _one(first17 + _reference_check(first17))["id_status"] == "bad_date"


def test_blank_and_garbage() -> None:
    assert _one(None)["id_status"] == "empty"
    assert _one("   ")["id_status"] == "empty"
    assert _one("无")["id_status"] == "bad_format"
    assert _one("14010519800315001")["id_status"] == "bad_format"  # 17 digits


# --- properties --------------------------------------------------------------------------


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["140105", "140802", "142121", "141002", "110105"]))
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    seq = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{day:%Y%m%d}{seq:03d}"
    return first17 + _reference_check(first17)


NOISE = [
    lambda s: "'" + s,
    lambda s: s[:6] + " " + s[6:14] + " " + s[14:],
    lambda s: s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
    lambda s: s.lower(),
    lambda s: s[:9] + "\u200b" + s[9:],
    lambda s: " " + s + "\t",
    lambda s: "\ufeff" + s,
    lambda s: s + "\u00a0",
]


@settings(max_examples=200, deadline=None)
@given(valid_ids(), st.sampled_from(range(len(NOISE))))
def test_every_valid_id_survives_every_noise_form(ident: str, noise: int) -> None:
    row = _one(NOISE[noise](ident))
    assert row["id"] == ident


@settings(max_examples=200, deadline=None)
@given(valid_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_no_single_digit_change_is_accepted(ident: str, pos: int, delta: int) -> None:
    digit = (int(ident[pos]) + delta) % 10
    mangled = ident[:pos] + str(digit) + ident[pos + 1 :]
    assert _one(mangled)["id_status"] != "ok"


@settings(max_examples=100, deadline=None)
@given(valid_ids())
def test_normalising_is_idempotent(ident: str) -> None:
    once = normalize_ids(pd.Series([ident]), today=TODAY)["id"]
    twice = normalize_ids(once, today=TODAY)["id"]
    assert once.tolist() == twice.tolist()


def test_ids_from_several_arrow_chunks_are_checked() -> None:
    # pd.concat keeps Arrow chunks apart; the check must not assume one buffer.
    parts = [
        pd.Series([MALE], dtype="string[pyarrow]"),
        pd.Series(["110105491231002"], dtype="string[pyarrow]"),
    ]
    joined = pd.concat(parts, ignore_index=True)
    frame = normalize_ids(joined, today=TODAY)
    assert frame["id"].tolist() == [MALE, STANDARD]
