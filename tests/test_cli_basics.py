"""CLI behaviour common to all commands: help in Chinese, exit codes, bad options."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanpin.cli.app import app
from tests.cli_helpers import run_cli


def test_top_level_help_is_chinese_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["--help"], capsys)
    assert run.code == 0
    assert "三方比对" in run.out and "示例" in run.out


def test_every_command_has_chinese_help_with_an_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert "compare" in names
    for name in names:
        run = run_cli([name, "--help"], capsys)
        assert run.code == 0, name
        assert "示例" in run.out, f"{name} 的帮助缺少示例"


def test_unknown_quarter_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dpf = tmp_path / "dpf.csv"
    dpf.write_text("姓名,公民身份号码\n张三,140105198003150018\n", encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli(["compare", "--dpf", str(dpf), "--quarter", "2024Q5", "--out", str(out)], capsys)
    assert run.code == 2
    assert "季度格式不对" in run.err and "2024Q5" in run.err
    assert not out.exists()


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["compare", "--no-such-option"], capsys).code == 2


def test_missing_required_option_is_told_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["compare", "--dpf", "x.xlsx"], capsys)
    assert run.code == 2
    assert "缺少必填的选项" in run.err and "--quarter" in run.err


def test_help_option_text_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["compare", "--help"], capsys)
    assert "显示本帮助并退出" in run.out
    assert "Show this message" not in run.out


def test_folder_and_pattern_stand_for_their_data_files(tmp_path: Path) -> None:
    from fanpin.cli.inputs import expand_inputs

    (tmp_path / "a.xlsx").write_bytes(b"x")
    (tmp_path / "b.csv").write_bytes(b"x")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / "notes.docx").write_bytes(b"x")
    assert [p.name for p in expand_inputs([tmp_path], "--dpf")] == ["a.xlsx", "b.csv"]
    pattern = tmp_path / "*.xlsx"
    assert [p.name for p in expand_inputs([pattern], "--dpf")] == ["a.xlsx"]
    # The same file twice is read once.
    same = [tmp_path / "a.xlsx", tmp_path / "a.xlsx"]
    assert len(expand_inputs(same, "--dpf")) == 1


def test_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    from fanpin.cli.inputs import expand_inputs
    from fanpin.errors import InputError

    with pytest.raises(InputError, match="文件夹中没有数据文件"):
        expand_inputs([tmp_path], "--dibao")
