"""Stable names for actors that come and go.

The supervisor restarts actors, and a restarted actor has a new pykka ref. Peers
therefore hold an `Address` (a name) handed in by the supervisor, and every `tell`
resolves the name to the current ref through the `Directory`. A message to an actor
that is down is dropped and counted, never raised into the sender.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pykka
from loguru import logger

from connext.core import metrics

STATUSES = ("starting", "running", "restarting", "degraded", "stopped")


@dataclass
class ActorRecord:
    """What the system knows about one named actor; read by the debug socket."""

    name: str
    kind: str
    group: str
    status: str = "starting"
    restarts: int = 0
    started_at_s: float | None = None
    last_message_at_s: float | None = None
    messages_handled: int = 0
    last_error: str | None = None
    ref: pykka.ActorRef[Any] | None = field(default=None, repr=False)

    def view(self, now_s: float) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "name": self.name,
            "kind": self.kind,
            "group": self.group,
            "status": self.status,
            "restarts": self.restarts,
            "uptime_s": _age(now_s, self.started_at_s) if self.status == "running" else None,
            "last_message_age_s": _age(now_s, self.last_message_at_s),
            "messages_handled": self.messages_handled,
            "mailbox": self.ref.actor_inbox.qsize() if self.ref and self.ref.is_alive() else 0,
            "last_error": self.last_error,
        }


def _age(now_s: float, then_s: float | None) -> float | None:
    return None if then_s is None else round(now_s - then_s, 3)


class Directory:
    """Thread-safe name -> actor table, written by the supervisor, read by everyone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, ActorRecord] = {}
        self._dropped_logged: set[str] = set()

    def declare(self, name: str, kind: str, group: str) -> ActorRecord:
        """Reserve a name (the supervisor does this once per child, in start order)."""
        with self._lock:
            if name in self._records:
                raise ValueError(f"actor name {name!r} declared twice")
            record = self._records[name] = ActorRecord(name, kind, group)
            return record

    def address(self, name: str) -> Address:
        """A stable handle to a name; the actor may not exist yet."""
        return Address(name, self)

    def record(self, name: str) -> ActorRecord | None:
        with self._lock:
            return self._records.get(name)

    def records(self) -> list[ActorRecord]:
        """All records in declaration (= start) order."""
        with self._lock:
            return list(self._records.values())

    def ref(self, name: str) -> pykka.ActorRef[Any] | None:
        """The live ref behind a name, or None when the actor is down."""
        with self._lock:
            record = self._records.get(name)
            ref = record.ref if record else None
        return ref if ref is not None and ref.is_alive() else None

    def tell(self, name: str, message: object) -> bool:
        """Deliver or drop; True when delivered to a live actor."""
        ref = self.ref(name)
        if ref is not None:
            try:
                ref.tell(message)
            except pykka.ActorDeadError:
                pass
            else:
                self._dropped_logged.discard(name)
                return True
        metrics.MESSAGES_DROPPED.labels(actor=name).inc()
        if name not in self._dropped_logged:  # once per outage, not per message
            self._dropped_logged.add(name)
            logger.warning("message to {} dropped: actor is down ({})", name, type(message).__name__)
        return False


@dataclass(frozen=True, slots=True)
class Address:
    """A name that resolves to whichever actor currently bears it."""

    name: str
    directory: Directory = field(compare=False, repr=False)

    def tell(self, message: object) -> bool:
        """Send without waiting; dropped (and counted) when the actor is down."""
        return self.directory.tell(self.name, message)
