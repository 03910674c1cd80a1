"""Debug-socket commands of the CAN side: list, register, start, stop, set a current.

Requests (JSON lines): `{"cmd": "wallboxes"}`; `{"cmd": "wallbox-register", "serial": S}`
(the detected wallbox reporting S) or with `"address": 3` and optional settings
(max_current_a, phases, safe_current_a, mode, cards, ...); `{"cmd": "wallbox-unregister",
"address": 3}`; `wallbox-start` / `wallbox-stop` with an address; `{"cmd":
"wallbox-current", "address": 3, "current_a": 10}`; `{"cmd": "wallbox-mode", "address": 3,
"mode": "offline"}`; `{"cmd": "wallbox-cards", "address": 3, "cards": ["04A1B2C3"]}`.
The operations behind them are `wallbox_ops`, which the HTTP API calls too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connext.core.clock import Clock
from connext.core.config import Config
from connext.protocols.wallbox_can import MAX_ADDRESS

from . import wallbox_ops as ops
from .asking import ask_actor
from .can_tree import CAN_BUS
from .debug_socket import DebugServer, RequestError
from .directory import Directory
from .messages import GetSnapshot
from .wallbox_model import fits_card_slot

REGISTER_KEYS = ("address", "serial", "max_current_a", "phases", "can_switch_phases", "safe_current_a", "mode", "cards")
MODES = ("online", "offline", "plug_and_play")


def _address(request: dict[str, Any]) -> int:
    address = request.get("address")
    if not isinstance(address, int) or isinstance(address, bool) or not 1 <= address <= MAX_ADDRESS:
        raise RequestError(f'"address" must be a wallbox address 1..{MAX_ADDRESS}, got {address!r}')
    return address


def _cards(request: dict[str, Any]) -> tuple[str, ...]:
    cards = request.get("cards")
    if not isinstance(cards, list) or len(cards) > 8 or not all(isinstance(c, str) for c in cards):
        raise RequestError('"cards" must be a list of at most 8 card UIDs in hex')
    if not all(fits_card_slot(c) and all(ch in "0123456789abcdefABCDEF" for ch in c) for c in cards):
        raise RequestError('"cards" must be UIDs of 4 or 7 bytes in hex, like "04A1B2C3"')
    return tuple(cards)


def register_wallbox_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Add the wallbox commands to the debug socket."""

    def wallboxes(_request: dict[str, Any]) -> dict[str, Any]:
        bus = ask_actor(directory, CAN_BUS, GetSnapshot()) if directory.ref(CAN_BUS) else None
        return {"can_bus": bus, "wallboxes": ops.snapshots(directory)}

    def register(request: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(request) - {"cmd", "id", *REGISTER_KEYS})
        if unknown:
            raise RequestError(f"unknown keys {unknown}; known: {list(REGISTER_KEYS)}")
        document = {k: request[k] for k in REGISTER_KEYS if k in request}
        if "address" in request:
            document["address"] = _address(request)
        return ops.register(directory, document)[1]

    def mode(request: dict[str, Any]) -> dict[str, Any]:
        if request.get("mode") not in MODES:
            raise RequestError(f'"mode" must be one of {", ".join(MODES)}')
        return ops.set_mode(directory, _address(request), request["mode"])

    def current(request: dict[str, Any]) -> dict[str, Any]:
        address = _address(request)
        amps, phases = request.get("current_a"), request.get("phases", 3)
        if not isinstance(amps, int | float) or isinstance(amps, bool) or phases not in (1, 3):
            raise RequestError('"current_a" must be a number of amperes and "phases" 1 or 3')
        return ops.set_current(directory, address, float(amps), phases)

    def by_address(operation: Callable[[Directory, int], dict[str, Any]]) -> Callable[[dict[str, Any]], Any]:
        return lambda request: operation(directory, _address(request))

    def cards(request: dict[str, Any]) -> dict[str, Any]:
        return ops.push_cards(directory, _address(request), _cards(request))

    server.register("wallboxes", wallboxes, "every wallbox heard or registered, and the CAN bus")
    server.register("wallbox-register", register, 'register by serial: {"serial": ..., "address"?: 1..31, ...}')
    server.register("wallbox-unregister", by_address(ops.unregister), 'forget a run-time registration: {"address": 3}')
    server.register("wallbox-start", by_address(ops.start), 'start a session (vehicle connected): {"address": 3}')
    server.register("wallbox-stop", by_address(ops.stop), 'stop a session: {"address": 3}')
    server.register("wallbox-current", current, 'set the current limit: {"address": 3, "current_a": 10}')
    server.register("wallbox-mode", mode, 'set the working mode: {"address": 3, "mode": "offline"}')
    server.register("wallbox-cards", cards, 'set the RFID card list: {"address": 3, "cards": ["04A1B2C3"]}')
