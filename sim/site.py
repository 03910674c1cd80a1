"""The whole simulated site in one process (`connext sim`, `connext demo`, the benchmarks).

- RS485: the config's DTSU666 and inverters on a `SimLine` (served by `site_rs485`).
- CAN: the config's wallboxes on a `WallboxSimulator`, on the config's [can] bus.
- A scenario (the format of sim/scenario.py): PV and house-load profiles, cars that come
  and go, optionally a battery. Profiles and the car timetable run `speed` times faster
  than real time; the buses and the cars' charging run in real time.
- Every `period_s` the site is stepped (`site_flows`): what each vehicle draws now (the
  wallbox simulator's own state, so a lowered setpoint shows on the meter at once) plus
  the house, minus PV and the battery, goes to the meter per phase, or to the hybrid
  inverter on sites that measure the grid there; PV to the inverters.

Supported: sites whose grid value comes from the DTSU666 or a hybrid/storage inverter
and whose PV (if any) from inverters (topologies 1, 2, 3, 5, 9). CT clamps are read by
the daemon's own simulated board (`core/hw/sim.py`), which another process cannot drive.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from loguru import logger

from connext.actors.can_io import bus_options
from connext.control.site import SiteLayout
from connext.core.clock import Clock, SystemClock
from connext.core.config import Config

from .modbus_line import SimLine
from .modbus_site import line_for
from .scenario import Scenario
from .scenario_plant import Battery, Bay, bays_for
from .site_flows import Flows, site_flows
from .wallbox import SimWallbox
from .wallbox_bus import WallboxSimulator

CARD_RETRY_S = 5.0  # a driver whose card was not accepted (wallbox not configured yet) tries again
WALLBOX_STEP_S = 0.05


class SiteSim:
    """One simulated site. `start()` runs it on threads; tests call `step()` on a manual clock."""

    def __init__(self, config: Config, scenario: Scenario, *, speed: float = 1.0, clock: Clock | None = None,
                 wire_time: bool = True, can_options: dict[str, Any] | None = None,
                 period_s: float = 0.1) -> None:  # fmt: skip
        _check_supported(config, scenario)
        self.config, self.scenario, self.speed, self.period_s = config, scenario, speed, period_s
        self.clock = clock or SystemClock()
        self.layout = SiteLayout.from_config(config)
        baudrate = config.rs485.baudrate if config.rs485 is not None and wire_time else None
        self.line: SimLine | None = line_for(config, baudrate) if config.meter or config.inverters else None
        boxes = [
            SimWallbox(w.address, w.serial, max_current_a=w.max_current_a, phases=w.phases, mode=w.mode)
            for w in config.wallboxes
        ]
        self.wallboxes = WallboxSimulator(boxes, can_options or bus_options(config.can), self.clock)
        self.cards = {w.address: bytes.fromhex(w.cards[0]) for w in config.wallboxes if w.cards}
        self.bays = {bay.address: bay for bay in bays_for(scenario)}
        self.battery = Battery(scenario.battery) if scenario.battery is not None else None
        self.extra_house_w = 0.0  # a load step on top of the profile (the overload benchmark)
        self.flows: Flows | None = None
        self.energy_kwh = {"import": 0.0, "export": 0.0}
        self.started_at_s = self.clock.monotonic()
        self._stepped_at_s = self.started_at_s
        self._card_at_s: dict[int, float] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- running ---------------------------------------------------------------------

    def start(self) -> SiteSim:
        """Step the site and the wallboxes on threads, in real time (serve the line first)."""
        self.started_at_s = self._stepped_at_s = self.clock.monotonic()
        self.step()
        self.wallboxes.start(WALLBOX_STEP_S)
        self._thread = threading.Thread(target=self._run, name="sim-site", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            self.step()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.wallboxes.stop()
        if self.line is not None:
            self.line.stop()

    def scenario_s(self, now: float | None = None) -> float:
        """Scenario time elapsed since the start (profiles and timetable), held at the end."""
        elapsed = ((self.clock.monotonic() if now is None else now) - self.started_at_s) * self.speed
        return min(elapsed, self.scenario.duration_s)

    @property
    def ended(self) -> bool:
        return self.scenario_s() >= self.scenario.duration_s

    def step(self) -> Flows:
        """Move the site to now: cars come and go, then the meter measures what all draw."""
        with self._lock:
            now = self.clock.monotonic()
            dt, self._stepped_at_s = max(0.0, now - self._stepped_at_s), now
            t = self.scenario_s(now)
            for bay in self.bays.values():
                self._timetable(bay, t, now)
            at = self.scenario.start_s + t
            pv = max(0.0, self.scenario.pv.at(at))
            house = max(0.0, self.scenario.house.at(at)) + self.extra_house_w
            currents = self.wallboxes.phase_currents()
            volts = self.layout.voltage_v
            cars_w = sum(sum(phases) for phases in currents.values()) * volts
            battery_w = self._battery_w(pv - house - cars_w, dt)
            split = self.scenario.house_split
            self.flows = site_flows(pv, house, split, battery_w, currents.values(), volts, self.layout.phases)
            self._publish(self.flows, dt)
            return self.flows

    def _battery_w(self, surplus_w: float, dt: float) -> float:
        """The battery's power (+ charging); no time passed: as on the last step."""
        if self.battery is None:
            return 0.0
        if dt <= 0.0:
            return self.flows.battery_w if self.flows is not None else 0.0
        return self.battery.step(surplus_w, dt)

    def add_house_load(self, power_w: float) -> Flows:
        """A load step on top of the house profile, on the meter at once (for benchmarks)."""
        with self._lock:
            self.extra_house_w = power_w
            return self.step()

    # --- inside a step ----------------------------------------------------------------

    def _timetable(self, bay: Bay, t: float, now: float) -> None:
        car = bay.car_at(t)
        if car is not bay.car:
            if bay.car is not None:
                self.wallboxes.unplug(bay.address)
                logger.info("sim: car {!r} left wallbox {}", bay.car.name, bay.address)
            bay.plug(car)
            if bay.ev is not None:
                self.wallboxes.plug_in(bay.address, bay.ev)
                self._card_at_s.pop(bay.address, None)
                logger.info("sim: car {!r} plugged in at wallbox {} (SoC {:.0%})", car.name, bay.address, bay.ev.soc)
        if bay.ev is not None and bay.address in self.cards:
            self._present_card(bay.address, now)

    def _present_card(self, address: int, now: float) -> None:
        """Offline mode: the driver holds the card to the reader until it is accepted."""
        if now < self._card_at_s.get(address, float("-inf")):
            return
        self._card_at_s[address] = now + CARD_RETRY_S
        box = self.wallboxes.wallboxes[address]
        if box.mode == "offline" and not box.enabled:
            self.wallboxes.present_card(address, self.cards[address])

    def _publish(self, flows: Flows, dt: float) -> None:
        """The measured values on the simulated devices (thread-safe setters)."""
        if flows.grid_w < 0:
            self.energy_kwh["import"] += -flows.grid_w * dt / 3.6e6
        else:
            self.energy_kwh["export"] += flows.grid_w * dt / 3.6e6
        if self.line is None:
            return
        if self.config.meter is not None:
            meter = self.line.devices[self.config.meter.address]
            meter.set_phase_power(*flows.grid_phase_w)  # type: ignore[attr-defined]
            meter.set_energy(self.energy_kwh["import"], self.energy_kwh["export"])  # type: ignore[attr-defined]
        share = flows.pv_w / len(self.layout.inverters) if self.layout.inverters else 0.0
        for address in self.layout.inverters:
            inverter = self.line.inverter(address)
            inverter.set_pv(share)
            if address == self.layout.grid_inverter:
                inverter.set_grid(flows.grid_w)
                soc = self.battery.soc if self.battery is not None else None
                inverter.set_battery(flows.battery_w, soc)

    # --- looking at it ----------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        """A JSON-ready summary: scenario time, flows, and each wallbox as the simulator has it."""
        with self._lock:
            flows, t = self.flows, self.scenario_s()
        local = (self.scenario.midnight + timedelta(seconds=self.scenario.start_s + t)).astimezone(
            ZoneInfo(self.config.site.timezone)
        )
        boxes = []
        for box in self.wallboxes.view():
            bay = self.bays.get(int(box["address"]))  # type: ignore[call-overload]
            car = bay.car.name if bay is not None and bay.car is not None else None
            boxes.append({**box, "car": car})
        return {
            "scenario": self.scenario.name,
            "time": local.strftime("%H:%M"),
            "speed": self.speed,
            "ended": self.ended,
            "flows": None if flows is None else dataclasses.asdict(flows),
            "battery_soc": None if self.battery is None else self.battery.soc,
            "wallboxes": boxes,
        }


