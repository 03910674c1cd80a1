"""Debug-socket commands of the box I/O: see the outputs, force them, change logics.

The debug socket is the box's maintenance access (a 0600 Unix socket): its caller
acts as an administrator unless the request names another `role` (to try what a
user may not do). The permission and validation rules are in
control/output_logic_edit.py; `edit_logic` and `logics_view` are shared with the HTTP API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connext.core.clock import Clock
from connext.core.config import Config

from .asking import AskFailed, Refused, ask_actor
from .debug_socket import DebugServer, RequestError
from .directory import Directory
from .messages import EditLogic, ForceOutput, GetSnapshot

CONTROLLER = "output-controller"
DEBUG_ROLE = "administrator"
_REQUEST_KEYS = {"cmd", "id", "role", "name"}


def _ask(directory: Directory, message: EditLogic | ForceOutput) -> dict[str, Any]:
    """The controller's answer; its refusals raise `Refused` in the config's words."""
    reply = ask_actor(directory, CONTROLLER, message)
    if "error" in reply:
        raise Refused(reply["error"], reply.get("kind", "invalid"), reply["problems"])
    return reply


def edit_logic(
    directory: Directory, action: str, name: str, role: str, fields: tuple[tuple[str, object], ...] = ()
) -> list[dict[str, Any]]:
    """Create, change, enable, disable or delete a logic (`EditLogic`); the logics after it."""
    return _ask(directory, EditLogic(action, name, role, fields))["logics"]


def logics_view(directory: Directory) -> list[dict[str, Any]]:
    """Every logic, with whether it is in force, its last value and its next evaluation."""
    return ask_actor(directory, CONTROLLER, GetSnapshot())["logics"]


def _name(request: dict[str, Any]) -> str:
    name = request.get("name")
    if not isinstance(name, str) or not name:
        raise RequestError('needs "name": the logic\'s name')
    return name


def _role(request: dict[str, Any]) -> str:
    return str(request.get("role", DEBUG_ROLE))


class _Commands:
    """The handlers, bound to the directory and the configured output numbers."""

    def __init__(self, directory: Directory, numbers: list[int]) -> None:
        self.directory, self.numbers = directory, numbers

    def outputs(self, _request: dict[str, Any]) -> dict[str, Any]:
        states = {}
        for n in self.numbers:
            try:
                states[str(n)] = ask_actor(self.directory, f"output-{n}", GetSnapshot())
            except AskFailed as err:
                states[str(n)] = {"error": str(err)}
        return {"controller": ask_actor(self.directory, CONTROLLER, GetSnapshot()), "outputs": states}

    def force(self, request: dict[str, Any]) -> dict[str, Any]:
        message = ForceOutput(request.get("number"), request.get("state"), request.get("for_s"), _role(request))  # type: ignore[arg-type]
        return _ask(self.directory, message)

    def release(self, request: dict[str, Any]) -> dict[str, Any]:
        return _ask(self.directory, ForceOutput(request.get("number"), None, None, _role(request)))  # type: ignore[arg-type]

    def logic_set(self, request: dict[str, Any]) -> dict[str, Any]:
        fields = tuple((k, v) for k, v in request.items() if k not in _REQUEST_KEYS and k != "rename")
        if "rename" in request:
            fields = (*fields, ("name", request["rename"]))
        return {"logics": edit_logic(self.directory, "set", _name(request), _role(request), fields)}

    def logic_action(self, action: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def handler(request: dict[str, Any]) -> dict[str, Any]:
            return {"logics": edit_logic(self.directory, action, _name(request), _role(request))}

        return handler


def register_io_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Add the outputs' commands to `server` (only when the site has outputs)."""
    if not config.outputs:
        return
    c = _Commands(directory, sorted(o.number for o in config.outputs))
    server.register("outputs", c.outputs, "outputs, logics (in force, value, next evaluation), overrides, decisions")
    server.register(
        "output-force",
        c.force,
        'force an output: {"cmd": "output-force", "number": 3, "state": "closed", "for_s": 3600}',
    )
    server.register("output-release", c.release, 'end an output\'s override: {"cmd": "output-release", "number": 3}')
    server.register(
        "logic-set",
        c.logic_set,
        'create or change a logic: {"cmd": "logic-set", "name": "boiler", "output": 4, "variable": "pv_power", '
        '"max": 3000, "min": 1500} (any [[logics]] field; "rename" renames)',
    )
    for action in ("enable", "disable", "delete"):
        server.register(
            f"logic-{action}", c.logic_action(action), f'{action} a logic: {{"cmd": "logic-{action}", "name": ...}}'
        )
