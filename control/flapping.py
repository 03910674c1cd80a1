"""No flapping (SPEC §10): minimum on/off times, a cap on starts per hour, and a
gentle stop (the current goes down to the minimum before a session stops).

These apply to what the strategies want. Load management's pauses do not wait for
them (the main fuse comes first), but a session it paused resumes only after the
minimum off time and within the starts-per-hour cap like any other.
"""

from __future__ import annotations

from . import reasons as R
from .evolve import evolve
from .plan import Moment, Plan
from .sessions import Session, starts_in_last_hour
from .state import MIN_CURRENT_A, BoxMemory, ControlSettings

FINAL = frozenset({R.KM_TARGET_REACHED, R.SCHEDULE_DONE})  # the session is done: no minimum on time
UNCONTROLLED = frozenset({R.UNAVAILABLE, R.NO_VEHICLE})
RAMPED_A = MIN_CURRENT_A + 0.5  # a measured current this low counts as reduced


def hold(plan: Plan, reason: str, phases: int, priority: float) -> Plan:
    """Keep charging at the minimum current."""
    return Plan(plan.address, True, reason, MIN_CURRENT_A, phases, False, 0.0, priority)


def gate(
    settings: ControlSettings,
    plan: Plan,
    mem: BoxMemory,
    session: Session,
    measured_a: tuple[float, float, float],
    moment: Moment,
) -> tuple[Plan, BoxMemory]:
    """The plan after the flapping rules; `measured_a`: the phase currents the wallbox reports."""
    charging = settings.charging
    since_switch_s = moment.now_ts - session.switched_ts
    if plan.want:
        if mem.ramp_since_s is not None:
            mem = evolve(mem, ramp_since_s=None)
        if session.on:
            return plan, mem
        if 0.0 <= since_switch_s < charging.min_off_s:
            return Plan(plan.address, False, R.MIN_OFF_TIME), mem
        if starts_in_last_hour(session, moment.now_ts) >= charging.max_starts_per_hour:
            return Plan(plan.address, False, R.MAX_STARTS), mem
        return plan, mem
    if not session.on or plan.reason in UNCONTROLLED:
        return plan, mem
    if plan.reason not in FINAL and 0.0 <= since_switch_s < charging.min_on_s:
        return hold(plan, R.MIN_ON_TIME, mem.phases, session.started_ts), mem
    if mem.current_a > MIN_CURRENT_A + 0.05 or mem.ramp_since_s is not None:
        since = moment.now_s if mem.ramp_since_s is None else mem.ramp_since_s
        if max(measured_a) > RAMPED_A and moment.now_s - since < charging.stop_ramp_s:
            return hold(plan, R.STOP_RAMP, mem.phases, session.started_ts), evolve(mem, ramp_since_s=since)
    if mem.ramp_since_s is not None:
        mem = evolve(mem, ramp_since_s=None)
    return plan, mem
