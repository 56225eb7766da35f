"""A lock per output quarter directory, saying who holds it.

The lock file sits beside the quarter directory (OUTPUT_ROOT/.2024Q3.lock), never inside it,
because the quarter directory itself is swapped on success. Mutual exclusion comes from an
OS file lock (fcntl.flock on POSIX, msvcrt.locking on Windows), which the kernel releases
when the holder dies, even on kill -9. The file's content (pid, host, start time) only
tells a refused run who holds it, and tells the next holder that an earlier one died.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fanpin.errors import LockedError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# Windows byte-range locks are mandatory: lock a byte far past the holder text so that a
# refused run can still read who holds it.
_WIN_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    started: str  # ISO time, local
    purpose: str = ""

    def describe(self) -> str:
        return f"进程 {self.pid}（主机 {self.host}，开始于 {self.started}）"


def lock_path_for(out_dir: Path) -> Path:
    """OUTPUT_ROOT/2024Q3 -> OUTPUT_ROOT/.2024Q3.lock"""
    return out_dir.parent / f".{out_dir.name}.lock"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (POSIX; assumed alive elsewhere)."""
    if pid <= 0:
        return False
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) would terminate it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_holder(path: Path) -> LockHolder | None:
    """The holder recorded in a lock file, or None when empty or unreadable."""
    try:
        text = path.read_text(encoding="utf-8").strip("\x00 \n")
        data = json.loads(text) if text else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return LockHolder(
            pid=int(data["pid"]),
            host=str(data["host"]),
            started=str(data["started"]),
            purpose=str(data.get("purpose", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _try_os_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt  # pragma: no cover - Windows

    os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)  # pragma: no cover
    try:  # pragma: no cover
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    except OSError:  # pragma: no cover
        return False
    return True  # pragma: no cover


def _same_file(fd: int, path: Path) -> bool:
    """The path still names the file we locked (not unlinked and re-created meanwhile)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


class QuarterLock:
    """Exclusive lock on one output quarter directory. Use as a context manager."""

    def __init__(self, out_dir: Path, purpose: str = "fanpin run") -> None:
        self.out_dir = out_dir
        self.path = lock_path_for(out_dir)
        self.purpose = purpose
        self.fd: int | None = None
        self.stale_holder: LockHolder | None = None

    def acquire(self) -> QuarterLock:
        """Take the lock or raise LockedError naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _try_os_lock(fd):
                os.close(fd)
                raise LockedError(self._refusal())
            if _same_file(fd, self.path):
                self.fd = fd
                break
            os.close(fd)  # lost a race with a releasing holder; open the new file
        else:  # pragma: no cover - needs five lost races in a row
            raise LockedError(f"无法获得季度目录“{self.out_dir.name}”的锁，请稍后再试")

        # Whatever a previous holder left behind belongs to a process that has ended.
        previous = read_holder(self.path)
        if previous is not None:
            self.stale_holder = previous
            log.warning(
                "stale lock taken over",
                extra={
                    "fields": {
                        "lock": self.path.name,
                        "stale_pid": previous.pid,
                        "stale_pid_alive": pid_alive(previous.pid),
                    }
                },
            )
        self._write_holder()
        return self

    def _refusal(self) -> str:
        holder = read_holder(self.path)
        who = holder.describe() if holder else "另一个进程"
        return (
            f"季度目录“{self.out_dir.name}”正被{who}使用（锁文件 {self.path}）。"
            "请等它结束后再运行；两个任务不能同时写同一季度。"
        )

    def _write_holder(self) -> None:
        assert self.fd is not None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "purpose": self.purpose,
        }
        data = json.dumps(holder, ensure_ascii=False).encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.write(self.fd, data)
        os.fsync(self.fd)

    def release(self) -> None:
        """Remove the lock file, then drop the OS lock (closing the descriptor)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if _same_file(self.fd, self.path):
                os.unlink(self.path)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> QuarterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def quarter_lock(out_dir: Path, purpose: str = "fanpin run") -> Iterator[QuarterLock]:
    """`with quarter_lock(root / "2024Q3"):` — raises LockedError when another run holds it."""
    lock = QuarterLock(out_dir, purpose).acquire()
    try:
        yield lock
    finally:
        lock.release()
