"""Helpers for box I/O tests: start actors by hand (no supervisor) and
record what they send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pykka

from connext.actors.base import ActorContext, ConnextActor
from connext.actors.directory import Directory
from connext.actors.ticker import Ticker
from connext.core.clock import Clock
from support.waiting import wait_until


def start_actor(
    directory: Directory, clock: Clock, name: str, cls: type[ConnextActor], ticker: Ticker | None = None, **kwargs: Any
) -> pykka.ActorRef:
    """Start `cls` under `name` in `directory`, as the supervisor would; without a ticker
    unless given one (a test's ticker is not started: it lists the jobs, tests tick by hand)."""
    record = directory.record(name) or directory.declare(name, cls.__name__, "test")
    ctx = ActorContext(name, clock, directory, directory.address("supervisor"), ticker)
    record.ref = cls.start(ctx, **kwargs)
    record.status = "running"
    return record.ref


class Recorder(ConnextActor):
    """Keeps every message it is told; `GetSnapshot` returns them (as reprs and objects)."""

    def __init__(self, ctx: ActorContext) -> None:
        super().__init__(ctx)
        self.seen: list[Any] = []

    def receive(self, message: Any) -> Any:
        self.seen.append(message)

    def snapshot(self) -> dict[str, Any]:
        return {"seen": list(self.seen)}


def seen(ref: pykka.ActorRef) -> list[Any]:
    """What a Recorder has been told so far (asking flushes its mailbox first)."""
    from connext.actors.messages import GetSnapshot

    return ref.ask(GetSnapshot(), timeout=5)["seen"]


def wait_for(condition: Callable[[], object], timeout_s: float = 15.0) -> bool:
    """Poll `condition` until it is truthy (True) or the generous deadline passes (False)."""
    try:
        wait_until(condition, timeout_s)
    except AssertionError:
        return False
    return True
