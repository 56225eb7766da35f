"""`fanpin measures` end to end through the real entry point, on files shaped like real ones."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.measures.rules import SLUGS
from fanpin.measures.survey_template import write_survey_template
from tests.cli_helpers import run_cli
from tests.measures_factories import make_id

IDS = [make_id("19800101", 1), make_id("19700505", 3, "140106"), make_id("20081001", 5)]


def write_inputs(folder: Path) -> tuple[Path, Path]:
    """roster.csv as `fanpin compare` writes it (Chinese headers, BOM) and a filled template."""
    roster = pd.DataFrame(
        {
            "姓名": ["甲", "乙", "丙"],
            "公民身份号码": IDS,
            "残疾人证号": [i + "42" for i in IDS],
            "残疾类别": ["肢体残疾", "精神残疾", "智力残疾"],
            "残疾等级": ["二级", "三级", "一级"],
            "市": ["太原市"] * 3,
            "县(区)": ["小店区", "迎泽区", "小店区"],
            "证件状态": ["正常", "正常", "已死亡"],  # a spelling coercion makes canonical
        }
    )
    roster_path = folder / "roster.csv"
    roster.to_csv(roster_path, index=False, encoding="utf-8-sig")
    survey_path = folder / "小店区摸底表.xlsx"
    write_survey_template(survey_path)
    book = openpyxl.load_workbook(survey_path)
    sheet = book["需求摸底表"]
    #            姓名 身份证 证号  劳动能力 培训 产业 类型 托养 指征 手术 假肢 辅具
    sheet.append(["甲", IDS[0], None, "有", "√", "Y", "养殖", "否", None, None, "大腿", "轮椅"])
    sheet.append(["乙", IDS[1], None, "部分", "1", "0", None, "是", None, None, "无", "可以"])
    book.save(survey_path)
    return roster_path, survey_path


def test_measures_writes_decisions_annex4_and_budget(tmp_path, capsys):
    roster, survey = write_inputs(tmp_path)
    out = tmp_path / "结果"
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024-09-30"]
    run = run_cli([*args, "--out", str(out)], capsys)
    assert run.code == 0, run.err
    assert "符合" in run.out and "实用技术培训帮扶" in run.out

    raw = (out / "decisions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    decisions = pd.read_csv(out / "decisions.csv", dtype=str, encoding="utf-8-sig")
    assert len(decisions) == 3 * len(SLUGS)  # every person × every measure, no extra sheets
    assert decisions["reason"].notna().all()
    dead = decisions[decisions["name"] == "丙"]
    assert (dead["decision"] == "ineligible").all()
    training = decisions[(decisions["name"] == "甲") & (decisions["measure"] == "training")]
    assert training[["decision", "amount"]].values.tolist() == [["eligible", "1500"]]
    assistive = decisions[(decisions["name"] == "乙") & (decisions["measure"] == "assistive")]
    assert assistive["reason"].tolist() == ["“辅具需求”填写为“可以”，无法识别"]

    annex = openpyxl.load_workbook(out / "附件4_帮扶人员需求汇总统计表.xlsx", data_only=True)
    assert annex.sheetnames == ["全省汇总", "太原市"]
    assert (out / "帮扶资金预算.xlsx").exists()
    problems = pd.read_csv(out / "摸底表问题.csv", dtype=str, encoding="utf-8-sig")
    assert problems[["行号", "列", "值"]].values.tolist() == [["3", "辅具需求", "可以"]]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "measures" and manifest["as_of"] == "2024-09-30"
    assert "未提供历年帮扶记录" in run.err


def test_bad_reference_date_is_exit_2_and_writes_nothing(tmp_path, capsys):
    roster, survey = write_inputs(tmp_path)
    out = tmp_path / "out"
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024/9/31"]
    run = run_cli([*args, "--out", str(out)], capsys)
    assert run.code == 2
    assert "参考日期" in run.err
    assert not out.exists()


def test_output_folder_holding_an_input_is_refused(tmp_path, capsys):
    roster, survey = write_inputs(tmp_path)
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024-09-30"]
    run = run_cli([*args, "--out", str(tmp_path)], capsys)
    assert run.code == 2
    assert "输出文件夹中有输入文件" in run.err
    assert roster.read_bytes().startswith(b"\xef\xbb\xbf")  # input untouched


@pytest.mark.parametrize("mask", [False, True])
def test_mask_option_hides_ids_in_decisions(tmp_path, capsys, mask):
    roster, survey = write_inputs(tmp_path)
    out = tmp_path / "out"
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024-09-30"]
    run = run_cli([*args, "--out", str(out), *(["--mask"] if mask else [])], capsys)
    assert run.code == 0, run.err
    ids = set(pd.read_csv(out / "decisions.csv", dtype=str, encoding="utf-8-sig")["id_number"])
    assert (IDS[0] in ids) is not mask


def test_unreadable_roster_level_is_exit_2_naming_the_cell(tmp_path, capsys):
    roster, survey = write_inputs(tmp_path)
    text = roster.read_text(encoding="utf-8-sig").replace("二级", "二极", 1)
    roster.write_text(text, encoding="utf-8-sig")
    out = tmp_path / "out"
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024-09-30"]
    run = run_cli([*args, "--out", str(out)], capsys)
    assert run.code == 2
    assert "roster.csv" in run.err and "二极" in run.err
    assert not out.exists()


def test_history_file_stops_a_second_one_off_cash_payment(tmp_path, capsys):
    roster, survey = write_inputs(tmp_path)
    history = tmp_path / "历年帮扶记录.csv"
    history.write_text(
        f"公民身份号码,帮扶措施,年度,金额\n{IDS[0]},资金帮扶,2023,500\n", encoding="gbk"
    )
    out = tmp_path / "out"
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024-09-30"]
    run = run_cli([*args, "--history", str(history), "--out", str(out)], capsys)
    assert run.code == 0, run.err
    decisions = pd.read_csv(out / "decisions.csv", dtype=str, encoding="utf-8-sig")
    cash = decisions[decisions["measure"] == "cash"].set_index("name")
    assert cash.loc["甲", "reason"] == "已于2023年获得资金帮扶（一次性），2022—2024年每人只帮扶一次"
    assert cash.loc["乙", "decision"] == "eligible"
    assert "未提供历年帮扶记录" not in run.err


def test_history_with_an_unknown_measure_is_exit_2_naming_the_row(tmp_path, capsys):
    roster, survey = write_inputs(tmp_path)
    history = tmp_path / "history.csv"
    history.write_text(f"身份证号,帮扶项目,年份\n{IDS[0]},慰问品,2023\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["measures", "--roster", str(roster), "--survey", str(survey), "--as-of", "2024-09-30"]
    run = run_cli([*args, "--history", str(history), "--out", str(out)], capsys)
    assert run.code == 2
    assert "history.csv" in run.err and "第2行" in run.err and "慰问品" in run.err
    assert not out.exists()
