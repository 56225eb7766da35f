"""Round trip (template -> filled -> validates clean), roll-ups, and the forms commands."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.forms.grid import read_grid
from fanpin.forms.rollup import RollupRefused, rollup
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.runner import validate_paths
from tests import forms_fixtures as fx
from tests.cli_helpers import run_cli

ONE = "合计慰问：1人，金额总计：500元，大写伍佰元整。"
TWO = "合计慰问：2人，金额总计：1000元，大写壹仟元整。"


def test_filled_templates_validate_clean(tmp_path: Path) -> None:
    counts, total = fx.clean_annex4_counts()
    files = [
        fx.write_annex3_file(
            tmp_path / "a3.xlsx", fx.clean_annex3_rows(), closing=fx.CLEAN_CLOSING
        ),
        fx.write_annex2_file(tmp_path / "a2.xlsx", [fx.Form2(fx.P["zhang"]), fx.Form2(fx.P["li"])]),
        fx.write_annex4_file(tmp_path / "a4.xlsx", counts, total=total),
    ]
    report = validate_paths(files, CheckContext(date=fx.FORM_DATE))
    assert report.problems == []
    assert [f.kinds for f in report.files] == [["annex3"], ["annex2"], ["annex4"]]


def county4(
    tmp_path: Path, name: str, county: str, values: list[int], city: str = "太原市"
) -> Path:
    return fx.write_annex4_file(tmp_path / name, {county: values}, total=values, city=city)


def test_annex4_rollup_totals_equal_the_sum_of_the_counties(tmp_path: Path) -> None:
    xiaodian = [5, 1, 2, 1, 1, 0, 1, 0, 2, 1, 1, 3, 2]
    yingze = [3, 0, 1, 2, 0, 1, 0, 1, 1, 0, 0, 1, 1]
    files = [
        county4(tmp_path, "1.xlsx", "小店区", xiaodian),
        county4(tmp_path, "2.xlsx", "迎泽区", yingze),
    ]
    out = tmp_path / "city.xlsx"
    result = rollup(files, "annex4", out, CheckContext())
    assert (result.level, result.city, result.rows) == ("city", "太原市", 2)
    sheet = read_grid(out).sheets[0]
    assert sheet.name == "太原市"
    rows = {r[0]: r[1:] for r in sheet.cells if r and r[0] in ("小店区", "迎泽区", "合计")}
    # Hand sums: 5+3, 1+0, 2+1, 1+2, 1+0, 0+1, 1+0, 0+1, 2+1, 1+0, 1+0, 3+1, 2+1.
    assert rows["合计"] == ["8", "1", "3", "3", "1", "1", "1", "1", "3", "1", "1", "4", "3"]
    assert validate_paths([out], CheckContext()).problems == []


def test_annex4_rollup_of_two_cities_makes_the_province_sheet(tmp_path: Path) -> None:
    files = [
        county4(tmp_path, "ty.xlsx", "小店区", [2] * 13),
        county4(tmp_path, "dt.xlsx", "平城区", [1] * 13, city="大同市"),
    ]
    out = tmp_path / "prov.xlsx"
    assert rollup(files, "annex4", out, CheckContext()).level == "province"
    sheets = read_grid(out).sheets
    assert [s.name for s in sheets] == ["全省汇总", "太原市", "大同市"]
    rows = {r[0]: r[1] for r in sheets[0].cells if r and r[0] in ("太原市", "大同市", "合计")}
    assert rows == {"太原市": "2", "大同市": "1", "合计": "3"}


def test_rollup_refuses_the_same_county_twice(tmp_path: Path) -> None:
    one = county4(tmp_path, "1.xlsx", "小店区", [1] * 13)
    two = county4(tmp_path, "2.xlsx", "小店区", [2] * 13)
    with pytest.raises(RollupRefused, match="有 1 处错误"):
        rollup([one, two], "annex4", tmp_path / "x.xlsx", CheckContext())
    assert not (tmp_path / "x.xlsx").exists()


def test_rollup_refuses_a_county_of_another_city(tmp_path: Path) -> None:
    one = county4(tmp_path, "1.xlsx", "小店区", [1] * 13)
    other = county4(tmp_path, "2.xlsx", "平遥县", [1] * 13, city="晋中市")
    with pytest.raises(RollupRefused, match="平遥县不属于太原市"):
        rollup([one, other], "annex4", tmp_path / "x.xlsx", CheckContext(), city="太原市")


def test_annex3_rollup_lists_every_payee_and_adds_up(tmp_path: Path) -> None:
    rows = fx.clean_annex3_rows()
    one = fx.write_annex3_file(tmp_path / "1.xlsx", rows[:2], closing=TWO)
    two = fx.write_annex3_file(tmp_path / "2.xlsx", rows[2:], closing=TWO)
    out = tmp_path / "city3.xlsx"
    result = rollup([one, two], "annex3", out, CheckContext())
    assert (result.rows, result.totals["amount"]) == (4, 2000.0)
    cells = read_grid(out).sheets[0].cells
    assert [r[1] for r in cells[4:8]] == ["张伟", "李芳", "王强", "赵丽"]
    assert cells[8][0] == "合计慰问：4人，金额总计：2000元，大写贰仟元整。"
    assert validate_paths([out], CheckContext()).problems == []


def test_annex3_rollup_refuses_a_file_with_errors(tmp_path: Path) -> None:
    bad = fx.write_annex3_file(
        tmp_path / "bad.xlsx", [fx.Row3(fx.P["zhang"], amount=600)], closing=ONE
    )
    with pytest.raises(RollupRefused, match=r"bad\.xlsx"):
        rollup([bad], "annex3", tmp_path / "x.xlsx", CheckContext())


# ------------------------------------------------------------------------------- commands


def test_cli_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = fx.write_annex3_file(
        tmp_path / "clean.xlsx", fx.clean_annex3_rows(), closing=fx.CLEAN_CLOSING
    )
    run = run_cli(["validate", str(clean), "--out", str(tmp_path / "o1")], capsys)
    assert run.code == 0, run.err
    assert "clean.xlsx\tannex3\t错误 0\t警告 0\t通过" in run.out

    bad = fx.write_annex3_file(
        tmp_path / "bad.xlsx", [fx.Row3(fx.P["zhang"], amount=600)], closing=ONE
    )
    run = run_cli(["validate", str(bad), "--out", str(tmp_path / "o2")], capsys)
    assert run.code == 3
    # 600 yuan is not the standard, and the closing line's 500 then disagrees with the rows.
    assert "bad.xlsx\tannex3\t错误 2\t警告 0\t有错误" in run.out
    problems = pd.read_csv(tmp_path / "o2" / "problems.csv")
    assert set(problems["code"]) == {"AMOUNT_NOT_STANDARD", "TOTAL_AMOUNT_MISMATCH"}
    assert (tmp_path / "o2" / "bad_审核标注.xlsx").exists()

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    run = run_cli(["validate", str(broken), "--out", str(tmp_path / "o3")], capsys)
    assert run.code == 2


def test_cli_validate_a_folder_with_roster_and_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "县报表"
    folder.mkdir()
    fx.write_annex3_file(
        folder / "planted.xlsx", fx.planted_annex3_rows(), closing=fx.PLANTED_CLOSING
    )
    roster = fx.write_roster(tmp_path / "名单.csv")
    history = fx.write_history(tmp_path / "历年.csv")
    args = ["validate", str(folder), "--roster", str(roster), "--history", str(history)]
    run = run_cli([*args, "--out", str(tmp_path / "o"), "--json"], capsys)
    assert run.code == 3
    # 21 planted problems: ADDRESS_INCOMPLETE and PHONE_IMPLAUSIBLE are warnings.
    assert '"errors": 19' in run.out and '"warnings": 2' in run.out


def test_cli_unrecognised_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "随便什么表"
    book.save(tmp_path / "x.xlsx")
    run = run_cli(["validate", str(tmp_path / "x.xlsx"), "--out", str(tmp_path / "o")], capsys)
    assert run.code == 2
    assert "--form" in run.err


def test_cli_annex3_from_roster_skips_the_dead_and_the_paid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = fx.write_roster(tmp_path / "名单.csv")
    history = fx.write_history(tmp_path / "历年.csv")
    out = tmp_path / "a3.xlsx"
    args = ["annex3", "--payees", str(roster), "--city", "太原市", "--year", "2023"]
    run = run_cli(
        [*args, "--history", str(history), "--date", "2023-07-15", "--out", str(out)], capsys
    )
    assert run.code == 0, run.err
    # Roster: 19 people; 高山 is dead and 罗云 was paid in 2022, so 17 remain: 8500 yuan.
    assert "17 人，金额总计 8500 元（捌仟伍佰元整）" in run.out
    assert validate_paths([out], CheckContext()).problems == []


def test_cli_rollup_refusal_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = county4(tmp_path, "1.xlsx", "小店区", [1] * 13)
    two = county4(tmp_path, "2.xlsx", "小店区", [1] * 13)
    run = run_cli(
        ["rollup", str(one), str(two), "--form", "annex4", "--out", str(tmp_path / "r.xlsx")],
        capsys,
    )
    assert run.code == 3
    assert "未汇总" in run.err


def test_cli_quota_and_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["quota", "--out", str(tmp_path / "a1.xlsx")], capsys)
    assert run.code == 0 and "4959" in run.out
    run = run_cli(
        [
            "template",
            "annex3",
            "--city",
            "太原",
            "--year",
            "2023",
            "--out",
            str(tmp_path / "t.xlsx"),
        ],
        capsys,
    )
    assert run.code == 0
    run = run_cli(["template", "annex9", "--out", str(tmp_path / "t9.xlsx")], capsys)
    assert run.code == 2
