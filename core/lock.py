"""One daemon per state dir: an exclusive `flock` on `<state_dir>/connext.lock`.

The kernel drops the lock when the process dies, so a `kill -9` never leaves a stale
lock behind; the file holds the owner's pid for the refusal message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process holds the state-dir lock."""


class StateDirLock:
    def __init__(self, state_dir: str | Path) -> None:
        self.path = Path(state_dir) / "connext.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another connext (pid {owner}) is running on state dir {self.path.parent}; "
                "stop it first or give this one another state_dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
