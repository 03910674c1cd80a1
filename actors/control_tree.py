"""The energy-control area in the actor tree, and its debug-socket commands.

Children: `recorder` (storage: started before, stopped after the controller) and
`site-controller`. Commands: `strategy`, `strategy-set`, `sessions`, on the operations
the HTTP API calls too (`strategy_view`, `change_strategy`, `sessions`).
"""

from __future__ import annotations

from typing import Any

from connext.control.strategy import PARAMETERS
from connext.core.clock import Clock
from connext.core.config import Config

from .asking import Refused, ask_actor
from .debug_socket import DebugServer, RequestError
from .directory import Directory
from .messages import GetSessions, GetSnapshot, SetStrategy
from .recorder import RecorderActor
from .site_controller import SiteControllerActor
from .tree import Child

SITE_CONTROLLER = "site-controller"
RECORDER = "recorder"
MAX_SESSIONS = 500


def control_children(config: Config) -> tuple[Child, ...]:
    """The recorder and the site controller, in start order."""
    return (
        Child(RECORDER, RecorderActor, {"config": config}),
        Child(SITE_CONTROLLER, SiteControllerActor, {"config": config}),
    )


# --- operations, shared by the debug socket and the HTTP API ------------------------------


def strategy_view(directory: Directory) -> dict[str, Any]:
    """The strategy in force: name, parameters, fallback, and the sessions open now."""
    snapshot = ask_actor(directory, SITE_CONTROLLER, GetSnapshot())
    return {**snapshot["strategy"], "sessions_open": snapshot["sessions_open"]}


def change_strategy(directory: Directory, role: str | None, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Ask the site controller to change the strategy; `Refused` with its reason (a session
    in progress is a conflict)."""
    reply = ask_actor(directory, SITE_CONTROLLER, SetStrategy(role, name, tuple(params.items())))
    if "refused" in reply:
        raise Refused(f"strategy not changed: {reply['refused']}", reply["kind"])
    return reply


def sessions(
    directory: Directory, limit: int, before_ts: float | None = None, wallbox: int | None = None
) -> list[dict[str, Any]]:
    """A page of the recorder's sessions, newest first."""
    return ask_actor(directory, RECORDER, GetSessions(limit, before_ts, wallbox))


def register_control_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Add `strategy`, `strategy-set` and `sessions`."""

    def strategy(_request: dict[str, Any]) -> dict[str, Any]:
        return strategy_view(directory)

    def strategy_set(request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("strategy")
        if not isinstance(name, str):
            raise RequestError(f'strategy-set needs "strategy": one of {", ".join(PARAMETERS)}')
        params = {k: v for k, v in request.items() if k not in ("cmd", "id", "role", "strategy")}
        return change_strategy(directory, request.get("role"), name, params)

    def sessions_command(request: dict[str, Any]) -> dict[str, Any]:
        limit = request.get("limit", 20)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_SESSIONS:
            raise RequestError(f'"limit" must be an integer 1..{MAX_SESSIONS}')
        return {"sessions": sessions(directory, limit)}

    server.register("strategy", strategy, "the charging strategy in force, its parameters, open sessions")
    server.register(
        "strategy-set",
        strategy_set,
        'change the strategy (no session may be open): {"cmd": "strategy-set", "role": "owner", '
        '"strategy": "km_single", "km_distance_km": 80}',
    )
    server.register("sessions", sessions_command, 'the latest charging sessions: {"cmd": "sessions", "limit": 20}')
