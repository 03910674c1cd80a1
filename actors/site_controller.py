"""The SiteController: runs the pure decision (control/) on every grid reading and every
wallbox event that may change it, and turns its result into commands, events and metrics.

- Inputs: MeterReading, InverterReading, SensorReading (the latest of each is kept)
  and WallboxStatus. A reading of the grid source (the meter, the sensors' CT 1 or the
  grid inverter, by topology) triggers a decision at once: the main fuse is protected on
  the very next reading, not on a slow tick. A WallboxStatus does when a fact the
  decision reads changed (state, registration, maximum currents, card; see
  `changes_decision`). The rest (a PV inverter's reading, a status's measurements) goes
  into the next decision: between grid readings no current rises anyway. A 1 s `Tick`
  also decides, so a source that goes quiet is noticed (stale -> safe current) within seconds.
- Outputs: SetChargeCurrent only when the setpoint changes (or the wallbox reports a
  different one for RESEND_S), StartCharging/StopCharging when the decision asks;
  SiteUpdate to output-controller and recorder; SessionChanged (facts at once, energy
  at most every storage.session_progress_s) and StrategyChanged to the recorder.
- On start it reads the strategy and the open sessions from the store, so a restart
  carries on with each session's energy, target, timers and strategy; and the contracted
  power set at run time (`SetContractedPower`, kept by the API), which overrides the config's.
The decision code is the same pure function the scenario runner uses.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from types import MappingProxyType
from typing import Any

from loguru import logger

from connext.control.decide import changes_decision, decide, usable
from connext.control.site import Readings, SiteState, derive_site, wallbox_totals
from connext.control.state import BoxMemory, ControlSettings, Decision, Memory
from connext.control.strategy import MAY_CHANGE_STRATEGY, Strategy, StrategyRefused, change_strategy
from connext.core.config import Config
from connext.core.site_settings import stored_contracted_power

from . import site_metrics as M
from .base import ActorContext, ConnextActor
from .messages import (
    InverterReading,
    MeterReading,
    SensorReading,
    SessionChanged,
    SetContractedPower,
    SetStrategy,
    StrategyChanged,
    Tick,
    WallboxStatus,
)
from .session_rows import read_restore_state
from .site_output import Outbox

WATCHDOG_S = 1.0


class SiteControllerActor(ConnextActor):
    """Decides the wallbox setpoints; see the module docstring."""

    def __init__(self, ctx: ActorContext, config: Config) -> None:
        super().__init__(ctx)
        self.config = config
        self.settings = ControlSettings.from_config(config)
        self.readings = Readings()
        self.statuses: dict[int, WallboxStatus] = {}
        self.memory = Memory(Strategy.from_config(config.charging))
        self.outbox = Outbox(ctx, self.settings, config.storage.session_progress_s)
        self.site: SiteState | None = None
        self.decision: Decision | None = None
        self.decisions = 0

    def on_start(self) -> None:
        self._restore()
        M.REASON.clear()
        M.export_strategy(self.memory.strategy.name)
        if self.ctx.ticker:
            self.ctx.ticker.every(self.name, WATCHDOG_S, self.ctx.address(self.name), Tick("watchdog"))

    def _restore(self) -> None:
        """The strategy and the open sessions as the store has them."""
        default = self.memory.strategy
        try:
            strategy, sessions = read_restore_state(self.config.storage.path, default)
            contracted_w = stored_contracted_power(self.config.storage.path)
        except sqlite3.Error as err:
            logger.error("site controller: cannot read the store ({}); starting from the config", err)
            return
        boxes = {}
        for session, energy_wh, counter_wh in sessions:
            wiring = min(self.settings.box(session.address).phases, self.settings.layout.phases)
            boxes[session.address] = BoxMemory(session, energy_wh, counter_wh, phases=wiring, setpoint_phases=wiring)
        self.memory = Memory(strategy, MappingProxyType(boxes))
        self.outbox.restored(boxes)
        if contracted_w is not None:
            self._set_contracted_power(contracted_w)
        if boxes:
            logger.info("site controller: {} session(s) carried on from the store", len(boxes))

    def receive(self, message: Any) -> Any:
        match message:
            case MeterReading():
                self.readings.meter = message
            case InverterReading(unit=unit):
                self.readings.inverters[unit] = message
                if not self.settings.layout.reads_grid(unit):
                    return None  # its PV and battery go into the next decision
            case SensorReading():
                self.readings.sensors = message
            case WallboxStatus(address=address):
                previous, self.statuses[address] = self.statuses.get(address), message
                if not changes_decision(previous, message, self.settings, self.clock.monotonic()):
                    return None  # its measurements go into the next decision
            case Tick():
                pass
            case SetStrategy():
                return self._set_strategy(message)
            case SetContractedPower(power_w=power_w):
                self._set_contracted_power(power_w)
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")
        self.recompute()
        return None

    def recompute(self) -> None:
        """Site model + decision on the latest values; then commands, events and metrics."""
        now_s, now = self.clock.monotonic(), self.clock.now()
        with M.DECISION_SECONDS.time():
            fresh = [s for s in self.statuses.values() if usable(s, self.settings, now_s)]
            power, phase_a = wallbox_totals(fresh)
            site = derive_site(self.settings.layout, self.readings, power, phase_a, now_s)
            decision, memory = decide(site, self.statuses, self.settings, self.memory, now_s, now)
            self.outbox.send_setpoints(decision, self.statuses, now_s)
        M.DECISIONS.inc()
        self.decisions += 1
        if decision.strategy is not None:
            logger.info("strategy {} done: back to {}", self.memory.strategy.name, decision.strategy.name)
            self.ctx.address("recorder").tell(StrategyChanged(decision.strategy))
            M.export_strategy(decision.strategy.name)
        self.memory, self.site, self.decision = memory, site, decision
        self.outbox.report(site, decision, memory, self.statuses, now_s)

    def _set_strategy(self, request: SetStrategy) -> dict[str, Any]:
        open_now = [s.session.describe(s.energy_wh) for s in self.memory.open_sessions()]
        try:
            strategy = change_strategy(
                self.memory.strategy,
                self.config.charging,
                request.role,
                request.strategy,
                dict(request.parameters),
                open_now,
            )
        except StrategyRefused as err:
            logger.info("strategy change to {} refused: {}", request.strategy, err)
            # the kind follows change_strategy's order of checks: role, open sessions, values
            kind = "forbidden" if request.role not in MAY_CHANGE_STRATEGY else "conflict" if open_now else "invalid"
            return {"refused": str(err), "kind": kind}
        self.memory = self.memory._replace(strategy=strategy)
        self.ctx.address("recorder").tell(StrategyChanged(strategy))
        M.export_strategy(strategy.name)
        logger.info("strategy set to {} {} (role {})", strategy.name, strategy.parameters(), request.role)
        return {"strategy": strategy.name, "parameters": strategy.parameters()}

    def _set_contracted_power(self, power_w: float) -> None:
        """The load management works under `power_w` from the next decision on (a lower limit
        binds at once; a higher one raises currents only on the next grid reading)."""
        layout = dataclasses.replace(self.settings.layout, contracted_power_w=power_w)
        self.settings = self.outbox.settings = dataclasses.replace(self.settings, layout=layout)
        logger.info("contracted power set to {:g} W", power_w)

    def enter_safe_state(self, reason: str) -> None:
        """Every charging wallbox to its safe current; the sessions' energy to the recorder."""
        self.outbox.safe_state(self.memory, self.statuses, reason)
        for state in self.memory.open_sessions():
            self.ctx.address("recorder").tell(SessionChanged(*state))

    def on_degraded(self, names: tuple[str, ...], degraded: bool) -> None:
        self.recompute()  # a source given up goes stale: decide now rather than on the next tick

    def snapshot(self) -> dict[str, Any]:
        snapshot = self.outbox.snapshot(self.site, self.decision, self.memory, self.decisions)
        return {**snapshot, "contracted_power_w": self.settings.layout.contracted_power_w}
