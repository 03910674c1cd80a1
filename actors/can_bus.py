"""The CanBus actor: owns the python-can bus, routes wallbox frames by address, sends
the controller heartbeat and the wallbox actors' commands.

- Frames: decoded with `protocols.wallbox_can`; a frame that cannot be trusted is
  counted (per address and reason), logged once per burst, and dropped. Our own
  frames heard back (udp_multicast loops them) are ignored.
- New addresses: the first frame from an address is logged (Plug&Play detection);
  `wallbox-<address>` decides whether it is registered.
- Bus errors: the link is closed and reopened on the next tick, with a backoff
  (1 s doubling to 30 s); the actor itself does not fail for a bus fault.
- Heartbeat: every `can.heartbeat_period_s` while the decision loop is healthy; it
  stops when the site controller is given up, in the safe state and, of course, when
  the daemon stops: each wallbox then falls to its safe current on its own.
"""

from __future__ import annotations

from typing import Any

import can
from loguru import logger

from connext.core.config import CanConfig
from connext.protocols.wallbox_can import BROADCAST, FrameError, decode, encode, split_id, to_wallbox
from connext.protocols.wallbox_frames import Heartbeat

from . import can_metrics as m
from .base import ActorContext, ConnextActor
from .can_io import OPEN_ERRORS, BusLink, bus_options
from .messages import CanBusFault, CanFrameReceived, SendWallboxFrame, Tick, WallboxFrameReceived

SITE_CONTROLLER = "site-controller"
REOPEN_FIRST_S = 1.0
REOPEN_CAP_S = 30.0


