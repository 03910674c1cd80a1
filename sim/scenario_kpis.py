"""The figures a scenario run is judged by, computed from its timeline after the run.

Attribution of the cars' energy: PV goes to the cars first (the Ecological strategies
charge "with the whole PV production"), then the grid import, then the battery.
"Above the contracted power" counts the steps whose grid import exceeds
`contracted_power_w` (by more than 1 W); an excursion is a run of such steps.
Eco "outside the reaction window": grid energy into cars whose applied setpoint was
decided as `pv_surplus`, beyond the PV of the reading that decision used. The minimum
current held while a stop waits for its dwell time, minimum on time or ramp is the
reaction window (reasons eco_topup, min_on_time, stop_ramp) and is not counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from connext.control import reasons as R

from .scenario import CarSection, Scenario

if TYPE_CHECKING:
    from .scenario_run import Timeline

TOLERANCE_W = 1.0
KM_TOLERANCE = 0.01  # the Kilometer target is met within 1 %


def visit_entry(address: int, car: CarSection, energy_wh: float, target_wh: float | None, soc: float) -> dict:
    """One car's stay: its energy, and whether a Kilometer target was met (within 1 %)."""
    entry: dict[str, Any] = {
        "wallbox": address,
        "car": car.name or f"car on wallbox {address} at {car.arrive}",
        "arrive": car.arrive,
        "depart": car.depart,
        "start_soc": car.soc,
        "end_soc": round(soc, 4),
        "energy_wh": round(energy_wh, 1),
    }
    if target_wh is not None:
        entry["km_target_wh"] = round(target_wh, 1)
        entry["km_target_met"] = bool(abs(energy_wh - target_wh) <= KM_TOLERANCE * target_wh)
    return entry


def _longest_run(flags: np.ndarray) -> int:
    """The longest run of True in a boolean array."""
    if not flags.any():
        return 0
    padded = np.concatenate(([0], flags.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max())


def _wallbox(setpoint: np.ndarray, phases: np.ndarray, power: np.ndarray, step_s: float) -> dict[str, Any]:
    on = setpoint > 0.0
    before = np.concatenate(([False], on[:-1]))
    switched = on & before & (phases != np.concatenate((phases[:1], phases[:-1])))
    return {
        "energy_wh": round(float(power.sum()) * step_s / 3600, 1),
        "starts": int((on & ~before).sum()),
        "stops": int((~on & before).sum()),
        "phase_switches": int(switched.sum()),
    }


def _eco_outside_wh(tl: Timeline, powers: dict[int, np.ndarray], pv: np.ndarray, h: float) -> float:
    """Grid energy into cars whose applied setpoint (decided a step earlier) was `pv_surplus`,
    beyond the PV of the reading that decision used."""
    following = np.zeros_like(pv)
    for address, reasons in tl.setpoint("reason").items():
        surplus = np.asarray([r == R.PV_SURPLUS for r in reasons])
        following[1:] += np.where(surplus[:-1], powers[address][1:], 0.0)
    return round(float(np.maximum(0.0, following[1:] - pv[:-1]).sum()) * h, 1)


def _limits(scenario: Scenario, tl: Timeline, imports: np.ndarray) -> dict[str, float]:
    step_s, contracted = scenario.step_s, scenario.config.site.contracted_power_w
    above = imports > contracted + TOLERANCE_W
    phase_w = np.asarray(tl.phase_w)
    phase_above = (-phase_w > contracted / 3 + TOLERANCE_W).any(axis=1) if tl.per_phase else np.zeros_like(above)
    return {
        "seconds_above_contracted_power": round(float(above.sum()) * step_s, 1),
        "longest_above_contracted_power_s": round(_longest_run(above) * step_s, 1),
        "seconds_phase_above_share": round(float(phase_above.sum()) * step_s, 1),
        "longest_phase_above_share_s": round(_longest_run(phase_above) * step_s, 1),
    }


def compute(scenario: Scenario, tl: Timeline, visits: list[dict[str, Any]]) -> dict[str, Any]:
    """The KPIs of a finished run."""
    step_s, h = scenario.step_s, scenario.step_s / 3600.0
    pv, house, grid = np.asarray(tl.pv_w), np.asarray(tl.house_w), np.asarray(tl.grid_w)
    powers = {a: np.asarray(p) for a, p in tl.power_w.items()}
    setpoints, phases = tl.setpoint("current_a"), tl.setpoint("phases")
    cars = sum(powers.values()) if powers else np.zeros_like(pv)
    imports = np.maximum(0.0, -grid)
    from_pv = np.minimum(cars, pv)
    from_grid = np.minimum(cars - from_pv, imports)

    def wh(values: np.ndarray) -> float:
        return round(float(values.sum()) * h, 1)

    km = [v["km_target_met"] for v in visits if "km_target_met" in v]
    return {
        "scenario": scenario.name,
        "strategy": scenario.strategy.name,
        "steps": len(tl.t_s),
        "step_s": step_s,
        "energy_to_cars_wh": wh(cars),
        "energy_to_cars_from_pv_wh": wh(from_pv),
        "energy_to_cars_from_grid_wh": wh(from_grid),
        "energy_to_cars_from_battery_wh": wh(np.maximum(0.0, cars - from_pv - from_grid)),
        "eco_grid_to_cars_outside_reaction_wh": _eco_outside_wh(tl, powers, pv, h),
        "pv_wh": wh(pv),
        "house_wh": wh(house),
        "grid_import_wh": wh(imports),
        "grid_export_wh": wh(np.maximum(0.0, grid)),
        **_limits(scenario, tl, imports),
        "wallboxes": {
            str(a): _wallbox(np.asarray(setpoints[a]), np.asarray(phases[a]), powers[a], step_s) for a in sorted(powers)
        },
        "cars": visits,
        "km_target_met": all(km) if km else None,
    }
