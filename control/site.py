"""The site model: from the latest readings and the topology (SPEC §4), one `SiteState`.

Sign convention (SPEC §3, as in actors/messages.py): grid + = export, - = import;
battery + = charging; PV, wallbox and house powers are never negative.

Where each value comes from is data in `core.config.topology.TOPOLOGIES`:
- PV: the sum of every inverter's `pv_power_w` ("inverters"), CT 2 ("ct2", already
  multiplied by the sensors actor) or nothing ("none");
- grid: the hybrid/storage inverter with the lowest address ("inverter"), CT 1
  ("ct1") or the DTSU666 ("meter", the only source with per-phase values);
- battery: the sum of the inverters that report one; SoC: their mean.
The rest of the house is what the energy balance leaves:
    house = PV - grid - battery charge - wallboxes.
A reading older than its source's `stale_after_s` is not used: the value is None and
the input is listed in `stale`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from connext.core.config import GRID_SOURCE_KINDS, TOPOLOGIES, Config, Topology


class Timed(Protocol):
    at_s: float


class MeterLike(Protocol):
    at_s: float
    grid_power_w: float
    phase_power_w: tuple[float, float, float]


class InverterLike(Protocol):
    at_s: float
    pv_power_w: float
    grid_power_w: float | None
    battery_power_w: float | None
    battery_soc: float | None


class SensorsLike(Protocol):
    at_s: float
    ct1_power_w: float | None
    ct2_power_w: float | None


class WallboxLike(Protocol):
    power_w: float
    current_a: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class SiteLayout:
    """The static facts the site model needs, taken once from the config."""

    topology: Topology
    phases: int
    contracted_power_w: float
    voltage_v: float
    inverters: tuple[int, ...]  # every configured inverter address, ascending
    grid_inverter: int | None  # the grid source for topologies 1-3: lowest hybrid/storage address
    meter_stale_s: float
    inverter_stale_s: Mapping[int, float]
    sensors_stale_s: float

    @classmethod
    def from_config(cls, config: Config) -> SiteLayout:
        inverters = sorted(config.inverters, key=lambda i: i.address)
        grid_sources = [i.address for i in inverters if i.kind in GRID_SOURCE_KINDS]
        return cls(
            topology=TOPOLOGIES[config.site.topology],
            phases=config.site.phases,
            contracted_power_w=config.site.contracted_power_w,
            voltage_v=config.site.nominal_voltage_v,
            inverters=tuple(i.address for i in inverters),
            grid_inverter=grid_sources[0] if grid_sources else None,
            meter_stale_s=config.meter.stale_after_s if config.meter else 3.0,
            inverter_stale_s={i.address: i.stale_after_s for i in inverters},
            sensors_stale_s=config.sensors.stale_after_s if config.sensors else 5.0,
        )

    def reads_grid(self, inverter: int) -> bool:
        """Whether the inverter at this address is the site's grid source (topologies 1-3)."""
        return self.topology.grid == "inverter" and inverter == self.grid_inverter


@dataclass
class Readings:
    """The latest reading of each source (held by the actor or the scenario runner)."""

    meter: MeterLike | None = None
    sensors: SensorsLike | None = None
    inverters: dict[int, InverterLike] = field(default_factory=dict)

    def inverter(self, address: int) -> InverterLike | None:
        return self.inverters.get(address)


@dataclass(frozen=True, slots=True)
class SiteState:
    """The site's power flows at `at_s`; None = unknown (stale or not measured)."""

    at_s: float
    grid_power_w: float | None  # + export, - import
    grid_phase_power_w: tuple[float, ...] | None  # one per phase of the site, when measured
    pv_power_w: float | None
    battery_power_w: float | None  # + charging
    battery_soc: float | None
    wallbox_power_w: float
    wallbox_phase_current_a: tuple[float, float, float]
    house_power_w: float | None
    stale: tuple[str, ...] = ()  # "grid", "pv", "battery"
    grid_at_s: float = 0.0  # when the grid value was read (0.0 when unknown)

    @property
    def grid_fresh(self) -> bool:
        return self.grid_power_w is not None


def _fresh(reading: Timed | None, max_age_s: float, now_s: float) -> bool:
    return reading is not None and now_s - reading.at_s <= max_age_s


