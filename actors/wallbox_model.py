"""What a wallbox actor knows and decides, as pure functions: the reported state, the
setpoint clamp, the session (plug-in to plug-out). No threads, no I/O, no clock reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connext.core.config import WallboxConfig
from connext.protocols.wallbox_can import SerialAssembler, Version, firmware_supported
from connext.protocols.wallbox_frames import (
    MAX_CARDS,
    MIN_CURRENT_A,
    CardPresented,
    CardSlot,
    Currents,
    Energy,
    Frame,
    Identity,
    SerialPart,
    SetFallback,
    SetMode,
    Status,
)

from .messages import SetChargeCurrent

RESOLUTION_A = 0.1  # the protocol's current step


@dataclass
class Heard:
    """The latest of each kind of frame from one address, and the session it is in."""

    serial: str | None = None
    identity: Identity | None = None
    status: Status | None = None
    currents: Currents | None = None
    energy: Energy | None = None
    card_uid: str = ""
    last_frame_at_s: float | None = None
    session: Session | None = None
    serials: SerialAssembler = field(default_factory=SerialAssembler)

    def take(self, frame: Frame, at_s: float, wall_time: str) -> str | None:
        """Remember `frame`; returns what happened worth a log line, if anything."""
        self.last_frame_at_s = at_s
        match frame:
            case SerialPart():
                self.serial = self.serials.add(frame) or self.serial
            case Identity():
                self.identity = frame
            case Status():
                joined = self.status is None  # the first status heard: a running session is joined
                self.status = frame
                self.session, event = follow_session(self.session, self.vehicle_present, at_s, wall_time, joined)
                if event == "ended" and self.session is not None:
                    return f"vehicle gone: session ended, {self.session.energy_wh:g} Wh"
                return "vehicle connected: session started" if event == "started" else None
            case Currents():
                self.currents = frame
            case Energy():
                self.energy = frame
                if self.session is not None and self.session.ended_at_s is None:
                    self.session.energy_wh = frame.session_energy_wh
            case CardPresented(uid=uid):
                self.card_uid = uid.hex().upper()
                return f"RFID card {self.card_uid} presented"
        return None

    @property
    def firmware(self) -> Version | None:
        i = self.identity
        return None if i is None else Version(i.fw_major, i.fw_minor, i.fw_build)

    @property
    def vehicle_present(self) -> bool:
        return self.status is not None and self.status.state in "BCD"


def derive_state(registered: bool, heard: Heard, online: bool) -> str:
    """The state reported for a wallbox (see actors/messages.py WallboxStatus).

    `registered` means registered AND (serial not heard yet, or heard and matching).
    """
    firmware = heard.firmware
    if heard.last_frame_at_s is None:
        return "offline" if registered else "absent"
    if not online:
        return "offline"
    if firmware is not None and not firmware_supported(firmware):
        return "needs_support"
    if not registered or heard.serial is None or firmware is None or heard.status is None:
        return "detected"  # not registered, or its identity is still being asked
    status = heard.status
    if status.state in "EF" or status.error_code:
        return "fault"
    if status.state == "A":
        return "available"
    if status.state in "CD":
        return "charging"
    return "suspended" if status.enabled else "connected"


def clamp_setpoint(requested_a: float, wallbox_max_a: float, vehicle_max_a: float | None) -> tuple[float, str | None]:
    """The setpoint to send: in {0} ∪ [6 A, min(wallbox max, vehicle max)], never above
    the request, on the protocol's 0.1 A grid. Returns (setpoint, why it was changed)."""
    upper = wallbox_max_a if vehicle_max_a is None else min(wallbox_max_a, vehicle_max_a)
    if requested_a <= 0:
        return 0.0, None if requested_a == 0 else f"{requested_a:g} A is negative"
    if requested_a < MIN_CURRENT_A:
        return 0.0, f"{requested_a:g} A is below the {MIN_CURRENT_A:g} A minimum"
    if upper < MIN_CURRENT_A:
        return 0.0, f"the vehicle allows only {upper:g} A"
    steps = int(min(requested_a, upper) / RESOLUTION_A + 1e-9)
    setpoint = round(steps * RESOLUTION_A, 1)
    if requested_a > upper:
        return setpoint, f"{requested_a:g} A is above the {upper:g} A maximum"
    return setpoint, None


@dataclass(frozen=True, slots=True)
class Target:
    """The setpoint to apply, and why the request was changed (None: it was not)."""

    current_a: float
    phases: int
    clamped: str | None = None


def target_setpoint(reg: WallboxConfig, requested: SetChargeCurrent | None, safe: bool, heard: Heard) -> Target | None:
    """What to apply: the request clamped to the wallbox and the vehicle, capped at the
    safe current while `safe`; None when nothing was asked."""
    if requested is None and not safe:
        return None
    wanted = requested.current_a if requested is not None else reg.safe_current_a
    identity_max = heard.identity.max_current_a if heard.identity else reg.max_current_a
    vehicle_max = heard.status.vehicle_max_current_a if heard.status else None
    current, why = clamp_setpoint(wanted, min(reg.max_current_a, identity_max), vehicle_max)
    if safe:
        current = min(current, reg.safe_current_a)
    phases = reg.phases
    if requested is not None and reg.can_switch_phases and requested.phases in (1, 3):
        phases = requested.phases
    return Target(current, phases, why)


CARD_SLOT_BYTES = (4, 7)  # what a CARD_SLOT frame carries (ISO 14443 single and double size)


def fits_card_slot(card: str) -> bool:
    """A card UID (hex) a CARD_SLOT frame can carry; a 10-byte UID cannot."""
    return len(card) // 2 in CARD_SLOT_BYTES


def card_frames(address: int, cards: tuple[str, ...]) -> list[Frame]:
    """All 8 RFID slots: the cards (hex UIDs that fit a slot) first, the rest free."""
    uids = [bytes.fromhex(c) for c in cards] + [b""] * (MAX_CARDS - len(cards))
    return [CardSlot(address, slot, uid) for slot, uid in enumerate(uids)]


def configuration_frames(address: int, reg: WallboxConfig, fallback_timeout_s: float) -> list[Frame]:
    """Fallback, working mode and all 8 RFID slots of a registered wallbox."""
    return [
        SetFallback(address, fallback_timeout_s, reg.safe_current_a),
        SetMode(address, reg.mode),
        *card_frames(address, reg.cards),
    ]


@dataclass
class Session:
    """One plug-in to plug-out. The energy is the wallbox's own session counter."""

    started_at_s: float
    started_at: str  # ISO wall-clock time
    joined: bool = False  # the actor (re)started while this session was already running
    energy_wh: float = 0.0
    ended_at_s: float | None = None

    def view(self, now_s: float) -> dict[str, object]:
        end = self.ended_at_s if self.ended_at_s is not None else now_s
        return {
            "started_at": self.started_at,
            "joined": self.joined,
            "energy_wh": self.energy_wh,
            "duration_s": round(end - self.started_at_s, 3),
            "ended": self.ended_at_s is not None,
        }


def follow_session(
    session: Session | None, vehicle_present: bool, now_s: float, wall_time: str, joined: bool
) -> tuple[Session | None, str | None]:
    """The session after a status frame, and "started"/"ended" when that happened.
    `joined`: this is the first status heard, so a session found running was joined."""
    open_session = session is not None and session.ended_at_s is None
    if vehicle_present and not open_session:
        return Session(now_s, wall_time, joined=joined), "started"
    if not vehicle_present and open_session:
        assert session is not None
        session.ended_at_s = now_s
        return session, "ended"
    return session, None
