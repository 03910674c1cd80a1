"""Debug-socket commands of the CAN side: list, register, start, stop, set a current.

Requests (JSON lines): `{"cmd": "wallboxes"}`; `{"cmd": "wallbox-register", "serial": S}`
(the detected wallbox reporting S) or with `"address": 3` and optional settings
(max_current_a, phases, safe_current_a, mode, cards, ...); `{"cmd": "wallbox-unregister",
"address": 3}`; `wallbox-start` / `wallbox-stop` with an address; `{"cmd":
"wallbox-current", "address": 3, "current_a": 10}`.
"""

from __future__ import annotations

from typing import Any

import pykka

from connext.core.clock import Clock
from connext.core.config import Config, ConfigError
from connext.core.config.topology import MAX_WALLBOXES
from connext.protocols.wallbox_can import MAX_ADDRESS

from .can_tree import CAN_BUS, wallbox_name
from .debug_commands import ask_snapshot
from .debug_socket import ASK_TIMEOUT_S, DebugServer, RequestError
from .directory import Directory
from .messages import (
    GetSnapshot,
    RegisterWallbox,
    SetChargeCurrent,
    StartCharging,
    StopCharging,
    UnregisterWallbox,
)
from .wallbox_registry import settings_from

REGISTER_KEYS = ("address", "serial", "max_current_a", "phases", "can_switch_phases", "safe_current_a", "mode", "cards")


def _address(request: dict[str, Any]) -> int:
    address = request.get("address")
    if not isinstance(address, int) or isinstance(address, bool) or not 1 <= address <= MAX_ADDRESS:
        raise RequestError(f'"address" must be a wallbox address 1..{MAX_ADDRESS}, got {address!r}')
    return address


def _ask(directory: Directory, name: str, message: object) -> Any:
    ref = directory.ref(name)
    if ref is None:
        raise RequestError(f"{name} is not running")
    try:
        return ref.ask(message, timeout=ASK_TIMEOUT_S)
    except pykka.Timeout:
        raise RequestError(f"{name} did not answer within {ASK_TIMEOUT_S} s") from None
    except pykka.ActorDeadError:
        raise RequestError(f"{name} stopped while answering") from None


def _snapshots(directory: Directory) -> list[dict[str, Any]]:
    """Every wallbox actor's snapshot, asked all at once; absent addresses left out."""
    futures = {}
    for address in range(1, MAX_ADDRESS + 1):
        ref = directory.ref(wallbox_name(address))
        if ref is not None:
            futures[address] = ref.ask(GetSnapshot(), block=False)
    out = []
    for future in futures.values():
        try:
            snapshot = future.get(timeout=ASK_TIMEOUT_S)
        except (pykka.Timeout, pykka.ActorDeadError):
            continue
        if snapshot["state"] != "absent":
            out.append(snapshot)
    return out


def _register_address(directory: Directory, request: dict[str, Any]) -> int:
    """The address to register: given, or the detected wallbox reporting the serial."""
    serial = request.get("serial")
    snapshots = _snapshots(directory)
    if "address" in request:
        address = _address(request)
    else:
        found = [s["address"] for s in snapshots if s["serial"] == serial]
        if not found:
            raise RequestError(f'no wallbox on the bus reports serial {serial!r}; give its "address" too')
        address = int(found[0])
    others = [s for s in snapshots if s["registered_serial"] is not None and s["address"] != address]
    if any(s["registered_serial"] == serial for s in others):
        raise RequestError(f"serial {serial} is already registered at another address")
    if len(others) >= MAX_WALLBOXES:
        raise RequestError(f"{MAX_WALLBOXES} wallboxes are registered already: the most one CAN bus takes")
    return address


def register_wallbox_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Add the wallbox commands to the debug socket."""

    def wallboxes(_request: dict[str, Any]) -> dict[str, Any]:
        bus = ask_snapshot(directory, CAN_BUS) if directory.ref(CAN_BUS) else None
        return {"can_bus": bus, "wallboxes": _snapshots(directory)}

    def register(request: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(request) - {"cmd", "id", *REGISTER_KEYS})
        if unknown:
            raise RequestError(f"unknown keys {unknown}; known: {list(REGISTER_KEYS)}")
        address = _register_address(directory, request)
        document = {k: request[k] for k in REGISTER_KEYS if k in request} | {"address": address}
        try:
            settings = settings_from(document, "wallbox-register")
        except ConfigError as err:
            raise RequestError("; ".join(str(p) for p in err.problems)) from None
        return _reply(_ask(directory, wallbox_name(address), RegisterWallbox(settings)))

    def unregister(request: dict[str, Any]) -> dict[str, Any]:
        address = _address(request)
        return _reply(_ask(directory, wallbox_name(address), UnregisterWallbox(address)))

    def start(request: dict[str, Any]) -> dict[str, Any]:
        address = _address(request)
        return _reply(_ask(directory, wallbox_name(address), StartCharging(address)))

    def stop(request: dict[str, Any]) -> dict[str, Any]:
        address = _address(request)
        return _reply(_ask(directory, wallbox_name(address), StopCharging(address, "debug")))

    def current(request: dict[str, Any]) -> dict[str, Any]:
        address = _address(request)
        amps, phases = request.get("current_a"), request.get("phases", 3)
        if not isinstance(amps, int | float) or isinstance(amps, bool) or phases not in (1, 3):
            raise RequestError('"current_a" must be a number of amperes and "phases" 1 or 3')
        command = SetChargeCurrent(address, float(amps), phases, "debug")
        return _reply(_ask(directory, wallbox_name(address), command))

    server.register("wallboxes", wallboxes, "every wallbox heard or registered, and the CAN bus")
    server.register("wallbox-register", register, 'register by serial: {"serial": ..., "address"?: 1..31, ...}')
    server.register("wallbox-unregister", unregister, 'forget a run-time registration: {"address": 3}')
    server.register("wallbox-start", start, 'start a session (vehicle connected): {"address": 3}')
    server.register("wallbox-stop", stop, 'stop a session: {"address": 3}')
    server.register("wallbox-current", current, 'set the current limit: {"address": 3, "current_a": 10}')


def _reply(result: dict[str, Any]) -> dict[str, Any]:
    """An actor's answer: refusals become errors, with the actor's reason."""
    if result.get("sent") is False or result.get("registered") is False or result.get("unregistered") is False:
        raise RequestError(result.get("why", "refused"))
    return result