def summary(view: dict[str, Any]) -> str:
    """One line of the simulator's own view: profile time, flows, what each wallbox does."""
    flows = view["flows"] or {}
    parts = [f"sim={view['time']}{' (ended)' if view['ended'] else ''}"]
    parts += [f"{k}={flows.get(f'{k}_w', 0.0):+.0f}W" if k == "grid" else f"{k}={flows.get(f'{k}_w', 0.0):.0f}W"
              for k in ("grid", "pv", "house", "wallbox")]  # fmt: skip
    for box in view["wallboxes"]:
        parts.append(f"wb{box['address']}={box['state']}/{box['current_a']:.1f}A/{box['limit_a']:.1f}A")
    return " ".join(parts)


def _check_supported(config: Config, scenario: Scenario) -> None:
    layout = SiteLayout.from_config(config)
    topology = layout.topology
    if topology.grid not in ("meter", "inverter") or topology.production not in ("inverters", "none"):
        raise ValueError(
            f"topology {topology.number} ({topology.title}) reads CT clamps, which only the daemon's own "
            "simulated board can drive: the whole-site simulator serves sites with a DTSU666 or a hybrid "
            "inverter (topologies 1, 2, 3, 5, 9)"
        )
    if scenario.battery is not None and layout.grid_inverter is None:
        raise ValueError("the scenario has a [battery], but the site has no hybrid or storage inverter to report it")
