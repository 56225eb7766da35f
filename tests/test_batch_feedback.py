"""County feedback read back from the agency lists fanpin sends down."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.batch.feedback import read_feedback, record_feedback
from fanpin.batch.feedback_text import FEEDBACK_ANSWERS, persisting_text_for
from fanpin.batch.history import RunRecord, open_history
from fanpin.batch.keys import person_keys
from fanpin.compare.quarter import Quarter
from fanpin.errors import ErrorCode, InputError
from fanpin.findings import CIVIL, FINDING_COLUMNS
from fanpin.reports.agency import write_agency_workbook
from tests.factories import make_id

A = make_id("140105", "19800315", 1)
B = make_id("140802", "19600606", 5)
C = make_id("141002", "19500505", 9)
A_TYPO = A[:10] + ("9" if A[10] != "9" else "8") + A[11:]  # one digit wrong: invalid check


def _findings() -> pd.DataFrame:
    rows = [
        ("MISSING_DIBAO", A, "张三", 2),
        ("MISSING_LIVING_SUBSIDY", B, "李四", 3),
        ("MISSING_CARE_SUBSIDY", C, "王五", 4),
        ("INVALID_ID", A_TYPO, "赵六", 5),
    ]
    frame = pd.DataFrame(
        {
            "code": [r[0] for r in rows],
            "severity": "高",
            "agency": CIVIL,
            "id_number": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "city": "太原市",
            "county": "小店区",
            "source": "dibao.xlsx",
            "sheet": "Sheet1",
            "row": [str(r[3]) for r in rows],
            "detail": "说明",
        }
    )
    return frame.reindex(columns=FINDING_COLUMNS).astype("str")


def _returned(
    tmp_path: Path,
    answers: dict[int, tuple[object, object]],
    name: str = "r.xlsx",
    drop_summary: bool = False,
) -> Path:
    """Write the 民政 list as fanpin does, then fill answers as a county would in Excel.
    answers: list row (1-based, after the header) -> (核查结果, 备注/正确身份证号)."""
    path = tmp_path / name
    write_agency_workbook(path, CIVIL, _findings(), "2024Q3", None)
    book = openpyxl.load_workbook(path)
    sheet = book["清单"]
    header = [c.value for c in sheet[1]]
    answer_col = header.index("核查结果") + 1
    note_col = header.index("备注/正确身份证号") + 1
    for i, (answer, note) in answers.items():
        sheet.cell(row=i + 1, column=answer_col, value=answer)
        sheet.cell(row=i + 1, column=note_col, value=note)
    if drop_summary:
        del book["汇总"]
    book.save(path)
    return path


def test_answers_are_read_with_the_keys_of_their_findings(tmp_path: Path) -> None:
    path = _returned(tmp_path, {1: ("已纳入低保", None), 3: ("已发放补贴", "9月补发")})
    batch = read_feedback([path])
    got = batch.answers
    assert got["quarter"].tolist() == ["2024Q3", "2024Q3"]
    assert got[["person_key", "code", "answer"]].values.tolist() == [
        [A, "MISSING_DIBAO", "已纳入低保"],
        [C, "MISSING_CARE_SUBSIDY", "已发放补贴"],
    ]
    assert got["note"].tolist()[1] == "9月补发"
    assert got["row"].tolist() == [2, 4]  # the rows Excel shows
    assert batch.corrections.empty
    assert batch.files[0].answered == 2 and batch.files[0].rows == 4
    # The same keys the findings get when a run records them.
    assert set(got["person_key"]) <= set(person_keys(_findings()))


def test_corrected_id_in_the_note_becomes_a_correction(tmp_path: Path) -> None:
    path = _returned(tmp_path, {4: ("信息有误", f"正确身份证号：{A}")})
    batch = read_feedback([path])
    assert batch.corrections[["id_as_written", "corrected_id"]].values.tolist() == [[A_TYPO, A]]
    assert batch.answers["corrected_id"].tolist() == [A]
    # An invalid ID is keyed as written, with the name.
    assert batch.answers["person_key"].tolist() == [f"raw:{A_TYPO}|赵六"]


def test_ids_in_other_answers_notes_are_not_corrections(tmp_path: Path) -> None:
    path = _returned(
        tmp_path,
        {
            1: ("信息有误", f"身份证 {A} 已核实，姓名应为张叁"),  # the same ID again
            2: ("已纳入低保", f"户主身份证号 {C}"),  # another person's ID, not a fix
            3: ("已发放补贴", "户主身份证号 1401"),  # too short to be an ID
        },
    )
    batch = read_feedback([path])
    assert batch.corrections.empty
    assert batch.answers["corrected_id"].isna().all()


def test_every_bad_answer_is_reported_with_its_place(tmp_path: Path) -> None:
    bad_id = A[:17] + ("0" if A[17] != "0" else "1")
    path = _returned(
        tmp_path,
        {1: ("已纳入低保了", None), 2: ("信息有误", f"正确的是{bad_id}"), 3: ("已死亡", None)},
    )
    with pytest.raises(InputError) as info:
        read_feedback([path])
    problems = info.value.problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [
        ("清单", 2, "核查结果"),
        ("清单", 3, "备注/正确身份证号"),
    ]
    assert all(p.file == "r.xlsx" and p.code == ErrorCode.BAD_VALUE for p in problems)
    assert problems[0].value == "已纳入低保了"
    assert problems[1].value == bad_id[:4] + "*" * 10 + bad_id[-4:]  # masked
    assert "下拉列表" in problems[0].message


def test_id_retyped_as_a_number_is_refused(tmp_path: Path) -> None:
    path = _returned(tmp_path, {1: ("已纳入低保", None)})
    book = openpyxl.load_workbook(path)
    sheet = book["清单"]
    col = [c.value for c in sheet[1]].index("公民身份号码") + 1
    sheet.cell(row=2, column=col, value=float(A[:17] + "0"))
    book.save(path)
    with pytest.raises(InputError, match="改成了数字"):
        read_feedback([path])


def test_quarter_comes_from_the_title_or_the_option(tmp_path: Path) -> None:
    titled = _returned(tmp_path, {1: ("已纳入低保", None)}, "a.xlsx")
    untitled = _returned(tmp_path, {1: ("已纳入低保", None)}, "b.xlsx", drop_summary=True)
    with pytest.raises(InputError, match="--quarter") as info:
        read_feedback([untitled])
    assert info.value.problems[0].file == "b.xlsx"
    assert read_feedback([untitled], Quarter(2024, 3)).answers["quarter"].tolist() == ["2024Q3"]
    with pytest.raises(InputError, match="不一致"):
        read_feedback([titled], Quarter(2024, 2))


def test_a_file_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名", "公民身份号码"])
    book.save(path)
    with pytest.raises(InputError) as info:
        read_feedback([path, tmp_path / "absent.xlsx"])
    codes = [p.code for p in info.value.problems]
    assert codes == [ErrorCode.MISSING_COLUMN, ErrorCode.FILE_NOT_FOUND]


def test_recording_counts_answers_not_found_in_that_quarters_findings(tmp_path: Path) -> None:
    path = _returned(tmp_path, {1: ("已纳入低保", None), 2: ("不符合条件", None)})
    batch = read_feedback([path])
    keys = person_keys(_findings())
    stored = _findings().assign(person_key=keys, occurrences=1)
    stored = stored[stored["code"] != "MISSING_LIVING_SUBSIDY"]  # B's finding not in history
    with open_history(tmp_path / "h.sqlite3", create=True) as db:
        record = RunRecord("2024Q3", "s", "0.1.0", "r", "/o", 0, "t")
        db.confirm_run(db.begin_run(record, stored, []), "m")
        report = record_feedback(db, batch)
        assert (report.answers, report.unmatched, report.quarters_without_run) == (2, 1, ())
        assert db.answers_for(A)["answer"].tolist() == ["已纳入低保"]


def test_persisting_text_names_what_the_data_still_shows() -> None:
    assert (
        persisting_text_for("已纳入低保", "MISSING_DIBAO")
        == "县里已答复已纳入低保，但本季度低保名单中仍无此人"
    )
    assert persisting_text_for("已纳入监测", "NOT_MONITORED_SEVERE") == (
        "县里已答复已纳入监测，但本季度防返贫监测名单中仍无此人"
    )
    assert "护理补贴" in persisting_text_for("已发放补贴", "MISSING_CARE_SUBSIDY")
    assert persisting_text_for("已死亡", "DECEASED_PAID").startswith("县里已答复已死亡，但")
    assert all(persisting_text_for(a, "INVALID_ID") for a in FEEDBACK_ANSWERS)
