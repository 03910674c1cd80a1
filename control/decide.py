"""One decision: site state + wallbox statuses + memory -> setpoints + new memory.

The same pure function runs in the SiteController actor (on every grid reading and
wallbox event) and in the scenario runner (virtual time). Steps:
1. follow the sessions (open, count energy, end);
2. plan each session's strategy (plan.py) in session start order, then apply the
   flapping rules (flapping.py);
3. with a stale grid value: every wallbox to min(setpoint, safe current), nothing
   raised, nothing started; else load management (loadmanager.py); a current rises (or
   a session starts) only on a grid reading no earlier decision has used, and between
   readings the budget keeps the wallbox draw of the reading's time;
4. setpoints rounded down to 0.1 A; on/off changes recorded in the sessions.
`decide` never changes the memory it is given; each wallbox's memory is rebuilt at
most once per call (a decision costs microseconds, see benchmarks/bench_control.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from . import reasons as R
from .allocation import INF
from .eco import smooth
from .evolve import evolve
from .flapping import gate
from .loadmanager import allocate, safe_currents
from .plan import Moment, Plan, off, plan_session
from .sessions import PRESENT, Session, SessionState, count_energy, follow, switch
from .site import SiteState
from .state import MIN_CURRENT_A, STEPS_PER_A, BoxMemory, BoxSettings, ControlSettings, Decision, Memory, Setpoint
from .strategy import Strategy

NO_MEMORY = BoxMemory()
NO_ENERGY = (0.0, 0.0)  # (energy, counter) of a wallbox without a session


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
    card_uid: str  # the RFID card presented, hex; "" when none


def usable(status: StatusLike | None, settings: ControlSettings, now_s: float) -> bool:
    """A status recent enough to act on (an older one counts as an offline wallbox)."""
    return status is not None and now_s - status.at_s <= settings.status_stale_s


def changes_decision(previous: StatusLike | None, status: StatusLike, settings: ControlSettings, now_s: float) -> bool:
    """Whether `status` may change a decision taken now, compared with the `previous` status
    of its wallbox: it is the first usable one, or a fact a decision reads from it differs
    (state, registration, maximum currents, card). Its measurements alone (power, phase
    currents, session energy counter, time) change nothing that cannot wait for the next
    decision: between two grid readings the budget keeps the wallbox draw of the reading's
    time, so the next grid reading (or the 1 s tick) takes them in."""
    if previous is None or not usable(previous, settings, now_s):
        return True
    return _facts(previous) != _facts(status)


def _facts(status: StatusLike) -> tuple[object, ...]:
    """What a decision reads from a status besides its measurements."""
    return (status.state, status.registered, status.max_current_a, status.vehicle_max_current_a, status.card_uid)


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
    boxes = dict(memory.boxes)
    sessions, energy, ended, strategy = _follow_sessions(statuses, settings, memory, boxes, moment)
    plans, caps = _plan_all(statuses, settings, boxes, sessions, energy, moment)
    if site.grid_power_w is None:
        reported = {a: max(s.current_a) for a, s in statuses.items()}
        currents = safe_currents(plans, caps, reported, settings, boxes)
        available = None
    else:
        currents, available = _load_managed(plans, site, settings, boxes, memory, moment)
    setpoints, changed = _setpoints(plans, currents, statuses, boxes, sessions, energy, memory, moment)
    new_grid = _new_grid(site, memory)
    new_memory = Memory(
        strategy,
        MappingProxyType(boxes),
        smoothed,
        now_s,
        site.grid_at_s,
        site.grid_power_w,
        site.wallbox_power_w if new_grid else memory.grid_wallbox_w,
        site.wallbox_phase_current_a if new_grid else memory.grid_wallbox_a,
    )
    changed_strategy = strategy if strategy is not memory.strategy else None
    return Decision(tuple(setpoints), available, tuple(ended + changed), changed_strategy, smoothed), new_memory


def _load_managed(
    plans: list[Plan],
    site: SiteState,
    settings: ControlSettings,
    boxes: dict[int, BoxMemory],
    memory: Memory,
    moment: Moment,
) -> tuple[dict[int, tuple[float, str]], float]:
    """Load management on a fresh grid value. Without a new grid reading (a wallbox event,
    a tick) the budget keeps the wallbox draw of the reading's time, so a status that
    arrives between two readings cannot make the budget look smaller or larger than it
    is; and nothing rises or starts until a new reading."""
    new_grid = _new_grid(site, memory)
    if not new_grid:
        site = evolve(site, wallbox_power_w=memory.grid_wallbox_w, wallbox_phase_current_a=memory.grid_wallbox_a)
        for plan in plans:  # a session that is not charging waits for the next reading to start
            if plan.want and memory.boxes.get(plan.address, NO_MEMORY).current_a == 0.0:
                plan.want = False
    currents = allocate(plans, site, settings, boxes, moment)
    available = settings.layout.contracted_power_w + (site.grid_power_w or 0.0) + site.wallbox_power_w
    return (currents if new_grid else _held(currents, memory)), available


def _new_grid(site: SiteState, memory: Memory) -> bool:
    """A grid reading no decision has used yet (another time or another value)."""
    return site.grid_at_s != memory.grid_at_s or site.grid_power_w != memory.grid_w


def _held(currents: dict[int, tuple[float, str]], memory: Memory) -> dict[int, tuple[float, str]]:
    """Each current at most what the last decision gave: a current rises only on a grid
    reading no decision has used yet (never on old data after a read error)."""
    held = {}
    for address, (current, reason) in currents.items():
        before = memory.boxes.get(address, NO_MEMORY).current_a
        held[address] = (before, reason) if current > before else (current, reason)
    return held


def _smoothed_pv(memory: Memory, site: SiteState, settings: ControlSettings, now_s: float) -> float | None:
    if site.pv_power_w is None:
        return memory.pv_smoothed_w  # hold while stale
    dt = 0.0 if memory.last_s is None else now_s - memory.last_s
    return smooth(memory.pv_smoothed_w, site.pv_power_w, dt, settings.charging.pv_smoothing_s)


def _follow_sessions(
    statuses: Mapping[int, StatusLike],
    settings: ControlSettings,
    memory: Memory,
    boxes: dict[int, BoxMemory],
    moment: Moment,
) -> tuple[dict[int, Session | None], dict[int, tuple[float, float]], list[SessionState], Strategy]:
    """Open, count and end sessions; km_single gives way to its fallback when its session ends.
    Returns the sessions, their (energy, counter), the ended ones and the strategy."""
    sessions: dict[int, Session | None] = {}
    energy: dict[int, tuple[float, float]] = {}
    ended: list[SessionState] = []
    strategy = memory.strategy
    for address, status in statuses.items():
        mem = boxes.get(address, NO_MEMORY)
        if mem.session is None and status.state not in PRESENT:  # no vehicle, none before
            sessions[address] = None
            continue
        seen = status if usable(status, settings, moment.now_s) else None
        session = follow(mem.session, seen, moment.now, strategy, (seen.card_uid or None) if seen is not None else None)
        if session is not None and session.ended_at is not None:
            ended.append(SessionState(session, mem.energy_wh, mem.counter_wh))
            if session.strategy.name == "km_single" and strategy.name == "km_single":
                strategy = evolve(strategy, name=strategy.fallback)
            session, boxes[address] = None, NO_MEMORY
        elif mem.session is None and session is not None:
            wiring = min(settings.box(address, status.max_current_a).phases, settings.layout.phases)
            boxes[address] = BoxMemory(phases=wiring, setpoint_phases=wiring)
            energy[address] = (0.0, status.session_energy_wh)
        elif session is not None:
            reported = mem.counter_wh if seen is None else seen.session_energy_wh
            energy[address] = count_energy(mem.energy_wh, mem.counter_wh, reported)
        sessions[address] = session
    return sessions, energy, ended, strategy


def _plan_all(
    statuses: Mapping[int, StatusLike],
    settings: ControlSettings,
    boxes: dict[int, BoxMemory],
    sessions: dict[int, Session | None],
    energy: dict[int, tuple[float, float]],
    moment: Moment,
) -> tuple[list[Plan], dict[int, float]]:
    """Every wallbox's plan, Eco PV promised to sessions in start order; also each one's cap
    (the most it may be given: its configured and reported maximum, and the vehicle's)."""
    order = sorted(statuses, key=lambda a: (s.started_ts if (s := sessions[a]) else INF, a))
    plans: list[Plan] = []
    caps: dict[int, float] = {}
    pv_taken = 0.0
    oldest_s = moment.now_s - settings.status_stale_s
    for address in order:
        status, session = statuses[address], sessions[address]
        if session is None or status.at_s < oldest_s:
            reason = R.NO_VEHICLE if status.state == "available" else R.UNAVAILABLE
            plans.append(Plan(address, False, reason, phases=min(settings.box(address).phases, settings.layout.phases)))
            continue
        mem = boxes[address]
        box = settings.box(address, status.max_current_a)
        vehicle = status.vehicle_max_current_a
        caps[address] = cap = min(box.max_current_a, status.max_current_a, INF if vehicle is None else vehicle)
        plan, mem, session = _plan_one(settings, box, status, cap, mem, session, energy[address][0], moment, pv_taken)
        pv_taken += plan.eco_floor_w
        if cap >= MIN_CURRENT_A:  # else nothing to hold or ramp: the vehicle cannot take 6 A
            plan, mem = gate(settings, plan, mem, session, status.current_a, moment)
        boxes[address], sessions[address] = mem, session
        plans.append(plan)
    return plans, caps


def _plan_one(
    settings: ControlSettings,
    box: BoxSettings,
    status: StatusLike,
    cap: float,
    mem: BoxMemory,
    session: Session,
    energy_wh: float,
    moment: Moment,
    pv_taken: float,
) -> tuple[Plan, BoxMemory, Session]:
    if not status.registered or status.state not in PRESENT:
        return off(status.address, R.UNAVAILABLE), mem, session
    if session.done_reason:
        return off(status.address, session.done_reason), mem, session
    if cap < MIN_CURRENT_A:
        return off(status.address, R.BELOW_MIN_CURRENT), mem, session
    return plan_session(settings, box, cap, mem, session, energy_wh, moment, pv_taken)


def _setpoints(
    plans: list[Plan],
    currents: dict[int, tuple[float, str]],
    statuses: Mapping[int, StatusLike],
    boxes: dict[int, BoxMemory],
    sessions: dict[int, Session | None],
    energy: dict[int, tuple[float, float]],
    memory: Memory,
    moment: Moment,
) -> tuple[list[Setpoint], list[SessionState]]:
    """Round, record on/off switches in the sessions, and keep what was decided."""
    setpoints: list[Setpoint] = []
    changed: list[SessionState] = []
    before_boxes = memory.boxes
    for plan in plans:
        address = plan.address
        current, reason = currents[address]
        current = math.floor(current * STEPS_PER_A + 1e-6) / STEPS_PER_A if current > 0.0 else 0.0
        mem = boxes.get(address, NO_MEMORY)
        before = before_boxes.get(address, NO_MEMORY)
        session, start, stop = sessions.get(address), False, False
        energy_wh, counter_wh = energy.get(address, NO_ENERGY)
        if session is not None:
            if (current > 0.0) != session.on or session.done_reason:
                status = statuses[address]
                session, start, stop = _switches(session, before.session, current, mem.current_a, status, moment)
            if session is not before.session:
                changed.append(SessionState(session, energy_wh, counter_wh))
        keep_phases = not plan.want or reason == R.STALE_METER
        phases = before.setpoint_phases if keep_phases and before is not NO_MEMORY else plan.phases
        if (
            session is not mem.session
            or current != mem.current_a
            or phases != mem.setpoint_phases
            or reason != mem.reason
            or energy_wh != mem.energy_wh
            or counter_wh != mem.counter_wh
        ):
            boxes[address] = mem.decided(session, energy_wh, counter_wh, current, phases, reason)
        setpoints.append(Setpoint(address, current, phases, reason, start, stop))
    setpoints.sort(key=_by_address)
    return setpoints, changed


def _by_address(setpoint: Setpoint) -> int:
    return setpoint.address


def _switches(
    session: Session, before: Session | None, current: float, last_a: float, status: StatusLike, moment: Moment
) -> tuple[Session, bool, bool]:
    """The session after an on/off change; whether to send StartCharging / StopCharging."""
    on = current > 0.0
    start = False
    if on != session.on:
        session = switch(session, on, moment.now_ts)
        start = on and status.state == "connected"
    newly_done = session.done and (before is None or not before.done)
    stop = session.done and not on and (last_a > 0.0 or newly_done)
    return session, start, stop
