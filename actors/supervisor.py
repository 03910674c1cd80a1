"""The supervisor: starts the tree, restarts failed children, gives up on the hopeless.

Erlang/OTP in spirit. A failure is noticed two ways: the child's `on_failure` tells
`ChildFailed`, and every `Tick` checks `is_alive()` (a crash in `on_start` skips
`on_failure`). A failed child restarts after an exponential backoff (base doubling up
to a cap; reset once it has run a whole intensity period). Each group counts its
restarts; more than `intensity` within `period_s` gives the group up: its actors are
stopped and marked degraded (metric, log, snapshot), every live actor is told, and
the group is retried on a slow timer. The root group never gives itself up: past its
intensity, only the failing child is degraded. The daemon never exits for a device
fault.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

import pykka
from loguru import logger

from connext.core import metrics
from connext.core.clock import Clock
from connext.core.config import SupervisorConfig
from connext.core.systemd import Notifier

from .base import ActorContext
from .directory import ActorRecord, Directory
from .messages import ActorsDegraded, ChildFailed, GetSnapshot, StopSupervising, Tick
from .ticker import Ticker
from .tree import Child, Group, walk

STOP_TIMEOUT_S = 5.0


@dataclass
class _ChildState:
    child: Child
    chain: tuple[Group, ...]  # groups above it, outermost first
    record: ActorRecord
    failures_in_a_row: int = 0
    restart_at_s: float | None = None


@dataclass
class _GroupState:
    group: Group
    is_root: bool
    members: list[str]  # every actor below it, in start order
    restarts_s: collections.deque[float] = field(default_factory=collections.deque)
    degraded: bool = False
    retry_at_s: float | None = None


class Supervisor(pykka.ThreadingActor):
    """Owns the actor tree. Driven by `Tick`s; answers `GetSnapshot`."""

    use_daemon_thread = True  # a stuck actor must never keep the process alive

    def __init__(
        self,
        tree: Group,
        directory: Directory,
        clock: Clock,
        settings: SupervisorConfig,
        ticker: Ticker | None = None,
        name: str = "supervisor",
        notifier: Notifier | None = None,
        essential: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.tree, self.directory, self.clock, self.settings = tree, directory, clock, settings
        self.ticker, self.name = ticker, name
        self.notifier, self.essential = notifier, essential
        self.watchdog_fed_at_s: float | None = None
        self.supervising = True
        self.children: dict[str, _ChildState] = {}
        self.groups: dict[str, _GroupState] = {}
        if directory.record(name) is None:
            directory.declare(name, "Supervisor", "-")
        for child, chain in walk(tree):
            record = directory.declare(child.name, child.actor.__name__, chain[-1].name)
            self.children[child.name] = _ChildState(child, chain, record)
            for group in chain:
                state = self.groups.setdefault(group.name, _GroupState(group, group is tree, []))
                state.members.append(child.name)
        clashes = set(self.groups) & set(self.children)
        if clashes:
            raise ValueError(f"names used for both a group and an actor: {sorted(clashes)}")

    # --- lifecycle --------------------------------------------------------------------

    def on_start(self) -> None:
        record = self.directory.record(self.name)
        assert record is not None
        record.ref, record.status, record.started_at_s = self.actor_ref, "running", self.clock.monotonic()
        self._start_pending(list(self.children))

    def on_receive(self, message: Any) -> Any:
        match message:
            case Tick():
                self._tick()
            case ChildFailed(name=name, urn=urn, error=error):
                self._child_failed(name, urn, error)
            case GetSnapshot():
                return self.snapshot()
            case StopSupervising():
                self.supervising = False
                return [r.name for r in self.directory.records()]
            case _:  # a bug elsewhere; the root of the tree must not die of it
                logger.error("supervisor: unexpected message {!r} ignored", message)
        return None

    def _start(self, name: str) -> None:
        if not self.supervising:
            return
        state = self.children[name]
        record = state.record
        ctx = ActorContext(name, self.clock, self.directory, self.directory.address(self.name), self.ticker)
        try:
            record.ref = state.child.actor.start(ctx, **state.child.kwargs)
        except Exception as err:  # noqa: BLE001 - a constructor bug or a device that cannot open: a failure like any other
            record.ref = None
            logger.opt(exception=err).error("{} failed to start", name)
            self._failed(name, f"start: {type(err).__name__}: {err}")
            return
        record.status, record.started_at_s = "running", self.clock.monotonic()
        state.restart_at_s = None
        metrics.ACTOR_UP.labels(actor=name).set(1)
        metrics.ACTOR_DEGRADED.labels(actor=name).set(0)
        logger.info("started {} ({})", name, record.kind)

    def _stop_child(self, name: str, status: str) -> None:
        record = self.children[name].record
        ref, record.ref = record.ref, None
        record.status = status
        metrics.ACTOR_UP.labels(actor=name).set(0)
        if ref is not None and ref.is_alive():
            try:
                ref.stop(block=True, timeout=STOP_TIMEOUT_S)
            except pykka.Timeout:
                logger.error("{} did not stop within {} s", name, STOP_TIMEOUT_S)

    # --- failure handling -------------------------------------------------------------

    def _child_failed(self, name: str, urn: str, error: str) -> None:
        record = self.children[name].record if name in self.children else None
        if record is None or record.ref is None or record.ref.actor_urn != urn:
            return  # a late report about an incarnation already handled
        self._failed(name, error)

    def _tick(self) -> None:
        if not self.supervising:
            return
        now = self.clock.monotonic()
        for name, state in self.children.items():
            record = state.record
            if record.status == "running" and (record.ref is None or not record.ref.is_alive()):
                self._failed(name, "stopped unexpectedly (error in on_start?)")
            elif record.status == "running" and state.failures_in_a_row and self._stable(state, now):
                state.failures_in_a_row = 0  # stable again: the next failure restarts fast
        self._feed_watchdog(now)
        due = [
            n
            for n, s in self.children.items()
            if s.record.status == "restarting" and s.restart_at_s is not None and now >= s.restart_at_s
        ]
        for name in due:
            self.children[name].record.status = "starting"
        self._start_pending(due)
        for group in self.groups.values():
            if group.degraded and group.retry_at_s is not None and now >= group.retry_at_s:
                self._revive(group)

    def _failed(self, name: str, error: str) -> None:
        if not self.supervising:
            return
        state = self.children[name]
        state.record.last_error = error
        metrics.ACTOR_FAILURES.labels(actor=name).inc()
        logger.error("{} failed: {}", name, error)
        group = self.groups[state.chain[-1].name]
        if self._over_intensity(group):
            self._give_up(group, name)
            return
        victims = self._restart_set(name)
        for victim in reversed(victims):
            self._stop_child(victim, "restarting")
        state.failures_in_a_row += 1
        delay = min(self.settings.backoff_cap_s, self.settings.backoff_base_s * 2 ** (state.failures_in_a_row - 1))
        restart_at = self.clock.monotonic() + delay
        for victim in victims:
            self.children[victim].restart_at_s = restart_at
            self.children[victim].record.restarts += 1
            metrics.ACTOR_RESTARTS.labels(actor=victim).inc()
        logger.warning("restarting {} in {:.2f} s", ", ".join(victims), delay)

    def healthy(self) -> bool:
        """Supervising, and no essential actor given up: what the service watchdog hears."""
        return self.supervising and not any(
            self.children[name].record.status == "degraded" for name in self.essential if name in self.children
        )

    def _feed_watchdog(self, now: float) -> None:
        """Tell systemd we are alive at half its WatchdogSec, but only while healthy: a
        supervisor that stops ticking, or a tree that lost its essentials, gets restarted."""
        notifier = self.notifier
        if notifier is None or notifier.watchdog_s is None or not self.healthy():
            return
        if self.watchdog_fed_at_s is None or now - self.watchdog_fed_at_s >= notifier.watchdog_s / 2:
            notifier.notify("WATCHDOG=1")
            self.watchdog_fed_at_s = now

    def _stable(self, state: _ChildState, now: float) -> bool:
        """Running for a whole intensity period since the last (re)start."""
        started = state.record.started_at_s
        return started is not None and now - started >= self._period(state.chain[-1])

    def _restart_set(self, name: str) -> list[str]:
        """The failed child, plus those after it in a rest_for_one group."""
        group = self.children[name].chain[-1]
        if group.strategy == "one_for_one":
            return [name]
        members = self.groups[group.name].members
        return members[members.index(name) :]

    def _over_intensity(self, group: _GroupState) -> bool:
        now = self.clock.monotonic()
        window = group.restarts_s
        while window and now - window[0] > self._period(group.group):
            window.popleft()
        window.append(now)
        return len(window) > self._intensity(group.group)

    def _give_up(self, group: _GroupState, failed: str) -> None:
        intensity, period = self._intensity(group.group), self._period(group.group)
        group.restarts_s.clear()
        if group.is_root:  # the root never gives itself up: only the failing child, retried alone
            group = self.groups.setdefault(failed, _GroupState(Group(failed, ()), False, [failed]))
        for victim in reversed(group.members):
            self._stop_child(victim, "degraded")
            metrics.ACTOR_DEGRADED.labels(actor=victim).set(1)
        group.degraded, group.retry_at_s = True, self.clock.monotonic() + self.settings.degraded_retry_s
        logger.error(
            "gave up {} after more than {} restarts in {:g} s: degraded, retry in {:g} s",
            ", ".join(group.members),
            intensity,
            period,
            self.settings.degraded_retry_s,
        )
        self._broadcast(ActorsDegraded(tuple(group.members), True))

    def _revive(self, group: _GroupState) -> None:
        group.degraded, group.retry_at_s = False, None
        logger.warning("retrying degraded {}", ", ".join(group.members))
        for name in group.members:
            self.children[name].failures_in_a_row = 0
            self.children[name].record.status = "starting"
        self._start_pending(group.members)
        self._broadcast(ActorsDegraded(tuple(group.members), False))

    def _start_pending(self, names: list[str]) -> None:
        """Start, in order, those still 'starting' (a failure on the way defers the rest)."""
        for name in names:
            if self.children[name].record.status == "starting":
                self._start(name)

    def _broadcast(self, message: object) -> None:
        for record in self.directory.records():
            if record.name != self.name and record.ref is not None and record.ref.is_alive():
                record.ref.tell(message)

    def _intensity(self, group: Group) -> int:
        return group.intensity if group.intensity is not None else self.settings.intensity

    def _period(self, group: Group) -> float:
        return group.period_s if group.period_s is not None else self.settings.period_s

    # --- introspection ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        now = self.clock.monotonic()
        return {
            "supervising": self.supervising,
            "healthy": self.healthy(),
            "essential": sorted(self.essential),
            "groups": {
                name: {
                    "strategy": g.group.strategy,
                    "intensity": self._intensity(g.group),
                    "period_s": self._period(g.group),
                    "members": g.members,
                    "degraded": g.degraded,
                    "retry_in_s": None if g.retry_at_s is None else round(g.retry_at_s - now, 3),
                    "recent_restarts": len(g.restarts_s),
                }
                for name, g in self.groups.items()
            },
        }
