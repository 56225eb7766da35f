"""The linking stage inside the comparison: typo'd IDs no longer hide people, and every
non-exact link is explained. Frames come from compare.prepare via tests.factories."""

from __future__ import annotations

import pandas as pd

from fanpin.compare.checks import run_checks
from fanpin.compare.quarter import Quarter
from fanpin.compare.rules import parse_compare_rules
from fanpin.findings import make_findings
from fanpin.link.stage import annotate_unrecoverable, link_sources
from fanpin.rules import load_rules
from tests.factories import frame, make_id

Q = Quarter.parse("2024Q3")
RULES = load_rules()
POLICY = parse_compare_rules(RULES)

B = make_id("140105", "19750101", 3)  # risk, level 3, on 低保
C = make_id("140802", "19600606", 5)  # risk, level 2, on 低保
B_TYPO = B[:17] + ("1" if B[17] != "1" else "2")  # only the check character wrong


def sources(
    dibao_b: str, dibao_name_c: str = "丙三", dibao_c: str = C
) -> dict[str, pd.DataFrame | None]:
    dpf = frame(
        "dpf",
        [
            dict(
                name="乙二",
                id_number=B,
                level=3,
                category=5,
                cert_status="正常",
                issue_date="2019-01-01",
            ),
            dict(
                name="丙三",
                id_number=C,
                level=2,
                category=1,
                cert_status="正常",
                issue_date="2020-01-01",
            ),
        ],
        source="残联.xlsx",
    )
    monitor = frame(
        "monitor",
        [
            dict(name="乙二", id_number=B, household_type="监测户", risk_cleared="否"),
            dict(name="丙三", id_number=C, household_type="监测户", risk_cleared="否"),
        ],
        source="监测.xlsx",
    )
    dibao = frame(
        "dibao",
        [
            dict(name="乙二", id_number=dibao_b, dibao_type="城市低保", dibao_status="在保"),
            dict(name=dibao_name_c, id_number=dibao_c, dibao_type="农村低保", dibao_status="在保"),
        ],
        source="低保.xlsx",
    )
    return {"dpf": dpf, "dibao": dibao, "subsidy": None, "monitor": monitor}


def codes_for(findings: pd.DataFrame, code: str) -> list[str]:
    return findings.loc[findings["code"] == code, "id_number"].tolist()


def test_typo_in_dibao_id_does_not_become_a_false_missing_dibao() -> None:
    frames = sources(B_TYPO)
    before, _, _ = run_checks(frames, Q, POLICY)
    assert B in codes_for(before, "MISSING_DIBAO")  # what exact linking alone reports

    linking = link_sources(frames, RULES)
    after, _, _ = run_checks(linking.frames, Q, POLICY)
    assert codes_for(after, "MISSING_DIBAO") == []
    typo = linking.findings[linking.findings["code"] == "SUSPECTED_ID_TYPO"]
    assert typo["id_number"].tolist() == [B_TYPO]
    assert typo["matched_id"].tolist() == [B]
    assert typo["source"].tolist() == ["低保.xlsx"]
    assert "校验位" in typo["detail"].iloc[0]
    assert bool(linking.frames["dibao"]["link_probable"].iloc[0]) is True


def test_fifteen_digit_id_matching_exactly_needs_no_finding() -> None:
    old = B[:6] + B[8:17]
    linking = link_sources(sources(old), RULES)
    assert linking.findings.empty
    after, _, _ = run_checks(linking.frames, Q, POLICY)
    assert codes_for(after, "MISSING_DIBAO") == []


def test_name_under_the_same_id_is_variant_or_mismatch() -> None:
    variant = link_sources(sources(B, dibao_name_c="炳三"), RULES).findings
    assert variant[["code", "id_number"]].values.tolist() == [["NAME_VARIANT", C]]
    assert "“丙三”" in variant["detail"].iloc[0]
    mismatch = link_sources(sources(B, dibao_name_c="李娜"), RULES).findings
    assert mismatch[["code", "id_number"]].values.tolist() == [["NAME_MISMATCH", C]]


def test_every_non_exact_link_has_an_evidence_pair() -> None:
    linking = link_sources(sources(B_TYPO, dibao_name_c="炳三"), RULES)
    assert sorted(linking.pairs["code"]) == ["NAME_VARIANT", "SUSPECTED_ID_TYPO"]
    typo = linking.pairs[linking.pairs["code"] == "SUSPECTED_ID_TYPO"].iloc[0]
    assert (typo["a_source"], typo["b_source"]) == ("低保.xlsx", "残联.xlsx")


def test_unrecoverable_finding_gets_the_probable_id_and_a_warning() -> None:
    assert C[-1].isdigit()  # an ID ending in X could not have been typed as a number
    mangled = f"{float(int(C)):.15e}"  # 16 significant digits, as a float prints
    frames = sources(B, dibao_c=mangled)
    linking = link_sources(frames, RULES)
    dibao = frames["dibao"]
    assert dibao is not None
    damaged = dibao[dibao["id_status"] == "unrecoverable"].assign(agency="民政")
    findings = make_findings("ID_UNRECOVERABLE", damaged, "号码已损坏")
    got = annotate_unrecoverable(findings, linking.unrecoverable)
    assert got["matched_id"].tolist() == [C]
    assert "必须对照原始证件确认" in got["detail"].iloc[0]
    # Never a confirmed link: the row keeps no person key.
    assert linking.frames["dibao"]["pid"].isna().iloc[1]


def test_valid_ids_are_not_searched_when_the_rules_say_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanpin.resources import schema_file

    text = schema_file("rules.toml").read_text(encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace("search_valid_ids = true", "search_valid_ids = false"), "utf-8")
    # C's 低保 row carries a valid ID one digit from C's (check recomputed): found only when
    # valid IDs are searched.
    first17 = C[:15] + ("9" if C[15] != "9" else "8") + C[16]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    other = (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    )
    found = link_sources(sources(B, dibao_c=other), RULES).findings
    assert found["code"].tolist() == ["SUSPECTED_ID_TYPO"]
    assert link_sources(sources(B, dibao_c=other), load_rules(path)).findings.empty
