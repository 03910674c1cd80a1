"""What the API asks of the running system: one function per operation.

Routes authorize and validate first, then call these on a worker thread (they may ask
an actor, always with a timeout, as the debug socket does). The caller's role is passed
on, because the parts behind these operations check it again.

The parts built elsewhere (charging strategies, output logics, wallbox control,
charging sessions, pushing RFID lists) raise `NotAvailable` (HTTP 503) in this build:
each such body is one line, to be replaced by a tell/ask to the actor that owns it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pykka

from connext.actors.debug_socket import ASK_TIMEOUT_S
from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot, SetContractedPower
from connext.core.clock import Clock
from connext.core.config import Config, LogicConfig, site_summary

from .accounts.roles import Role

SITE_CONTROLLER = "site-controller"
STRATEGY = "charging strategies (site controller)"
LOGICS = "output logics (output controller)"
WALLBOX_CONTROL = "wallbox registration and control (CAN wallbox actors)"
SESSIONS = "charging sessions history (recorder)"
RFID_PUSH = "pushing card lists to wallboxes (CAN wallbox actors)"


class NotAvailable(Exception):
    """The part behind an operation is not in this build (HTTP 503)."""

    def __init__(self, part: str) -> None:
        self.part = part
        super().__init__(f"not available in this build: {part}")


class OperationConflict(Exception):
    """The system's state forbids it now, e.g. a strategy change during a session (HTTP 409)."""


class OperationNotFound(Exception):
    """No such wallbox, logic, ... (HTTP 404)."""


@dataclass(frozen=True, slots=True)
class Runtime:
    """The running system as the API sees it."""

    config: Config
    directory: Directory
    clock: Clock


# --- live views (complete) ------------------------------------------------------------


def snapshots(rt: Runtime, names: list[str]) -> dict[str, dict[str, Any]]:
    """Ask several actors at once; each entry is {"live": snapshot | None, "error": text | None}."""
    pending: dict[str, Any] = {}
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        record, ref = rt.directory.record(name), rt.directory.ref(name)
        if ref is not None:
            pending[name] = ref.ask(GetSnapshot(), block=False)
        elif record is None:
            out[name] = {"live": None, "error": f"{name} is not part of this site"}
        else:
            out[name] = {"live": None, "error": f"{name} is {record.status} (last error: {record.last_error})"}
    deadline_s = time.monotonic() + ASK_TIMEOUT_S  # bounds a real wait: real time, not the site clock
    for name, future in pending.items():
        try:
            out[name] = {"live": future.get(timeout=max(0.05, deadline_s - time.monotonic())), "error": None}
        except pykka.Timeout:
            out[name] = {"live": None, "error": f"{name} did not answer within {ASK_TIMEOUT_S} s"}
        except pykka.ActorDeadError:
            out[name] = {"live": None, "error": f"{name} stopped while answering"}
    return out


def _wallbox_addresses(rt: Runtime) -> list[int]:
    """Configured wallboxes, plus any registered at run time (a running wallbox-N actor)."""
    addresses = {w.address for w in rt.config.wallboxes}
    for record in rt.directory.records():
        number = record.name.removeprefix("wallbox-")
        if record.name.startswith("wallbox-") and number.isdigit():
            addresses.add(int(number))
    return sorted(addresses)


def wallboxes(rt: Runtime) -> list[dict[str, Any]]:
    configured = {w.address: w for w in rt.config.wallboxes}
    addresses = _wallbox_addresses(rt)
    live = snapshots(rt, [f"wallbox-{a}" for a in addresses])
    out = []
    for address in addresses:
        w = configured.get(address)
        static = {"serial": w.serial, "max_current_a": w.max_current_a, "phases": w.phases} if w else {}
        out.append({"address": address, "configured": w is not None, **static, **live[f"wallbox-{address}"]})
    return out


def outputs(rt: Runtime) -> list[dict[str, Any]]:
    live = snapshots(rt, [f"output-{o.number}" for o in rt.config.outputs])
    return [{"number": o.number, "name": o.name, **live[f"output-{o.number}"]} for o in rt.config.outputs]


