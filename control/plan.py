"""What each session's strategy wants right now (SPEC §7), before load management.

A `Plan` says whether a wallbox wants current, up to which cap, on how many phases,
and why. The strategies:
- Fast: all that is available (the load manager decides how much).
- Kilometer: as Fast until km x Wh/km has been added, then done (stop).
- Time-power: the set power inside the session's window, waiting before it, done after.
- Ecological: on/off by the smoothed PV against the threshold with a dwell time; while
  on, the car's power follows the whole PV (pure) or max(PV, 1.8 kW) (mixed); the PV
  budget itself is a load-management constraint (see decide.py).
When the wanted power is below 6 A on three phases, a wallbox that can switch to one
phase does so (at most once per `phase_switch_min_s`), else it stands by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from . import reasons as R
from .eco import step as eco_step
from .evolve import evolve
from .schedule import window_for
from .sessions import Session
from .state import MIN_CURRENT_A, BoxMemory, BoxSettings, ControlSettings

INF = math.inf
PHASE_UP_MARGIN_W = 300.0  # back to three phases only this far above the three-phase minimum


@dataclass(slots=True)
class Plan:
    """One wallbox's wish for this decision (mutable scratch, never stored)."""

    address: int
    want: bool
    reason: str
    cap_a: float = 0.0
    phases: int = 3
    can_switch: bool = False
    eco_floor_w: float = 0.0  # an Eco session that is on gets at least this
    priority: float = 0.0  # session start: the earliest charges first, the latest pauses first


class Moment(NamedTuple):
    """The time and PV values one decision sees."""

    now_s: float  # monotonic: dwell, smoothing, phase switches
    now: datetime  # aware UTC: schedules, session times
    now_ts: float  # now as epoch seconds: persisted timers
    pv_w: float | None  # latest PV reading (None = stale)
    pv_smoothed_w: float | None


def off(address: int, reason: str) -> Plan:
    return Plan(address, False, reason)


def plan_session(
    settings: ControlSettings,
    box: BoxSettings,
    cap_a: float,
    mem: BoxMemory,
    session: Session,
    energy_wh: float,
    moment: Moment,
    pv_taken_w: float,
) -> tuple[Plan, BoxMemory, Session]:
    """The plan of a wallbox with an open session (`energy_wh` delivered so far);
    `pv_taken_w`: PV already promised to earlier Eco sessions."""
    strategy = session.strategy
    wiring = min(box.phases, settings.layout.phases)
    plan = Plan(box.address, True, R.FAST, cap_a, mem.phases if wiring == 3 else 1, box.can_switch_phases)
    plan.priority = session.started_ts
    if strategy.name == "fast":
        return plan, mem, session
    if strategy.name in ("km_single", "km_repeated"):
        if energy_wh >= strategy.km_target_wh:
            session = evolve(session, done_reason=R.KM_TARGET_REACHED)
            return off(box.address, R.KM_TARGET_REACHED), mem, session
        plan.reason = R.KM_CHARGING
        return plan, mem, session
    if strategy.name == "time_power":
        return _time_power(settings, plan, wiring, mem, session, moment)
    return _eco(settings, plan, wiring, mem, session, moment, pv_taken_w)


def _time_power(
    settings: ControlSettings, plan: Plan, wiring: int, mem: BoxMemory, session: Session, moment: Moment
) -> tuple[Plan, BoxMemory, Session]:
    s = session.strategy
    started = datetime.fromtimestamp(session.started_ts, UTC)
    opens, closes = window_for(started, settings.timezone, s.time_start, s.time_duration_min)
    if moment.now_ts < opens:
        return off(plan.address, R.SCHEDULE_WAIT), mem, session
    if moment.now_ts >= closes:
        return off(plan.address, R.SCHEDULE_DONE), mem, evolve(session, done_reason=R.SCHEDULE_DONE)
    plan, mem = _phases_for(settings, plan, wiring, mem, s.time_power_w, moment.now_s)
    if plan.want:
        volts = settings.layout.voltage_v
        plan.cap_a = min(plan.cap_a, s.time_power_w / (volts * plan.phases))
        plan.reason = R.SCHEDULE_POWER
    return plan, mem, session


def _eco(
    settings: ControlSettings,
    plan: Plan,
    wiring: int,
    mem: BoxMemory,
    session: Session,
    moment: Moment,
    pv_taken_w: float,
) -> tuple[Plan, BoxMemory, Session]:
    charging = settings.charging
    mixed = session.strategy.name == "eco_mixed"
    threshold = charging.eco_mixed_stop_w if mixed else charging.eco_pure_threshold_w
    if moment.pv_w is None or moment.pv_smoothed_w is None:
        hysteresis = mem.eco  # no fresh PV: hold, start nothing
    else:
        pv_for_me = moment.pv_smoothed_w - pv_taken_w
        hysteresis = eco_step(mem.eco, pv_for_me, threshold, charging.dwell_s, moment.now_s)
    mem = evolve(mem, eco=hysteresis) if hysteresis != mem.eco else mem
    if not hysteresis.on:
        reason = R.STALE_PV if moment.pv_w is None else R.PV_DWELL if hysteresis.pending else R.PV_BELOW_THRESHOLD
        return off(plan.address, reason), mem, session
    wanted_w = max(0.0, (moment.pv_smoothed_w or 0.0) - pv_taken_w)
    if mixed:
        wanted_w = max(wanted_w, charging.eco_mixed_min_w)
    plan, mem = _phases_for(settings, plan, wiring, mem, wanted_w, moment.now_s)
    if plan.want:
        min_w = MIN_CURRENT_A * plan.phases * settings.layout.voltage_v
        plan.eco_floor_w = max(min_w, charging.eco_mixed_min_w) if mixed else min_w
        plan.reason = R.PV_SURPLUS
    return plan, mem, session


def _phases_for(
    settings: ControlSettings, plan: Plan, wiring: int, mem: BoxMemory, wanted_w: float, now_s: float
) -> tuple[Plan, BoxMemory]:
    """Pick one or three phases for a wanted power; stand by when neither works."""
    if wiring == 1:
        return plan, mem
    three_min_w = MIN_CURRENT_A * 3 * settings.layout.voltage_v
    may_switch = plan.can_switch and now_s - mem.phase_switched_s >= settings.charging.phase_switch_min_s
    if plan.phases == 3 and wanted_w < three_min_w:
        if not may_switch:
            return off(plan.address, R.BELOW_MIN_CURRENT), mem
        plan.phases = 1
        return plan, evolve(mem, phases=1, phase_switched_s=now_s, three_ok_since_s=None)
    if plan.phases == 1:
        return plan, maybe_back_to_three(settings, mem, wanted_w >= three_min_w + PHASE_UP_MARGIN_W, now_s)
    return plan, mem


def maybe_back_to_three(settings: ControlSettings, mem: BoxMemory, three_ok: bool, now_s: float) -> BoxMemory:
    """On one phase: back to three (from the next decision) once it has been possible for the dwell time."""
    if not three_ok:
        return evolve(mem, three_ok_since_s=None) if mem.three_ok_since_s is not None else mem
    since = now_s if mem.three_ok_since_s is None else mem.three_ok_since_s
    charging = settings.charging
    if now_s - since >= charging.dwell_s and now_s - mem.phase_switched_s >= charging.phase_switch_min_s:
        return evolve(mem, phases=3, phase_switched_s=now_s, three_ok_since_s=None)
    return evolve(mem, three_ok_since_s=since) if since != mem.three_ok_since_s else mem