class CanBusActor(ConnextActor):
    """The one owner of the CAN bus (actor name "can-bus")."""

    def __init__(self, ctx: ActorContext, can_config: CanConfig) -> None:
        super().__init__(ctx)
        self.config = can_config
        self.options = bus_options(can_config)
        self.link: BusLink | None = None
        self.generation = 0
        self.reopen_at_s: float | None = None
        self.failures_in_a_row = 0
        self.last_error: str | None = None
        self.heartbeat_counter = 0
        self.heartbeat_on = True
        self.heard: dict[int, float] = {}  # address -> last good frame (monotonic s)
        self.bad_logged: set[int] = set()  # addresses whose current burst of bad frames was logged
        self.counts = {"received": 0, "sent": 0, "bad": 0, "echo": 0, "unsent": 0, "errors": 0}

    # --- lifecycle ------------------------------------------------------------------------------

    def on_start(self) -> None:
        record = self.ctx.directory.record(SITE_CONTROLLER)
        self.heartbeat_on = record is None or record.status != "degraded"
        self._open()
        if self.ctx.ticker:
            period = self.config.heartbeat_period_s
            self.ctx.ticker.every(self.name, period, self.ctx.address(self.name), Tick("heartbeat"), first_in_s=period)

    def on_stop(self) -> None:
        self._close()

    def on_failure(self, *exc_info: Any) -> None:
        self._close()  # pykka skips on_stop after a crash; the next incarnation opens its own bus
        super().on_failure(*exc_info)

    def _open(self) -> None:
        self.generation += 1
        try:
            self.link = BusLink.open(self.options, self.actor_ref, self.generation)
        except OPEN_ERRORS as err:
            self._down(f"open: {type(err).__name__}: {err}")
            return
        m.BUS_OPENS.inc()
        m.BUS_UP.set(1)
        self.reopen_at_s = None
        logger.info("can-bus: {} channel {} open", self.config.interface, self.config.channel)

    def _close(self) -> None:
        link, self.link = self.link, None
        m.BUS_UP.set(0)
        if link is not None:
            try:
                link.close()
            except (can.CanError, OSError) as err:
                logger.warning("can-bus: closing the bus failed: {}", err)

    def _down(self, error: str) -> None:
        """A bus fault: close, count, and schedule a reopen with backoff."""
        self._close()
        self.failures_in_a_row += 1
        self.counts["errors"] += 1
        self.last_error = error
        m.BUS_ERRORS.inc()
        delay = min(REOPEN_CAP_S, REOPEN_FIRST_S * 2 ** (self.failures_in_a_row - 1))
        self.reopen_at_s = self.clock.monotonic() + delay
        log = logger.error if self.failures_in_a_row == 1 else logger.debug
        log("can-bus: {} (reopening in {:g} s)", error, delay)

    # --- messages -------------------------------------------------------------------------------

    def receive(self, message: Any) -> Any:
        match message:
            case CanFrameReceived():
                self._received(message)
            case SendWallboxFrame(frame=frame):
                self._send(frame)
            case CanBusFault(generation=generation, error=error):
                if generation == self.generation and self.link is not None:
                    self._down(f"read: {error}")
            case Tick():
                self._tick()
            case _:
                return super().receive(message)
        return None

    def _tick(self) -> None:
        if self.link is None and self.reopen_at_s is not None and self.clock.monotonic() >= self.reopen_at_s:
            self._open()
        if self.heartbeat_on and self.link is not None:
            self.heartbeat_counter = (self.heartbeat_counter + 1) % 256
            if self._send(Heartbeat(BROADCAST, self.heartbeat_counter)):
                m.HEARTBEATS.inc()

    def _received(self, raw: CanFrameReceived) -> None:
        if raw.error_frame:
            self.counts["errors"] += 1
            m.BUS_ERRORS.inc()
            return
        label = "none" if raw.extended or raw.remote else str(split_id(raw.arbitration_id)[1])
        try:
            if raw.extended or raw.remote:
                raise FrameError("unknown_id", f"{'extended' if raw.extended else 'remote'} frame")
            frame = decode(raw.arbitration_id, raw.data)
        except FrameError as err:
            self._bad(label, err, raw)
            return
        if to_wallbox(frame):
            self.counts["echo"] += 1  # our own frame heard back
            return
        self._route(frame)

    def _route(self, frame: Any) -> None:
        address, now = frame.address, self.clock.monotonic()
        if address not in self.heard:
            logger.info("can-bus: heard a wallbox at address {}", address)
        self.heard[address] = now
        self.bad_logged.discard(address)
        self.failures_in_a_row = 0
        self.counts["received"] += 1
        m.FRAMES_RECEIVED_OF(str(address)).inc()
        self.ctx.address(f"wallbox-{address}").tell(WallboxFrameReceived(frame, now))

    def _bad(self, label: str, err: FrameError, raw: CanFrameReceived) -> None:
        self.counts["bad"] += 1
        m.FRAMES_BAD.labels(address=label, reason=err.reason).inc()
        address = split_id(raw.arbitration_id)[1] if label != "none" else -1
        if address not in self.bad_logged:  # once per burst: until a good frame from there
            self.bad_logged.add(address)
            logger.warning("can-bus: dropped a bad frame id 0x{:X} [{}]: {}", raw.arbitration_id, raw.data.hex(), err)

    def _send(self, frame: Any) -> bool:
        arbitration_id, data = encode(frame)  # a frame that does not encode is a bug: crash
        if self.link is None:
            self.counts["unsent"] += 1
            m.FRAMES_DROPPED.inc()
            return False
        try:
            self.link.send(arbitration_id, data)
        except can.CanError as err:
            self._down(f"send: {type(err).__name__}: {err}")
            return False
        self.counts["sent"] += 1
        m.FRAMES_SENT_OF(str(frame.address)).inc()
        return True

    # --- safe state and degradation ---------------------------------------------------------------

    def enter_safe_state(self, reason: str) -> None:
        """No more heartbeats: every wallbox falls to its safe current after its timeout."""
        self.heartbeat_on = False
        logger.info("can-bus: heartbeat stopped ({})", reason)

    def on_degraded(self, names: tuple[str, ...], degraded: bool) -> None:
        if SITE_CONTROLLER in names:
            self.heartbeat_on = not degraded
            if degraded:
                logger.warning("can-bus: heartbeat stopped: the site controller was given up")
            else:
                logger.info("can-bus: heartbeat resumed: the site controller is back")

    def snapshot(self) -> dict[str, Any]:
        now = self.clock.monotonic()
        return {
            "interface": self.config.interface,
            "channel": self.config.channel,
            "open": self.link is not None,
            "generation": self.generation,
            "reopen_in_s": None if self.reopen_at_s is None else round(self.reopen_at_s - now, 3),
            "last_error": self.last_error,
            "heartbeat": self.heartbeat_on,
            "heartbeat_counter": self.heartbeat_counter,
            "frames": dict(self.counts),
            "heard": {str(a): round(now - t, 3) for a, t in sorted(self.heard.items())},
        }
