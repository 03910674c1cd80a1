"""Log a fault once per burst: the first failure, then one line when it clears."""

from __future__ import annotations

from loguru import logger


class BurstLog:
    """Counts failures of one kind; logs the first of a burst and the recovery."""

    def __init__(self, what: str, level: str = "WARNING") -> None:
        self.what, self.level = what, level
        self.in_burst = 0  # failures since the last success
        self.total = 0
        self.last: str | None = None

    def failed(self, why: str) -> None:
        self.total += 1
        self.in_burst += 1
        self.last = why
        if self.in_burst == 1:
            logger.log(self.level, "{}: {} (logged once until it recovers)", self.what, why)

    def ok(self) -> None:
        if self.in_burst:
            logger.info("{}: recovered after {} failure(s); last: {}", self.what, self.in_burst, self.last)
        self.in_burst = 0

    def view(self) -> dict[str, object]:
        return {"total": self.total, "in_a_row": self.in_burst, "last": self.last}
