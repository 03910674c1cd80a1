"""The python-can side of the CanBus actor: open a bus, read it with a Notifier, send.

`BusLink.open` returns a bus whose frames arrive at an actor as `CanFrameReceived`.
A read error is reported once as `CanBusFault` and stops that link's reader (the
actor then closes it and opens a fresh one): a dead socket must not spin the reader.
"""

from __future__ import annotations

import contextlib
from typing import Any

import can
import pykka

from connext.core.config import CanConfig

from .messages import CanBusFault, CanFrameReceived

READ_TIMEOUT_S = 0.2  # how long the reader blocks per recv(); bounds the time to stop
SEND_TIMEOUT_S = 0.2
OPEN_ERRORS = (can.CanError, OSError, ValueError)  # ValueError: a bad channel for the interface


def bus_options(config: CanConfig) -> dict[str, Any]:
    """python-can keywords for `can.Bus` from the [can] section."""
    options: dict[str, Any] = {"interface": config.interface, "channel": config.channel}
    if config.interface == "udp_multicast":
        options["port"] = config.port
    elif config.interface == "socketcan":
        options["bitrate"] = config.bitrate  # informative: the kernel's `ip link` sets it
    return options


class _Forwarder(can.Listener):
    """Runs on the Notifier's thread: every frame becomes a message to `target`."""

    def __init__(self, target: pykka.ActorRef[Any], generation: int) -> None:
        self.target, self.generation = target, generation
        self.notifier: can.Notifier | None = None
        self.failed = False

    def _tell(self, message: object) -> None:
        with contextlib.suppress(pykka.ActorDeadError):  # the actor is stopping; it closes this link
            self.target.tell(message)

    def on_message_received(self, msg: can.Message) -> None:
        self._tell(
            CanFrameReceived(
                msg.arbitration_id,
                bytes(msg.data),
                extended=msg.is_extended_id,
                error_frame=msg.is_error_frame,
                remote=msg.is_remote_frame,
            )
        )

    def on_error(self, exc: Exception) -> None:
        if not self.failed:
            self.failed = True
            self._tell(CanBusFault(self.generation, f"{type(exc).__name__}: {exc}"))
        if self.notifier is not None:
            self.notifier.stop(timeout=0)  # ends the reader loop after this call; no join from inside


class BusLink:
    """One opened bus and its reader."""

    def __init__(self, bus: can.BusABC, notifier: can.Notifier, generation: int) -> None:
        self.bus, self.notifier, self.generation = bus, notifier, generation

    @classmethod
    def open(cls, options: dict[str, Any], target: pykka.ActorRef[Any], generation: int) -> BusLink:
        """Open the bus and start reading; raises one of OPEN_ERRORS."""
        bus = can.Bus(**options)
        forwarder = _Forwarder(target, generation)
        notifier = can.Notifier(bus, [forwarder], timeout=READ_TIMEOUT_S)
        forwarder.notifier = notifier
        return cls(bus, notifier, generation)

    def send(self, arbitration_id: int, data: bytes) -> None:
        """Send one standard-id frame; raises can.CanError on failure."""
        self.bus.send(can.Message(arbitration_id=arbitration_id, data=data, is_extended_id=False), SEND_TIMEOUT_S)

    def close(self) -> None:
        self.notifier.stop(timeout=READ_TIMEOUT_S * 5)
        self.bus.shutdown()
