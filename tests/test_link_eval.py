"""The planted-fault harness (fanpin.link.evaluate / faults) and `fanpin eval`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from fanpin.link import faults
from fanpin.link.evaluate import bench_near_miss, run_eval
from fanpin.link.nearmiss import find_near_misses
from fanpin.normalize.ids import normalize_ids
from fanpin.normalize.names import normalize_names
from fanpin.samples import idgen
from tests.cli_helpers import run_cli

TRUE_IDS = np.array(["140105198001011233", "140105196203031110", "141002195804208454"])


def frame(ids: np.ndarray, source: str) -> pd.DataFrame:
    out = pd.DataFrame({"raw": pd.array(ids.astype(str), dtype="string")})
    out = pd.concat([out, normalize_ids(out["raw"])], axis=1)
    out["name_norm"] = normalize_names(pd.Series(["王晓明"] * len(out), dtype="string"))
    out["_source"], out["_sheet"], out["_row"] = source, "", np.arange(2, len(out) + 2)
    return out


@pytest.mark.parametrize(
    "fault", [f for f in faults.ID_FAULTS if f not in ("old_15_typo", "substitution_valid")]
)
def test_each_planted_id_fault_is_found_as_the_edit_it_names(fault: str) -> None:
    rng = np.random.default_rng(3)
    matrix = idgen.to_matrix(TRUE_IDS, 18)
    for true_id, written in zip(TRUE_IDS, faults.typo_ids(matrix, fault, rng), strict=True):
        reference = frame(np.array([true_id]), "ref.csv")
        got = find_near_misses(frame(np.array([written]), "typo.csv"), reference).decisions
        assert got["b_id"].tolist() == [true_id]
        assert got["rule"].tolist() == [faults.ID_FAULTS[fault]]


def test_typo_with_recomputed_check_passes_the_check() -> None:
    written = faults.typo_ids(
        idgen.to_matrix(TRUE_IDS, 18), "substitution_valid", np.random.default_rng(1)
    )
    # The check always passes; a typo in the date digits may still make an impossible date.
    assert normalize_ids(pd.Series(written))["id_status"].isin(["ok", "bad_date"]).all()
    assert not set(written) & set(TRUE_IDS)


def test_float_damage_keeps_the_asked_number_of_digits() -> None:
    shown = faults.float_damaged(np.array(["140105198001011233"] * 3), np.array([16, 15, 6]))
    # 15: Excel keeps 15 digits and zero-fills; 6: a General cell exported as shown.
    assert shown.tolist() == ["1.401051980010112e+17", "1.40105198001011e+17", "1.40105E+17"]


def test_name_label_policy_depends_on_name_length() -> None:
    assert faults.expected_outcome("one_char_other", "王小明", "王大明") == "different"
    assert faults.expected_outcome("one_char_other", "阿不都·热合曼", "阿不都·热合鳗") == "variant"
    assert faults.expected_outcome("dot_style", "阿不都·热合曼", "阿不都.热合曼") == "same"


def test_planted_faults_meet_the_issue_targets() -> None:
    report = run_eval(scale=1.5, plants=12)
    hard = report.table.set_index("code").loc[
        ["NAME_MISMATCH", "SUSPECTED_ID_TYPO", "DUPLICATE_PERSON"]
    ]
    assert (hard["planted"] > 0).all()
    assert (hard[["precision", "recall"]] >= 0.99).all().all()
    assert report.missing["exact_only"] > 0  # the typos do hide people without linking
    assert report.missing["with_linking"] == 0
    assert report.meets_targets()


def test_eval_command_reports_json_and_exits_zero_when_targets_are_met(capsys) -> None:  # type: ignore[no-untyped-def]
    run = run_cli(["eval", "--scale", "1.5", "--plants", "12", "--json"], capsys)
    assert run.code == 0
    payload = json.loads(run.out)
    assert payload["targets_met"] is True
    assert {row["code"] for row in payload["codes"]} >= {"SUSPECTED_ID_TYPO", "NAME_MISMATCH"}


def test_bench_reports_time_and_right_links_on_a_small_run() -> None:
    got = bench_near_miss(n_unmatched=2_000, n_reference=20_000)
    assert got["n_unmatched"] == 2_000
    assert got["n_reference"] == 20_000
    assert got["linked_right"] == got["linked"] >= 0.99 * got["typos_planted"]
    assert got["seconds"] > 0
