"""Run the fanpin CLI in-process through its real entry point (exit codes included)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from io import StringIO

import pytest

from fanpin.cli.app import main
from fanpin.cli.common import state


@dataclass
class CliRun:
    code: int
    out: str
    err: str


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> CliRun:
    old = sys.argv
    sys.argv = ["fanpin", *args]
    state.out.file = sys.stdout
    state.err.file = sys.stderr
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return CliRun(code, captured.out, captured.err)


def invoke(args: list[str]) -> CliRun:
    """Like run_cli, without pytest's capsys (usable from module-scoped fixtures)."""
    old = sys.argv, sys.stdout, sys.stderr
    out, err = StringIO(), StringIO()
    sys.argv, sys.stdout, sys.stderr = ["fanpin", *args], out, err
    state.out.file, state.err.file = out, err
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv, sys.stdout, sys.stderr = old
        state.out.file, state.err.file = sys.stdout, sys.stderr
    return CliRun(code, out.getvalue(), err.getvalue())
