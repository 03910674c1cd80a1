"""The RS485 group of the actor tree, and its debug-socket commands.

`rest_for_one`: the bus starts first; when it restarts, the meter and inverters restart
after it (they register their requests with the new bus on start).
"""

from __future__ import annotations

from typing import Any

from connext.core.config import Config

from .asking import ask_actor
from .debug_socket import DebugServer, RequestError
from .directory import Directory
from .inverter import InverterActor
from .messages import GetSnapshot, PollAllNow, ReadRegisters
from .meter import MeterActor
from .modbus_bus import ModbusBusActor
from .rs485_device import BUS
from .tree import Child, Group

RAW_READ_TIMEOUT_S = 10.0  # a read waits for the transaction in progress and its retries


def rs485_group(config: Config) -> Group | None:
    """'rs485': modbus-bus, then meter, then inverter-<address>; None without [rs485]."""
    if config.rs485 is None:
        return None
    children: list[Child | Group] = [Child(BUS, ModbusBusActor, {"rs485": config.rs485})]
    if config.meter is not None:
        max_power = config.meter.max_power_w or 10 * config.site.contracted_power_w
        kwargs = {"meter": config.meter, "rs485": config.rs485, "max_power_w": max_power}
        children.append(Child("meter", MeterActor, kwargs))
    for inverter in config.inverters:
        kwargs = {"inverter": inverter, "rs485": config.rs485}
        children.append(Child(f"inverter-{inverter.address}", InverterActor, kwargs))
    return Group("rs485", tuple(children), strategy="rest_for_one")


def register_rs485_debug(server: DebugServer, directory: Directory, config: Config) -> None:
    """modbus (bus state), modbus-poll-all (poll everything now), modbus-read (one raw read)."""
    if config.rs485 is None:
        return

    def bus_state(_request: dict[str, Any]) -> dict[str, Any]:
        return ask_actor(directory, BUS, GetSnapshot())

    def poll_all(_request: dict[str, Any]) -> dict[str, Any]:
        ref = directory.ref(BUS)
        if ref is None:
            raise RequestError(f"{BUS} is not running")
        ref.tell(PollAllNow())
        return {"queued": True, "see": 'state modbus-bus -> "last_cycle" once the cycle completes'}

    def raw_read(request: dict[str, Any]) -> dict[str, Any]:
        message = _read_request(request)
        return {"request": request, **ask_actor(directory, BUS, message, RAW_READ_TIMEOUT_S)}

    server.register("modbus", bus_state, "the RS485 bus: port, per-device counters, poll plan, last cycle")
    server.register("modbus-poll-all", poll_all, "make every RS485 request due now and time one full cycle")
    server.register(
        "modbus-read",
        raw_read,
        'one raw read on the RS485 line: {"cmd": "modbus-read", "unit": 32, "fn": 3, "start": 8198, "count": 2}',
    )


def _read_request(request: dict[str, Any]) -> ReadRegisters:
    values = {}
    limits = {"unit": (1, 247), "fn": (3, 4), "start": (0, 65535), "count": (1, 125)}
    for key, (lo, hi) in limits.items():
        value = request.get(key)
        if isinstance(value, str) and value.strip().lower().startswith("0x"):
            value = int(value, 16)
        elif isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise RequestError(f"modbus-read needs {key} = an integer {lo}..{hi}, got {value!r}")
        values[key] = value
    return ReadRegisters(**values)
