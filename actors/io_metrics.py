"""Metrics of the box I/O: outputs, their logics, CT clamps, inputs and temperature."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from connext.core.metrics import REGISTRY

OUTPUT_CLOSED = Gauge("connext_output_closed", "1 while the output's contact is closed.", ["output"], registry=REGISTRY)
OUTPUT_LAST_SWITCH = Gauge(
    "connext_output_last_switch_timestamp_seconds",
    "Unix time of the output's last switch.",
    ["output"],
    registry=REGISTRY,
)
OUTPUT_SWITCHES = Counter(
    "connext_output_switches",
    "Switches of the output's contact (no flapping: SPEC §10).",
    ["output"],
    registry=REGISTRY,
)
OUTPUT_HELD = Gauge(
    "connext_output_held",
    "1 while a wanted switch waits for the output's minimum on/off time.",
    ["output"],
    registry=REGISTRY,
)
OUTPUT_SAFE = Gauge(
    "connext_output_safe_state",
    "1 while the output is held in its safe state (stale inputs, controller gone, shutdown).",
    ["output"],
    registry=REGISTRY,
)
OUTPUT_OVERRIDE = Gauge(
    "connext_output_override", "1 while a manual override forces the output.", ["output"], registry=REGISTRY
)
OUTPUT_ERRORS = Counter(
    "connext_output_errors", "Failed writes to the output's contact.", ["output"], registry=REGISTRY
)
# logic names are a handful the owner defines; series of deleted logics are removed
LOGIC_IN_FORCE = Gauge(
    "connext_output_logic_in_force",
    "1 while the logic is in force (enabled, in its window and dates, chosen among alternatives).",
    ["output", "logic"],
    registry=REGISTRY,
)
LOGIC_CLOSED = Gauge(
    "connext_output_logic_closed",
    "1 while the logic wants its output closed (last evaluation).",
    ["output", "logic"],
    registry=REGISTRY,
)
LOGIC_EVALUATIONS = Counter(
    "connext_output_logic_evaluations", "Threshold evaluations of the logic.", ["output", "logic"], registry=REGISTRY
)

CT_POWER = Gauge(
    "connext_sensors_ct_power_watts",
    "CT clamp power after multiplier and inversion (ct1: + export; ct2: + production).",
    ["channel"],
    registry=REGISTRY,
)
INPUT_CLOSED = Gauge(
    "connext_sensors_input_closed", "1 while the digital input is closed.", ["input"], registry=REGISTRY
)
TEMPERATURE = Gauge("connext_sensors_temperature_celsius", "The box's temperature sensor.", registry=REGISTRY)
SENSOR_ERRORS = Counter(
    "connext_sensors_read_errors", "Failed reads of a sensor channel.", ["channel"], registry=REGISTRY
)