def _grid(layout: SiteLayout, readings: Readings, now_s: float) -> tuple[float | None, tuple[float, ...] | None, float]:
    """Grid exchange (+ export), its per-phase values where measured, and the reading's time."""
    source = layout.topology.grid
    if source == "meter":
        meter = readings.meter
        if meter is None or not _fresh(meter, layout.meter_stale_s, now_s):
            return None, None, 0.0
        phases = meter.phase_power_w if layout.phases == 3 else (meter.grid_power_w,)
        return meter.grid_power_w, phases, meter.at_s
    if source == "ct1":
        sensors = readings.sensors
        if sensors is None or not _fresh(sensors, layout.sensors_stale_s, now_s) or sensors.ct1_power_w is None:
            return None, None, 0.0
        value = sensors.ct1_power_w
        return value, (value,) if layout.phases == 1 else None, sensors.at_s
    address = layout.grid_inverter
    inverter = readings.inverter(address) if address is not None else None
    if address is None or inverter is None or inverter.grid_power_w is None:
        return None, None, 0.0
    if not _fresh(inverter, layout.inverter_stale_s[address], now_s):
        return None, None, 0.0
    value = inverter.grid_power_w
    return value, (value,) if layout.phases == 1 else None, inverter.at_s


def _pv(layout: SiteLayout, readings: Readings, now_s: float) -> float | None:
    """PV production, or None when a source of it is stale."""
    source = layout.topology.production
    if source == "none":
        return 0.0
    if source == "ct2":
        sensors = readings.sensors
        if sensors is None or not _fresh(sensors, layout.sensors_stale_s, now_s) or sensors.ct2_power_w is None:
            return None
        return max(0.0, sensors.ct2_power_w)
    total = 0.0
    for address in layout.inverters:
        inverter = readings.inverter(address)
        if inverter is None or not _fresh(inverter, layout.inverter_stale_s[address], now_s):
            return None
        total += max(0.0, inverter.pv_power_w)
    return total


def _battery(layout: SiteLayout, readings: Readings, now_s: float) -> tuple[float | None, float | None, bool]:
    """(battery power, SoC, stale) summed over the inverters that report a battery."""
    power, socs, stale, seen = 0.0, [], False, False
    for address in layout.inverters:
        inverter = readings.inverter(address)
        if inverter is None or inverter.battery_power_w is None:
            continue
        seen = True
        if not _fresh(inverter, layout.inverter_stale_s[address], now_s):
            stale = True
            continue
        power += inverter.battery_power_w
        if inverter.battery_soc is not None:
            socs.append(inverter.battery_soc)
    if not seen or stale:
        return None, None, stale
    return power, (sum(socs) / len(socs) if socs else None), False


def derive_site(
    layout: SiteLayout,
    readings: Readings,
    wallbox_power_w: float,
    wallbox_phase_current_a: tuple[float, float, float],
    now_s: float,
) -> SiteState:
    """One consistent picture of the site at `now_s`."""
    grid, grid_phases, grid_at_s = _grid(layout, readings, now_s)
    pv = _pv(layout, readings, now_s)
    battery, soc, battery_stale = _battery(layout, readings, now_s)
    stale = tuple(
        name for name, is_stale in (("grid", grid is None), ("pv", pv is None), ("battery", battery_stale)) if is_stale
    )
    house = None
    if grid is not None and pv is not None and not battery_stale:
        house = max(0.0, pv - grid - (battery or 0.0) - wallbox_power_w)
    return SiteState(
        at_s=now_s,
        grid_power_w=grid,
        grid_phase_power_w=grid_phases,
        pv_power_w=pv,
        battery_power_w=battery,
        battery_soc=soc,
        wallbox_power_w=wallbox_power_w,
        wallbox_phase_current_a=wallbox_phase_current_a,
        house_power_w=house,
        stale=stale,
        grid_at_s=grid_at_s,
    )


def wallbox_totals(statuses: Iterable[WallboxLike]) -> tuple[float, tuple[float, float, float]]:
    """(total power, per-phase current) of the wallboxes whose status is given."""
    power, l1, l2, l3 = 0.0, 0.0, 0.0, 0.0
    for status in statuses:
        power += status.power_w
        c = status.current_a
        l1, l2, l3 = l1 + c[0], l2 + c[1], l3 + c[2]
    return power, (l1, l2, l3)
