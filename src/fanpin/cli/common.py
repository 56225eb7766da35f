"""Shared CLI state: console, logging set-up, error output. Only cli/ prints."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class _JsonFormatter(logging.Formatter):
    """One JSON object per line. Messages must never carry personal data."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            payload.update(extra)
        return json.dumps(payload, ensure_ascii=False)


def _console(stderr: bool) -> Console:
    """Rich console; when redirected to a file or a job log, wide enough for the tables."""
    probe = Console(stderr=stderr)
    width = None if probe.is_terminal else 120
    return Console(stderr=stderr, highlight=False, width=width)


@dataclass
class CliState:
    debug: bool = False
    log_json: bool = False
    out: Console = field(default_factory=lambda: _console(stderr=False))
    err: Console = field(default_factory=lambda: _console(stderr=True))

    def configure_logging(self, verbose: bool = False) -> None:
        """Attach one handler to the 'fanpin' logger only (never the root logger)."""
        logger = logging.getLogger("fanpin")
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        handler = logging.StreamHandler(sys.stderr)
        if self.log_json:
            handler.setFormatter(_JsonFormatter())
            level = logging.INFO
        else:
            handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            level = logging.INFO if verbose else logging.WARNING
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if verbose and self.debug else level)
        logger.propagate = False

    def error(self, message: str) -> None:
        self.err.print(f"[bold red]错误：[/]{escape(message)}")

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]注意：[/]{escape(message)}")

    @property
    def interactive(self) -> bool:
        return self.err.is_terminal and not self.log_json


state = CliState()


@contextmanager
def step_progress() -> Iterator[Callable[[str], None]]:
    """A spinner naming the current step, only on a terminal; yields the step callback."""
    if not state.interactive:
        yield lambda _name: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=state.err, transient=True) as progress:
        task = progress.add_task("开始", total=None)
        yield lambda name: progress.update(task, description=name)
