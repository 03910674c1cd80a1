"""One decision: site state + wallbox statuses + memory -> setpoints + new memory.

The same pure function runs in the SiteController actor (on every grid reading and
wallbox event) and in the scenario runner (virtual time). Steps:
1. follow the sessions (open, count energy, end);
2. plan each session's strategy (plan.py), in session start order, then apply the
   flapping rules (flapping.py);
3. with a stale grid value: every wallbox to min(setpoint, safe current), nothing
   raised, nothing started;
4. else load management: equal current for everyone under every constraint (the
   contracted power, each phase's share where measured, the PV budget of Eco
   sessions); when that is below 6 A, the latest started session first tries one
   phase (if it can switch) and else pauses, until the rest fit;
5. setpoints rounded down to 0.1 A; on/off changes recorded in the sessions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from . import reasons as R
from .allocation import INF, Constraint, fill
from .eco import smooth
from .flapping import gate
from .plan import PHASE_UP_MARGIN_W, Moment, Plan, maybe_back_to_three, off, plan_session
from .sessions import PRESENT, Session, follow, switch
from .site import SiteState
from .state import MIN_CURRENT_A, STEPS_PER_A, BoxMemory, ControlSettings, Decision, Memory, Setpoint
from .strategy import Strategy


class StatusLike(Protocol):
    address: int
    at_s: float
    state: str
    registered: bool
    power_w: float
    current_a: tuple[float, float, float]
    session_energy_wh: float
    max_current_a: float
    vehicle_max_current_a: float | None


def usable(status: StatusLike | None, settings: ControlSettings, now_s: float) -> bool:
    """A status recent enough to act on (an old one counts as an offline wallbox)."""
    return status is not None and now_s - status.at_s <= settings.status_stale_s


def decide(
    site: SiteState,
    statuses: Mapping[int, StatusLike],
    settings: ControlSettings,
    memory: Memory,
    now_s: float,
    now: datetime,
) -> tuple[Decision, Memory]:
    """Setpoints for every wallbox that reported a status, and the memory for the next call."""
    smoothed = _smoothed_pv(memory, site, settings, now_s)
    moment = Moment(now_s, now, now.timestamp(), site.pv_power_w, smoothed)
    boxes, ended, strategy = _follow_sessions(statuses, settings, memory, moment)
    plans, boxes = _plan_all(statuses, settings, boxes, moment)
    if site.grid_power_w is None:
        currents = _safe_currents(plans, statuses, settings, boxes)
        available = None
    else:
        currents, boxes = _allocate(plans, site, settings, boxes, moment)
        available = settings.layout.contracted_power_w + site.grid_power_w + site.wallbox_power_w
    setpoints, boxes, changed = _setpoints(plans, currents, statuses, boxes, memory, moment)
    new_memory = Memory(strategy, MappingProxyType(boxes), smoothed, now_s)
    changed_strategy = strategy if strategy is not memory.strategy else None
    decision = Decision(tuple(setpoints), available, tuple(ended + changed), changed_strategy, smoothed)
    return decision, new_memory


def _smoothed_pv(memory: Memory, site: SiteState, settings: ControlSettings, now_s: float) -> float | None:
    if site.pv_power_w is None:
        return memory.pv_smoothed_w  # hold while stale
    dt = 0.0 if memory.last_s is None else now_s - memory.last_s
    return smooth(memory.pv_smoothed_w, site.pv_power_w, dt, settings.charging.pv_smoothing_s)


def _follow_sessions(
    statuses: Mapping[int, StatusLike], settings: ControlSettings, memory: Memory, moment: Moment
) -> tuple[dict[int, BoxMemory], list[Session], Strategy]:
    """Open, update and end sessions; km_single gives way to its fallback when its session ends."""
    boxes: dict[int, BoxMemory] = dict(memory.boxes)
    ended: list[Session] = []
    strategy = memory.strategy
    for address, status in statuses.items():
        mem = boxes.get(address) or BoxMemory()
        seen = status if usable(status, settings, moment.now_s) else None
        session = follow(mem.session, seen, moment.now, strategy, getattr(seen, "rfid_card", None))
        if session is mem.session:
            continue
        if session is not None and session.ended_at is not None:
            ended.append(session)
            if session.strategy.name == "km_single" and strategy.name == "km_single":
                strategy = dataclasses.replace(strategy, name=strategy.fallback)
            session = None
        if mem.session is None and session is not None:
            box = settings.box(address, status.max_current_a)
            mem = BoxMemory(phases=min(box.phases, settings.layout.phases))
        boxes[address] = dataclasses.replace(mem, session=session) if session is not None else BoxMemory()
    return boxes, ended, strategy


def _plan_all(
    statuses: Mapping[int, StatusLike], settings: ControlSettings, boxes: dict[int, BoxMemory], moment: Moment
) -> tuple[list[Plan], dict[int, BoxMemory]]:
    """Every wallbox's plan, Eco PV promised to sessions in start order."""
    order = sorted(statuses, key=lambda a: (s.started_ts if (s := _session(boxes, a)) else INF, a))
    plans: list[Plan] = []
    pv_taken = 0.0
    for address in order:
        status, mem = statuses[address], boxes.get(address) or BoxMemory()
        session = mem.session
        if session is None or not usable(status, settings, moment.now_s):
            plans.append(off(address, R.NO_VEHICLE if status.state == "available" else R.UNAVAILABLE))
            boxes[address] = mem
            continue
        cap = _cap(settings, status)
        plan, mem, session = _plan_one(settings, status, cap, mem, session, moment, pv_taken)
        pv_taken += plan.eco_floor_w
        if cap >= MIN_CURRENT_A:  # else nothing to hold or ramp: the vehicle cannot take 6 A
            plan, mem = gate(settings, plan, mem, session, max(status.current_a), moment)
        boxes[address] = dataclasses.replace(mem, session=session)
        plans.append(plan)
    return plans, boxes


