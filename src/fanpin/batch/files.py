"""Writing a single output file atomically: a temporary file beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(out: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temporary path in out's folder, then rename it to `out`.
    A crash leaves either the old file or the new one, never half of one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
