"""Output logics over time (pure): which logics are in force, when each is evaluated,
and what each output should be.

- In force: a logic is in force when it is enabled and inside its window and dates.
  Logics sharing a non-empty `group` are alternatives: only the first of them (in
  list order) that its schedule allows is in force. Logics without a group, or in
  different groups, act simultaneously.
- Period: a logic in force is evaluated when it enters force and then every
  `period_s` (monotonic seconds); between evaluations its wish does not change, so
  an output never switches inside a period because of a threshold.
- Leaving force (window end, date range end, disabled, another alternative took
  over, or its output's site state went stale) forgets the logic's memory: its wish
  is open, and it is evaluated afresh when it comes back.
- Several logics on one output: the contact closes when any of them wishes (OR).
- A manual override wins over everything; stale site state gives the safe state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from connext.core.config import LogicConfig

from .output_logic import SiteValues, hysteresis, schedule_allows, variable_value


@dataclass(frozen=True, slots=True)
class LogicMemory:
    """What a logic remembers between evaluations."""

    in_force: bool = False
    closed: bool = False
    evaluated_at_s: float | None = None
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A manual force of one output until a wall-clock time (UTC), kept across restarts."""

    number: int
    closed: bool
    until: datetime
    set_by: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What one output should be, and why (a short fixed reason plus the logic names)."""

    closed: bool
    reason: str  # override | stale_site_state | logic | logics_open | no_logic_in_force
    logics: tuple[str, ...] = ()


def logics_in_force(logics: Sequence[LogicConfig], local: datetime) -> set[str]:
    """Names of the logics in force at local wall time `local`."""
    chosen: set[str] = set()
    taken: set[str] = set()
    for logic in logics:
        if not schedule_allows(logic, local):
            continue
        if logic.group:
            if logic.group in taken:
                continue
            taken.add(logic.group)
        chosen.add(logic.name)
    return chosen


def step_logics(
    now_s: float,
    local: datetime,
    logics: Sequence[LogicConfig],
    values: SiteValues,
    memory: Mapping[str, LogicMemory],
    usable_outputs: Iterable[int],
) -> dict[str, LogicMemory]:
    """Evaluate the logics that are due; return every logic's new memory."""
    in_force = logics_in_force(logics, local)
    usable = set(usable_outputs)
    new: dict[str, LogicMemory] = {}
    for logic in logics:
        mem = memory.get(logic.name, LogicMemory())
        if logic.name not in in_force or logic.output not in usable:
            new[logic.name] = LogicMemory()
        elif mem.in_force and mem.evaluated_at_s is not None and now_s - mem.evaluated_at_s < logic.period_s:
            new[logic.name] = mem
        else:
            value = variable_value(logic.variable, values)
            new[logic.name] = LogicMemory(True, hysteresis(mem.closed, value, logic), now_s, value)
    return new


def decide_output(
    number: int,
    logics: Sequence[LogicConfig],
    memory: Mapping[str, LogicMemory],
    override: Override | None,
    now: datetime,
    usable: bool,
    safe_closed: bool,
) -> Decision:
    """The wanted state of output `number`."""
    if override is not None and override.until > now:
        return Decision(override.closed, "override")
    if not usable:
        return Decision(safe_closed, "stale_site_state")
    mine = [lg.name for lg in logics if lg.output == number and memory.get(lg.name, LogicMemory()).in_force]
    closing = tuple(name for name in mine if memory[name].closed)
    if closing:
        return Decision(True, "logic", closing)
    return Decision(False, "logics_open" if mine else "no_logic_in_force", tuple(mine))
