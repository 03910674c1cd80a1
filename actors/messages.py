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
from connext.core.config import WallboxConfig
from connext.protocols.modbus_map import Block
from connext.protocols.poll_plan import PollSpec
from connext.protocols.wallbox_frames import Frame

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
# Device actors register what they need with the bus; the bus polls on its own schedule
# and tells each result back. Powers are converted to the convention above by the
# register maps (`protocols/`), so everything from here on is + export / + charging.


@dataclass(frozen=True, slots=True)
class RegisterPolls:
    """Command to the bus: poll these requests for `unit`, results to `reply_to` (replaces
    what the unit registered before)."""

    unit: int
    polls: tuple[PollSpec, ...]
    reply_to: Address


@dataclass(frozen=True, slots=True)
class BlockRead:
    """Event from the bus: one request answered."""

    unit: int
    poll: str
    block: Block  # the layout that answered (a probed variant may differ from the first)
    registers: tuple[int, ...]
    at_s: float  # when the reply arrived


@dataclass(frozen=True, slots=True)
class BlockFailed:
    """Event from the bus: one request failed after its retries."""

    unit: int
    poll: str
    error: str  # timeout | crc | garbled | exception | disconnected
    detail: str
    at_s: float


@dataclass(frozen=True, slots=True)
class PollAllNow:
    """Command to the bus (debug socket, benchmark): everything due now; time one full cycle."""


@dataclass(frozen=True, slots=True)
class ReadRegisters:
    """Query to the bus (debug socket only, asked): one raw read, answered as a dict."""

    unit: int
    fn: int
    start: int
    count: int


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
    ct2_power_w: float | None = None  # production clamp: >= 0 (a reversed clamp is logged, see check-ct)
    inputs: tuple[bool, ...] = ()  # configured digital inputs in number order; True = closed
    temperature_c: float | None = None
    input_numbers: tuple[int, ...] = ()  # the input number of each entry of `inputs`


# --- outputs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SwitchOutput:
    """Command from the output controller to output-N: the wanted contact state, and why.

    Sent on every controller tick; the output enforces its minimum on/off time and
    falls to its safe state when these commands stop coming."""

    number: int
    closed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class EditLogic:
    """Command to the output controller (debug socket, HTTP API): change a logic.

    Asked, not told: the reply is {"logics": [...]} or {"error": "...", "problems": [...],
    "kind": conflict | invalid | not_found | forbidden}."""

    action: str  # set (create or change) | create (new name) | replace (existing) | enable | disable | delete
    name: str
    role: str  # owner | administrator | user (SPEC §6: users may not)
    fields: tuple[tuple[str, object], ...] = ()  # for "set": logic fields as in [[logics]]


@dataclass(frozen=True, slots=True)
class ForceOutput:
    """Command to the output controller: force output `number` to `state` for `for_s`
    seconds, or release the override (`state` None). Asked; replies like `EditLogic`."""

    number: int
    state: str | None  # "closed" | "open" | None = release
    for_s: float | None
    role: str


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
    limit_a: float = 0.0  # what the wallbox reports it applies (the safe current in fallback)
    enabled: bool = False  # the session is authorised (remote start, card or plug&play)
    fallback: bool = False  # the wallbox misses the controller heartbeat
    error_code: int = 0
    serial: str = ""
    firmware: str = ""
    card_uid: str = ""  # the last RFID card presented, hex
    session_started_at_s: float | None = None  # plug-in time of the current session


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


@dataclass(frozen=True, slots=True)
class CanFrameReceived:
    """Event from the CAN reader thread to can-bus: one raw frame off the bus."""

    arbitration_id: int
    data: bytes
    extended: bool = False
    error_frame: bool = False
    remote: bool = False


@dataclass(frozen=True, slots=True)
class CanBusFault:
    """Event from the CAN reader thread: the bus opened as `generation` failed."""

    generation: int
    error: str


@dataclass(frozen=True, slots=True)
class WallboxFrameReceived:
    """Event from can-bus to wallbox-N: a decoded frame from that wallbox."""

    frame: Frame
    at_s: float


@dataclass(frozen=True, slots=True)
class SendWallboxFrame:
    """Command to can-bus: encode and send this controller frame."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class RegisterWallbox:
    """Command (debug socket, API) to wallbox-N: drive the wallbox with these settings; kept
    in the store. Replies (to an ask) with a dict: registered or why not."""

    settings: WallboxConfig


@dataclass(frozen=True, slots=True)
class UnregisterWallbox:
    """Command (debug socket, API) to wallbox-N: forget a run-time registration."""

    address: int


@dataclass(frozen=True, slots=True)
class SetWallboxMode:
    """Command (debug socket, API) to wallbox-N: work in this mode from now on (kept in
    the store, over the registration's). Replies (to an ask) with a dict: changed or why not."""

    address: int
    mode: str  # online | offline | plug_and_play


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
    """Query to the site controller (debug socket, API): change the strategy. Replies
    {"strategy": ..., "parameters": {...}} or {"refused": "why", "kind": forbidden |
    conflict (a session is open) | invalid}."""

    role: str | None
    strategy: str
    parameters: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class GetSessions:
    """Query to the recorder (debug socket, API): charging sessions, newest first; a page
    of `limit` started before `before_ts` (epoch seconds), of one `wallbox` if given."""

    limit: int = 20
    before_ts: float | None = None
    wallbox: int | None = None


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Command: send me your events from now on."""

    subscriber: Address


# --- API / accounts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetContractedPower:
    """Command to the site controller: the owner or an administrator changed the contracted
    power; apply it from the next decision on. The API keeps it in the store (settings key
    `site.contracted_power_w`, read by the controller at start: `connext.core.site_settings`)."""

    power_w: float


@dataclass(frozen=True, slots=True)
class SetRfidCards:
    """Command to a wallbox actor: hold exactly these card UIDs (upper-case hex; at most 8),
    kept in the store over the registration's. Replies (to an ask) with what was sent."""

    address: int
    cards: tuple[str, ...]
