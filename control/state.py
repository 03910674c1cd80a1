"""The values the decision works with: settings in, memory carried over, setpoints out.

Settings are frozen dataclasses. The values made on every decision (memory, setpoints)
are NamedTuples: as immutable, and several times cheaper to build, which matters at
one decision per grid reading for up to eight wallboxes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from connext.core.config import ChargingConfig, Config

from .eco import OFF, Hysteresis
from .reasons import NO_VEHICLE
from .sessions import Session, SessionState
from .site import SiteLayout
from .strategy import Strategy

MIN_CURRENT_A = 6.0  # IEC 61851: the least a vehicle charges at
STEPS_PER_A = 10  # setpoints are rounded down to 0.1 A


@dataclass(frozen=True, slots=True)
class BoxSettings:
    """A wallbox's static facts (from [[wallboxes]], or defaults for one registered later)."""

    address: int
    max_current_a: float = 16.0
    phases: int = 3  # how it is wired
    can_switch_phases: bool = False
    safe_current_a: float = MIN_CURRENT_A


@dataclass(frozen=True, slots=True)
class ControlSettings:
    """Everything static the decision needs."""

    layout: SiteLayout
    charging: ChargingConfig
    timezone: str
    boxes: Mapping[int, BoxSettings] = field(default_factory=lambda: MappingProxyType({}))
    status_stale_s: float = 10.0  # an older wallbox status counts as offline

    @classmethod
    def from_config(cls, config: Config) -> ControlSettings:
        boxes = {
            w.address: BoxSettings(w.address, w.max_current_a, w.phases, w.can_switch_phases, w.safe_current_a)
            for w in config.wallboxes
        }
        return cls(
            SiteLayout.from_config(config),
            config.charging,
            config.site.timezone,
            MappingProxyType(boxes),
            status_stale_s=2 * config.can.offline_after_s,
        )

    def box(self, address: int, reported_max_a: float = 16.0) -> BoxSettings:
        known = self.boxes.get(address)
        return known if known is not None else BoxSettings(address, max_current_a=reported_max_a)


class BoxMemory(NamedTuple):
    """What the decision remembers about one wallbox between two calls."""

    session: Session | None = None
    energy_wh: float = 0.0  # the session's energy so far
    counter_wh: float = 0.0  # the wallbox's session counter when last seen
    current_a: float = 0.0  # the setpoint last decided
    setpoint_phases: int = 3  # ... and its phases
    phases: int = 3  # the phase mode for the next decision
    reason: str = NO_VEHICLE
    eco: Hysteresis = OFF
    phase_switched_s: float = -math.inf  # monotonic
    three_ok_since_s: float | None = None  # on one phase, three would do since then
    ramp_since_s: float | None = None  # reducing to the minimum before a stop since then

    def decided(
        self, session: Session | None, energy_wh: float, counter_wh: float, current_a: float, phases: int, reason: str
    ) -> BoxMemory:
        """This memory after a decision (positional: it runs for every wallbox on every reading)."""
        return BoxMemory(
            session,
            energy_wh,
            counter_wh,
            current_a,
            phases,
            self.phases,
            reason,
            self.eco,
            self.phase_switched_s,
            self.three_ok_since_s,
            self.ramp_since_s,
        )


NO_BOXES: Mapping[int, BoxMemory] = MappingProxyType({})


class Memory(NamedTuple):
    """The decision's memory; `decide` returns a new one, never changes this one."""

    strategy: Strategy
    boxes: Mapping[int, BoxMemory] = NO_BOXES
    pv_smoothed_w: float | None = None
    last_s: float | None = None
    grid_at_s: float = 0.0  # the grid reading the last decision used (its time and value) ...
    grid_w: float | None = None
    grid_wallbox_w: float = 0.0  # ... and what the wallboxes drew then (the budget's other half)
    grid_wallbox_a: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def open_sessions(self) -> list[SessionState]:
        return [SessionState(m.session, m.energy_wh, m.counter_wh) for m in self.boxes.values() if m.session]


class Setpoint(NamedTuple):
    """The wanted state of one wallbox: `start`/`stop` ask for StartCharging/StopCharging."""

    address: int
    current_a: float
    phases: int
    reason: str
    start: bool = False
    stop: bool = False


class Decision(NamedTuple):
    """One decision: setpoints for every wallbox heard of, and what changed."""

    setpoints: tuple[Setpoint, ...]
    available_power_w: float | None  # what the cars may draw now (contracted - rest of the house)
    sessions: tuple[SessionState, ...] = ()  # opened, changed or ended (ended_at set) by this decision
    strategy: Strategy | None = None  # set when the decision changed the strategy (km_single done)
    pv_smoothed_w: float | None = None
