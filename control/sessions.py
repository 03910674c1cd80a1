"""Charging sessions: from plug-in to unplug, followed from the wallbox's status.

A session opens when a vehicle appears (connected, charging or suspended) and ends
when the wallbox reports `available` again; `fault` and `offline` keep it open (the
vehicle may still be there). A `Session` holds the facts that change rarely: the
strategy it started under (a copy), its on/off timers (wall-clock epoch seconds, so
they survive a restart) and why it finished. Its energy changes on every status and
is kept beside it (`count_energy`): counted from the wallbox's own session counter as
deltas, so a counter that restarts (a wallbox reboot) adds on instead of going back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

from .evolve import evolve
from .strategy import Strategy

PRESENT = frozenset({"connected", "charging", "suspended"})
ENDED = frozenset({"available"})
START_WINDOW_S = 3600.0  # max_starts_per_hour counts the starts of the last hour


class StatusLike(Protocol):
    address: int
    state: str
    session_energy_wh: float


@dataclass(frozen=True, slots=True)
class Session:
    """One charging session (persisted by the recorder, restored on restart)."""

    key: str
    address: int
    started_at: str  # ISO 8601 UTC
    started_ts: float  # the same instant, epoch seconds: priority and schedules
    strategy: Strategy
    card: str | None = None
    done_reason: str = ""  # km_target_reached / schedule_done: no more charging
    on: bool = False  # the controller lets it charge
    switched_ts: float = 0.0  # last on/off change
    starts: tuple[float, ...] = ()  # epoch seconds of the starts in the last hour
    ended_at: str | None = None
    seen_at: str | None = None  # restored sessions: when the store last heard of it

    @property
    def done(self) -> bool:
        return bool(self.done_reason)

    def describe(self, energy_wh: float) -> str:
        return f"wallbox {self.address} since {self.started_at} ({energy_wh / 1000:.2f} kWh)"


class SessionState(NamedTuple):
    """A session and its energy so far (what the recorder keeps)."""

    session: Session
    energy_wh: float
    counter_wh: float


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def open_session(status: StatusLike, now: datetime, strategy: Strategy, card: str | None) -> Session:
    started_at = iso(now)
    return Session(
        key=f"wb{status.address}-{started_at}",
        address=status.address,
        started_at=started_at,
        started_ts=now.timestamp(),
        strategy=strategy,
        card=card,
    )


def follow(
    session: Session | None, status: StatusLike | None, now: datetime, strategy: Strategy, card: str | None = None
) -> Session | None:
    """The session after `status` (the same object when nothing changed); `ended_at` set when it ends."""
    if status is None:
        return session
    if session is None:
        return open_session(status, now, strategy, card) if status.state in PRESENT else None
    if status.state in ENDED:
        return evolve(session, ended_at=session.seen_at or iso(now))
    if card and card != session.card:
        session = evolve(session, card=card)
    if session.seen_at is not None and status.state in PRESENT:
        session = evolve(session, seen_at=None)
    return session


def count_energy(energy_wh: float, counter_wh: float, reported_wh: float) -> tuple[float, float]:
    """(energy, counter) after the wallbox reports its session counter `reported_wh`."""
    if reported_wh == counter_wh:
        return energy_wh, counter_wh
    delta = reported_wh - counter_wh if reported_wh >= counter_wh else reported_wh  # a reset counter adds on
    return energy_wh + delta, reported_wh


def switch(session: Session, on: bool, now_ts: float) -> Session:
    """Record a start (off -> on) or a stop (on -> off) for the flapping limits."""
    starts = tuple(t for t in session.starts if now_ts - t < START_WINDOW_S)
    if on:
        starts += (now_ts,)
    return evolve(session, on=on, switched_ts=now_ts, starts=starts)


def starts_in_last_hour(session: Session, now_ts: float) -> int:
    return sum(1 for t in session.starts if 0.0 <= now_ts - t < START_WINDOW_S)
