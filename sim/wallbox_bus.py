"""Simulated wallboxes on a real python-can bus (`virtual`, `udp_multicast`, `socketcan`).

`WallboxSimulator` owns one bus and a Notifier: controller frames are decoded and
handed to every `SimWallbox`; `step()` (called by its own thread after `start()`, or by
a test with a manual clock) advances them and sends what they queued. The methods
below are the Python API the CLI and the tests drive: plug an EV in or out, present a
card, mute a wallbox, raise a fault, send garbage.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import can

from connext.core.clock import Clock, SystemClock
from connext.protocols.wallbox_can import FrameError, can_id, decode, encode, to_wallbox
from connext.protocols.wallbox_layouts import Function

from .ev import EvModel
from .wallbox import SimWallbox

SEND_TIMEOUT_S = 0.5


def bad_frames(address: int) -> list[tuple[int, bytes]]:
    """One frame of each kind a receiver must count and drop."""
    return [
        (can_id(Function.STATUS, address), b"\x41\x00"),  # wrong length
        (0x3F << 5 | address, b"\x00\x00"),  # unknown function
        (can_id(Function.STATUS, address), b"\x5a\x00\x00\x00\x00\x00"),  # state 'Z'
    ]


class WallboxSimulator:
    """Serves `wallboxes` on the bus opened with `bus_options` (python-can keywords)."""

    def __init__(self, wallboxes: Iterable[SimWallbox], bus_options: dict[str, Any], clock: Clock | None = None):
        self.clock = clock or SystemClock()
        self.wallboxes = {w.address: w for w in wallboxes}
        self.bad_frames_received = 0
        self.frames_received = 0  # controller frames, to any address
        self.frames_sent = 0
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.bus = can.Bus(**bus_options)
        now = self.clock.monotonic()
        with self._lock:
            for wallbox in self.wallboxes.values():
                wallbox.boot(now)
            self._flush()
        self.notifier = can.Notifier(self.bus, [self._on_message], timeout=0.1)

    # --- running ---------------------------------------------------------------------------

    def step(self) -> None:
        """Advance every wallbox to the clock's time and send what is due."""
        now = self.clock.monotonic()
        with self._lock:
            for wallbox in self.wallboxes.values():
                wallbox.advance(now)
            self._flush()

    def start(self, period_s: float = 0.05) -> WallboxSimulator:
        """Step on a thread every `period_s` of real time."""
        self._thread = threading.Thread(target=self._run, args=(period_s,), name="sim-wallbox", daemon=True)
        self._thread.start()
        return self

    def _run(self, period_s: float) -> None:
        while not self._stopping.wait(period_s):
            self.step()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.notifier.stop(timeout=1)
        self.bus.shutdown()

    def __enter__(self) -> WallboxSimulator:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _on_message(self, message: can.Message) -> None:
        if message.is_extended_id or message.is_error_frame or message.is_remote_frame:
            return
        try:
            frame = decode(message.arbitration_id, bytes(message.data))
        except FrameError:
            self.bad_frames_received += 1
            return
        if not to_wallbox(frame):
            return  # another wallbox's frame, or our own echo on udp_multicast
        now = self.clock.monotonic()
        with self._lock:
            self.frames_received += 1
            for wallbox in self.wallboxes.values():
                wallbox.handle(frame, now)
            self._flush()

    def _flush(self) -> None:
        for wallbox in self.wallboxes.values():
            for frame in wallbox.take_outbox():
                self.send_raw(*encode(frame))

    def send_raw(self, arbitration_id: int, data: bytes) -> None:
        message = can.Message(arbitration_id=arbitration_id, data=data, is_extended_id=False)
        try:
            self.bus.send(message, timeout=SEND_TIMEOUT_S)
        except can.CanError:
            return  # a simulated wallbox on a broken bus just loses the frame, like a real one
        self.frames_sent += 1

    # --- the outside world -----------------------------------------------------------------------

    def _do(self, address: int, action: str, *args: Any) -> None:
        with self._lock:
            wallbox, now = self.wallboxes[address], self.clock.monotonic()
            getattr(wallbox, action)(*args, now)
            wallbox.advance(now)  # a change is reported at once
            self._flush()

    def plug_in(self, address: int, ev: EvModel | None = None) -> None:
        """Plug a vehicle in (default: 60 kWh at 30 %, 16 A, three phases)."""
        self._do(address, "plug_in", ev or EvModel(battery_wh=60_000, soc=0.3, max_current_a=16, phases=3))

    def unplug(self, address: int) -> None:
        self._do(address, "unplug")

    def present_card(self, address: int, uid: bytes) -> None:
        self._do(address, "present_card", uid)

    def power_cycle(self, address: int) -> None:
        self._do(address, "boot")

    def mute(self, address: int, muted: bool = True) -> None:
        """Fault injection: the wallbox stops (or resumes) sending anything."""
        with self._lock:
            self.wallboxes[address].muted = muted

    def set_error(self, address: int, code: int) -> None:
        """Fault injection: a wallbox error (state F) until cleared with code 0."""
        with self._lock:
            self.wallboxes[address].error_code = code

    def send_bad_frames(self, address: int) -> int:
        """Fault injection: garbage from `address`; returns how many frames were sent."""
        frames = bad_frames(address)
        for arbitration_id, data in frames:
            self.send_raw(arbitration_id, data)
        return len(frames)

    def phase_currents(self) -> dict[int, tuple[float, float, float]]:
        """What each wallbox's vehicle draws now, per phase (the whole-site simulator's meter)."""
        with self._lock:
            return {address: w.phase_currents() for address, w in self.wallboxes.items()}

    def view(self) -> list[dict[str, object]]:
        with self._lock:
            return [w.view() for w in self.wallboxes.values()]
