"""A simulated wallbox (with an optional EV plugged in) speaking the connext CAN protocol.

Pure: the caller hands in frames and the time (`handle(frame, now_s)`, `advance(now_s)`)
and takes the frames to send (`take_outbox()`); `WallboxSimulator` in
`sim/wallbox_bus.py` puts it on a real python-can bus.

Behaviour (see protocols/wallbox_can.md):
- In plug&play mode it announces itself (SERIAL + IDENTITY) at boot and reports status
  right away; in online/offline mode it stays silent until the controller addresses it.
- Status cycle every `status_period_s`: STATUS, CURRENTS, ENERGY.
- Sessions are authorised by START (online), a listed RFID card (offline) or plug-in
  (plug&play); STOP or unplugging ends the authorisation. The session energy counter
  restarts at plug-in.
- Fallback: without a heartbeat for the fallback timeout (also right after boot), the
  limit drops to min(limit, safe current) and stays there until the next SET_CURRENT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connext.protocols.wallbox_can import Version, serial_parts
from connext.protocols.wallbox_frames import (
    FLAG_ENABLED,
    FLAG_FALLBACK,
    MAX_CARDS,
    CardPresented,
    CardSlot,
    Currents,
    Energy,
    Frame,
    Heartbeat,
    Identify,
    Identity,
    SetCurrent,
    SetFallback,
    SetMode,
    Start,
    Status,
    Stop,
)

from .ev import EvModel

FIRMWARE = Version(1, 2, 0)
FACTORY_FALLBACK_TIMEOUT_S = 5.0
FACTORY_SAFE_CURRENT_A = 6.0


@dataclass
class SimWallbox:
    """One wallbox. Construct, then `boot(now_s)`; all times are monotonic seconds."""

    address: int
    serial: str
    firmware: Version = FIRMWARE
    max_current_a: float = 32.0
    phases: int = 3  # as wired
    mode: str = "plug_and_play"
    voltage_v: float = 230.0
    status_period_s: float = 1.0
    ev: EvModel | None = None
    # run-time state
    limit_a: float = 0.0
    supply_phases: int = 3  # the phases the last SET_CURRENT allows (phase switching)
    enabled: bool = False
    session_wh: float = 0.0
    error_code: int = 0
    muted: bool = False  # fault injection: stop sending anything
    awake: bool = False
    fallback_timeout_s: float = FACTORY_FALLBACK_TIMEOUT_S
    safe_current_a: float = FACTORY_SAFE_CURRENT_A
    cards: list[bytes] = field(default_factory=lambda: [b""] * MAX_CARDS)
    heartbeat_at_s: float = 0.0
    heartbeats: int = 0
    commands: int = 0
    last_setpoint_a: float | None = None  # the last SET_CURRENT heard
    last_card: bytes = b""
    _clock_s: float = 0.0
    _next_status_s: float = 0.0
    _outbox: list[Frame] = field(default_factory=list)

    # --- life cycle and the outside world ----------------------------------------------------

    def boot(self, now_s: float) -> None:
        """Power on: factory fallback, full limit, no authorisation; plug&play announces."""
        self.limit_a, self.enabled, self.error_code = self.max_current_a, False, 0
        self.supply_phases = self.phases
        self.fallback_timeout_s, self.safe_current_a = FACTORY_FALLBACK_TIMEOUT_S, FACTORY_SAFE_CURRENT_A
        self.heartbeat_at_s = self._clock_s = self._next_status_s = now_s
        self.awake = self.mode == "plug_and_play"
        if self.awake:
            self._announce()

    def plug_in(self, ev: EvModel, now_s: float) -> None:
        self.advance(now_s)
        self.ev, self.session_wh = ev, 0.0
        self.enabled = self.mode == "plug_and_play"
        self._next_status_s = now_s  # report the change at once

    def unplug(self, now_s: float) -> None:
        self.advance(now_s)
        self.ev, self.enabled = None, False
        self._next_status_s = now_s

    def present_card(self, uid: bytes, now_s: float) -> None:
        """A card at the reader: reported; in offline mode a listed card starts the session."""
        self.advance(now_s)
        self.last_card = uid
        if self.mode == "offline" and uid in self.cards and self.ev is not None:
            self.enabled = True
        self._send(CardPresented(self.address, uid))

    @property
    def fallback(self) -> bool:
        return self._clock_s - self.heartbeat_at_s > self.fallback_timeout_s

    @property
    def current_a(self) -> float:
        """The current the vehicle draws now, per phase."""
        if self.ev is None or not self.enabled or self.error_code:
            return 0.0
        return self.ev.accepted_current_a(self.limit_a)

    @property
    def live_phases(self) -> int:
        """The phases a plugged vehicle draws on: wiring, vehicle and the commanded phases."""
        return min(self.phases, self.supply_phases, self.ev.phases if self.ev is not None else 3)

    def phase_currents(self) -> tuple[float, float, float]:
        """What the vehicle draws now on L1, L2, L3 (one-phase charging is on L1), in 0.1 A."""
        live = 0 if self.ev is None else self.live_phases
        amps = round(self.current_a, 1)
        l1, l2, l3 = (amps if phase < live else 0.0 for phase in range(3))
        return l1, l2, l3

    @property
    def state(self) -> str:
        if self.error_code:
            return "F"
        if self.ev is None:
            return "A"
        return "C" if self.current_a > 0 else "B"

    def take_outbox(self) -> list[Frame]:
        out, self._outbox = self._outbox, []
        return out

    # --- time ----------------------------------------------------------------------------------

    def advance(self, now_s: float) -> None:
        """Charge the vehicle up to `now_s`, apply the fallback, send a due status cycle."""
        dt = max(0.0, now_s - self._clock_s)
        if self.ev is not None and self.current_a > 0:
            self.session_wh += self.ev.charge(self.limit_a, self.live_phases, dt)
        self._clock_s = max(self._clock_s, now_s)
        if self.fallback and self.limit_a > self.safe_current_a:
            self.limit_a = self.safe_current_a
            self._next_status_s = now_s  # report the fallback at once
        if self.awake and now_s >= self._next_status_s:
            self._next_status_s = now_s + self.status_period_s
            self._status_cycle()

    def _status_cycle(self) -> None:
        flags = (FLAG_ENABLED if self.enabled else 0) | (FLAG_FALLBACK if self.fallback else 0)
        vehicle_max = None if self.ev is None else min(self.ev.max_current_a, 80.0)
        drawn = self.phase_currents()
        self._send(Status(self.address, self.state, flags, self.error_code, vehicle_max, self.limit_a))
        self._send(Currents(self.address, *drawn))
        self._send(Energy(self.address, round(sum(drawn) * self.voltage_v), int(self.session_wh)))

    # --- frames from the controller ------------------------------------------------------------

    def handle(self, frame: Frame, now_s: float) -> None:
        """React to a controller frame addressed to this wallbox (or to every wallbox)."""
        if frame.address not in (0, self.address):
            return
        self.advance(now_s)
        match frame:
            case Heartbeat():
                self.heartbeat_at_s = now_s
                self.heartbeats += 1
                return  # a broadcast heartbeat does not wake a silent wallbox
            case Identify():
                self._announce()
            case SetCurrent(current_a=current_a, phases=phases):
                self.last_setpoint_a = current_a
                self.supply_phases = phases
                self.limit_a = min(current_a, self.max_current_a)
                if self.fallback:
                    self.limit_a = min(self.limit_a, self.safe_current_a)
            case Start():
                self.enabled = self.ev is not None
            case Stop():
                self.enabled = False
            case SetMode(mode=mode):
                self.mode = mode
            case SetFallback(timeout_s=timeout_s, safe_current_a=safe_a):
                self.fallback_timeout_s, self.safe_current_a = timeout_s, safe_a
            case CardSlot(slot=slot, uid=uid):
                self.cards[slot] = uid
            case _:
                return  # a wallbox frame (another wallbox's): not for us
        self.commands += 1
        if frame.address == self.address:  # addressed: awake, and the next status comes at once
            self.awake = True
            self._next_status_s = min(self._next_status_s, now_s)

    def _announce(self) -> None:
        for part in serial_parts(self.address, self.serial):
            self._send(part)
        fw = self.firmware
        self._send(Identity(self.address, fw.major, fw.minor, fw.build, self.max_current_a, self.phases, self.mode))
        self.awake = True

    def _send(self, frame: Frame) -> None:
        if not self.muted:
            self._outbox.append(frame)

    def view(self) -> dict[str, object]:
        """A JSON-ready summary (the CLI's `state` command, tests)."""
        return {
            "address": self.address,
            "serial": self.serial,
            "firmware": str(self.firmware),
            "mode": self.mode,
            "state": self.state,
            "enabled": self.enabled,
            "fallback": self.fallback,
            "limit_a": self.limit_a,
            "last_setpoint_a": self.last_setpoint_a,
            "current_a": self.current_a,
            "phases": self.live_phases if self.ev is not None else 0,
            "session_energy_wh": round(self.session_wh, 3),
            "soc": None if self.ev is None else round(self.ev.soc, 4),
            "muted": self.muted,
            "heartbeats": self.heartbeats,
            "fallback_timeout_s": self.fallback_timeout_s,
            "safe_current_a": self.safe_current_a,
            "cards": [c.hex().upper() for c in self.cards if c],
        }
