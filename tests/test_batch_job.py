"""Job files: paths relative to the job, 'latest' quarter, patterns, every problem at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fanpin.batch.job import load_job, parse_fail_on, resolve_history_path
from fanpin.batch.runner import escalate_after
from fanpin.compare.quarter import Quarter
from fanpin.errors import ErrorCode, InputError
from fanpin.rules import default_rules_path, load_rules


def _write(folder: Path, text: str) -> Path:
    path = folder / "job.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _touch(*paths: Path) -> None:
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def test_job_paths_are_taken_from_the_job_folder(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    data = tmp_path / "data"
    _touch(data / "dpf_a.xlsx", data / "dibao.csv")
    jobs.mkdir()
    job = load_job(
        _write(
            jobs,
            'quarter = "2024Q3"\noutput_root = "../out"\nhistory = "../out/h.sqlite3"\n'
            '[inputs]\ndpf = ["../data/dpf_a.xlsx"]\ndibao = "../data/dibao.csv"\n',
        )
    )
    assert job.quarter == Quarter(2024, 3)
    assert job.inputs["dpf"] == [(data / "dpf_a.xlsx").resolve()]
    assert job.inputs["dibao"] == [(data / "dibao.csv").resolve()]
    assert job.out_dir == (tmp_path / "out" / "2024Q3").resolve()
    assert job.history_path == (tmp_path / "out" / "h.sqlite3").resolve()
    assert job.rules_path is None
    assert job.fail_on == ()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2024, 10, 5), Quarter(2024, 3)),  # Q4 has begun: Q3 is the last complete one
        (dt.date(2025, 1, 2), Quarter(2024, 4)),  # January: last year's Q4
        (dt.date(2024, 6, 30), Quarter(2024, 1)),  # Q2 not over on its last day
    ],
)
def test_latest_means_the_last_quarter_that_has_ended(
    tmp_path: Path, today: dt.date, expected: Quarter
) -> None:
    _touch(tmp_path / "d.csv")
    path = _write(
        tmp_path,
        'quarter = "latest"\noutput_root = "o"\nhistory = "h.db"\n[inputs]\ndpf = "d.csv"\n',
    )
    assert load_job(path, today=today).quarter == expected


def test_quarter_placeholder_and_glob_pick_that_quarters_files(tmp_path: Path) -> None:
    _touch(
        tmp_path / "in" / "2024Q3" / "dpf_b.xlsx",
        tmp_path / "in" / "2024Q3" / "dpf_a.xlsx",
        tmp_path / "in" / "2024Q3" / "notes.txt",
        tmp_path / "in" / "2024Q2" / "dpf_a.xlsx",
    )
    path = _write(
        tmp_path,
        'quarter = "latest"\noutput_root = "o"\nhistory = "h.db"\n'
        '[inputs]\ndpf = "in/{quarter}/dpf_*.xlsx"\n',
    )
    job = load_job(path, today=dt.date(2024, 11, 1))
    names = [p.relative_to(tmp_path.resolve()).as_posix() for p in job.inputs["dpf"]]
    assert names == ["in/2024Q3/dpf_a.xlsx", "in/2024Q3/dpf_b.xlsx"]


def test_quarter_override_replaces_the_job_quarter(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "2024Q2" / "d.csv")
    path = _write(
        tmp_path,
        'quarter = "2024Q3"\noutput_root = "o"\nhistory = "h.db"\n'
        '[inputs]\ndpf = "in/{quarter}/d.csv"\n',
    )
    job = load_job(path, quarter_override=Quarter(2024, 2))
    assert job.out_dir.name == "2024Q2"
    assert job.inputs["dpf"][0].parent.name == "2024Q2"


def test_every_job_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'quarter = "2024Q3"\noutput_root = "o"\ncolour = "red"\nfail_on = ["NOPE"]\n'
        '[inputs]\ndpf = "missing.xlsx"\nmonitor = "m/*.xlsx"\nroster = "r.csv"\n',
    )
    with pytest.raises(InputError) as info:
        load_job(path)
    problems = info.value.problems
    where = {(p.code, p.column) for p in problems}
    assert (ErrorCode.BAD_OPTION, "colour") in where
    assert (ErrorCode.BAD_OPTION, "inputs.roster") in where
    assert (ErrorCode.BAD_OPTION, "history") in where
    assert (ErrorCode.FILE_NOT_FOUND, "inputs.dpf") in where
    assert (ErrorCode.FILE_NOT_FOUND, "inputs.monitor") in where
    assert (ErrorCode.BAD_OPTION, "fail_on") in where
    assert all(p.file == "job.toml" for p in problems)


def test_job_without_dpf_is_refused(tmp_path: Path) -> None:
    _touch(tmp_path / "dibao.csv")
    path = _write(
        tmp_path,
        'quarter = "2024Q3"\noutput_root = "o"\nhistory = "h.db"\n[inputs]\ndibao = "dibao.csv"\n',
    )
    with pytest.raises(InputError, match="残联持证残疾人"):
        load_job(path)


def test_bad_quarter_names_the_job_file(tmp_path: Path) -> None:
    path = _write(tmp_path, 'quarter = "2024Q5"\n[inputs]\ndpf = "d.csv"\n')
    with pytest.raises(InputError) as info:
        load_job(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.column, problem.value) == ("job.toml", "quarter", "2024Q5")


def test_fail_on_accepts_commas_and_rejects_unknown_codes() -> None:
    assert parse_fail_on("deceased_paid, MISSING_DIBAO,") == ("DECEASED_PAID", "MISSING_DIBAO")
    with pytest.raises(InputError, match="不认识的问题代码"):
        parse_fail_on("DECEASED_PAID,ALL_GOOD")


def test_history_path_comes_from_db_option_or_job(tmp_path: Path) -> None:
    path = _write(tmp_path, 'history = "state/h.sqlite3"\n')
    assert resolve_history_path(None, path) == (tmp_path / "state" / "h.sqlite3").resolve()
    assert resolve_history_path(tmp_path / "x.db", path) == (tmp_path / "x.db").resolve()
    with pytest.raises(InputError, match="--db"):
        resolve_history_path(None, None)


def test_escalation_threshold_is_read_from_the_rules_file(tmp_path: Path) -> None:
    assert escalate_after(load_rules()) == 2
    text = default_rules_path().read_text(encoding="utf-8")
    bad = tmp_path / "rules.toml"
    bad.write_text(
        text.replace("escalate_after_quarters = 2", "escalate_after_quarters = 0"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="escalate_after_quarters"):
        escalate_after(load_rules(bad))
