"""Operations on the wallboxes, shared by the debug socket and the HTTP API: list,
register by serial, unregister, start, stop, set a current, set the mode, push the cards.

Each asks the `wallbox-<address>` actor (with a timeout) and turns its refusals into
`Refused` with the actor's reason; an actor that cannot be asked is `AskFailed`.
The role table is the API's: the wallbox actors do not know roles.
"""

from __future__ import annotations

from typing import Any

from connext.core.config import ConfigError
from connext.core.config.topology import MAX_WALLBOXES
from connext.protocols.wallbox_can import MAX_ADDRESS

from .asking import AskFailed, Refused, ask_actor, ask_all
from .can_tree import wallbox_name
from .directory import Directory
from .messages import (
    GetSnapshot,
    RegisterWallbox,
    SetChargeCurrent,
    SetRfidCards,
    SetWallboxMode,
    StartCharging,
    StopCharging,
    UnregisterWallbox,
)
from .wallbox_registry import settings_from

DONE_KEYS = ("sent", "registered", "unregistered", "changed")  # False in a reply: refused


def _answers(directory: Directory) -> dict[str, Any]:
    return ask_all(directory, [wallbox_name(a) for a in range(1, MAX_ADDRESS + 1)], GetSnapshot())


def _heard(answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in answers.values() if not isinstance(s, AskFailed) and s["state"] != "absent"]


def snapshots(directory: Directory) -> list[dict[str, Any]]:
    """Every wallbox actor's snapshot, asked all at once; absent addresses and actors that
    cannot answer are left out."""
    return _heard(_answers(directory))


def _command(directory: Directory, address: int, message: object) -> dict[str, Any]:
    """Ask wallbox-<address>; a refusal raises `Refused` with the actor's reason."""
    reply: dict[str, Any] = ask_actor(directory, wallbox_name(address), message)
    if any(reply.get(key) is False for key in DONE_KEYS):
        raise Refused(reply.get("why", "refused"), reply.get("kind", "conflict"))
    return reply


def _register_address(directory: Directory, serial: str, address: int | None) -> int:
    """The address to register: given, or the one of the wallbox on the bus reporting `serial`."""
    answers = _answers(directory)
    if all(isinstance(a, AskFailed) for a in answers.values()):
        raise answers[wallbox_name(address or 1)]  # no wallbox actor at all: the CAN part is down or missing
    found = _heard(answers)
    if address is None:
        heard = [s["address"] for s in found if s["serial"] == serial]
        if not heard:
            raise Refused(f'no wallbox on the bus reports serial {serial!r}; give its "address" too', "not_found")
        address = int(heard[0])
    others = [s for s in found if s["registered_serial"] is not None and s["address"] != address]
    if any(s["registered_serial"] == serial for s in others):
        raise Refused(f"serial {serial} is already registered at another address")
    if len(others) >= MAX_WALLBOXES:
        raise Refused(f"{MAX_WALLBOXES} wallboxes are registered already: the most one CAN bus takes")
    return address


def register(directory: Directory, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Register the wallbox of `document` ([[wallboxes]] keys; without "address", the one
    heard reporting its serial), validated with the config's rules and kept in the store.
    Returns the address and the wallbox actor's answer."""
    address = _register_address(directory, document.get("serial", ""), document.get("address"))
    try:
        settings = settings_from({**document, "address": address}, "wallbox")
    except ConfigError as err:
        problems = [str(p) for p in err.problems]
        raise Refused("; ".join(problems), "invalid", problems) from None
    return address, _command(directory, address, RegisterWallbox(settings))


def unregister(directory: Directory, address: int) -> dict[str, Any]:
    return _command(directory, address, UnregisterWallbox(address))


def start(directory: Directory, address: int) -> dict[str, Any]:
    """START: authorise the session (a vehicle must be connected)."""
    return _command(directory, address, StartCharging(address))


def stop(directory: Directory, address: int, reason: str = "remote") -> dict[str, Any]:
    """STOP: withdraw the authorisation; the vehicle stops drawing."""
    return _command(directory, address, StopCharging(address, reason))


def set_current(directory: Directory, address: int, current_a: float, phases: int) -> dict[str, Any]:
    return _command(directory, address, SetChargeCurrent(address, current_a, phases, "debug"))


def set_mode(directory: Directory, address: int, mode: str) -> dict[str, Any]:
    """The working mode from now on (sent at once when the wallbox can be driven)."""
    return _command(directory, address, SetWallboxMode(address, mode))


def push_cards(directory: Directory, address: int, cards: tuple[str, ...]) -> dict[str, Any]:
    """The RFID card list of a wallbox (kept; sent at once when it can be driven)."""
    return _command(directory, address, SetRfidCards(address, cards))
