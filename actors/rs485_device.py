"""What the meter and inverter actors share: peer names, data age and staleness."""

from __future__ import annotations

import dataclasses
from typing import Any

from loguru import logger

from connext.core.clock import Clock

from . import rs485_metrics as m

BUS = "modbus-bus"
SITE = "site-controller"


class StaleWatch:
    """Age of a device's last good reading; stale past `stale_after_s` (snapshot, metrics).

    The age metric is computed at scrape time from the clock, so it keeps growing while
    the device is silent, which is the point of it.
    """

    def __init__(self, address: str, stale_after_s: float, clock: Clock) -> None:
        self.address, self.stale_after_s, self.clock = address, stale_after_s, clock
        self.last_at_s: float | None = None
        self.stale = True
        m.DATA_AGE.labels(address=address).set_function(self._age_or_nan)
        m.STALE.labels(address=address).set(1)

    def seen(self, at_s: float) -> None:
        self.last_at_s = at_s
        self.check()

    def age_s(self) -> float | None:
        return None if self.last_at_s is None else self.clock.monotonic() - self.last_at_s

    def check(self) -> bool:
        """Update the flag; log when it flips."""
        age = self.age_s()
        stale = age is None or age > self.stale_after_s
        if stale != self.stale:
            if stale:
                logger.warning("device {}: data stale ({:.1f} s old)", self.address, age)
            else:
                logger.info("device {}: fresh data again", self.address)
        self.stale = stale
        m.STALE.labels(address=self.address).set(1 if stale else 0)
        return stale

    def forget(self) -> None:
        """The actor stops: nothing fresh comes from it any more."""
        m.STALE.labels(address=self.address).set(1)

    def _age_or_nan(self) -> float:
        age = self.age_s()
        return float("nan") if age is None else age

    def view(self) -> dict[str, Any]:
        age = self.age_s()
        return {"age_s": None if age is None else round(age, 3), "stale": self.check()}


def rounded(reading: object) -> dict[str, Any]:
    """A reading as a JSON-ready dict with readable numbers."""
    out: dict[str, Any] = {}
    for key, value in dataclasses.asdict(reading).items():  # type: ignore[call-overload]
        if isinstance(value, float):
            value = round(value, 3)
        elif isinstance(value, tuple):
            value = [round(v, 3) if isinstance(v, float) else v for v in value]
        out[key] = value
    return out
