"""`fanpin run` quarter after quarter: changes and escalation against hand-worked
expectations (see tests/batch_quarters.py), county feedback flowing into the next quarter,
byte-identical re-runs, a refused concurrent run, and runs killed part-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fanpin.batch.feedback import read_feedback, record_feedback
from fanpin.batch.history import open_history
from fanpin.batch.job import load_job
from fanpin.batch.runner import BATCH_FILE, read_token, run_job
from tests.batch_quarters import (
    EXPECTED_Q2,
    EXPECTED_Q3,
    P1,
    P2,
    P3,
    P4,
    P5,
    P6,
    P6_TYPO,
    P7,
    write_job,
)
from tests.cli_helpers import run_cli

CIVIL_BOOK = "民政_应保尽保排查名单.xlsx"
DPF_BOOK = "残联_数据质量问题清单.xlsx"
P6_KEY = f"raw:{P6_TYPO}|孙六"


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["id_number"], frame["code"], strict=True))


def _answer(book_path: Path, out: Path, answers: dict[tuple[str, str], tuple[str, str]]) -> Path:
    """A county's copy of a list with 核查结果 and 备注 filled in for (ID, code) rows."""
    shutil.copy(book_path, out)
    book = openpyxl.load_workbook(out)
    sheet = book["清单"]
    header = [c.value for c in sheet[1]]
    code, pid, answer = (header.index(n) for n in ("问题代码", "公民身份号码", "核查结果"))
    note = header.index("备注/正确身份证号")
    for row in sheet.iter_rows(min_row=2):
        key = (row[pid].value, row[code].value)
        if key in answers:
            row[answer].value, row[note].value = answers[key]
    book.save(out)
    return out


def _quarter_two_with_feedback(root: Path) -> Path:
    """Run 2024Q2, record the counties' answers to its lists; return the 2024Q3 job."""
    run_job(load_job(write_job(root, "2024Q2")))
    q2 = root / "out" / "2024Q2"
    returned = root / "returned"
    returned.mkdir()
    civil = _answer(
        q2 / CIVIL_BOOK,
        returned / "民政_太原.xlsx",
        {
            (P1, "MISSING_DIBAO"): ("已纳入低保", ""),
            (P2, "MISSING_LIVING_SUBSIDY"): ("已发放补贴", "7月补发"),
            (P4, "DECEASED_PAID"): ("已死亡", ""),
        },
    )
    dpf = _answer(
        q2 / DPF_BOOK,
        returned / "残联_太原.xlsx",
        {(P6_TYPO, "INVALID_ID"): ("信息有误", f"正确身份证号：{P6}")},
    )
    with open_history(root / "state" / "history.sqlite3") as db:
        report = record_feedback(db, read_feedback([civil, dpf]))
    assert (report.answers, report.corrections, report.unmatched) == (4, 1, 0)
    return write_job(root, "2024Q3")


@pytest.fixture(scope="module")
def two_quarters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("job")
    run_job(load_job(_quarter_two_with_feedback(root)))
    return root


def test_each_quarter_finds_what_the_rules_say(two_quarters: Path) -> None:
    out = two_quarters / "out"
    assert _pairs(_csv(out / "2024Q2" / "findings.csv")) == EXPECTED_Q2
    # P6 is linked through the county's corrected ID, so his INVALID_ID is gone.
    assert _pairs(_csv(out / "2024Q3" / "findings.csv")) == EXPECTED_Q3
    roster = _csv(out / "2024Q3" / "roster.csv")
    assert set(roster["公民身份号码"]) == {P1, P2, P6, P7}  # P5 died


def test_changes_match_the_hand_worked_diff(two_quarters: Path) -> None:
    changes = _csv(two_quarters / "out" / "2024Q3" / "changes.csv")
    got = set(
        zip(
            changes["change"],
            changes["person_key"],
            changes["code"],
            changes["quarters_open"],
            strict=True,
        )
    )
    assert got == {
        ("new", P5, "DECEASED_PAID", "1"),
        ("new", P7, "NEW_RISK_DISABLED", "1"),
        ("new", P7, "MISSING_DIBAO", "1"),
        ("new", P7, "MISSING_CARE_SUBSIDY", "1"),
        ("open", P1, "MISSING_DIBAO", "2"),
        ("open", P1, "MISSING_CARE_SUBSIDY", "2"),
        ("resolved", P2, "MISSING_LIVING_SUBSIDY", ""),
        ("resolved", P3, "NOT_MONITORED_SEVERE", ""),
        ("resolved", P4, "DECEASED_PAID", ""),
        ("resolved", P6_KEY, "INVALID_ID", ""),
        ("resolved", P6_KEY, "SUSPECTED_ID_TYPO", ""),
    }
    escalated = changes[changes["escalate"] == "True"]
    assert set(zip(escalated["person_key"], escalated["code"], strict=True)) == {
        (P1, "MISSING_DIBAO"),
        (P1, "MISSING_CARE_SUBSIDY"),
    }


