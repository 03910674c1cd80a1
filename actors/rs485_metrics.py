"""Prometheus metrics of the RS485 side (bus, DTSU666 meter, inverters), declared once.

Base units, `connext_` prefix, labels bounded to the Modbus address, the phase (1..3),
the error kind and the inverter state. Powers follow SPEC §3 (grid + = export, battery +
= charging). Energy totals read from devices are exported as counters in joules by a
collector (a device total is absolute; `Counter.inc` cannot express it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from prometheus_client import Counter, Enum, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from connext.core.metrics import REGISTRY, Children
from connext.protocols.sofar import STATE_NAMES

J_PER_KWH = 3.6e6

# --- bus --------------------------------------------------------------------------
MODBUS_REQUESTS = Counter("connext_modbus_requests", "Read attempts sent to a device.", ["address"], registry=REGISTRY)
MODBUS_ERRORS = Counter(
    "connext_modbus_errors",
    "Failed read attempts by kind: timeout, crc, garbled, exception, disconnected.",
    ["address", "kind"],
    registry=REGISTRY,
)
MODBUS_CONNECTED = Gauge("connext_modbus_connected", "1 while the RS485 port / TCP gateway is open.", registry=REGISTRY)
MODBUS_RECONNECTS = Counter(
    "connext_modbus_reconnects", "Times the port was opened again after a loss.", registry=REGISTRY
)
MODBUS_STRAY_BYTES = Counter(
    "connext_modbus_stray_bytes",
    "Bytes heard while the line should be quiet (late replies or a second master).",
    registry=REGISTRY,
)
MODBUS_TRANSACTION = Histogram(
    "connext_modbus_transaction_seconds",
    "Duration of one read attempt on the line.",
    buckets=(0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0),
    registry=REGISTRY,
)
MODBUS_CYCLE = Gauge(
    "connext_modbus_poll_cycle_seconds", "Time the last full poll cycle took (every request once).", registry=REGISTRY
)
MODBUS_DEVICE_UP = Gauge(
    "connext_modbus_device_up", "0 after 3 failed requests in a row.", ["address"], registry=REGISTRY
)

# --- meter ------------------------------------------------------------------------
GRID_POWER = Gauge("connext_meter_power_watts", "Grid exchange, + export / - import.", ["address"], registry=REGISTRY)
GRID_PHASE_POWER = Gauge(
    "connext_meter_phase_power_watts", "Grid exchange per phase, + export.", ["address", "phase"], registry=REGISTRY
)
PHASE_VOLTAGE = Gauge("connext_meter_phase_voltage_volts", "Phase voltage.", ["address", "phase"], registry=REGISTRY)
PHASE_CURRENT = Gauge("connext_meter_phase_current_amperes", "Phase current.", ["address", "phase"], registry=REGISTRY)
POWER_FACTOR = Gauge("connext_meter_power_factor_ratio", "Total power factor.", ["address"], registry=REGISTRY)
FREQUENCY = Gauge("connext_meter_frequency_hertz", "Grid frequency.", ["address"], registry=REGISTRY)
CT_MISMATCH = Gauge(
    "connext_meter_ct_ratio_mismatch", "1 when the meter's CT ratio differs from meter.ct_ratio.", ["address"],
    registry=REGISTRY,
)  # fmt: skip

# --- meter and inverters ----------------------------------------------------------
DATA_AGE = Gauge("connext_rs485_data_age_seconds", "Age of the last good reading.", ["address"], registry=REGISTRY)
STALE = Gauge("connext_rs485_stale", "1 when the last good reading is older than stale_after_s.", ["address"],
              registry=REGISTRY)  # fmt: skip
REJECTED = Counter(
    "connext_rs485_rejected_readings", "Implausible readings rejected (never published).", ["address"],
    registry=REGISTRY,
)  # fmt: skip

# --- inverters --------------------------------------------------------------------
PV_POWER = Gauge("connext_inverter_pv_power_watts", "PV production.", ["address"], registry=REGISTRY)
BATTERY_POWER = Gauge(
    "connext_inverter_battery_power_watts", "Battery power, + charging / - discharging.", ["address"],
    registry=REGISTRY,
)  # fmt: skip
BATTERY_SOC = Gauge("connext_inverter_battery_soc_ratio", "Battery state of charge.", ["address"], registry=REGISTRY)
INVERTER_GRID = Gauge(
    "connext_inverter_grid_power_watts", "Grid exchange measured by the inverter, + export.", ["address"],
    registry=REGISTRY,
)  # fmt: skip
INVERTER_STATE = Enum("connext_inverter_state", "Inverter operating state.", ["address"], states=list(STATE_NAMES),
                      registry=REGISTRY)  # fmt: skip
INVERTER_FAULT = Gauge("connext_inverter_fault_code", "Inverter fault word (0 = none).", ["address"], registry=REGISTRY)
SERIAL_MISMATCH = Gauge(
    "connext_inverter_serial_mismatch", "1 when the serial read differs from the configured one (data unused).",
    ["address"], registry=REGISTRY,
)  # fmt: skip


class EnergyTotals(Collector):
    """Device energy totals as counters: connext_{meter,inverter}_energy_joules_total."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str, str], float] = {}

    def set(self, device: str, address: int, kind: str, kwh: float) -> None:
        with self._lock:
            self._totals[(device, str(address), kind)] = kwh * J_PER_KWH

    def collect(self) -> Iterator[CounterMetricFamily]:
        with self._lock:
            totals = dict(self._totals)
        for device in ("meter", "inverter"):
            family = CounterMetricFamily(
                f"connext_{device}_energy_joules",
                f"Energy totals the {device} reports, by kind (import, export, pv, battery_in, battery_out).",
                labels=["address", "kind"],
            )
            for (dev, address, kind), joules in sorted(totals.items()):
                if dev == device:
                    family.add_metric([address, kind], joules)
            yield family


ENERGY = EnergyTotals()
REGISTRY.register(ENERGY)

# the children set on every transaction or meter reading, looked up once
MODBUS_REQUESTS_OF, MODBUS_DEVICE_UP_OF = Children(MODBUS_REQUESTS), Children(MODBUS_DEVICE_UP)
GRID_POWER_OF = Children(GRID_POWER)
GRID_PHASE_POWER_OF, PHASE_VOLTAGE_OF = Children(GRID_PHASE_POWER), Children(PHASE_VOLTAGE)
PHASE_CURRENT_OF = Children(PHASE_CURRENT)
