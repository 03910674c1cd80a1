"""What the API asks of the running system: one function per operation.

Routes authorize and validate first, then call these on a worker thread. Each is a thin
call to the operation the debug socket runs too (`actors/control_tree.py`,
`actors/output_commands.py`, `actors/wallbox_ops.py`), which asks the owning actor with
a timeout (`actors.asking.ask_actor`). The caller's role is passed on where the part
behind checks it again (strategy, logics). Errors (mapped in `errors.py`): `AskFailed`,
the part is missing or down (503; `AskTimedOut` 504); `Refused`, the actor said no
(409, 422, 404 or 403 by its kind, with the actor's reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connext.actors import control_tree, output_commands, wallbox_ops
from connext.actors.asking import AskFailed, ask_all
from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot, SetContractedPower
from connext.control.output_logic_edit import logic_table
from connext.core.clock import Clock
from connext.core.config import Config, LogicConfig, site_summary

from .accounts.roles import Role

SITE_CONTROLLER = "site-controller"
SESSION_TIMES = ("started_at", "ended_at", "updated_at")  # ISO in the store, unix seconds in the API


@dataclass(frozen=True, slots=True)
class Runtime:
    """The running system as the API sees it."""

    config: Config
    directory: Directory
    clock: Clock


# --- live views (complete) ------------------------------------------------------------


def snapshots(rt: Runtime, names: list[str]) -> dict[str, dict[str, Any]]:
    """Ask several actors at once; each entry is {"live": snapshot | None, "error": text | None}."""
    answers = ask_all(rt.directory, names, GetSnapshot())
    return {
        name: {"live": None, "error": str(a)} if isinstance(a, AskFailed) else {"live": a, "error": None}
        for name, a in answers.items()
    }


def _wallbox_addresses(rt: Runtime) -> list[int]:
    """Configured wallboxes, plus any registered at run time (a running wallbox-N actor)."""
    addresses = {w.address for w in rt.config.wallboxes}
    for record in rt.directory.records():
        number = record.name.removeprefix("wallbox-")
        if record.name.startswith("wallbox-") and number.isdigit():
            addresses.add(int(number))
    return sorted(addresses)


def wallboxes(rt: Runtime) -> list[dict[str, Any]]:
    """The configured wallboxes and every other one heard or registered (the CAN group has
    an actor per address: an address with nothing heard and nothing registered is left out)."""
    configured = {w.address: w for w in rt.config.wallboxes}
    addresses = _wallbox_addresses(rt)
    live = snapshots(rt, [f"wallbox-{a}" for a in addresses])
    out = []
    for address in addresses:
        entry, w = live[f"wallbox-{address}"], configured.get(address)
        if w is None and entry["live"] is not None and entry["live"].get("state") == "absent":
            continue
        static = {"serial": w.serial, "max_current_a": w.max_current_a, "phases": w.phases} if w else {}
        out.append({"address": address, "configured": w is not None, **static, **entry})
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


# --- charging strategy and sessions (site controller, recorder) -----------------------------


def get_strategy(rt: Runtime) -> dict[str, Any]:
    view = control_tree.strategy_view(rt.directory)
    return {"strategy": view.pop("name"), **view}


def set_strategy(rt: Runtime, change: dict[str, Any], role: Role) -> dict[str, Any]:
    """Refused with a conflict (409) while a charging session is in progress (SPEC §7)."""
    params = dict(change)
    name = params.pop("strategy")
    return control_tree.change_strategy(rt.directory, role.value, name, params)


def sessions(rt: Runtime, limit: int, before: float | None, wallbox: int | None) -> list[dict[str, Any]]:
    """A page of sessions, newest first; times in unix seconds (the next page: `before` = the
    last one's `started_at`)."""
    rows = control_tree.sessions(rt.directory, limit, before, wallbox)
    return [{**row, **{k: _unix(row.get(k)) for k in SESSION_TIMES if k in row}} for row in rows]


def _unix(iso: str | None) -> float | None:
    return None if iso is None else datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# --- output logics (output controller) -----------------------------------------------------


def _named(logics: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(logic for logic in logics if logic["name"] == name)


def _fields(logic: LogicConfig) -> tuple[tuple[str, object], ...]:
    return tuple(logic_table(logic).items())


def list_logics(rt: Runtime) -> list[dict[str, Any]]:
    return output_commands.logics_view(rt.directory)


def create_logic(rt: Runtime, logic: LogicConfig, role: Role) -> dict[str, Any]:
    logics = output_commands.edit_logic(rt.directory, "create", logic.name, role.value, _fields(logic))
    return _named(logics, logic.name)


def update_logic(rt: Runtime, name: str, logic: LogicConfig, role: Role) -> dict[str, Any]:
    """Replace logic `name` by `logic` (a different name renames it)."""
    logics = output_commands.edit_logic(rt.directory, "replace", name, role.value, _fields(logic))
    return _named(logics, logic.name)


def delete_logic(rt: Runtime, name: str, role: Role) -> None:
    output_commands.edit_logic(rt.directory, "delete", name, role.value)


def enable_logic(rt: Runtime, name: str, enabled: bool, role: Role) -> dict[str, Any]:
    logics = output_commands.edit_logic(rt.directory, "enable" if enabled else "disable", name, role.value)
    return _named(logics, name)


# --- wallboxes (CAN wallbox actors; the route has checked the role) ------------------------


def register_wallbox(rt: Runtime, serial: str, address: int | None, role: Role) -> dict[str, Any]:
    document: dict[str, Any] = {"serial": serial} if address is None else {"serial": serial, "address": address}
    chosen, reply = wallbox_ops.register(rt.directory, document)
    return {"address": chosen, "serial": serial, **reply}


def remove_wallbox(rt: Runtime, address: int, role: Role) -> None:
    wallbox_ops.unregister(rt.directory, address)


def start_charging(rt: Runtime, address: int, role: Role) -> dict[str, Any]:
    return {"address": address, **wallbox_ops.start(rt.directory, address)}


def stop_charging(rt: Runtime, address: int, role: Role) -> dict[str, Any]:
    return {"address": address, **wallbox_ops.stop(rt.directory, address, f"stopped through the API by {role.value}")}


def set_wallbox_mode(rt: Runtime, address: int, mode: str, role: Role) -> dict[str, Any]:
    return {"address": address, **wallbox_ops.set_mode(rt.directory, address, mode)}


def push_rfid_cards(rt: Runtime, address: int, cards: tuple[str, ...]) -> str:
    """Send a wallbox its card list (`SetRfidCards`); returns how it went, in words."""
    reply = wallbox_ops.push_cards(rt.directory, address, cards)
    count = len(reply["cards"])
    if reply["sent_now"]:
        text = f"sent to the wallbox ({count} card{'s' if count != 1 else ''})"
    else:
        text = f"kept; sent when the wallbox can be driven (it is {reply['state']})"
    if reply["left_out"]:
        text += f"; left out {', '.join(reply['left_out'])}: a 10-byte UID does not fit a CAN card slot"
    return text
