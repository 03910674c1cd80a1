"""The bus's poll schedule: which registered request goes on the line next.

Pure bookkeeping, no I/O and no clock reads (times are passed in), so it is tested with
plain numbers. Rules: among the requests that are due, the lowest priority number goes
first (the meter's power block is 0), then the one waiting longest; so the meter's small
fast block is slotted in between inverter blocks. A request that ran is due again one
period later, never sooner than half a period from now (no bursts to catch up). A device
that stopped answering is probed with one request every `offline_poll_s` (all its other
requests wait), so a silent unit cannot hog the half-duplex line with timeouts. A
*cycle* is complete when every request has run once; its time, transaction count and
theoretical wire time are kept for the metric and the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connext.protocols.modbus_map import Block
from connext.protocols.poll_plan import PollSpec

from .directory import Address


@dataclass
class ScheduledPoll:
    unit: int
    spec: PollSpec
    reply_to: Address
    due_s: float
    variant: int = 0  # which of spec.variants answers (probed, then remembered)

    @property
    def key(self) -> tuple[int, str]:
        return (self.unit, self.spec.name)

    @property
    def block(self) -> Block:
        return self.spec.variants[self.variant]


@dataclass
class Cycle:
    started_s: float
    pending: set[tuple[int, str]]
    transactions: int = 0
    wire_s: float = 0.0


@dataclass
class Schedule:
    offline_poll_s: float
    polls: list[ScheduledPoll] = field(default_factory=list)
    cycle: Cycle | None = None
    last_cycle: dict[str, Any] | None = None

    def register(self, unit: int, specs: tuple[PollSpec, ...], reply_to: Address, now_s: float) -> None:
        """(Re)place a unit's requests; all of them due at once."""
        self.polls = [p for p in self.polls if p.unit != unit]
        self.polls += [ScheduledPoll(unit, spec, reply_to, now_s) for spec in specs]
        if self.cycle is None:
            self.cycle = Cycle(now_s, set())
        self.cycle.pending |= {(unit, spec.name) for spec in specs}

    def all_due(self, now_s: float) -> None:
        """Everything due now; a fresh cycle starts (debug command, benchmark)."""
        for poll in self.polls:
            poll.due_s = now_s
        self.cycle = Cycle(now_s, {p.key for p in self.polls})

    def next_due(self, now_s: float) -> ScheduledPoll | None:
        due = [p for p in self.polls if p.due_s <= now_s]
        return min(due, key=lambda p: (p.spec.priority, p.due_s)) if due else None

    def wait_s(self, now_s: float) -> float | None:
        """Seconds until the next request is due (None: nothing registered)."""
        return max(0.0, min(p.due_s for p in self.polls) - now_s) if self.polls else None

    def note_transaction(self, wire_s: float) -> None:
        if self.cycle is not None:
            self.cycle.transactions += 1
            self.cycle.wire_s += wire_s

    def defer_unit(self, unit: int, until_s: float) -> None:
        """A unit stopped answering: none of its requests before `until_s` (one probe then)."""
        for poll in self.polls:
            if poll.unit == unit:
                poll.due_s = max(poll.due_s, until_s)

    def wake_unit(self, unit: int, now_s: float) -> None:
        """A unit answers again: its deferred requests are due now."""
        for poll in self.polls:
            if poll.unit == unit:
                poll.due_s = min(poll.due_s, now_s)

    def ran(self, poll: ScheduledPoll, now_s: float, device_offline: bool) -> None:
        """`poll` was on the line; schedule it again and account for the cycle."""
        period = poll.spec.period_s
        if device_offline:
            poll.due_s = now_s + max(period, self.offline_poll_s)
        else:
            poll.due_s = max(poll.due_s + period, now_s + 0.5 * period)
        cycle = self.cycle
        if cycle is None:
            return
        cycle.pending.discard(poll.key)
        if not cycle.pending:
            self.last_cycle = {
                "duration_s": round(now_s - cycle.started_s, 6),
                "transactions": cycle.transactions,
                "wire_s": round(cycle.wire_s, 6),
            }
            self.cycle = Cycle(now_s, {p.key for p in self.polls})
