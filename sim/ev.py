"""A pure model of an electric vehicle on a charger: battery, SoC, what it accepts.

No I/O, no clock: the caller advances it with `charge(current_a, phases, dt_s)`. Used by
the CAN wallbox simulator (real time) and the scenario runner (virtual time) alike.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_CURRENT_A = 6.0  # IEC 61851: below this a vehicle does not charge
TAPER_FROM_SOC = 0.9  # above this SoC the accepted current falls linearly to 10 % at full


@dataclass
class EvModel:
    """One vehicle. `soc` is a ratio 0..1; `phases` is how many phases it can draw on."""

    battery_wh: float
    soc: float
    max_current_a: float = 16.0
    phases: int = 3
    voltage_v: float = 230.0
    efficiency: float = 0.92  # AC energy to battery energy

    def __post_init__(self) -> None:
        if self.battery_wh <= 0:
            raise ValueError(f"battery_wh must be > 0, got {self.battery_wh}")
        if not 0.0 <= self.soc <= 1.0:
            raise ValueError(f"soc must be 0..1, got {self.soc}")
        if self.phases not in (1, 3):
            raise ValueError(f"phases must be 1 or 3, got {self.phases}")

    @property
    def full(self) -> bool:
        return self.soc >= 1.0

    def accepted_current_a(self, offered_a: float) -> float:
        """The current the vehicle draws when `offered_a` is allowed (0 when below 6 A or full)."""
        if offered_a < MIN_CURRENT_A or self.full:
            return 0.0
        limit = self.max_current_a
        if self.soc > TAPER_FROM_SOC:
            share = 1.0 - (self.soc - TAPER_FROM_SOC) / (1.0 - TAPER_FROM_SOC) * 0.9
            limit = max(MIN_CURRENT_A, self.max_current_a * share)
        return min(offered_a, limit)

    def charge(self, offered_a: float, supply_phases: int, dt_s: float) -> float:
        """Charge for `dt_s` seconds; returns the AC energy drawn from the wallbox (Wh)."""
        current_a = self.accepted_current_a(offered_a)
        if current_a <= 0.0 or dt_s <= 0.0:
            return 0.0
        phases = min(self.phases, supply_phases)
        ac_wh = current_a * self.voltage_v * phases * dt_s / 3600.0
        room_wh = (1.0 - self.soc) * self.battery_wh / self.efficiency
        ac_wh = min(ac_wh, room_wh)
        self.soc = min(1.0, self.soc + ac_wh * self.efficiency / self.battery_wh)
        return ac_wh

    def power_w(self, offered_a: float, supply_phases: int) -> float:
        """The AC power drawn at `offered_a`."""
        return self.accepted_current_a(offered_a) * self.voltage_v * min(self.phases, supply_phases)
