"""The one thread that paces periodic work: it tells `Tick`s, actors never sleep.

A job is keyed, so an actor that registers its ticks again after a restart replaces
its old job instead of doubling it. Ticks go to an `Address`, so they reach whichever
incarnation of the actor is alive (and are dropped while it is down).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from dataclasses import dataclass, field

from loguru import logger

from connext.core.clock import Clock

from .directory import Address

QUIET_PERIODS = 1.5  # a sign of life that comes every period postpones a watchdog tick this many periods


@dataclass(order=True)
class _Job:
    due_s: float
    seq: int
    key: str = field(compare=False)
    period_s: float = field(compare=False)
    address: Address = field(compare=False)
    message: object = field(compare=False)
    cancelled: bool = field(default=False, compare=False)
    quiet_until_s: float = field(default=0.0, compare=False)  # see Ticker.postpone


class Ticker:
    """Sends `message` to `address` every `period_s` seconds of the clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[_Job] = []
        self._jobs: dict[str, _Job] = {}
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def every(self, key: str, period_s: float, address: Address, message: object, first_in_s: float = 0.0) -> None:
        """Register (or replace) the job `key`."""
        if period_s <= 0:
            raise ValueError(f"ticker job {key!r}: period must be > 0, got {period_s}")
        with self._lock:
            old = self._jobs.get(key)
            if old is not None:
                old.cancelled = True
            job = _Job(self._clock.monotonic() + first_in_s, next(self._seq), key, period_s, address, message)
            self._jobs[key] = job
            heapq.heappush(self._heap, job)
            earliest = self._heap[0] is job
        if earliest:  # else the thread wakes before this job is due anyway
            self._wake.set()

    def postpone(self, key: str, until_s: float) -> None:
        """No tick of job `key` before `until_s` (clock time): a tick that falls due earlier
        moves on without being sent. For a watchdog that each sign of life pushes back."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                job.quiet_until_s = until_s

    def cancel(self, key: str) -> None:
        with self._lock:
            job = self._jobs.pop(key, None)
            if job is not None:
                job.cancelled = True

    def jobs(self) -> dict[str, float]:
        """key -> period, for snapshots."""
        with self._lock:
            return {k: j.period_s for k, j in self._jobs.items()}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="connext-ticker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stopping.is_set():
            for job in self._pop_due():
                job.address.tell(job.message)
            self._wake.wait(timeout=self._seconds_to_next())
            self._wake.clear()

    def _pop_due(self) -> list[_Job]:
        now = self._clock.monotonic()
        due: list[_Job] = []
        with self._lock:
            while self._heap and (self._heap[0].cancelled or self._heap[0].due_s <= now):
                job = heapq.heappop(self._heap)
                if job.cancelled:
                    continue
                if now < job.quiet_until_s:  # postponed: due again when its quiet time ends
                    job.due_s = job.quiet_until_s
                else:
                    due.append(job)
                    # skip missed periods instead of bursting to catch up
                    job.due_s = max(job.due_s + job.period_s, now + job.period_s * 0.5)
                job.seq = next(self._seq)
                heapq.heappush(self._heap, job)
        if len(due) > 100:
            logger.warning("ticker: {} jobs due at once", len(due))
        return due

    def _seconds_to_next(self) -> float:
        with self._lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            if not self._heap:
                return 1.0
            return max(0.0, min(1.0, self._heap[0].due_s - self._clock.monotonic()))
