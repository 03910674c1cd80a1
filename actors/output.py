"""One output (a digital output or a relay): the contact, its relay protection and
its safe state.

Physical mapping (SPEC §1): output 1 = DO1 (terminal 3), output 2 = DO2 (terminal
2), output 3 = relay 2 (16/17/18), output 4 = relay 1 (13/14/15).

- The contact never chatters: after a switch it stays put for `min_on_s` (closed)
  or `min_off_s` (open); a wanted switch inside that time is held, then applied.
- Safe state (`safe_state` of the config): at start, on shutdown (at once, the one
  switch that skips the minimum time: the process is ending), when the controller's
  `SwitchOutput` commands stop for `stale_after_s`, and while the output controller
  is degraded. On stop and on a crash the contact is put in its safe state too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loguru import logger

from connext.core.config import OutputConfig
from connext.core.hw import HardwareError
from connext.core.hw.open import open_contact
from connext.core.hw.sim import SimBoard
from connext.core.hw.sysfs import GPIO_ROOT

from . import io_metrics as m
from .base import ActorContext, ConnextActor
from .messages import SwitchOutput, Tick
from .ticker import QUIET_PERIODS

CONTROLLER = "output-controller"
TICK_S = 1.0
TERMINALS = {
    1: "DO1, terminal 3",
    2: "DO2, terminal 2",
    3: "relay 2, terminals 16/17/18",
    4: "relay 1, terminals 13/14/15",
}


class OutputActor(ConnextActor):
    """Owns one contact; obeys `SwitchOutput` within its relay protection."""

    def __init__(
        self, ctx: ActorContext, output: OutputConfig, board: SimBoard | None = None, gpio_root: Path = GPIO_ROOT
    ) -> None:
        super().__init__(ctx)
        self.cfg, self.board, self.gpio_root = output, board, gpio_root
        self.label = str(output.number)
        self.safe_closed = output.safe_state == "closed"
        self.closed = self.safe_closed
        self.switched_at_s = self.clock.monotonic()
        self.switched_at = self.clock.now()
        self.wanted, self.reason = self.safe_closed, "start"
        self.commanded_at_s: float | None = None
        self.controller_degraded = False
        self.halted = False  # after EnterSafeState: obey nothing any more
        self.switches = 0

    def on_start(self) -> None:
        for counter in (m.OUTPUT_SWITCHES, m.OUTPUT_ERRORS):
            counter.labels(output=self.label)  # the series exist (at 0) before the first event
        self.contact = open_contact(self.cfg, self.board, self.gpio_root)
        self.contact.set(self.closed)  # a fresh process does not know the contact: start safe
        self.commanded_at_s = self.clock.monotonic()
        self._publish(held=False)
        if self.ctx.ticker:
            self.ctx.ticker.every(self.name, TICK_S, self.ctx.address(self.name), Tick())

    def on_stop(self) -> None:
        if hasattr(self, "contact"):
            self._go_safe_now("stop")
            self.contact.release()

    def on_failure(self, exception_type: Any, exception_value: Any, traceback: Any) -> None:
        if hasattr(self, "contact"):
            self._go_safe_now("failure")
        super().on_failure(exception_type, exception_value, traceback)

    def receive(self, message: Any) -> Any:
        match message:
            case SwitchOutput(closed=closed, reason=reason):
                self.commanded_at_s = self.clock.monotonic()
                if (
                    self.ctx.ticker
                ):  # the controller's 1 s command does the tick's work; ours resumes if it falls silent
                    self.ctx.ticker.postpone(self.name, self.commanded_at_s + QUIET_PERIODS * TICK_S)
                self._want(closed, reason)
            case Tick():
                self._want(self.wanted, self.reason)
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")

    def enter_safe_state(self, reason: str) -> None:
        self.halted = True
        self._go_safe_now(reason)

    def on_degraded(self, names: tuple[str, ...], degraded: bool) -> None:
        if CONTROLLER in names:
            self.controller_degraded = degraded
            self._want(self.wanted, self.reason)

    # --- switching --------------------------------------------------------------------

    def _orphaned(self) -> bool:
        """True when the controller's word cannot be trusted: degraded or silent too long."""
        silent = self.commanded_at_s is None or self.clock.monotonic() - self.commanded_at_s > self.cfg.stale_after_s
        return self.controller_degraded or silent

    def _want(self, closed: bool, reason: str) -> None:
        if self.halted:
            return
        self.wanted, self.reason = closed, reason
        target = self.safe_closed if self._orphaned() else closed
        m.OUTPUT_SAFE.labels(output=self.label).set(int(self._orphaned()))
        held = target != self.closed and self._hold_left_s() > 0
        if target != self.closed and not held:
            self._switch(target)
        self._publish(held)

    def _hold_left_s(self) -> float:
        minimum = self.cfg.min_on_s if self.closed else self.cfg.min_off_s
        return max(0.0, minimum - (self.clock.monotonic() - self.switched_at_s))

    def _go_safe_now(self, reason: str) -> None:
        if self.closed != self.safe_closed:
            logger.info("output {}: safe state ({}) on {}", self.cfg.number, self.cfg.safe_state, reason)
        try:
            self._switch(self.safe_closed)
        except HardwareError as err:
            logger.error("output {}: cannot reach its safe state: {}", self.cfg.number, err)
        self._publish(held=False)

    def _switch(self, closed: bool) -> None:
        """Drive the contact (also when already there: it re-asserts the line)."""
        try:
            self.contact.set(closed)
        except HardwareError:
            m.OUTPUT_ERRORS.labels(output=self.label).inc()
            raise  # the supervisor restarts us; the contact is then re-opened safe
        if closed != self.closed:
            self.switches += 1
            m.OUTPUT_SWITCHES.labels(output=self.label).inc()
            self.switched_at_s, self.switched_at = self.clock.monotonic(), self.clock.now()
            logger.info("output {} {} ({})", self.cfg.number, "closed" if closed else "opened", self.reason)
        self.closed = closed

    def _publish(self, held: bool) -> None:
        m.OUTPUT_CLOSED.labels(output=self.label).set(int(self.closed))
        m.OUTPUT_HELD.labels(output=self.label).set(int(held))
        m.OUTPUT_LAST_SWITCH.labels(output=self.label).set(self.switched_at.timestamp())

    def snapshot(self) -> dict[str, Any]:
        now = self.clock.monotonic()
        return {
            "number": self.cfg.number,
            "name": self.cfg.name,
            "terminals": TERMINALS[self.cfg.number],
            "driver": self.cfg.driver,
            "closed": self.closed,
            "wanted": self.wanted,
            "reason": self.reason,
            "safe_state": self.cfg.safe_state,
            "in_safe_state": self.halted or self._orphaned(),
            "controller_degraded": self.controller_degraded,
            "switches": self.switches,
            "last_switch": self.switched_at.isoformat(),
            "last_switch_age_s": round(now - self.switched_at_s, 3),
            "hold_left_s": round(self._hold_left_s(), 3),
            "command_age_s": None if self.commanded_at_s is None else round(now - self.commanded_at_s, 3),
        }
