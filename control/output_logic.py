"""Output logics, the pure part (SPEC §8): what a logic's variable is worth, whether
its time window and date range are in force, and the hysteresis.

A logic binds one output to one variable. Max is the activation threshold: the
contact closes when the value reaches max (>=) and stays closed until the value
falls to min (<=). Windows and date ranges are read in the site's local wall time
(the caller converts with zoneinfo), so a window follows the clock on the wall
across DST changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from connext.core.config import LogicConfig


@dataclass(frozen=True, slots=True)
class SiteValues:
    """The quantities logics can use; None = unknown or stale."""

    battery_soc_pct: float | None = None
    pv_power_w: float | None = None
    vehicle_power_w: float | None = None
    grid_power_w: float | None = None  # + export, - import (SPEC §3)
    temperature_c: float | None = None


def _import(v: SiteValues) -> float | None:
    return None if v.grid_power_w is None else max(0.0, -v.grid_power_w)


def _export(v: SiteValues) -> float | None:
    return None if v.grid_power_w is None else max(0.0, v.grid_power_w)


def _injected(v: SiteValues) -> float | None:
    """The PV power fed into the grid: export, but not what a battery discharges into it."""
    export = _export(v)
    if export is None or v.pv_power_w is None:
        return export
    return min(export, max(0.0, v.pv_power_w))


VARIABLES: dict[str, Callable[[SiteValues], float | None]] = {
    "battery_soc": lambda v: v.battery_soc_pct,  # %
    "pv_power": lambda v: v.pv_power_w,  # W
    "vehicle_power": lambda v: v.vehicle_power_w,  # W, all wallboxes
    "grid_import": _import,  # W drawn from the grid, 0 while exporting
    "grid_export": _export,  # W fed into the grid, 0 while importing
    "injected_power": _injected,  # W of PV fed into the grid
    "temperature": lambda v: v.temperature_c,  # degrees C, the box's sensor
}


def variable_value(variable: str, values: SiteValues) -> float | None:
    return VARIABLES[variable](values)


def hysteresis(closed: bool, value: float | None, logic: LogicConfig) -> bool:
    """The logic's wish after an evaluation; an unknown value opens the contact."""
    if value is None:
        return False
    if closed:
        return value > logic.min
    return value >= logic.max


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def in_window(window: str, local: datetime) -> bool:
    """'HH:MM-HH:MM', start included, end excluded; a window may cross midnight."""
    if not window:
        return True
    start, end = _minutes(window[:5]), _minutes(window[6:])
    now = local.hour * 60 + local.minute
    if start < end:
        return start <= now < end
    return now >= start or now < end


def in_dates(dates: str, local: datetime) -> bool:
    """'MM-DD..MM-DD', both days included; a range may cross New Year."""
    if not dates:
        return True
    first, last = dates.split("..")
    start = (int(first[:2]), int(first[3:]))
    end = (int(last[:2]), int(last[3:]))
    today = (local.month, local.day)
    if start <= end:
        return start <= today <= end
    return today >= start or today <= end


def schedule_allows(logic: LogicConfig, local: datetime) -> bool:
    """Enabled, inside its daily window and inside its yearly date range."""
    return logic.enabled and in_window(logic.window, local) and in_dates(logic.dates, local)