def test_county_answer_shows_beside_the_persisting_finding(two_quarters: Path) -> None:
    changes = _csv(two_quarters / "out" / "2024Q3" / "changes.csv").set_index(
        ["person_key", "code"]
    )
    assert changes.at[(P1, "MISSING_DIBAO"), "feedback_text"] == (
        "县里已答复已纳入低保，但本季度低保名单中仍无此人"
    )
    assert changes.at[(P1, "MISSING_CARE_SUBSIDY"), "feedback_answer"] == ""
    assert changes.at[(P2, "MISSING_LIVING_SUBSIDY"), "feedback_answer"] == "已发放补贴"
    assert changes.at[(P2, "MISSING_LIVING_SUBSIDY"), "feedback_note"] == "7月补发"
    assert changes.at[(P6_KEY, "INVALID_ID"), "feedback_answer"] == "信息有误"


def test_changes_workbook_has_the_four_lists(two_quarters: Path) -> None:
    book = openpyxl.load_workbook(two_quarters / "out" / "2024Q3" / "变化.xlsx")
    assert book.sheetnames == ["汇总", "新增", "持续", "已解决", "督办"]
    assert book["汇总"]["A1"].value == "2024Q3 比对结果变化（与 2024Q2 相比）"
    counts = {name: book[name].max_row - 1 for name in ("新增", "持续", "已解决", "督办")}
    assert counts == {"新增": 4, "持续": 2, "已解决": 5, "督办": 2}
    urgent = book["督办"]
    header = [c.value for c in urgent[1]]
    assert header[:4] == ["序号", "变化", "持续季度数", "首次出现季度"]
    assert header[-2:] == ["核查结果", "备注/正确身份证号"]  # can go down and come back
    first = {h: c.value for h, c in zip(header, urgent[2], strict=True)}
    assert (first["变化"], first["持续季度数"], first["首次出现季度"]) == ("持续", 2, "2024Q2")
    assert first["公民身份号码"] == P1
    assert urgent["A2"].value == 1


def test_history_records_both_runs_with_input_hashes(two_quarters: Path) -> None:
    with open_history(two_quarters / "state" / "history.sqlite3") as db:
        runs = db.runs()
        assert runs["quarter"].tolist() == ["2024Q2", "2024Q3"]
        assert runs["findings_count"].astype(int).tolist() == [7, 6]
        # Q2: P1, P2, P5, and P6 through near-miss linking; Q3: P1, P2, P6, P7 (P5 died).
        assert runs["roster_count"].astype(int).tolist() == [4, 4]
        inputs = db.run_inputs(int(runs["run_id"].iloc[1]))
        assert sorted(inputs["kind"]) == ["dibao", "dpf", "monitor", "subsidy"]
        assert all(len(h) == 64 for h in inputs["sha256"])
        assert db.pending_runs() == []
    manifest = json.loads((two_quarters / "out" / "2024Q3" / "manifest.json").read_text("utf-8"))
    assert manifest["batch"]["previous_quarter"] == "2024Q2"
    assert manifest["batch"]["corrections_used"] == 1


def test_rerun_on_same_inputs_is_byte_identical(tmp_path: Path) -> None:
    job = load_job(_quarter_two_with_feedback(tmp_path))
    out = job.out_dir
    run_job(job)
    first = {
        name: (out / name).read_bytes() for name in ("findings.csv", "changes.csv", "roster.csv")
    }
    books = {p.name: _cells(p) for p in out.glob("*.xlsx")}
    run_job(job)
    for name, data in first.items():
        assert (out / name).read_bytes() == data, name
    assert {p.name: _cells(p) for p in out.glob("*.xlsx")} == books
    assert len(books) == 4


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path)
    return {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}


# ---------------------------------------------------------------- CLI, exit codes, logs


