"""Every message that travels between actors: frozen dataclasses, tuples not lists.

Commands are verbs (`SetChargeCurrent`), events are facts (`MeterReading`), queries
start with `Get`. Times are `clock.monotonic()` seconds (`at_s`).

Sign conventions (SPEC §3), the one place they are defined:
- grid power: positive = export (injection), negative = import (draw);
- battery power: positive = charging (into the battery), negative = discharging;
- PV, wallbox and house powers are never negative (a consumption or a production).
"""

from __future__ import annotations

from dataclasses import dataclass

from connext.control.sessions import Session
from connext.control.strategy import Strategy

from .directory import Address

# --- runtime core -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tick:
    """Periodic work is due; `tag` tells apart several jobs of one actor."""

    tag: str = ""


@dataclass(frozen=True, slots=True)
class GetSnapshot:
    """Query (debug socket, tests): reply with a JSON-ready dict of the actor's state."""


@dataclass(frozen=True, slots=True)
class EnterSafeState:
    """Command before shutdown or when giving up: put your device in its safe state."""

    reason: str


@dataclass(frozen=True, slots=True)
class ChildFailed:
    """Event to the supervisor: a child stopped on an unhandled error."""

    name: str
    urn: str  # which incarnation failed; a late report about an old one is ignored
    error: str


@dataclass(frozen=True, slots=True)
class StopSupervising:
    """Command to the supervisor: the daemon is stopping; restart nothing any more."""


@dataclass(frozen=True, slots=True)
class ActorsDegraded:
    """Event to every live actor: the supervisor gave these actors up (or got them back)."""

    names: tuple[str, ...]
    degraded: bool


# --- RS485 / Modbus -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeterReading:
    """A decoded, plausible DTSU666 reading (implausible ones are never published)."""

    unit: int
    at_s: float
    grid_power_w: float  # + export, - import
    phase_power_w: tuple[float, float, float]  # + export, - import
    phase_voltage_v: tuple[float, float, float]
    phase_current_a: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class InverterReading:
    """A decoded inverter reading; fields a family or kind lacks are None."""

    unit: int
    at_s: float
    pv_power_w: float
    grid_power_w: float | None = None  # hybrid/storage only; + export
    battery_power_w: float | None = None  # + charging, - discharging
    battery_soc: float | None = None  # ratio 0..1
    state: str = "unknown"
    fault_code: int = 0


# --- box sensors --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SensorReading:
    """CT clamps after multiplier and inversion, digital inputs, temperature."""

    at_s: float
    ct1_power_w: float | None = None  # exchange clamp: + export, - import
    ct2_power_w: float | None = None  # production clamp: >= 0
    inputs: tuple[bool, ...] = ()
    temperature_c: float | None = None


# --- CAN / wallboxes ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WallboxStatus:
    """A wallbox's state as the site controller needs it."""

    address: int
    at_s: float
    state: str  # available | connected | charging | suspended | fault | offline | ...
    registered: bool
    power_w: float = 0.0
    current_a: tuple[float, float, float] = (0.0, 0.0, 0.0)
    session_energy_wh: float = 0.0
    phases: int = 3
    max_current_a: float = 32.0
    vehicle_max_current_a: float | None = None
    setpoint_a: float = 0.0
    rfid_card: str | None = None  # the card that authorised the session, if any


@dataclass(frozen=True, slots=True)
class SetChargeCurrent:
    """Command to a wallbox actor: charge at most this current (0 = pause)."""

    address: int
    current_a: float
    phases: int
    reason: str


@dataclass(frozen=True, slots=True)
class StartCharging:
    address: int


@dataclass(frozen=True, slots=True)
class StopCharging:
    address: int
    reason: str = "remote"


# --- site, outputs, storage ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WallboxFlow:
    """One wallbox in a SiteUpdate: what it draws and what the controller decided."""

    address: int
    state: str
    power_w: float
    setpoint_a: float
    phases: int
    reason: str  # one of connext.control.reasons.REASONS


@dataclass(frozen=True, slots=True)
class SiteUpdate:
    """Event from the site controller: the site's power flows as last derived."""

    at_s: float
    grid_power_w: float | None  # + export
    pv_power_w: float | None
    battery_power_w: float | None
    battery_soc: float | None
    wallbox_power_w: float
    house_power_w: float | None
    stale: bool
    available_power_w: float | None = None  # what the cars may draw: contracted - rest of the house
    pv_smoothed_w: float | None = None
    grid_phase_power_w: tuple[float, ...] | None = None
    wallboxes: tuple[WallboxFlow, ...] = ()
    strategy: str = ""


@dataclass(frozen=True, slots=True)
class SessionChanged:
    """Event to the recorder: a charging session opened, progressed, changed or ended."""

    session: Session  # frozen, its strategy included
    energy_wh: float
    counter_wh: float


@dataclass(frozen=True, slots=True)
class StrategyChanged:
    """Event to the recorder: keep this strategy (it survives a restart)."""

    strategy: Strategy


@dataclass(frozen=True, slots=True)
class SetStrategy:
    """Query to the site controller (debug socket, later the app): change the strategy.
    Replies {"strategy": ..., "parameters": {...}} or {"refused": "why"}."""

    role: str | None
    strategy: str
    parameters: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class GetSessions:
    """Query to the recorder (debug socket): the latest charging sessions, newest first."""

    limit: int = 20


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Command: send me your events from now on."""

    subscriber: Address
