"""Injected time: every actor and the daemon read time through a `Clock`.

`SystemClock` is the real one. `ManualClock` is advanced by hand in tests and by the
scenario runner, so the same code runs on real and on virtual time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """The two readings of time the system needs."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale: for ages, timeouts and periods."""
        ...

    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """Real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Time that moves only when told to; safe to read from several threads."""

    def __init__(self, start: datetime | None = None, monotonic_s: float = 1000.0) -> None:
        self._lock = threading.Lock()
        self._start = start or datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
        if self._start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._origin_s = monotonic_s
        self._elapsed_s = 0.0

    def monotonic(self) -> float:
        with self._lock:
            return self._origin_s + self._elapsed_s

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed_s)

    def advance(self, seconds: float) -> None:
        """Move time forward; negative steps are refused (time is monotonic)."""
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards by {seconds} s")
        with self._lock:
            self._elapsed_s += seconds