def _session(boxes: dict[int, BoxMemory], address: int) -> Session | None:
    mem = boxes.get(address)
    return None if mem is None else mem.session


def _cap(settings: ControlSettings, status: StatusLike) -> float:
    """The most a wallbox may be given: its configured and reported maximum, and the vehicle's."""
    box = settings.box(status.address, status.max_current_a)
    vehicle = status.vehicle_max_current_a
    return min(box.max_current_a, status.max_current_a, INF if vehicle is None else vehicle)


def _plan_one(
    settings: ControlSettings,
    status: StatusLike,
    cap: float,
    mem: BoxMemory,
    session: Session,
    moment: Moment,
    pv_taken: float,
) -> tuple[Plan, BoxMemory, Session]:
    if not status.registered or status.state not in PRESENT:
        return off(status.address, R.UNAVAILABLE), mem, session
    if session.done:
        return off(status.address, session.done_reason), mem, session
    box = settings.box(status.address, status.max_current_a)
    if cap < MIN_CURRENT_A:
        return off(status.address, R.BELOW_MIN_CURRENT), mem, session
    return plan_session(settings, box, cap, mem, session, moment, pv_taken)


def _safe_currents(
    plans: list[Plan], statuses: Mapping[int, StatusLike], settings: ControlSettings, boxes: dict[int, BoxMemory]
) -> dict[int, tuple[float, str]]:
    """Stale grid: nothing rises, nothing starts; a charging wallbox drops to its safe current."""
    out: dict[int, tuple[float, str]] = {}
    for plan in plans:
        mem = boxes.get(plan.address) or BoxMemory()
        status = statuses[plan.address]
        safe = settings.box(plan.address, status.max_current_a).safe_current_a
        limit = min(mem.current_a, safe, _cap(settings, status))
        keep = plan.reason not in (R.UNAVAILABLE, R.NO_VEHICLE) and limit >= MIN_CURRENT_A
        out[plan.address] = (limit if keep else 0.0, R.STALE_METER)
    return out


def _constraints(active: list[Plan], site: SiteState, settings: ControlSettings) -> list[Constraint]:
    volts = settings.layout.voltage_v
    contract = settings.layout.contracted_power_w
    watts = tuple(p.phases * volts for p in active)
    grid = site.grid_power_w or 0.0
    out = [Constraint(R.CONTRACT_LIMIT, contract + grid + site.wallbox_power_w, watts)]
    phases = site.grid_phase_power_w
    if phases is not None and len(phases) == 3:
        for i in range(3):
            budget = (contract / 3 + phases[i]) / volts + site.wallbox_phase_current_a[i]
            out.append(Constraint(R.PHASE_LIMIT, budget, tuple(float(p.phases == 3 or i == 0) for p in active)))
    floors = sum(p.eco_floor_w for p in active)
    if floors > 0.0:
        eco = tuple(w if p.eco_floor_w > 0.0 else 0.0 for p, w in zip(active, watts, strict=True))
        pv = site.pv_power_w
        if pv is None:
            out.append(Constraint(R.STALE_PV, floors, eco))
        else:
            out.append(Constraint(R.PV_SURPLUS, pv, eco) if pv >= floors else Constraint(R.ECO_TOPUP, floors, eco))
    return out