def test_cli_run_fail_on_exits_3_and_logs_no_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(tmp_path, "2024Q2")
    run = run_cli(["--log-json", "run", str(job), "--fail-on", "DECEASED_PAID"], capsys)
    assert run.code == 3
    events = [json.loads(line) for line in run.err.splitlines() if line.startswith("{")]
    names = [e["event"] for e in events]
    assert "job loaded" in names and "run finished" in names
    finished = next(e for e in events if e["event"] == "run finished")
    assert finished["fail_on_found"] == {"DECEASED_PAID": 1}
    assert finished["new"] == 7
    for person in (P1, P2, P3, P4, P5, P6, P6_TYPO):
        assert person not in run.err and person[6:14] not in run.err
    assert "张一" not in run.err

    again = run_cli(["run", str(job)], capsys)
    assert again.code == 0


def test_cli_history_runs_and_diff(two_quarters: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = str(two_quarters / "job.toml")
    masked = run_cli(["history", P1, "--job", job], capsys)
    assert masked.code == 0
    assert "MISSING_DIBAO" in masked.out and "2024Q2" in masked.out and "2024Q3" in masked.out
    assert P1 not in masked.out and "张一" not in masked.out
    assert "已纳入低保" in masked.out
    plain = run_cli(["history", P1, "--job", job, "--unmask"], capsys)
    assert P1 in plain.out and "张一" in plain.out

    runs = run_cli(["runs", "--job", job], capsys)
    assert runs.code == 0 and "2024Q2" in runs.out and "2024Q3" in runs.out

    out = two_quarters / "diff.csv"
    diff = run_cli(["diff", "2024Q2", "2024Q3", "--job", job, "--out", str(out)], capsys)
    assert diff.code == 0
    assert _csv(out).equals(_csv(two_quarters / "out" / "2024Q3" / "changes.csv"))
    missing = run_cli(["diff", "2024Q1", "2024Q3", "--job", job], capsys)
    assert missing.code == 2 and "2024Q1" in missing.err


def test_cli_runs_delete_purges_a_quarter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(tmp_path, "2024Q2")
    run_job(load_job(job))
    out = tmp_path / "out" / "2024Q2"
    run = run_cli(["runs", "--job", str(job), "--delete", "2024Q2", "--outputs", "--yes"], capsys)
    assert run.code == 0, run.err
    assert "运行 1 次" in run.out
    assert not out.exists()
    with open_history(tmp_path / "state" / "history.sqlite3") as db:
        assert db.runs().empty
        assert db.person_findings(P1).empty


# ---------------------------------------------------------------- concurrency and crashes

_STAGED_THEN_WAIT = """
import sys, time
from pathlib import Path
from fanpin.batch.job import load_job
from fanpin.batch.runner import run_job

def wait(staging):
    print("staged", flush=True)
    time.sleep(120)

run_job(load_job(Path(sys.argv[1])), after_extra=wait)
"""


def _start_staged_run(job: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _STAGED_THEN_WAIT, str(job)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "staged"
    return proc


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_concurrent_run_is_refused_and_a_killed_run_leaves_the_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write_job(tmp_path, "2024Q2")
    run_job(load_job(job))
    out = tmp_path / "out" / "2024Q2"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    token = read_token(out)

    # A second run while the first is writing is refused, naming the holder.
    proc = _start_staged_run(job)
    try:
        refused = run_cli(["run", str(job)], capsys)
        assert refused.code == 2
        assert f"进程 {proc.pid}" in refused.err
    finally:
        proc.send_signal(signal.SIGKILL)  # killed after its run was recorded as pending
        proc.wait()

    # The previous output is intact; the killed run is pending, not visible.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    with open_history(tmp_path / "state" / "history.sqlite3") as db:
        assert len(db.runs()) == 1
        assert len(db.pending_runs()) == 1

    # The next run settles it (its swap never happened: discarded) and succeeds.
    outcome = run_job(load_job(job))
    assert any("已从历史中撤销" in note for note in outcome.settled)
    assert outcome.stale_lock is not None and outcome.stale_lock.pid == proc.pid
    assert read_token(out) not in (None, token)
    with open_history(tmp_path / "state" / "history.sqlite3") as db:
        assert len(db.runs()) == 2 and db.pending_runs() == []
    # The killed run's staging copy (unmasked personal data) is gone too.
    assert list((tmp_path / "out").glob(".2024Q2.staging-*")) == []


def test_failure_inside_staging_keeps_previous_output_and_history(tmp_path: Path) -> None:
    job = load_job(write_job(tmp_path, "2024Q2"))
    run_job(job)
    before = (job.out_dir / "findings.csv").read_bytes()
    token = read_token(job.out_dir)

    def boom(staging: Path) -> None:
        assert (staging / "changes.csv").exists() and (staging / BATCH_FILE).exists()
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_job(job, after_extra=boom)
    assert (job.out_dir / "findings.csv").read_bytes() == before
    assert read_token(job.out_dir) == token
    with open_history(job.history_path) as db:
        assert len(db.runs()) == 1 and db.pending_runs() == []


_DIE_BEFORE_CONFIRM = """
import os, sys
from pathlib import Path
from fanpin.batch import history
from fanpin.batch.job import load_job
from fanpin.batch.runner import run_job

history.HistoryDB.confirm_run = lambda *a, **k: os._exit(9)  # crash right after the swap
run_job(load_job(Path(sys.argv[1])))
"""


def test_crash_between_swap_and_commit_is_recorded_at_next_start(tmp_path: Path) -> None:
    job = write_job(tmp_path, "2024Q2")
    done = subprocess.run(
        [sys.executable, "-c", _DIE_BEFORE_CONFIRM, str(job)],
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )
    assert done.returncode == 9
    out = tmp_path / "out" / "2024Q2"
    crashed_token = read_token(out)
    assert crashed_token is not None  # the new output is in place
    with open_history(tmp_path / "state" / "history.sqlite3") as db:
        assert db.runs().empty and len(db.pending_runs()) == 1

    outcome = run_job(load_job(job))
    assert any("已补记入历史" in note for note in outcome.settled)
    with open_history(tmp_path / "state" / "history.sqlite3") as db:
        assert len(db.runs()) == 2 and db.pending_runs() == []


def test_escalation_sheet_can_be_answered_like_a_list(two_quarters: Path, tmp_path: Path) -> None:
    book_path = tmp_path / "督办_返回.xlsx"
    shutil.copy(two_quarters / "out" / "2024Q3" / "变化.xlsx", book_path)
    book = openpyxl.load_workbook(book_path)
    sheet = book["督办"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("核查结果") + 1, value="不符合条件")
    book.save(book_path)
    batch = read_feedback([book_path])
    assert batch.answers[["quarter", "person_key", "answer"]].values.tolist() == [
        ["2024Q3", P1, "不符合条件"]
    ]


def test_masked_job_masks_outputs_but_history_keeps_full_ids(tmp_path: Path) -> None:
    job = load_job(write_job(tmp_path, "2024Q2", extra="mask = true"))
    run_job(job)
    changes = _csv(job.out_dir / "changes.csv")
    assert P1 not in set(changes["id_number"]) and P1 not in set(changes["person_key"])
    assert P1[:4] + "*" * 10 + P1[-4:] in set(changes["id_number"])
    findings = _csv(job.out_dir / "findings.csv")
    assert P1 not in set(findings["id_number"])
    with open_history(job.history_path) as db:
        assert set(db.person_findings(P1)["code"]) == {"MISSING_DIBAO", "MISSING_CARE_SUBSIDY"}


def test_sample_job_file_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    if not (root / "sample_data" / "dpf_taiyuan.xlsx").exists():
        pytest.skip("sample_data/ 尚未生成（由样例数据生成器提供）")
    job = load_job(root / "jobs" / "sample_job.toml")
    assert job.quarter.label == "2024Q3"
    assert [p.name for p in job.inputs["dpf"]] == [
        "dpf_taiyuan.xlsx",
        "dpf_datong.xls",
        "dpf_others.csv",
    ]
    assert job.out_dir == (root / "out" / "jobs" / "2024Q3").resolve()
    assert job.history_path == (root / "out" / "jobs" / "history.sqlite3").resolve()


def test_rerun_on_a_changed_input_names_the_file(tmp_path: Path) -> None:
    job = load_job(write_job(tmp_path, "2024Q2"))
    assert run_job(job).changed_inputs == []
    assert run_job(job).changed_inputs == []
    dibao = tmp_path / "data" / "2024Q2" / "dibao.csv"
    dibao.write_text(dibao.read_text(encoding="utf-8-sig") + "\n", encoding="utf-8-sig")
    assert run_job(job).changed_inputs == ["dibao.csv"]
