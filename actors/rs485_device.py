"""What the meter and inverter actors share: the actor shell (register with the bus,
dispatch its results, watch staleness), peer names, data age."""

from __future__ import annotations

import dataclasses
from typing import Any

from loguru import logger

from connext.core.clock import Clock
from connext.protocols.modbus_map import Block
from connext.protocols.poll_plan import PollSpec

from . import rs485_metrics as m
from .base import ActorContext, ConnextActor
from .burst_log import BurstLog
from .messages import BlockFailed, BlockRead, RegisterPolls, Tick

BUS = "modbus-bus"
SITE = "site-controller"
STALE_CHECKS = 6  # stale checks per stale_after_s while a device is silent
MIN_STALE_CHECK_S = 0.25


class StaleWatch:
    """Age of a device's last good reading; stale past `stale_after_s` (snapshot, metrics).

    The age metric is computed at scrape time from the clock, so it keeps growing while
    the device is silent, which is the point of it.
    """

    def __init__(self, address: str, stale_after_s: float, clock: Clock, what: str = "device") -> None:
        self.address, self.stale_after_s, self.clock = address, stale_after_s, clock
        self.what = f"{what} {address}"
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
                logger.warning("{}: data stale ({:.1f} s old)", self.what, age)
            else:
                logger.info("{}: data fresh", self.what)
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


class Rs485DeviceActor(ConnextActor):
    """A device on the bus. Subclasses give `polls()` and handle `on_block(...)`."""

    kind = "device"

    def __init__(self, ctx: ActorContext, unit: int, stale_after_s: float) -> None:
        super().__init__(ctx)
        self.unit, self.address = unit, str(unit)
        # a silent device's flag flips at most a sixth of its stale time late (the meter's
        # 3 s: 0.5 s; an inverter's 15 s: 2.5 s); the site controller judges by `at_s` itself
        self.stale_check_s = max(MIN_STALE_CHECK_S, stale_after_s / STALE_CHECKS)
        self.rejected = BurstLog(f"{self.kind} {unit}: implausible reading rejected")
        self.bus_errors = BurstLog(f"{self.kind} {unit}: no reading", level="ERROR")
        self.stale = StaleWatch(self.address, stale_after_s, self.clock, self.kind)

    def polls(self) -> tuple[PollSpec, ...]:
        raise NotImplementedError

    def on_block(self, poll: str, block: Block, registers: tuple[int, ...], at_s: float) -> None:
        raise NotImplementedError

    def on_start(self) -> None:
        me = self.ctx.address(self.name)
        self.ctx.address(BUS).tell(RegisterPolls(self.unit, self.polls(), me))
        if self.ctx.ticker:
            self.ctx.ticker.every(f"{self.name}:stale", self.stale_check_s, me, Tick("stale"), self.stale_check_s)

    def fresh(self, at_s: float) -> None:
        """A good reading read at `at_s`: fresh data, and no stale check before the next one
        could be due (while readings flow, the actor is not woken for nothing)."""
        self.stale.seen(at_s)
        if self.ctx.ticker:
            self.ctx.ticker.postpone(f"{self.name}:stale", at_s + self.stale_check_s)

    def on_stop(self) -> None:
        if self.ctx.ticker:
            self.ctx.ticker.cancel(f"{self.name}:stale")
        self.stale.forget()

    def receive(self, message: Any) -> Any:
        match message:
            case BlockRead(poll=poll, block=block, registers=registers, at_s=at_s):
                self.bus_errors.ok()
                self.on_block(poll, block, registers, at_s)
            case BlockFailed(poll=poll, error=error, detail=detail):
                self.bus_errors.failed(f"{poll}: {error} {detail}".strip())
            case Tick():
                self.stale.check()
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")

    def reject(self, why: str) -> None:
        m.REJECTED.labels(address=self.address).inc()
        self.rejected.failed(why)

    def health(self) -> dict[str, Any]:
        """The snapshot part every device has."""
        return {**self.stale.view(), "rejected": self.rejected.view(), "bus_errors": self.bus_errors.view()}


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
