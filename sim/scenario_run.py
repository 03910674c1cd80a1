"""Run a scenario in virtual time: no actors, no threads, no clock; the same site model and
`decide` as the SiteController actor, one call per step (one grid reading)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby
from operator import attrgetter
from typing import Any

from connext.control.decide import decide
from connext.control.site import Readings, derive_site, wallbox_totals
from connext.control.state import ControlSettings, Memory, Setpoint

from .scenario import Scenario
from .scenario_kpis import compute, visit_entry
from .scenario_plant import Battery, Bay, apply, bays_for, feed_readings

MONOTONIC_ORIGIN_S = 1000.0


@dataclass
class Timeline:
    """One row per step; per-wallbox values are kept as one tuple per step (cheap to
    record) and turned into columns by address on demand."""

    addresses: tuple[int, ...] = ()
    per_phase: bool = False  # a three-phase meter site: phase_w is meaningful
    t_s: list[float] = field(default_factory=list)
    pv_w: list[float] = field(default_factory=list)
    house_w: list[float] = field(default_factory=list)
    grid_w: list[float] = field(default_factory=list)
    battery_w: list[float] = field(default_factory=list)
    phase_w: list[tuple[float, float, float]] = field(default_factory=list)
    powers: list[tuple[float, ...]] = field(default_factory=list)
    states: list[tuple[str, ...]] = field(default_factory=list)
    setpoints: list[tuple[Setpoint, ...]] = field(default_factory=list)  # in address order

    def _columns(self, rows: list[tuple], value: Callable[[Any], Any] = lambda item: item) -> dict[int, list]:
        """Per address, the `value` of its item in each row, read once per run of equal rows."""
        columns: list[list] = [[] for _ in self.addresses]
        for row, run in groupby(rows):
            n = sum(1 for _ in run)
            for column, item in zip(columns, row, strict=True):
                column += [value(item)] * n
        return dict(zip(self.addresses, columns, strict=True))

    @property
    def power_w(self) -> dict[int, list[float]]:
        return self._columns(self.powers)

    @property
    def state(self) -> dict[int, list[str]]:
        return self._columns(self.states)

    def setpoint(self, field_name: str) -> dict[int, list]:
        """One Setpoint field (current_a, phases, reason) per address."""
        return self._columns(self.setpoints, attrgetter(field_name))


@dataclass
class RunResult:
    scenario: Scenario
    timeline: Timeline
    kpis: dict[str, Any]
    steps: int


class _Site:
    """The plant (profiles, cars, battery) and the controller's memory, stepped together."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.settings = ControlSettings.from_config(scenario.config)
        self.memory = Memory(scenario.strategy)
        self.readings = Readings()
        self.bays = bays_for(scenario)
        self.battery = Battery(scenario.battery) if scenario.battery is not None else None
        layout = self.settings.layout
        per_phase = layout.phases == 3 and layout.topology.grid == "meter"
        self.timeline = Timeline(tuple(b.address for b in self.bays), per_phase)
        self.visits: list[dict[str, Any]] = []

    def step(self, t: float) -> None:
        scenario, dt, bays = self.scenario, self.scenario.step_s, self.bays
        layout = self.settings.layout
        pv = max(0.0, scenario.pv.at(scenario.start_s + t))
        house = max(0.0, scenario.house.at(scenario.start_s + t))
        cars_w = 0.0
        for bay in bays:
            if t >= bay.next_change_s:
                self._timetable(bay, t)
            bay.draw(layout.voltage_v)
            cars_w += bay.power_w
        battery_w = self.battery.step(pv - house - cars_w, dt) if self.battery is not None else 0.0
        grid = pv - house - cars_w - battery_w
        phase_w = self._phases(pv, house, battery_w, layout.voltage_v)
        now_s = MONOTONIC_ORIGIN_S + t
        soc = self.battery.soc if self.battery is not None else None
        feed_readings(self.readings, layout, now_s, grid, phase_w, pv, battery_w, soc)
        statuses = {b.address: b.status(now_s) for b in bays}
        power, phase_a = wallbox_totals(statuses.values())
        site = derive_site(layout, self.readings, power, phase_a, now_s)
        now = scenario.midnight + timedelta(seconds=scenario.start_s + t)
        decision, self.memory = decide(site, statuses, self.settings, self.memory, now_s, now)
        self._record(t, pv, house, grid, battery_w, phase_w, decision.setpoints)
        for bay in bays:
            bay.charge(dt)  # the setpoint applied during this step, decided on the previous reading
        apply(bays, decision.setpoints)

    def _phases(self, pv: float, house: float, battery_w: float, volts: float) -> tuple[float, float, float]:
        split = self.scenario.house_split
        base = (pv - battery_w) / 3
        l1, l2, l3 = base - house * split[0], base - house * split[1], base - house * split[2]
        for bay in self.bays:
            if bay.power_w > 0.0:
                p = bay.current_a * volts
                if bay.live_phases == 3:
                    l1, l2, l3 = l1 - p, l2 - p, l3 - p
                else:
                    l1 -= p  # one-phase charging is on L1
        return (l1, l2, l3)

    def _timetable(self, bay: Bay, t: float) -> None:
        car = bay.car_at(t)
        if car is bay.car:
            return
        if bay.car is not None:
            self._visit_ended(bay)
        bay.plug(car)

    def _visit_ended(self, bay: Bay) -> None:
        mem = self.memory.boxes.get(bay.address)
        session = mem.session if mem is not None else None
        strategy = session.strategy if session is not None else self.memory.strategy
        target = strategy.km_target_wh if strategy.name in ("km_single", "km_repeated") else None
        soc = bay.ev.soc if bay.ev is not None else 0.0
        self.visits.append(visit_entry(bay.address, bay.car, bay.session_wh, target, soc))  # type: ignore[arg-type]

    def _record(self, t, pv, house, grid, battery_w, phase_w, setpoints) -> None:
        tl = self.timeline
        tl.t_s.append(t)
        tl.pv_w.append(pv)
        tl.house_w.append(house)
        tl.grid_w.append(grid)
        tl.battery_w.append(battery_w)
        tl.phase_w.append(phase_w)
        _append(tl.powers, tuple([b.power_w for b in self.bays]))
        _append(tl.states, tuple([b.state for b in self.bays]))
        _append(tl.setpoints, setpoints)

    def finish(self) -> dict[str, Any]:
        for bay in self.bays:
            if bay.car is not None:
                self._visit_ended(bay)
        return compute(self.scenario, self.timeline, self.visits)


def _append(rows: list[tuple], row: tuple) -> None:
    """Append `row`, or the previous row again when equal: a run of equal rows is one object
    (Setpoint tuples stay tracked by the garbage collector, which would scan each of them)."""
    rows.append(rows[-1] if rows and rows[-1] == row else row)


def run_scenario(scenario: Scenario) -> RunResult:
    """Step through the scenario; the timeline and KPIs of the run."""
    site = _Site(scenario)
    steps = round(scenario.duration_s / scenario.step_s)
    for k in range(steps):
        site.step(k * scenario.step_s)
    return RunResult(scenario, site.timeline, site.finish(), steps)
