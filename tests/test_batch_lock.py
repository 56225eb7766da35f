"""The quarter lock: one writer at a time, the refusal names the holder, a dead holder's lock
is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fanpin.batch.lock import QuarterLock, lock_path_for, pid_alive, read_holder
from fanpin.errors import LockedError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="uses fork/kill semantics of POSIX")

_HOLD = """
import sys, time
from pathlib import Path
from fanpin.batch.lock import QuarterLock
lock = QuarterLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def _holder(out_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(out_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_lock_is_refused_and_names_the_holder(tmp_path: Path) -> None:
    out_dir = tmp_path / "2024Q3"
    proc = _holder(out_dir)
    try:
        with pytest.raises(LockedError) as info:
            QuarterLock(out_dir).acquire()
        assert f"进程 {proc.pid}" in str(info.value)
        assert "2024Q3" in str(info.value)
    finally:
        proc.kill()
        proc.wait()


def test_lock_of_a_killed_run_is_taken_over_as_stale(tmp_path: Path) -> None:
    out_dir = tmp_path / "2024Q3"
    proc = _holder(out_dir)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert lock_path_for(out_dir).exists()  # kill -9 leaves the file behind
    with QuarterLock(out_dir) as lock:
        assert lock.stale_holder is not None
        assert lock.stale_holder.pid == proc.pid
        assert not pid_alive(proc.pid)
        holder = read_holder(lock.path)
        assert holder is not None and holder.pid == os.getpid()


def test_released_lock_leaves_no_file_and_can_be_taken_again(tmp_path: Path) -> None:
    out_dir = tmp_path / "2024Q3"
    with QuarterLock(out_dir) as lock:
        assert lock.stale_holder is None
        assert lock.path == tmp_path / ".2024Q3.lock"
        assert lock.path.stat().st_mode & 0o777 == 0o600
    assert not lock.path.exists()
    with QuarterLock(out_dir) as again:
        assert again.stale_holder is None


def test_lock_file_naming_a_finished_process_does_not_block(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(done.stdout)
    out_dir = tmp_path / "2024Q3"
    lock_path_for(out_dir).write_text(
        json.dumps({"pid": pid, "host": "h", "started": "2024-10-01T02:00:00"}),
        encoding="utf-8",
    )
    with QuarterLock(out_dir) as lock:
        assert lock.stale_holder is not None and lock.stale_holder.pid == pid


def test_locks_of_different_quarters_do_not_interfere(tmp_path: Path) -> None:
    with QuarterLock(tmp_path / "2024Q2"), QuarterLock(tmp_path / "2024Q3") as second:
        assert second.fd is not None
