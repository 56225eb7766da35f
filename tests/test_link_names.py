"""Chinese name comparison (fanpin.link.names): hand-worked cases and properties.

Scores are rapidfuzz Indel similarities: 1 - (insertions + deletions) / (len a + len b).
One substituted character costs 2, so a 3-character pair scores 1 - 2/6 = 0.667 and a
2-character pair 1 - 2/4 = 0.5; a dropped character costs 1 (3 vs 2: 1 - 1/5 = 0.8).
Pinyin is scored the same way with one token per syllable.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.errors import InputError
from fanpin.link.names import (
    DIFFERENT,
    SAME,
    VARIANT,
    compare_names,
    lookalike_pairs,
    name_conflicts,
    parse_name_rules,
)
from fanpin.normalize.names import normalize_names
from fanpin.resources import schema_file
from fanpin.rules import RulesFile, load_rules


def compare(a: str | None, b: str | None) -> dict[str, object]:
    left = normalize_names(pd.Series([a], dtype="string"))
    right = normalize_names(pd.Series([b], dtype="string"))
    return compare_names(left, right).iloc[0].to_dict()


def test_homophone_in_three_char_name_is_variant_decided_by_pinyin() -> None:
    got = compare("王小明", "王晓明")
    assert got["outcome"] == VARIANT
    assert got["signal"] == "pinyin"
    assert got["char_score"] == pytest.approx(1 - 2 / 6)
    assert got["pinyin_score"] == 1.0
    assert got["pinyin_a"] == got["pinyin_b"] == "wang xiao ming"


def test_homophone_in_two_char_name_is_variant() -> None:
    got = compare("张伟", "张玮")
    assert (got["outcome"], got["signal"]) == (VARIANT, "pinyin")
    assert got["char_score"] == pytest.approx(0.5)
    assert got["pinyin_score"] == 1.0


def test_unrelated_names_are_different_on_both_signals() -> None:
    got = compare("张伟", "李娜")
    assert (got["outcome"], got["signal"]) == (DIFFERENT, "scores")
    assert got["char_score"] == 0.0
    assert got["pinyin_score"] == 0.0


@pytest.mark.parametrize("dot", ["\u2022", "\u30fb", "\uff0e", "."])
def test_minority_name_with_any_dot_variant_is_same(dot: str) -> None:
    got = compare("阿不都·热合曼", f"阿不都{dot}热合曼")
    assert (got["outcome"], got["signal"]) == (SAME, "exact")


def test_minority_name_without_its_dot_is_same() -> None:
    got = compare("阿不都·热合曼", "阿不都热合曼")
    assert (got["outcome"], got["signal"]) == (SAME, "dot")


def test_minority_name_parts_in_other_order_are_variant() -> None:
    got = compare("热合曼·阿不都", "阿不都·热合曼")
    assert (got["outcome"], got["signal"]) == (VARIANT, "order")


def test_one_dropped_character_is_variant_on_characters() -> None:
    got = compare("王晓明", "王明")
    assert (got["outcome"], got["signal"]) == (VARIANT, "char")
    assert got["char_score"] == pytest.approx(1 - 1 / 5)


def test_one_lookalike_character_is_variant() -> None:
    # 李/季 (li/ji) sound apart; the look-alike table pairs them.
    got = compare("李建国", "季建国")
    assert (got["outcome"], got["signal"]) == (VARIANT, "lookalike")


def test_one_unrelated_character_in_three_is_different() -> None:
    # 小/大 neither sound alike nor are listed as look-alikes.
    got = compare("王小明", "王大明")
    assert got["outcome"] == DIFFERENT
    assert got["pinyin_score"] == pytest.approx(1 - 2 / 6)


def test_two_homophones_in_a_two_char_name_are_different() -> None:
    # 章玮 sounds exactly like 张伟 but shares no character: below the character floor.
    got = compare("张伟", "章玮")
    assert got["outcome"] == DIFFERENT
    assert got["pinyin_score"] == 1.0
    assert got["char_score"] == 0.0


def test_heteronym_surname_reading_is_considered() -> None:
    # 单 as a surname reads shan; 善 reads shan: same sound only through the heteronym.
    got = compare("单雄信", "善雄信")
    assert (got["outcome"], got["signal"]) == (VARIANT, "pinyin")


def test_traditional_spelling_is_the_same_name() -> None:
    got = compare("張偉", "张伟")
    assert (got["outcome"], got["signal"]) == (SAME, "exact")


def test_missing_name_cannot_be_judged() -> None:
    got = compare("张伟", None)
    assert (got["outcome"], got["signal"]) == ("unknown", "missing")


def test_result_keeps_the_index_of_the_first_series() -> None:
    a = pd.Series(["张伟", "王芳"], index=[10, 20], dtype="string")
    b = pd.Series(["张伟", "王方"], index=[1, 2], dtype="string")
    assert compare_names(a, b).index.tolist() == [10, 20]


def test_two_and_three_char_names_have_their_own_thresholds() -> None:
    rules = parse_name_rules(load_rules())
    assert rules.thresholds(2) != rules.thresholds(3)
    assert rules.thresholds(7) == rules.thresholds(4)


def test_bad_threshold_in_rules_is_reported_with_its_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = schema_file("rules.toml").read_text(encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace("char_floor = 0.5", "char_floor = 5", 1), encoding="utf-8")
    with pytest.raises(InputError, match="char_floor"):
        parse_name_rules(load_rules(path))


def test_lookalike_table_pairs_every_two_chars_of_a_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "look.txt"
    path.write_text("# comment\n己 已 巳  # three\n未 末\n", encoding="utf-8")
    # Keys are the two characters in code-point order: 己 U+5DF1, 已 U+5DF2, 巳 U+5DF3.
    assert lookalike_pairs(path) == frozenset({"己已", "己巳", "已巳", "未末"})


def test_name_conflicts_compare_each_row_with_the_first_of_its_id() -> None:
    rows = pd.DataFrame(
        {"pid": ["A", "A", "A", "B"], "name_norm": ["王晓明", "王小明", "李娜", "张伟"]},
        index=[5, 6, 7, 8],
    ).astype("string")
    got = name_conflicts(rows)
    assert got["a_index"].tolist() == [6, 7]
    assert got["b_index"].tolist() == [5, 5]
    assert got["outcome"].tolist() == [VARIANT, DIFFERENT]


# ---------------------------------------------------------------- properties

NAME_CHARS = "王李张刘晓小明伟玮芳方娜阿不都热合曼单善·"
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(names, names)
def test_comparison_is_symmetric_and_scores_stay_in_range(a: str, b: str) -> None:
    left = normalize_names(pd.Series([a], dtype="string"))
    right = normalize_names(pd.Series([b], dtype="string"))
    if left.isna().any() or right.isna().any():
        return
    ab = compare_names(left, right).iloc[0]
    ba = compare_names(right, left).iloc[0]
    assert (ab["outcome"], ab["signal"]) == (ba["outcome"], ba["signal"])
    assert ab["char_score"] == pytest.approx(ba["char_score"])
    assert ab["pinyin_score"] == pytest.approx(ba["pinyin_score"])
    assert 0.0 <= ab["char_score"] <= 1.0
    assert 0.0 <= ab["pinyin_score"] <= 1.0


@settings(max_examples=40, deadline=None)
@given(names)
def test_a_name_compared_with_itself_is_same(a: str) -> None:
    once = normalize_names(pd.Series([a], dtype="string"))
    if once.isna().any():
        return
    twice = normalize_names(once)
    got = compare_names(once, twice).iloc[0]
    assert (got["outcome"], got["char_score"]) == (SAME, 1.0)


def test_rules_file_object_and_parsed_rules_give_the_same_answer() -> None:
    rules = load_rules()
    a = pd.Series(["王小明"], dtype="string")
    b = pd.Series(["王晓明"], dtype="string")
    assert isinstance(rules, RulesFile)
    assert compare_names(a, b, rules).equals(compare_names(a, b, parse_name_rules(rules)))
