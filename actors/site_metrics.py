"""Metrics of the site controller and the recorder (prefix connext_site_ / connext_recorder_).

The RS485 side exports the meter's own connext_grid_* values; these are the site
model's (after topology and staleness), so they live under connext_site_. A value that
is unknown (stale) is NaN. Labels are bounded: wallbox address, phase 1..3, input
name, reason (the fixed list in control/reasons.py), strategy (six names), table.
"""

from __future__ import annotations

import math

from prometheus_client import Counter, Gauge, Histogram

from connext.control.site import SiteState
from connext.core.config import STRATEGIES
from connext.core.metrics import PHASE_LABELS, REGISTRY, Children

STALE_INPUTS = ("grid", "pv", "battery")
FLOWS = {
    name: Gauge(f"connext_site_{name}_watts", text, registry=REGISTRY)
    for name, text in (
        ("grid_power", "Grid exchange as the site model uses it (+ export, - import); NaN when stale."),
        ("pv_power", "PV production (sum of inverters, CT 2 or none); NaN when stale."),
        ("pv_smoothed_power", "PV production smoothed for the Ecological thresholds."),
        ("battery_power", "Battery power (+ charging, - discharging); NaN when unknown."),
        ("wallbox_power", "Power drawn by all wallboxes."),
        ("house_power", "The rest of the house: PV - grid - battery - wallboxes; NaN when unknown."),
        ("available_power", "What the cars may draw now: contracted - rest of the house; NaN when stale."),
    )
}
GRID_PHASE = Gauge(
    "connext_site_grid_phase_power_watts", "Grid exchange per phase (+ export).", ["phase"], registry=REGISTRY
)
BATTERY_SOC = Gauge("connext_site_battery_soc_ratio", "Battery state of charge (0..1).", registry=REGISTRY)
STALE = Gauge("connext_site_input_stale", "1 while an input of the site model is stale.", ["input"], registry=REGISTRY)
SETPOINT = Gauge("connext_site_setpoint_amperes", "Current setpoint per wallbox.", ["address"], registry=REGISTRY)
SETPOINT_PHASES = Gauge(
    "connext_site_setpoint_phases", "Phases of the setpoint per wallbox.", ["address"], registry=REGISTRY
)
REASON = Gauge(
    "connext_site_setpoint_reason",
    "1 for the reason of the wallbox's current setpoint (see control/reasons.py).",
    ["address", "reason"],
    registry=REGISTRY,
)
STARTS = Counter("connext_site_charging_starts", "Charging starts per wallbox.", ["address"], registry=REGISTRY)
STOPS = Counter("connext_site_charging_stops", "Charging stops/pauses per wallbox.", ["address"], registry=REGISTRY)
PHASE_SWITCHES = Counter(
    "connext_site_phase_switches", "Switches between 1 and 3 phases per wallbox.", ["address"], registry=REGISTRY
)
SENT = Counter("connext_site_setpoints_sent", "SetChargeCurrent commands sent.", ["address"], registry=REGISTRY)
DECISIONS = Counter("connext_site_decisions", "Decisions made (one per reading or wallbox event).", registry=REGISTRY)
DECISION_SECONDS = Histogram(
    "connext_site_decision_duration_seconds",
    "Reading in -> setpoints out: site model and decision.",
    buckets=(25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 0.01, 0.05),
    registry=REGISTRY,
)
SESSIONS_OPEN = Gauge("connext_site_sessions_open", "Charging sessions in progress.", registry=REGISTRY)
STRATEGY = Gauge("connext_site_strategy", "1 for the charging strategy in force.", ["strategy"], registry=REGISTRY)
# the children set on every decision, looked up once (REASON's move: not cached)
GRID_PHASE_OF, STALE_OF = Children(GRID_PHASE), Children(STALE)
SETPOINT_OF, SETPOINT_PHASES_OF = Children(SETPOINT), Children(SETPOINT_PHASES)
RECORDER_ROWS = Counter("connext_recorder_rows_written", "Rows written by the recorder.", ["table"], registry=REGISTRY)


def _value(value: float | None) -> float:
    return math.nan if value is None else value


def export_site(site: SiteState, available_w: float | None, smoothed_w: float | None) -> None:
    values = {
        "grid_power": site.grid_power_w,
        "pv_power": site.pv_power_w,
        "pv_smoothed_power": smoothed_w,
        "battery_power": site.battery_power_w,
        "wallbox_power": site.wallbox_power_w,
        "house_power": site.house_power_w,
        "available_power": available_w,
    }
    for name, value in values.items():
        FLOWS[name].set(_value(value))
    BATTERY_SOC.set(_value(site.battery_soc))
    for phase, value in zip(PHASE_LABELS, site.grid_phase_power_w or (), strict=False):
        GRID_PHASE_OF(phase).set(value)
    for name in STALE_INPUTS:
        STALE_OF(name).set(1 if name in site.stale else 0)


def export_setpoint(address: int, current_a: float, phases: int) -> None:
    label = str(address)
    SETPOINT_OF(label).set(current_a)
    SETPOINT_PHASES_OF(label).set(phases)


def export_strategy(name: str) -> None:
    for strategy in STRATEGIES:
        STRATEGY.labels(strategy=strategy).set(1 if strategy == name else 0)


def export_reason(address: int, old: str | None, new: str) -> None:
    """Move the reason gauge of one wallbox: the old label set goes, the new one is 1."""
    label = str(address)
    if old is not None and old != new:
        REASON.remove(label, old)
    REASON.labels(address=label, reason=new).set(1)
