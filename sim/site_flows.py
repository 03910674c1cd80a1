"""The power flows of the simulated site at one instant: what the grid meter measures.

Pure arithmetic, no I/O: the whole-site simulator (`sim/site.py`) feeds it the profiles,
the battery and what each simulated wallbox's vehicle really draws, and publishes the
result on the simulated meter and inverters. Sign convention (SPEC §3): grid + export,
- import; battery + charging.

Per phase (three-phase sites): PV and the battery are spread evenly over L1-L3, the
house load by the scenario's `house_phase_split`, and each wallbox draws its current on
the phases it charges on (one-phase charging on L1), so

    meter phase k = PV/3 - battery/3 - house x split[k] - sum(wallbox current on k) x V

Single-phase sites have everything on L1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PhaseCurrents = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Flows:
    """Power flows in W (grid + export, battery + charging); per phase L1-L3."""

    pv_w: float
    house_w: float
    battery_w: float
    wallbox_w: float
    grid_w: float
    grid_phase_w: tuple[float, float, float]


def site_flows(
    pv_w: float,
    house_w: float,
    house_split: tuple[float, float, float],
    battery_w: float,
    wallbox_currents: Iterable[PhaseCurrents],
    volts: float,
    site_phases: int,
) -> Flows:
    """The meter's view of the site: house + cars + battery charging - PV, per phase."""
    per_phase = [0.0, 0.0, 0.0]
    for currents in wallbox_currents:
        for k, amps in enumerate(currents):
            per_phase[k] += amps * volts
    cars_w = sum(per_phase)
    if site_phases == 1:
        grid = pv_w - battery_w - house_w - cars_w
        return Flows(pv_w, house_w, battery_w, cars_w, grid, (grid, 0.0, 0.0))
    shared = (pv_w - battery_w) / 3
    phase_w = tuple(shared - house_w * split - cars for split, cars in zip(house_split, per_phase, strict=True))
    l1, l2, l3 = phase_w
    return Flows(pv_w, house_w, battery_w, cars_w, l1 + l2 + l3, (l1, l2, l3))
