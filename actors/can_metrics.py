"""Metrics of the CAN side: the bus, and each wallbox by its CAN address (1..31).

Labels are bounded: `address` (0..31, or "none" for a frame without a standard id),
`phase` (1..3), `state` (WALLBOX_STATES), `reason` (FrameError.REASONS), `command`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from connext.core.metrics import REGISTRY, Children

WALLBOX_STATES = (
    "available",
    "connected",
    "charging",
    "suspended",
    "fault",
    "offline",
    "detected",
    "needs_support",
)

BUS_UP = Gauge("connext_can_bus_up", "1 while the CAN bus is open and reading.", registry=REGISTRY)
BUS_ERRORS = Counter("connext_can_bus_errors", "CAN bus faults (read, send or open errors).", registry=REGISTRY)
BUS_OPENS = Counter("connext_can_bus_opens", "Times the CAN bus was opened (1 + reopens).", registry=REGISTRY)
HEARTBEATS = Counter("connext_can_heartbeats_sent", "Controller heartbeats sent on the CAN bus.", registry=REGISTRY)
FRAMES_DROPPED = Counter(
    "connext_can_frames_unsent", "Frames to send dropped because the bus was down.", registry=REGISTRY
)
FRAMES_RECEIVED = Counter(
    "connext_can_frames_received", "Good frames received from each wallbox address.", ["address"], registry=REGISTRY
)
FRAMES_SENT = Counter("connext_can_frames_sent", "Frames sent to each address.", ["address"], registry=REGISTRY)
FRAMES_BAD = Counter(
    "connext_can_frames_bad",
    "Frames counted and dropped: unknown id, wrong length or a value out of range.",
    ["address", "reason"],
    registry=REGISTRY,
)

STATE = Gauge(
    "connext_wallbox_state",
    "1 for the wallbox's current state, 0 for the others.",
    ["address", "state"],
    registry=REGISTRY,
)
POWER = Gauge("connext_wallbox_power_watts", "Charging power.", ["address"], registry=REGISTRY)
CURRENT = Gauge("connext_wallbox_current_amperes", "Current drawn per phase.", ["address", "phase"], registry=REGISTRY)
SESSION_ENERGY = Gauge(
    "connext_wallbox_session_energy_joules", "Energy of the current (or last) session.", ["address"], registry=REGISTRY
)
SETPOINT = Gauge(
    "connext_wallbox_setpoint_amperes",
    "Current limit the controller set (after clamping).",
    ["address"],
    registry=REGISTRY,
)
LIMIT = Gauge(
    "connext_wallbox_limit_amperes", "Current limit the wallbox reports it applies.", ["address"], registry=REGISTRY
)
HEARTBEAT_AGE = Gauge(
    "connext_wallbox_heartbeat_age_seconds",
    "Seconds since the wallbox's last status frame (its heartbeat toward the controller).",
    ["address"],
    registry=REGISTRY,
)
CLAMPS = Counter(
    "connext_wallbox_setpoint_clamps",
    "Setpoints changed to fit {0} or 6 A..min(wallbox max, vehicle max).",
    ["address"],
    registry=REGISTRY,
)
COMMANDS = Counter(
    "connext_wallbox_commands", "Commands sent to the wallbox.", ["address", "command"], registry=REGISTRY
)

# the children set on every frame or status, looked up once
FRAMES_RECEIVED_OF, FRAMES_SENT_OF = Children(FRAMES_RECEIVED), Children(FRAMES_SENT)
STATE_OF, POWER_OF, CURRENT_OF = Children(STATE), Children(POWER), Children(CURRENT)
SESSION_ENERGY_OF, SETPOINT_OF, LIMIT_OF = Children(SESSION_ENERGY), Children(SETPOINT), Children(LIMIT)
HEARTBEAT_AGE_OF = Children(HEARTBEAT_AGE)
