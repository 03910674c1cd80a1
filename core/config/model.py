"""The configuration model: one frozen dataclass per TOML section, rules beside fields.

Static installation facts live here (config.toml). Runtime settings that owners
change (strategy, output logics, registered wallboxes) are seeded from here and then
kept in the SQLite store.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Literal

from .schema import Rule, between, greater_than, matches, satisfies, section, setting

MODBUS_ADDRESS = between(1, 247, "a Modbus address")
WALLBOX_ADDRESS = between(1, 31, "a CAN wallbox address")
OUTPUT_NUMBER = between(1, 4, "an output number")
SERIAL_TEXT = matches(r"[A-Za-z0-9\-_.]{1,32}", "must be 1..32 letters, digits or -_.")
STANDARD_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


def _valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _valid_listen(text: str) -> bool:
    host, sep, port = text.rpartition(":")
    return bool(sep and host and port.isdigit() and 0 <= int(port) <= 65535)


def _valid_port(text: str) -> bool:
    if text.startswith("tcp://"):
        return _valid_listen(text.removeprefix("tcp://"))
    return bool(text) and "://" not in text and "\x00" not in text


LISTEN = satisfies(_valid_listen, "must be host:port with a port 0..65535")
HHMM = matches(r"([01]\d|2[0-3]):[0-5]\d", "must be a time of day HH:MM (00:00..23:59)")
TIME_WINDOW = matches(
    r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d",
    "must be a daily window HH:MM-HH:MM (it may cross midnight)",
)
DATE_RANGE = matches(
    r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\.\.(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
    "must be a yearly range MM-DD..MM-DD (it may cross New Year)",
)


@section
class BoxConfig:
    serial: str = setting(
        ...,
        matches(r"[A-Z]{2}\d{12}", "must be a box serial: 2 capital letters and 12 digits, like CA020490200005"),
        doc="serial number printed on the box",
    )


@section
class SiteConfig:
    phases: Literal[1, 3] = setting(..., doc="phases of the installation (not of the inverter)")
    contracted_power_w: float = setting(
        ...,
        greater_than(0),
        Rule("must be at most 1000000 W", lambda v: v <= 1e6),
        doc="most the site may draw from the grid",
    )
    topology: int = setting(..., between(1, 9, "an installation topology (SPEC §4)"))
    timezone: str = setting("Europe/Rome", satisfies(_valid_timezone, "must be an IANA time zone such as Europe/Rome"))
    latitude: float = setting(0.0, between(-90, 90, "a latitude"))
    longitude: float = setting(0.0, between(-180, 180, "a longitude"))
    nominal_voltage_v: float = setting(230.0, between(100, 260, "a phase voltage"), doc="for W <-> A conversions")


@section
class Rs485Config:
    port: str = setting(
        ...,
        satisfies(_valid_port, "must be a serial device path (e.g. /dev/ttyS1) or tcp://host:port"),
    )
    baudrate: int = setting(
        9600,
        Rule(f"must be one of {', '.join(map(str, STANDARD_BAUDRATES))}", lambda v: v in STANDARD_BAUDRATES),
    )
    parity: Literal["N", "E", "O"] = setting("N")
    stopbits: Literal[1, 2] = setting(1)
    timeout_s: float = setting(0.5, between(0.05, 5, "a transaction timeout in seconds"))
    retries: int = setting(1, between(0, 5, "a retry count"))
    meter_period_s: float = setting(0.25, between(0.05, 60, "a period in seconds"), doc="fast meter poll")
    inverter_period_s: float = setting(5.0, between(0.5, 600, "a period in seconds"))
    slow_period_s: float = setting(60.0, between(5, 3600, "a period in seconds"), doc="serials, ratios, energy")
    offline_poll_s: float = setting(
        2.0, between(0.25, 600, "a period in seconds"), doc="a device that stopped answering is tried this often"
    )


@section
class MeterConfig:
    model: Literal["dtsu666"] = setting("dtsu666")
    address: int = setting(32, MODBUS_ADDRESS)
    ct_ratio: int = setting(40, between(1, 9999, "a CT ratio"), doc="set on the meter's keypad")
    stale_after_s: float = setting(3.0, between(0.5, 60, "an age in seconds"))
    max_power_w: float = setting(
        0.0,
        between(0, 1e6, "a power in W"),
        doc="plausibility: a reading beyond this is rejected; 0 = 10 x site.contracted_power_w",
    )


@section
class InverterConfig:
    address: int = setting(..., MODBUS_ADDRESS, doc="communication address (inverter system-info menu)")
    serial: str = setting(..., SERIAL_TEXT)
    kind: Literal["hybrid_1ph", "hybrid_3ph", "storage", "pv_1ph", "pv_3ph"] = setting(...)
    family: Literal["sofar_g3", "sofar_legacy"] = setting(..., doc="register map family")
    stale_after_s: float = setting(15.0, between(1, 600, "an age in seconds"))


IIO_RAW_FILE = Rule(
    "must be empty or the path of an IIO *_raw file, like /sys/bus/iio/devices/iio:device0/in_voltage0_raw",
    lambda v: v == "" or (v.startswith("/") and v.endswith("_raw")),
)
GPIO_DRIVERS = Literal["sim", "gpiod", "sysfs"]


@section
class CtConfig:
    multiplier: Literal[1, 3] = setting(1, doc="1 single-phase, 3 three-phase (one phase measured)")
    invert: bool = setting(False, doc="swap the clamp's direction in software")
    channel: str = setting("", IIO_RAW_FILE, doc="driver channel: an IIO sysfs file for driver 'iio'")
    w_per_unit: float = setting(
        1.0,
        greater_than(0),
        doc="signed active power (W) of the measured phase per channel unit (after the IIO scale)",
    )


@section
class InputConfig:
    number: int = setting(..., between(1, 2, "a digital input number"), doc="1 = terminal 5, 2 = terminal 6")
    driver: GPIO_DRIVERS = setting("sim")
    chip: str = setting("/dev/gpiochip0", doc="GPIO character device (driver 'gpiod')")
    line: int = setting(0, between(0, 1023, "a GPIO line"))
    active_low: bool = setting(False)


@section
class TemperatureConfig:
    channel: str = setting("", IIO_RAW_FILE, doc="terminals 11 / 19: an IIO sysfs file for driver 'iio'")
    c_per_unit: float = setting(1.0, doc="degrees C per channel unit (after the IIO scale); 0.001 for milli-C")
    offset_c: float = setting(0.0, between(-100, 100, "an offset in C"))


@section
class SensorsConfig:
    driver: Literal["sim", "iio"] = setting("sim", doc="analog channels (CT clamps, temperature): sim or IIO sysfs")
    period_s: float = setting(1.0, between(0.1, 60, "a period in seconds"))
    stale_after_s: float = setting(5.0, between(0.5, 600, "an age in seconds"))
    ct1: CtConfig | None = setting(None, doc="CT 1 'exchange', terminals 23 (B) / 24 (A)")
    ct2: CtConfig | None = setting(None, doc="CT 2 'production', terminals 21 (B) / 22 (A)")
    inputs: tuple[InputConfig, ...] = setting(
        (),
        Rule("must not repeat an input number", lambda v: len({i.number for i in v}) == len(v)),
        doc="digital inputs, terminals 5 and 6",
    )
    temperature: TemperatureConfig | None = setting(None, doc="temperature sensor, terminals 11 / 19")


@section
class CanConfig:
    interface: Literal["socketcan", "udp_multicast", "virtual"] = setting("socketcan")
    channel: str = setting("can0", matches(r"\S{1,64}", "must be a CAN channel name"))
    bitrate: int = setting(250000, between(10000, 1000000, "a CAN bitrate"), doc="socketcan only")
    port: int = setting(43113, between(1024, 65535, "a UDP port"), doc="udp_multicast only: the group's UDP port")
    heartbeat_period_s: float = setting(1.0, between(0.1, 10, "a period in seconds"))
    fallback_timeout_s: float = setting(
        5.0,
        between(1, 120, "a timeout in seconds"),
        doc="a wallbox that hears no heartbeat this long falls to its safe current",
    )
    offline_after_s: float = setting(5.0, between(0.5, 120, "an age in seconds"))


@section
class WallboxConfig:
    address: int = setting(..., WALLBOX_ADDRESS)
    serial: str = setting(..., SERIAL_TEXT)
    max_current_a: float = setting(32.0, between(6, 80, "a current in A"))
    phases: Literal[1, 3] = setting(3)
    can_switch_phases: bool = setting(False, doc="the wallbox can switch 3 -> 1 phase")
    safe_current_a: float = setting(
        6.0,
        Rule("must be 0 (stop) or 6..80 A", lambda v: v == 0 or 6 <= v <= 80),
        doc="current when the controller is gone or the grid reading is stale",
    )
    mode: Literal["online", "offline", "plug_and_play"] = setting(
        "online", doc="online: the box starts sessions; offline: local RFID cards; plug_and_play: on plug-in"
    )
    cards: tuple[str, ...] = setting(
        (),
        Rule("must be at most 8 cards", lambda v: len(v) <= 8),
        Rule(
            "must be RFID UIDs of 4 or 7 bytes in hex, like 04A1B2C3",
            lambda v: all(re.fullmatch(r"[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14}", c) for c in v),
        ),
        doc="offline mode: the RFID cards this wallbox accepts",
    )


STRATEGIES = ("km_single", "km_repeated", "fast", "eco_pure", "eco_mixed", "time_power")


@section
class ChargingConfig:
    strategy: Literal["km_single", "km_repeated", "fast", "eco_pure", "eco_mixed", "time_power"] = setting("fast")
    km_distance_km: float = setting(50.0, between(1, 2000, "a distance in km"))
    km_consumption_wh_per_km: float = setting(160.0, between(50, 500, "a consumption in Wh/km"))
    time_start: str = setting("01:00", HHMM)
    time_duration_min: int = setting(240, between(1, 1440, "a duration in minutes"))
    time_power_w: float = setting(3700.0, between(1380, 22000, "a power in W"))
    eco_pure_threshold_w: float = setting(1800.0, between(0, 50000, "a power in W"))
    eco_mixed_stop_w: float = setting(500.0, between(0, 50000, "a power in W"))
    eco_mixed_min_w: float = setting(1800.0, between(0, 50000, "a power in W"))
    pv_smoothing_s: float = setting(60.0, between(0, 3600, "a time constant in seconds"))
    dwell_s: float = setting(120.0, between(0, 3600, "a dwell time in seconds"))
    min_on_s: float = setting(300.0, between(0, 3600, "a time in seconds"))
    min_off_s: float = setting(300.0, between(0, 3600, "a time in seconds"))
    max_starts_per_hour: int = setting(6, between(1, 60, "a count"))
    reserve_w: float = setting(
        100.0,
        between(0, 5000, "a power in W"),
        doc="load management keeps this much under the contracted power (a third per phase): "
        "a load rising between two grid readings stays under the limit",
    )
    phase_switch_min_s: float = setting(
        300.0, between(0, 3600, "a time in seconds"), doc="a wallbox switches between 1 and 3 phases at most this often"
    )
    stop_ramp_s: float = setting(
        5.0, between(0, 60, "a time in seconds"), doc="a session is held at 6 A this long (at most) before it stops"
    )


@section
class OutputConfig:
    number: int = setting(..., OUTPUT_NUMBER, doc="1 = DO1, 2 = DO2, 3 = relay 2, 4 = relay 1")
    name: str = setting("", matches(r"[^\x00-\x1f]{0,64}", "must be at most 64 printable characters"))
    driver: GPIO_DRIVERS = setting("sim", doc="sim, gpiod (GPIO character device) or sysfs (/sys/class/gpio)")
    chip: str = setting("/dev/gpiochip0", doc="GPIO character device (driver 'gpiod')")
    line: int = setting(0, between(0, 1023, "a GPIO line"))
    active_low: bool = setting(False)
    safe_state: Literal["open", "closed"] = setting("open")
    min_on_s: float = setting(60.0, between(0, 86400, "a time in seconds"))
    min_off_s: float = setting(60.0, between(0, 86400, "a time in seconds"))
    stale_after_s: float = setting(
        60.0,
        between(2, 3600, "an age in seconds"),
        doc="safe state when the site state or the controller's commands are older than this",
    )


@section
class LogicConfig:
    name: str = setting(..., matches(r"[A-Za-z0-9 _\-.]{1,40}", "must be 1..40 letters, digits, spaces or -_."))
    output: int = setting(..., OUTPUT_NUMBER)
    variable: Literal[
        "battery_soc", "pv_power", "vehicle_power", "grid_import", "grid_export", "injected_power", "temperature"
    ] = setting(...)
    max: float = setting(..., doc="activation threshold: the contact closes when reached")
    min: float = setting(..., doc="release threshold: the contact opens when the value falls to it")
    period_s: float = setting(900.0, between(1, 86400, "a period in seconds"))
    window: str = setting(
        "",
        Rule(TIME_WINDOW.text, lambda v: v == "" or TIME_WINDOW.check(v)),
        Rule(
            "must not start and end at the same time (leave it empty for all day)",
            lambda v: v == "" or v[:5] != v[6:11],
        ),
    )
    dates: str = setting("", Rule(DATE_RANGE.text, lambda v: v == "" or DATE_RANGE.check(v)))
    group: str = setting("", doc="logics sharing a group are alternatives: only one is in force")
    enabled: bool = setting(True)


@section
class MetricsConfig:
    enabled: bool = setting(True)
    listen: str = setting("127.0.0.1:9810", LISTEN, doc="binding all interfaces is an explicit choice")


@section
class ApiConfig:
    enabled: bool = setting(False, doc="serve the local HTTP API and the web page (a listener is an explicit choice)")
    listen: str = setting("127.0.0.1:8080", LISTEN, doc="binding all interfaces is an explicit choice")
    token_lifetime_s: float = setting(
        86400.0,
        between(60, 2592000, "a lifetime in seconds"),
        doc="a login token expires this long after it was issued",
    )
    lockout_after: int = setting(5, between(1, 100, "a count"), doc="consecutive failed logins that lock an account")
    lockout_base_s: float = setting(
        30.0, between(1, 3600, "a time in seconds"), doc="first lock-out; it doubles with each further failure"
    )
    lockout_cap_s: float = setting(900.0, between(1, 86400, "a time in seconds"), doc="longest lock-out")
    max_body_bytes: int = setting(65536, between(1024, 1048576, "a size in bytes"), doc="larger requests get 413")


@section
class DebugConfig:
    socket: str = setting("", doc="Unix socket path; default <state_dir>/connext.sock")


@section
class StorageConfig:
    path: str = setting("", doc="SQLite file; default <state_dir>/connext.db")
    measurement_period_s: float = setting(60.0, between(1, 3600, "a period in seconds"))
    session_progress_s: float = setting(
        10.0, between(1, 600, "a period in seconds"), doc="a running session's energy is written at most this often"
    )


@section
class SupervisorConfig:
    backoff_base_s: float = setting(0.5, between(0.01, 60, "a time in seconds"))
    backoff_cap_s: float = setting(30.0, between(0.1, 3600, "a time in seconds"))
    intensity: int = setting(5, between(1, 100, "a restart count"))
    period_s: float = setting(30.0, between(1, 3600, "a time in seconds"))
    degraded_retry_s: float = setting(60.0, between(1, 86400, "a time in seconds"))
    tick_s: float = setting(0.25, between(0.01, 10, "a time in seconds"))


@section
class LoggingConfig:
    level: Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"] = setting("INFO")
    format: Literal["human", "json"] = setting("human")


@section
class Config:
    """The whole, validated configuration. Paths are absolute after loading."""

    box: BoxConfig = setting(...)
    site: SiteConfig = setting(...)
    state_dir: str = setting("./var", doc="relative paths are taken from the config file's folder")
    rs485: Rs485Config | None = setting(None)
    meter: MeterConfig | None = setting(None)
    inverters: tuple[InverterConfig, ...] = setting(())
    sensors: SensorsConfig | None = setting(None)
    can: CanConfig = setting(CanConfig())
    wallboxes: tuple[WallboxConfig, ...] = setting(())
    charging: ChargingConfig = setting(ChargingConfig())
    outputs: tuple[OutputConfig, ...] = setting(())
    logics: tuple[LogicConfig, ...] = setting(())
    metrics: MetricsConfig = setting(MetricsConfig())
    api: ApiConfig = setting(ApiConfig())
    debug: DebugConfig = setting(DebugConfig())
    storage: StorageConfig = setting(StorageConfig())
    supervisor: SupervisorConfig = setting(SupervisorConfig())
    logging: LoggingConfig = setting(LoggingConfig())


def parse_listen(text: str) -> tuple[str, int]:
    """'127.0.0.1:9810' -> ('127.0.0.1', 9810); '[::1]:9810' -> ('::1', 9810)."""
    host, _, port = text.rpartition(":")
    return re.sub(r"^\[(.*)\]$", r"\1", host), int(port)
