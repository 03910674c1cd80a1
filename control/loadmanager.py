"""Load management: equal current for every charging session under every constraint.

Constraints (see allocation.py): the contracted power (the site never draws more
from the grid, counting every wallbox), each phase's share of it where the grid is
measured per phase, and the PV budget of Eco sessions. The budget for the cars is
what the measured grid leaves: contracted + grid (+ export) + what the wallboxes draw
now, so a step in the house load is corrected on the very next grid reading; less a
small reserve (`charging.reserve_w`, a third of it per phase) for a load that keeps
rising between two readings. When the
common level is below 6 A, only the earliest started sessions that fit at 6 A charge
(the latest pause first); the first one left out may switch to one phase if that lets
it fit. Paused sessions come back as soon as there is room for them at 6 A, before
anyone's current rises.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter

from . import reasons as R
from .allocation import INF, Constraint, fill
from .evolve import evolve
from .plan import PHASE_UP_MARGIN_W, Moment, Plan, maybe_back_to_three
from .site import SiteState
from .state import MIN_CURRENT_A, BoxMemory, ControlSettings

SWITCHABLE = (R.FAST, R.KM_CHARGING)  # strategies whose phases follow the contract budget
_by_priority = attrgetter("priority")


def constraints(active: list[Plan], site: SiteState, settings: ControlSettings) -> list[Constraint]:
    volts = settings.layout.voltage_v
    contract = settings.layout.contracted_power_w - settings.charging.reserve_w
    watts = [p.phases * volts for p in active]
    out = [Constraint(R.CONTRACT_LIMIT, contract + (site.grid_power_w or 0.0) + site.wallbox_power_w, watts)]
    phases = site.grid_phase_power_w
    if phases is not None and len(phases) == 3:
        on_l1 = [1.0] * len(active)  # one-phase charging is on L1
        three = [1.0 if p.phases == 3 else 0.0 for p in active]
        share, drawn = contract / 3, site.wallbox_phase_current_a
        for i, weights in enumerate((on_l1, three, three)):
            out.append(Constraint(R.PHASE_LIMIT, (share + phases[i]) / volts + drawn[i], weights))
    floors = 0.0
    for p in active:
        floors += p.eco_floor_w
    if floors > 0.0:
        eco = [w if p.eco_floor_w > 0.0 else 0.0 for p, w in zip(active, watts, strict=True)]
        pv = site.pv_power_w
        if pv is None:
            out.append(Constraint(R.STALE_PV, floors, eco))
        else:
            out.append(Constraint(R.PV_SURPLUS, pv, eco) if pv >= floors else Constraint(R.ECO_TOPUP, floors, eco))
    return out


def _fits(caps: list[float], level: float, n: int | None = None) -> bool:
    """Everyone of the first `n` gets 6 A or more at `level` (min(level, cap) >= 6 A)."""
    first = caps[:n]
    return not first or (level >= MIN_CURRENT_A - 1e-9 and min(first) >= MIN_CURRENT_A - 1e-9)


def _admitted(caps: list[float], cons: list[Constraint]) -> tuple[int, str | None, tuple[float, str | None]]:
    """How many sessions, in priority order, fit at 6 A or more (a binary search: fitting is
    monotone in the count); the constraint that keeps the next one out; and the fill
    (level, binding) of those that fit."""
    lo, hi, refusal, fit = 0, len(caps), None, (INF, None)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        level, binding = fill(caps, cons, mid)
        if _fits(caps, level, mid):
            lo, fit = mid, (level, binding)
        else:
            hi, refusal = mid - 1, binding
    return lo, refusal, fit


def allocate(
    plans: list[Plan], site: SiteState, settings: ControlSettings, boxes: dict[int, BoxMemory], moment: Moment
) -> dict[int, tuple[float, str]]:
    """address -> (current, reason); `boxes` gets the phase switches it decides."""
    out = {p.address: (0.0, p.reason) for p in plans if not p.want}
    active = [p for p in plans if p.want]
    if not active:
        return out
    active.sort(key=_by_priority)
    caps = [p.cap_a for p in active]
    cons = constraints(active, site, settings)
    level, binding = fill(caps, cons)
    if not _fits(caps, level):
        k, refusal, (level, binding) = _admitted(caps, cons)
        if _switch_down(active, k, site, settings, boxes, moment):
            k += 1
            cons = constraints(active, site, settings)
            level, binding = fill(caps, cons, k)
        for p in active[k:]:
            out[p.address] = (0.0, refusal or R.CONTRACT_LIMIT)
        del active[k:]
    for p in active:
        out[p.address] = (min(level, p.cap_a), p.reason if p.cap_a <= level or binding is None else binding)
    _phase_back_up(active, site, settings, boxes, moment)
    return out


def _switch_down(
    active: list[Plan], k: int, site: SiteState, settings: ControlSettings, boxes: dict[int, BoxMemory], moment: Moment
) -> bool:
    """True when the first session left out fits on one phase (it switches)."""
    if k >= len(active) or not _may_switch_down(active[k], boxes[active[k].address], settings, moment):
        return False
    candidate = active[k]
    candidate.phases = 1
    caps = [p.cap_a for p in active[: k + 1]]
    level, _ = fill(caps, constraints(active[: k + 1], site, settings))
    if _fits(caps, level):
        mem = boxes[candidate.address]
        boxes[candidate.address] = evolve(mem, phases=1, phase_switched_s=moment.now_s, three_ok_since_s=None)
        return True
    candidate.phases = 3
    return False


def _may_switch_down(plan: Plan, mem: BoxMemory, settings: ControlSettings, moment: Moment) -> bool:
    return (
        plan.can_switch
        and plan.phases == 3
        and plan.reason in SWITCHABLE
        and moment.now_s - mem.phase_switched_s >= settings.charging.phase_switch_min_s
    )


def _phase_back_up(
    active: list[Plan], site: SiteState, settings: ControlSettings, boxes: dict[int, BoxMemory], moment: Moment
) -> None:
    """Fast/Kilometer sessions on one phase go back to three once three would fit for the dwell time."""
    margin_a = PHASE_UP_MARGIN_W / (3 * settings.layout.voltage_v)
    for plan in active:
        if not (plan.can_switch and plan.phases == 1 and plan.reason in SWITCHABLE):
            continue
        plan.phases = 3
        level, _ = fill([p.cap_a for p in active], constraints(active, site, settings))
        plan.phases = 1
        three_ok = all(min(level, p.cap_a) >= MIN_CURRENT_A + margin_a for p in active)
        boxes[plan.address] = maybe_back_to_three(settings, boxes[plan.address], three_ok, moment.now_s)


def safe_currents(
    plans: list[Plan],
    caps: Mapping[int, float],
    reported_a: Mapping[int, float],
    settings: ControlSettings,
    boxes: dict[int, BoxMemory],
) -> dict[int, tuple[float, str]]:
    """Stale grid: nothing rises, nothing starts; a charging wallbox drops to its safe current.
    A session carried on from the store has no setpoint of ours yet: its wallbox's reported
    current stands for it (so a restart does not pause a charging car)."""
    out: dict[int, tuple[float, str]] = {}
    for plan in plans:
        mem = boxes.get(plan.address) or BoxMemory()
        current = mem.current_a
        if current == 0.0 and mem.session is not None and mem.session.on:
            current = reported_a.get(plan.address, 0.0)
        limit = min(current, settings.box(plan.address).safe_current_a, caps.get(plan.address, 0.0))
        keep = plan.reason not in (R.UNAVAILABLE, R.NO_VEHICLE) and limit >= MIN_CURRENT_A
        out[plan.address] = (limit if keep else 0.0, R.STALE_METER)
    return out
