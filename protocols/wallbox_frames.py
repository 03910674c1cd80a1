"""The frames of the connext wallbox CAN protocol: plain frozen dataclasses.

The protocol is this project's own (the real one is not public); `wallbox_can.md`
beside this file is its reference, `wallbox_layouts.py` puts each frame on the wire
and the codec (`wallbox_can.py`) builds frames from bytes and back.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_CURRENT_A = 6.0  # IEC 61851: the lowest current a charging setpoint may have
MAX_CURRENT_A = 80.0
MAX_CARDS = 8
SERIAL_CHUNK = 6  # serial characters per SERIAL frame
MAX_SERIAL_PARTS = 6  # 36 characters; config serials are at most 32

IEC_STATES = {0x41: "A", 0x42: "B", 0x43: "C", 0x44: "D", 0x45: "E", 0x46: "F"}  # ASCII letters
MODES = {0: "online", 1: "offline", 2: "plug_and_play"}
PHASES = {1: 1, 3: 3}
FLAG_ENABLED = 0x01  # the session is authorised (START, a card, or plug&play)
FLAG_FALLBACK = 0x02  # no heartbeat for the fallback timeout: the safe current applies


# --- controller -> wallbox ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The controller's decision loop is healthy (address 0: every wallbox)."""

    address: int
    counter: int


@dataclass(frozen=True, slots=True)
class SetCurrent:
    """Charge at most `current_a` (0 = pause) on `phases` phases."""

    address: int
    current_a: float
    phases: int

    def __post_init__(self) -> None:
        if 0 < self.current_a < MIN_CURRENT_A:
            raise ValueError(f"current {self.current_a} A: must be 0 or at least {MIN_CURRENT_A} A")


@dataclass(frozen=True, slots=True)
class Start:
    """Authorise and start a session (a vehicle must be connected)."""

    address: int


@dataclass(frozen=True, slots=True)
class Stop:
    """End the session's authorisation: the vehicle stops drawing."""

    address: int


@dataclass(frozen=True, slots=True)
class SetMode:
    address: int
    mode: str  # online | offline | plug_and_play


@dataclass(frozen=True, slots=True)
class SetFallback:
    """Without a heartbeat for `timeout_s`, apply at most `safe_current_a` (0 = pause)."""

    address: int
    timeout_s: float
    safe_current_a: float

    def __post_init__(self) -> None:
        if 0 < self.safe_current_a < MIN_CURRENT_A:
            raise ValueError(f"safe current {self.safe_current_a} A: must be 0 or at least {MIN_CURRENT_A} A")


@dataclass(frozen=True, slots=True)
class CardSlot:
    """RFID list slot `slot` (0..7) holds `uid` (4 or 7 bytes; empty = free slot)."""

    address: int
    slot: int
    uid: bytes


@dataclass(frozen=True, slots=True)
class Identify:
    """Ask the wallbox to send its SERIAL and IDENTITY frames."""

    address: int


# --- wallbox -> controller ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """IEC 61851 state, flags, error code, the vehicle's maximum and the applied limit."""

    address: int
    state: str  # A no vehicle, B connected, C/D charging, E/F error
    flags: int
    error_code: int  # 0 = no error
    vehicle_max_current_a: float | None  # None: the vehicle (or cable) did not tell
    limit_a: float  # the current limit the wallbox applies now

    @property
    def enabled(self) -> bool:
        return bool(self.flags & FLAG_ENABLED)

    @property
    def fallback(self) -> bool:
        return bool(self.flags & FLAG_FALLBACK)


@dataclass(frozen=True, slots=True)
class Currents:
    """The current drawn on each phase."""

    address: int
    l1_a: float
    l2_a: float
    l3_a: float

    @property
    def current_a(self) -> tuple[float, float, float]:
        return (self.l1_a, self.l2_a, self.l3_a)


@dataclass(frozen=True, slots=True)
class Energy:
    """Active power and the session's energy counter (reset at plug-in); ends a status cycle."""

    address: int
    power_w: float
    session_energy_wh: float


@dataclass(frozen=True, slots=True)
class CardPresented:
    address: int
    uid: bytes


@dataclass(frozen=True, slots=True)
class SerialPart:
    """Part `index` of `count` of the serial number, up to 6 ASCII characters."""

    address: int
    index: int
    count: int
    text: str

    def __post_init__(self) -> None:
        if self.index >= self.count:
            raise ValueError(f"serial part {self.index} of {self.count}")


@dataclass(frozen=True, slots=True)
class Identity:
    """Firmware major.minor.build, hardware maximum current, phases and working mode."""

    address: int
    fw_major: int
    fw_minor: int
    fw_build: int
    max_current_a: float
    phases: int
    mode: str


Frame = (
    Heartbeat
    | SetCurrent
    | Start
    | Stop
    | SetMode
    | SetFallback
    | CardSlot
    | Identify
    | Status
    | Currents
    | Energy
    | CardPresented
    | SerialPart
    | Identity
)