def _fits(active: list[Plan], level: float) -> bool:
    return all(min(level, p.cap_a) >= MIN_CURRENT_A - 1e-9 for p in active)


def _allocate(
    plans: list[Plan], site: SiteState, settings: ControlSettings, boxes: dict[int, BoxMemory], moment: Moment
) -> tuple[dict[int, tuple[float, str]], dict[int, BoxMemory]]:
    """Equal current under every constraint; the latest session switches to one phase or pauses first."""
    out = {p.address: (0.0, p.reason) for p in plans if not p.want}
    active = sorted((p for p in plans if p.want), key=lambda p: p.priority)
    level, binding = INF, None
    while active:
        level, binding = fill([p.cap_a for p in active], _constraints(active, site, settings))
        if _fits(active, level):
            break
        victim = active[-1]
        if _may_switch_down(victim, boxes[victim.address], settings, moment):
            victim.phases = 1
            level, binding = fill([p.cap_a for p in active], _constraints(active, site, settings))
            if _fits(active, level):
                boxes[victim.address] = dataclasses.replace(
                    boxes[victim.address], phases=1, phase_switched_s=moment.now_s, three_ok_since_s=None
                )
                break
            victim.phases = 3
        active.pop()
        out[victim.address] = (0.0, binding or R.CONTRACT_LIMIT)
    for p in active:
        current = min(level, p.cap_a)
        out[p.address] = (current, p.reason if p.cap_a <= level or binding is None else binding)
    _phase_back_up(active, site, settings, boxes, moment)
    return out, boxes


def _may_switch_down(plan: Plan, mem: BoxMemory, settings: ControlSettings, moment: Moment) -> bool:
    return (
        plan.can_switch
        and plan.phases == 3
        and plan.eco_floor_w == 0.0
        and plan.reason in (R.FAST, R.KM_CHARGING)
        and moment.now_s - mem.phase_switched_s >= settings.charging.phase_switch_min_s
    )


def _phase_back_up(
    active: list[Plan], site: SiteState, settings: ControlSettings, boxes: dict[int, BoxMemory], moment: Moment
) -> None:
    """Fast/Kilometer sessions on one phase go back to three once three would fit for the dwell time."""
    margin_a = PHASE_UP_MARGIN_W / (3 * settings.layout.voltage_v)
    for plan in active:
        if not (plan.can_switch and plan.phases == 1 and plan.reason in (R.FAST, R.KM_CHARGING)):
            continue
        plan.phases = 3
        level, _ = fill([p.cap_a for p in active], _constraints(active, site, settings))
        plan.phases = 1
        three_ok = all(min(level, p.cap_a) >= MIN_CURRENT_A + margin_a for p in active)
        boxes[plan.address] = maybe_back_to_three(settings, boxes[plan.address], three_ok, moment.now_s)


def _setpoints(
    plans: list[Plan],
    currents: dict[int, tuple[float, str]],
    statuses: Mapping[int, StatusLike],
    boxes: dict[int, BoxMemory],
    memory: Memory,
    moment: Moment,
) -> tuple[list[Setpoint], dict[int, BoxMemory], list[Session]]:
    setpoints: list[Setpoint] = []
    changed: list[Session] = []
    for plan in plans:
        address = plan.address
        current, reason = currents[address]
        current = math.floor(current * STEPS_PER_A + 1e-6) / STEPS_PER_A if current > 0.0 else 0.0
        mem = boxes[address]
        before = memory.boxes.get(address)
        session, start, stop = mem.session, False, False
        if session is not None:
            on = current > 0.0
            if on != session.on:
                session = switch(session, on, moment.now_ts)
                start = on and statuses[address].state == "connected"
            was_done = before is not None and before.session is not None and before.session.done
            stop = session.done and not on and (mem.current_a > 0.0 or not was_done)
            if before is None or session is not before.session:
                changed.append(session)
        if plan.want and reason != R.STALE_METER:
            phases = plan.phases
        else:
            phases = before.setpoint_phases if before is not None else mem.phases
        boxes[address] = dataclasses.replace(
            mem, session=session, current_a=current, setpoint_phases=phases, reason=reason
        )
        setpoints.append(Setpoint(address, current, phases, reason, start, stop))
    return setpoints, boxes, changed
