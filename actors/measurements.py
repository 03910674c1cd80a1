"""Time-weighted aggregates of SiteUpdate over one measurement period (default 1 minute).

Each update's values hold until the next one, so a mean is the integral over the
period divided by its length; energies (Wh) are the integrals themselves. A value that
is unknown (stale) adds nothing and leaves its mean over the known time only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .messages import SiteUpdate

MEANS = ("grid", "pv", "battery", "wallbox", "house", "available")


@dataclass
class Aggregate:
    """Integrals since the period began."""

    started_s: float | None = None
    last: SiteUpdate | None = None
    last_s: float = 0.0
    integral: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MEANS, 0.0))
    known_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MEANS, 0.0))
    import_ws: float = 0.0
    export_ws: float = 0.0
    stale_s: float = 0.0

    def add(self, update: SiteUpdate, at_s: float) -> None:
        """Account the previous update up to `at_s`, then hold this one."""
        self._advance(at_s)
        if self.started_s is None:
            self.started_s = at_s
        self.last, self.last_s = update, at_s

    def _advance(self, at_s: float) -> None:
        last = self.last
        dt = at_s - self.last_s
        if last is None or dt <= 0.0:
            return
        values = {
            "grid": last.grid_power_w,
            "pv": last.pv_power_w,
            "battery": last.battery_power_w,
            "wallbox": last.wallbox_power_w,
            "house": last.house_power_w,
            "available": last.available_power_w,
        }
        for name, value in values.items():
            if value is not None:
                self.integral[name] += value * dt
                self.known_s[name] += dt
        grid = last.grid_power_w
        if grid is None:
            self.stale_s += dt
        elif grid >= 0.0:
            self.export_ws += grid * dt
        else:
            self.import_ws -= grid * dt
        self.last_s = at_s

    def close(self, at_s: float, at_iso: str) -> dict[str, Any] | None:
        """The period's row (None when nothing was heard), and a fresh period from `at_s`."""
        self._advance(at_s)
        if self.started_s is None or at_s <= self.started_s:
            return None
        period = at_s - self.started_s

        def mean(name: str) -> float | None:
            return self.integral[name] / self.known_s[name] if self.known_s[name] > 0 else None

        row = {
            "at": at_iso,
            "period_s": round(period, 3),
            "grid_w": mean("grid"),
            "import_wh": self.import_ws / 3600,
            "export_wh": self.export_ws / 3600,
            "pv_w": mean("pv"),
            "pv_wh": self.integral["pv"] / 3600,
            "battery_w": mean("battery"),
            "battery_soc": self.last.battery_soc if self.last is not None else None,
            "wallbox_w": mean("wallbox") or 0.0,
            "wallbox_wh": self.integral["wallbox"] / 3600,
            "house_w": mean("house"),
            "available_w": mean("available"),
            "stale_s": round(self.stale_s, 3),
        }
        last, self.__dict__ = self.last, Aggregate().__dict__
        self.started_s, self.last, self.last_s = at_s, last, at_s
        return row
