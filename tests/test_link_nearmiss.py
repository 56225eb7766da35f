"""Near-miss ID linking (fanpin.link.nearmiss): hand-worked IDs for every kind of edit.

The reference person below, worked out by hand with the GB 11643 weights
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 1 4 0 1 0 5 1 9 8 0 0 1 0 1 1 2 3:
7+36+0+5+0+20+2+9+48+0+0+9+0+5+8+8+6 = 163, 163 mod 11 = 9, check "10X98765432"[9] = '3'.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.link.nearmiss import (
    find_duplicate_persons,
    find_near_misses,
    find_unrecoverable_matches,
    surviving_range,
)
from fanpin.normalize.ids import normalize_ids
from fanpin.normalize.names import normalize_names

WANG = "140105198001011233"  # 王晓明, 小店区, born 1980-01-01, sequence 123
# 14010519620303111 -> 7+36+0+5+0+20+2+9+36+6+0+27+0+15+8+4+2 = 177, mod 11 = 1 -> '0'
LI = "140105196203031110"  # 李娜, born 1962-03-03
# Sequence 193 instead of 123: sum 163 + (9 - 2) * 4 = 191, mod 11 = 4 -> '8'
ZHANG_2 = "140105198001011938"


def records(rows: list[tuple[str, str, str | None]], source: str) -> pd.DataFrame:
    """Rows (ID as written, name, county) normalised the way compare.prepare does it."""
    frame = pd.DataFrame(rows, columns=["raw", "name", "county"]).astype("string")
    ids = normalize_ids(frame["raw"])
    frame = pd.concat([frame, ids], axis=1)
    frame["name_norm"] = normalize_names(frame["name"])
    frame["_source"] = source
    frame["_sheet"] = "Sheet1"
    frame["_row"] = np.arange(2, len(frame) + 2)
    return frame


REFERENCE = records(
    [(WANG, "王晓明", "小店区"), (LI, "李娜", "小店区")],
    "残联.xlsx",
)


def only_decision(unmatched: pd.DataFrame, reference: pd.DataFrame = REFERENCE) -> pd.Series:
    decisions = find_near_misses(unmatched, reference).decisions
    assert len(decisions) == 1
    return decisions.iloc[0]


def test_adjacent_swap_is_linked_to_the_true_id() -> None:
    written = WANG[:8] + WANG[9] + WANG[8] + WANG[10:]  # 9th and 10th digits (8, 0) swapped
    got = only_decision(records([(written, "王晓明", "小店区")], "低保.xlsx"))
    assert (got["status"], got["b_id"], got["rule"]) == ("linked", WANG, "transposition")
    assert got["positions"] == "9,10"
    assert (got["a_source"], got["a_row"]) == ("低保.xlsx", 2)


def test_typo_that_keeps_a_valid_check_is_found_by_name_county_and_birth() -> None:
    # 16th digit 2 -> 4 with the check recomputed: 163 + 2 * 4 = 171, mod 11 = 6 -> '6'.
    written = "140105198001011436"
    assert normalize_ids(pd.Series([written]))["id_status"].iloc[0] == "ok"
    got = only_decision(records([(written, "王晓明", "小店区")], "低保.xlsx"))
    assert (got["status"], got["b_id"], got["rule"], got["positions"]) == (
        "linked",
        WANG,
        "substitution",
        "16",
    )
    assert got["county_check"] == "agree"
    # Written ID passes its check (could be someone else): 0.92 x 0.9.
    assert got["confidence"] == pytest.approx(0.828)


def test_same_typo_under_another_name_is_not_linked() -> None:
    decisions = find_near_misses(
        records([("140105198001011436", "赵刚", "小店区")], "低保.xlsx"), REFERENCE
    ).decisions
    assert decisions.empty


def test_two_equally_close_candidates_are_ambiguous_not_linked() -> None:
    reference = records([(WANG, "张伟", "小店区"), (ZHANG_2, "张伟", "小店区")], "残联.xlsx")
    # 16th digit 5: one substitution from sequence 123 and from 193 alike.
    written = "140105198001011533"
    got = only_decision(records([(written, "张伟", "小店区")], "低保.xlsx"), reference)
    assert got["status"] == "ambiguous"
    assert got["n_candidates"] == 2


def test_fifteen_digit_id_links_to_the_eighteen_digit_id_elsewhere() -> None:
    got = only_decision(records([("140105620303111", "李娜", "小店区")], "监测.xlsx"))
    assert (got["status"], got["b_id"], got["rule"]) == ("linked", LI, "upgrade_15")


def test_wrong_check_character_is_linked() -> None:
    got = only_decision(records([(WANG[:17] + "7", "王晓明", None)], "低保.xlsx"))
    assert (got["rule"], got["positions"], got["b_id"]) == ("check_char", "18", WANG)


def test_dropped_check_character_is_linked() -> None:
    got = only_decision(records([(WANG[:17], "王晓明", None)], "低保.xlsx"))
    assert (got["rule"], got["positions"], got["b_id"]) == ("check_char", "18", WANG)


def test_dropped_digit_inside_is_linked() -> None:
    written = WANG[:3] + WANG[4:]  # the 4th digit (1) left out
    got = only_decision(records([(written, "王晓明", None)], "低保.xlsx"))
    assert (got["rule"], got["b_id"]) == ("deletion", WANG)


def test_added_digit_is_linked() -> None:
    written = WANG[:6] + "7" + WANG[6:]
    got = only_decision(records([(written, "王晓明", None)], "低保.xlsx"))
    assert (got["rule"], got["positions"], got["b_id"]) == ("insertion", "7", WANG)


def test_name_variant_with_invalid_id_is_still_linked() -> None:
    written = WANG[:12] + "9" + WANG[13:]  # 13th digit 0 -> 9: the check now fails
    got = only_decision(records([(written, "王小明", "小店区")], "低保.xlsx"))
    assert (got["status"], got["name_outcome"]) == ("linked", "variant")
    # Substitution 0.92 x name variant 0.9.
    assert got["confidence"] == pytest.approx(0.828)


def test_county_that_differs_lowers_confidence_below_linking() -> None:
    written = WANG[:12] + "9" + WANG[13:]
    decisions = find_near_misses(
        records([(written, "王晓明", "迎泽区")], "低保.xlsx"), REFERENCE
    ).decisions
    assert decisions.empty  # 0.92 x 0.5 = 0.46 is under the candidate floor 0.5


def test_every_row_with_the_same_written_id_gets_the_decision() -> None:
    written = WANG[:17] + "7"
    unmatched = records([(written, "王晓明", None)] * 3, "补贴.xlsx")
    decisions = find_near_misses(unmatched, REFERENCE).decisions
    assert sorted(decisions["a_row"].tolist()) == [2, 3, 4]


def test_unrecoverable_number_points_to_the_one_person_that_fits() -> None:
    # 16 significant digits survive: 1401051980010112xx, within 100 (+64) of WANG's value.
    unmatched = records([("1.401051980010112e+17", "王晓明", None)], "低保.csv")
    got = find_unrecoverable_matches(unmatched, REFERENCE)
    assert len(got) == 1
    assert (got["status"].iloc[0], got["b_id"].iloc[0]) == ("probable", WANG)
    assert got["positions"].iloc[0] == "1-16"


def test_unrecoverable_number_under_another_name_finds_no_one() -> None:
    unmatched = records([("1.401051980010112e+17", "赵刚", None)], "低保.csv")
    assert find_unrecoverable_matches(unmatched, REFERENCE).empty


def test_surviving_range_counts_significant_digits() -> None:
    got = surviving_range(pd.Series(["1.40105E+17", "140105198001011000.0", "123"]))
    assert got["kept_digits"].tolist()[:2] == [6, 15]
    assert got["value"].iloc[0] == pytest.approx(1.40105e17)
    assert got["tolerance"].iloc[0] == pytest.approx(1e12 + 64)
    assert pd.isna(got["value"].iloc[2])


def test_same_person_twice_in_one_source_is_a_duplicate_person() -> None:
    frame = records(
        [(WANG, "王晓明", "小店区"), (LI, "李娜", "小店区"), (WANG[:17] + "7", "王晓明", "小店区")],
        "残联.xlsx",
    )
    got = find_duplicate_persons(frame, group="_source")
    assert len(got) == 1
    # a = the row whose ID fails the check (row 4), b = the valid one (row 2).
    assert (got["a_row"].iloc[0], got["b_row"].iloc[0]) == (4, 2)
    assert got["rule"].iloc[0] == "check_char"


def test_identical_ids_are_not_a_duplicate_person() -> None:
    frame = records([(WANG, "王晓明", "小店区"), (WANG, "王晓明", "小店区")], "残联.xlsx")
    assert find_duplicate_persons(frame, group="_source").empty


def test_ids_one_edit_apart_under_two_names_are_not_a_duplicate_person() -> None:
    frame = records([(WANG, "王晓明", "小店区"), (WANG[:17] + "7", "李娜", "小店区")], "残联.xlsx")
    assert find_duplicate_persons(frame, group="_source").empty


# ---------------------------------------------------------------- properties

GB_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, GB_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


@settings(max_examples=40, deadline=None)
@given(
    seq=st.integers(0, 999),
    position=st.integers(0, 16),
    shift=st.integers(1, 9),
)
def test_any_single_digit_typo_is_found(seq: int, position: int, shift: int) -> None:
    true_id = with_check(f"14010519800101{seq:03d}")
    digits = list(true_id)
    digits[position] = str((int(digits[position]) + shift) % 10)
    written = "".join(digits)
    # One substituted digit always breaks the GB 11643 check: weights and 11 are coprime.
    assert normalize_ids(pd.Series([written]))["id_status"].iloc[0] != "ok"
    reference = records([(true_id, "王晓明", "小店区")], "残联.xlsx")
    got = find_near_misses(records([(written, "王晓明", "小店区")], "低保.xlsx"), reference)
    assert got.decisions["b_id"].tolist() == [true_id]
    assert got.decisions["positions"].tolist() == [str(position + 1)]


def test_rows_already_joined_by_certificate_are_not_a_duplicate_person() -> None:
    frame = records([(WANG, "王晓明", "小店区"), (WANG[:17] + "7", "王晓明", "小店区")], "补贴.csv")
    frame["pid"] = WANG  # the second row's certificate number carries the right ID
    assert find_duplicate_persons(frame, group="_source").empty
