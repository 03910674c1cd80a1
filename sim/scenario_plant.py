"""The simulated site of a scenario: cars on wallboxes, a battery, and the readings the
devices would send, built from the very message types the actors exchange (the wallbox
status: `BayStatus`, the part of `WallboxStatus` the control code reads).

The meter sees house + cars - PV (+ battery charging); a setpoint decided on one
reading is applied from the next one (a reaction delay of one reading).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from connext.actors.messages import InverterReading, MeterReading, SensorReading
from connext.control.site import Readings, SiteLayout
from connext.control.state import Setpoint
from connext.sim.ev import EvModel

from .scenario import BatterySection, CarSection, Scenario, clock_s


class BayStatus(NamedTuple):
    """A wallbox's status as its actor reports it: the fields of `WallboxStatus` that the
    control code reads, same names and meaning. Every wallbox reports on every step: as a
    NamedTuple it costs 0.5 us to build, the frozen message with its 19 fields 2.9 us."""

    address: int
    at_s: float
    state: str
    registered: bool
    power_w: float
    current_a: tuple[float, float, float]
    session_energy_wh: float
    phases: int
    max_current_a: float
    vehicle_max_current_a: float | None
    setpoint_a: float
    card_uid: str = ""


@dataclass
class Bay:
    """One wallbox and the car on it (if any)."""

    address: int
    max_current_a: float
    phases: int  # as wired
    cars: list[tuple[float, float, CarSection]]  # (arrive_s, depart_s, car), relative to the run's start
    car: CarSection | None = None
    next_change_s: float = -1.0  # the timetable needs no look before this time
    ev: EvModel | None = None
    setpoint_a: float = 0.0
    setpoint_phases: int = 3
    session_wh: float = 0.0
    charged: bool = False  # the car has drawn current in this session
    power_w: float = 0.0
    current_a: float = 0.0
    state: str = "available"
    live_phases: int = 3  # the phases the car draws on: the fewest of the car, the setpoint and the wiring

    def car_at(self, t_s: float) -> CarSection | None:
        """The car the timetable puts on this wallbox at `t_s` (time only moves forward)."""
        if t_s < self.next_change_s:
            return self.car
        upcoming = [a for a, _, _ in self.cars if a > t_s]
        for arrive, depart, car in self.cars:
            if arrive <= t_s < depart:
                self.next_change_s = depart
                return car
        self.next_change_s = min(upcoming, default=float("inf"))
        return None

    def plug(self, car: CarSection | None) -> None:
        """Unplug the car there is (if any) and plug `car` in (if any)."""
        self.car, self.session_wh, self.charged, self.setpoint_a = car, 0.0, False, 0.0
        self.ev = None if car is None else EvModel(car.battery_kwh * 1000, car.soc, car.max_current_a, car.phases)

    def draw(self, volts: float) -> None:
        """What the car draws now at the applied setpoint."""
        ev = self.ev
        if ev is None:
            self.live_phases = min(self.setpoint_phases, self.phases)
            self.current_a = self.power_w = 0.0
            self.state = "available"
            return
        self.live_phases = min(ev.phases, self.setpoint_phases, self.phases)
        self.current_a = ev.accepted_current_a(self.setpoint_a)
        self.power_w = self.current_a * volts * self.live_phases
        if self.current_a > 0.0:
            self.state, self.charged = "charging", True
        else:
            self.state = "suspended" if self.charged else "connected"

    def status(self, at_s: float) -> BayStatus:
        one_phase = self.live_phases == 1
        i = self.current_a
        return BayStatus(
            self.address,
            at_s,
            self.state,
            True,
            self.power_w,
            (i, 0.0, 0.0) if one_phase else (i, i, i),
            self.session_wh,
            self.setpoint_phases,
            self.max_current_a,
            None if self.car is None else self.car.max_current_a,
            self.setpoint_a,
        )

    def charge(self, dt_s: float) -> float:
        if self.ev is None:
            return 0.0
        if self.current_a <= 0.0:
            return 0.0
        wh = self.ev.charge(self.setpoint_a, min(self.setpoint_phases, self.phases), dt_s)
        self.session_wh += wh
        return wh


@dataclass
class Battery:
    """A self-consumption battery: stores surplus, covers deficits, within its power and capacity."""

    spec: BatterySection
    stored_wh: float = 0.0

    def __post_init__(self) -> None:
        self.stored_wh = self.spec.soc * self.spec.capacity_kwh * 1000

    def step(self, surplus_w: float, dt_s: float) -> float:
        """The battery's power (+ charging) for a surplus (+) or deficit (-) of the site."""
        capacity = self.spec.capacity_kwh * 1000
        limit = self.spec.max_power_w
        if surplus_w >= 0:
            power = min(surplus_w, limit, (capacity - self.stored_wh) * 3600 / dt_s)
        else:
            power = -min(-surplus_w, limit, self.stored_wh * 3600 / dt_s)
        self.stored_wh += power * dt_s / 3600
        return power

    @property
    def soc(self) -> float:
        return self.stored_wh / (self.spec.capacity_kwh * 1000)


def bays_for(scenario: Scenario) -> list[Bay]:
    bays = []
    for box in sorted(scenario.config.wallboxes, key=lambda w: w.address):
        visits = [
            (clock_s(c.arrive) - scenario.start_s, clock_s(c.depart) - scenario.start_s, c)
            for c in scenario.cars
            if c.wallbox == box.address
        ]
        bays.append(Bay(box.address, box.max_current_a, box.phases, visits))
    return bays


def feed_readings(
    readings: Readings,
    layout: SiteLayout,
    at_s: float,
    grid_w: float,
    phase_w: tuple[float, float, float],
    pv_w: float,
    battery_w: float,
    soc: float | None,
) -> None:
    """The readings the site's devices would publish, per topology."""
    t = layout.topology
    if t.grid == "meter":
        readings.meter = MeterReading(32, at_s, grid_w, phase_w, (230.0, 230.0, 230.0), (0.0, 0.0, 0.0))
    if t.grid == "ct1" or t.production == "ct2":
        readings.sensors = SensorReading(
            at_s, grid_w if t.grid == "ct1" else None, pv_w if t.production == "ct2" else None
        )
    if t.production == "inverters":
        share = pv_w / len(layout.inverters)
        inverters = readings.inverters
        for address in layout.inverters:
            if address == layout.grid_inverter:
                inverters[address] = InverterReading(address, at_s, share, grid_w, battery_w, soc)
            else:
                inverters[address] = InverterReading(address, at_s, share)


def apply(bays: list[Bay], setpoints: tuple[Setpoint, ...]) -> None:
    """The setpoints (one per bay, both in address order) take effect from the next step."""
    for bay, sp in zip(bays, setpoints, strict=True):
        bay.setpoint_a, bay.setpoint_phases = sp.current_a, sp.phases
