"""Real site-controller and recorder actors in one process, with probes for their peers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from connext.actors.base import ActorContext, ConnextActor
from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot
from connext.actors.recorder import RecorderActor
from connext.actors.site_controller import SiteControllerActor
from connext.core.clock import Clock
from support.waiting import wait_until


class Probe(ConnextActor):
    """Stands in for a peer (a wallbox, the output controller): keeps what it is told."""

    def __init__(self, ctx: ActorContext) -> None:
        super().__init__(ctx)
        self.received: list[Any] = []
        self._lock = threading.Lock()

    def receive(self, message: Any) -> Any:
        with self._lock:
            self.received.append(message)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"received": list(self.received)}


class ControlActors:
    """Starts recorder, site-controller and probes under one directory (no supervisor)."""

    def __init__(self, config, clock: Clock, probes: tuple[str, ...] = ("wallbox-1", "output-controller")) -> None:
        self.config, self.clock = config, clock
        self.directory = Directory()
        self.supervisor = self.directory.address("supervisor")
        for name in probes:
            self._start(name, Probe)
        self.start_control()

    def _start(self, name: str, actor: type, **kwargs: Any) -> None:
        record = self.directory.record(name) or self.directory.declare(name, actor.__name__, "test")
        record.ref = actor.start(ActorContext(name, self.clock, self.directory, self.supervisor), **kwargs)
        record.status = "running"

    def start_control(self) -> None:
        """Recorder first, up and running (the store is open), then the site controller."""
        self._start("recorder", RecorderActor, config=self.config)
        self.snapshot("recorder")
        self._start("site-controller", SiteControllerActor, config=self.config)

    def stop_control(self) -> None:
        for name in ("site-controller", "recorder"):
            ref = self.directory.ref(name)
            if ref is not None:
                ref.stop(block=True, timeout=5)

    def tell(self, message: Any, name: str = "site-controller") -> None:
        self.directory.address(name).tell(message)

    def ask(self, message: Any, name: str = "site-controller") -> Any:
        ref = self.directory.ref(name)
        assert ref is not None, f"{name} is not running"
        return ref.ask(message, timeout=10)

    def snapshot(self, name: str = "site-controller") -> dict[str, Any]:
        return self.ask(GetSnapshot(), name)

    def received(self, name: str = "wallbox-1", kind: type | None = None) -> list[Any]:
        got = self.ask(GetSnapshot(), name)["received"]
        return [m for m in got if kind is None or isinstance(m, kind)]

    def settle(self) -> None:
        """Wait until every message told so far has been handled (asks queue behind tells)."""
        self.snapshot("site-controller")
        self.snapshot("recorder")


def wait_for(condition: Callable[[], Any], timeout_s: float = 20.0, what: str = "condition") -> Any:
    """Poll until `condition()` is truthy; its value, or AssertionError after `timeout_s`."""
    return wait_until(condition, timeout_s, what)
