"""fanpin validate on county files with planted errors (each worked by hand) and clean ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.forms.options import build_context
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.outputs import write_outputs
from fanpin.forms.validate.runner import validate_paths
from tests import forms_fixtures as fx


@pytest.fixture
def registers(tmp_path: Path) -> CheckContext:
    roster = fx.write_roster(tmp_path / "名单.csv")
    history = fx.write_history(tmp_path / "历年帮扶记录.csv")
    return build_context(roster=[roster], history=[history], date="2023-07-15")


def found(paths: list[Path], ctx: CheckContext) -> set[tuple[str, str]]:
    return {(p.code, p.cell) for p in validate_paths(paths, ctx).problems}


def test_clean_annex3_has_zero_problems(tmp_path: Path, registers: CheckContext) -> None:
    path = fx.write_annex3_file(
        tmp_path / "clean.xlsx", fx.clean_annex3_rows(), closing=fx.CLEAN_CLOSING
    )
    report = validate_paths([path], registers)
    assert report.problems == []
    assert not report.has_errors


def test_planted_annex3_errors_come_back_with_their_cells(
    tmp_path: Path, registers: CheckContext
) -> None:
    path = fx.write_annex3_file(
        tmp_path / "planted.xlsx", fx.planted_annex3_rows(), closing=fx.PLANTED_CLOSING
    )
    assert found([path], registers) == fx.PLANTED_ANNEX3


def test_planted_annex2_problems_come_back_with_their_cells(
    tmp_path: Path, registers: CheckContext
) -> None:
    path = fx.write_annex2_file(tmp_path / "a2.xlsx", fx.PLANTED_ANNEX2_FORMS)
    assert found([path], registers) == fx.PLANTED_ANNEX2


def test_guardian_id_is_a_warning_not_an_error(tmp_path: Path, registers: CheckContext) -> None:
    path = fx.write_annex2_file(
        tmp_path / "a2.xlsx", [fx.Form2(fx.P["li"], id_number=fx.GUARDIAN_ID)]
    )
    report = validate_paths([path], registers)
    assert [(p.code, p.severity) for p in report.problems] == [("ID_NOT_HOLDER", "警告")]
    assert not report.has_errors


def test_clean_annex4_has_zero_problems(tmp_path: Path) -> None:
    counts, total = fx.clean_annex4_counts()
    path = fx.write_annex4_file(tmp_path / "a4.xlsx", counts, total=total)
    assert validate_paths([path], CheckContext()).problems == []


def test_planted_annex4_errors_come_back_with_their_cells(tmp_path: Path) -> None:
    counts, total = fx.clean_annex4_counts()
    # Row 8 (杏花岭区 in the template) gets three bad counts and is renamed 平遥县 (晋中市);
    # row 9 is renamed 迎泽区, which row 7 already is. ① total 10 ≠ 5 + 3.
    counts["杏花岭区"] = [-1, 2.5, "三", *[0] * 10]
    total = [10, *total[1:]]
    path = fx.write_annex4_file(
        tmp_path / "a4.xlsx",
        counts,
        total=total,
        labels={8: "平遥县", 9: "迎泽区"},
        unit_of_10="⑩无障碍改造帮扶\n（人）",
    )
    assert found([path], CheckContext()) == {
        ("UNIT_NOT_HOUSEHOLD", "N4"),
        ("COUNT_INVALID", "B8"),
        ("COUNT_INVALID", "C8"),
        ("COUNT_INVALID", "D8"),
        ("COUNTY_NOT_IN_CITY", "A8"),
        ("DUPLICATE_COUNTY", "A7"),
        ("DUPLICATE_COUNTY", "A9"),
        ("TOTAL_ROW_MISMATCH", "B16"),
    }


def test_annex4_without_total_row_is_flagged(tmp_path: Path) -> None:
    counts, _ = fx.clean_annex4_counts()
    path = fx.write_annex4_file(tmp_path / "a4.xlsx", counts, total=None)
    assert found([path], CheckContext()) == {("TOTAL_ROW_MISSING", "")}


def test_same_person_in_two_files_is_flagged_in_the_second(tmp_path: Path) -> None:
    one = fx.write_annex3_file(
        tmp_path / "1.xlsx",
        [fx.Row3(fx.P["zhang"])],
        closing="合计慰问：1人，金额总计：500元，大写伍佰元整。",
    )
    two = fx.write_annex3_file(
        tmp_path / "2.xlsx",
        [fx.Row3(fx.P["zhang"])],
        closing="合计慰问：1人，金额总计：500元，大写伍佰元整。",
    )
    report = validate_paths([one, two], CheckContext())
    assert [(p.code, p.file, p.cell) for p in report.problems] == [
        ("DUPLICATE_ACROSS_FILES", "2.xlsx", "F5")
    ]


def test_city_over_its_quota_is_flagged(tmp_path: Path) -> None:
    # 朔州市 has 0 places in 2023 (Annex 1), so one payee is over the quota.
    path = fx.write_annex3_file(
        tmp_path / "sz.xlsx",
        [fx.Row3(fx.SHUOZHOU)],
        closing="合计慰问：1人，金额总计：500元，大写伍佰元整。",
        city="朔州市",
    )
    report = validate_paths([path], CheckContext())
    assert [(p.code, p.cell, p.severity) for p in report.problems] == [
        ("QUOTA_EXCEEDED", "A6", "错误")
    ]


def test_taiyuan_within_quota_across_files_is_not_flagged(tmp_path: Path) -> None:
    rows = fx.clean_annex3_rows()
    one = fx.write_annex3_file(
        tmp_path / "1.xlsx", rows[:2], closing="合计慰问：2人，金额总计：1000元，大写壹仟元整。"
    )
    two = fx.write_annex3_file(
        tmp_path / "2.xlsx", rows[2:], closing="合计慰问：2人，金额总计：1000元，大写壹仟元整。"
    )
    assert validate_paths([one, two], CheckContext()).problems == []


@pytest.mark.parametrize(
    ("closing", "expected"),
    [
        ("合计慰问：4人，金额总计：2000元，大写二千元。", {("CAPITAL_NONSTANDARD", "A9")}),
        (None, {("TOTAL_MISSING", "A9")}),  # the template's blanks left as they are
        ("合计慰问：4人，金额总计：2000元，大写_____元。", {("TOTAL_MISSING", "A9")}),
    ],
)
def test_annex3_closing_line_checks(
    tmp_path: Path, closing: str | None, expected: set[tuple[str, str]]
) -> None:
    path = fx.write_annex3_file(tmp_path / "c.xlsx", fx.clean_annex3_rows(), closing=closing)
    assert found([path], CheckContext()) == expected


def test_annex3_without_year_or_city_is_warned(tmp_path: Path) -> None:
    rows = [fx.Row3(fx.P["zhang"], address="北格镇张家村")]
    path = fx.write_annex3_file(
        tmp_path / "n.xlsx",
        rows,
        closing="合计慰问：1人，金额总计：500元，大写伍佰元整。",
        city=None,
        year=None,
    )
    codes = {p.code for p in validate_paths([path], CheckContext()).problems}
    assert codes == {"YEAR_MISSING", "CITY_MISSING", "ADDRESS_INCOMPLETE"}


def test_annex3_without_amount_column_is_a_header_problem(tmp_path: Path) -> None:
    path = fx.write_annex3_file(
        tmp_path / "h.xlsx", fx.clean_annex3_rows(), closing=fx.CLEAN_CLOSING
    )
    book = openpyxl.load_workbook(path)
    book.active["I4"] = "备注"  # was 救助金额
    book.save(path)
    assert found([path], CheckContext()) == {("HEADER_MISSING", "A4")}


def test_outputs_mask_personal_values_and_leave_the_input_untouched(
    tmp_path: Path, registers: CheckContext
) -> None:
    path = fx.write_annex3_file(
        tmp_path / "planted.xlsx", fx.planted_annex3_rows(), closing=fx.PLANTED_CLOSING
    )
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    report = validate_paths([path], registers)
    out = tmp_path / "out"
    write_outputs(report, out)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before

    problems = pd.read_csv(out / "problems.csv", dtype=str, keep_default_na=False)
    assert list(problems.columns) == [
        "code",
        "severity",
        "file",
        "sheet",
        "cell",
        "value",
        "message",
    ]
    assert len(problems) == len(fx.PLANTED_ANNEX3)
    text = (out / "problems.csv").read_text(encoding="utf-8-sig")
    for person in fx.P.values():
        assert person.id not in text and person.phone not in text
    id_row = problems[problems["code"] == "ID_INVALID"].iloc[0]
    assert id_row["value"].startswith("1401") and "*" in id_row["value"]


def test_annotated_copy_marks_cells_and_lists_problems_with_links(
    tmp_path: Path, registers: CheckContext
) -> None:
    path = fx.write_annex3_file(
        tmp_path / "planted.xlsx", fx.planted_annex3_rows(), closing=fx.PLANTED_CLOSING
    )
    write_outputs(validate_paths([path], registers), tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "planted_审核标注.xlsx")
    assert book.sheetnames[0] == "问题清单"
    sheet = book["附件3"]
    assert sheet["C6"].fill.start_color.rgb.endswith("FFC7CE")  # error: red
    assert "按身份证号应为“女”" in sheet["C6"].comment.text
    assert sheet["H22"].fill.start_color.rgb.endswith("FFEB9C")  # warning: yellow
    listing = book["问题清单"]
    links = {
        listing.cell(r, 6).value: listing.cell(r, 6).hyperlink.location
        for r in range(2, listing.max_row + 1)
    }
    assert len(links) == len({cell for _, cell in fx.PLANTED_ANNEX3})
    assert links["C6"] == "'附件3'!C6"
    assert links["A24"] == "'附件3'!A24"


def test_survey_certificate_of_another_person_is_flagged(tmp_path: Path) -> None:
    from fanpin.forms.templates import write_template

    path = tmp_path / "survey.xlsx"
    write_template("survey", path)
    book = openpyxl.load_workbook(path)
    sheet = book["需求摸底表"]
    # Row 2 is right; row 3 carries 李芳's ID with 王强's certificate; 人口数 2, 劳动力数 3.
    entries = [
        ("张伟", fx.P["zhang"].id, fx.P["zhang"].cert),
        ("李芳", fx.P["li"].id, fx.P["wang"].cert),
    ]
    for row, (name, id_number, cert) in enumerate(entries, start=2):
        sheet.cell(row, 1, name)
        sheet.cell(row, 2, id_number)
        sheet.cell(row, 3, cert)
    sheet["P3"], sheet["Q3"] = 2, 3
    book.save(path)
    expected = {("CERT_ID_MISMATCH", "C3"), ("HOUSEHOLD_INVALID", "Q3")}
    assert found([path], CheckContext()) == expected


def test_committed_fixture_files_match_the_generator(tmp_path: Path) -> None:
    # tests/fixtures/forms holds the files for people to open; they must not drift from
    # what `python -m tests.forms_fixtures` writes.
    from fanpin.forms.grid import read_grid

    committed = Path(__file__).parent / "fixtures" / "forms"
    for fresh in fx.write_all(tmp_path):
        kept = committed / fresh.name
        if fresh.suffix == ".csv":
            assert kept.read_bytes() == fresh.read_bytes(), fresh.name
        else:
            cells = [s.cells for s in read_grid(kept).sheets]
            assert cells == [s.cells for s in read_grid(fresh).sheets], fresh.name


def test_committed_planted_file_reports_every_planted_problem(tmp_path: Path) -> None:
    folder = Path(__file__).parent / "fixtures" / "forms"
    ctx = build_context(
        roster=[folder / "名单.csv"], history=[folder / "历年帮扶记录.csv"], date="2023-07-15"
    )
    assert found([folder / "附件3_预埋错误.xlsx"], ctx) == fx.PLANTED_ANNEX3
    assert found([folder / "附件3_干净.xlsx", folder / "附件4_干净.xlsx"], ctx) == set()