def site(rt: Runtime) -> dict[str, Any]:
    """The configured site, the site controller's live snapshot, wallboxes and outputs."""
    controller = snapshots(rt, [SITE_CONTROLLER])[SITE_CONTROLLER]
    return {
        "config": site_summary(rt.config),
        "live": controller["live"],
        "live_error": controller["error"],
        "wallboxes": wallboxes(rt),
        "outputs": outputs(rt),
    }


def actors(rt: Runtime) -> list[dict[str, Any]]:
    now_s = rt.clock.monotonic()
    return [record.view(now_s) for record in rt.directory.records()]


def devices(rt: Runtime) -> dict[str, Any]:
    """The devices of the configuration, each with its actor's status when there is one."""
    summary = site_summary(rt.config)

    def status(name: str) -> str | None:
        record = rt.directory.record(name)
        return record.status if record else None

    return {
        "meter": summary["meter"] and {**summary["meter"], "actor": status("meter")},
        "inverters": [{**i, "actor": status(f"inverter-{i['address']}")} for i in summary["inverters"]],
        "sensors": summary["sensors"] and {**summary["sensors"], "actor": status("sensors")},
        "wallboxes": [{**w, "actor": status(f"wallbox-{w['address']}")} for w in summary["wallboxes"]],
        "outputs": [{**o, "actor": status(f"output-{o['number']}")} for o in summary["outputs"]],
    }


def apply_contracted_power(rt: Runtime, power_w: float, role: Role) -> bool:
    """Tell the site controller (True when it was running to receive it)."""
    if rt.directory.record(SITE_CONTROLLER) is None:
        return False  # no site controller in this build: nothing to drop and count
    return rt.directory.tell(SITE_CONTROLLER, SetContractedPower(power_w))


# --- wired by the follow-up (503 in this build) -----------------------------------------


def get_strategy(rt: Runtime) -> dict[str, Any]:
    raise NotAvailable(STRATEGY)


def set_strategy(rt: Runtime, change: dict[str, Any], role: Role) -> dict[str, Any]:
    """Refused with `OperationConflict` while a charging session is in progress (SPEC §7)."""
    raise NotAvailable(STRATEGY)


def list_logics(rt: Runtime) -> list[dict[str, Any]]:
    raise NotAvailable(LOGICS)


def create_logic(rt: Runtime, logic: LogicConfig, role: Role) -> dict[str, Any]:
    raise NotAvailable(LOGICS)


def update_logic(rt: Runtime, name: str, logic: LogicConfig, role: Role) -> dict[str, Any]:
    raise NotAvailable(LOGICS)


def delete_logic(rt: Runtime, name: str, role: Role) -> None:
    raise NotAvailable(LOGICS)


def enable_logic(rt: Runtime, name: str, enabled: bool, role: Role) -> dict[str, Any]:
    raise NotAvailable(LOGICS)


def register_wallbox(rt: Runtime, serial: str, address: int | None, role: Role) -> dict[str, Any]:
    raise NotAvailable(WALLBOX_CONTROL)


def remove_wallbox(rt: Runtime, address: int, role: Role) -> None:
    raise NotAvailable(WALLBOX_CONTROL)


def start_charging(rt: Runtime, address: int, role: Role) -> dict[str, Any]:
    raise NotAvailable(WALLBOX_CONTROL)


def stop_charging(rt: Runtime, address: int, role: Role) -> dict[str, Any]:
    raise NotAvailable(WALLBOX_CONTROL)


def set_wallbox_mode(rt: Runtime, address: int, mode: str, role: Role) -> dict[str, Any]:
    raise NotAvailable(WALLBOX_CONTROL)


def sessions(rt: Runtime, limit: int, before: float | None, wallbox: int | None) -> list[dict[str, Any]]:
    raise NotAvailable(SESSIONS)


def push_rfid_cards(rt: Runtime, address: int, cards: tuple[str, ...]) -> str:
    """Send a wallbox its card list (`SetRfidCards`); returns how it went, in words."""
    raise NotAvailable(RFID_PUSH)
