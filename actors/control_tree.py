"""The energy-control area in the actor tree, and its debug-socket commands.

Children: `recorder` (storage: started before, stopped after the controller) and
`site-controller`. Commands: `strategy`, `strategy-set`, `sessions`.
"""

from __future__ import annotations

from typing import Any

import pykka

from connext.control.strategy import PARAMETERS
from connext.core.clock import Clock
from connext.core.config import Config

from .debug_commands import ask_snapshot
from .debug_socket import ASK_TIMEOUT_S, DebugServer, RequestError
from .directory import Directory
from .messages import GetSessions, SetStrategy
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


def register_control_commands(server: DebugServer, directory: Directory, config: Config, clock: Clock) -> None:
    """Add `strategy`, `strategy-set` and `sessions`."""

    def strategy(_request: dict[str, Any]) -> dict[str, Any]:
        snapshot = ask_snapshot(directory, SITE_CONTROLLER)
        return {**snapshot["strategy"], "sessions_open": snapshot["sessions_open"]}

    def strategy_set(request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("strategy")
        if not isinstance(name, str):
            raise RequestError(f'strategy-set needs "strategy": one of {", ".join(PARAMETERS)}')
        role = request.get("role")
        params = {k: v for k, v in request.items() if k not in ("cmd", "id", "role", "strategy")}
        reply = _ask(directory, SITE_CONTROLLER, SetStrategy(role, name, tuple(params.items())))
        if "refused" in reply:
            raise RequestError(f"strategy not changed: {reply['refused']}")
        return reply

    def sessions(request: dict[str, Any]) -> dict[str, Any]:
        limit = request.get("limit", 20)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_SESSIONS:
            raise RequestError(f'"limit" must be an integer 1..{MAX_SESSIONS}')
        return {"sessions": _ask(directory, RECORDER, GetSessions(limit))}

    server.register("strategy", strategy, "the charging strategy in force, its parameters, open sessions")
    server.register(
        "strategy-set",
        strategy_set,
        'change the strategy (no session may be open): {"cmd": "strategy-set", "role": "owner", '
        '"strategy": "km_single", "km_distance_km": 80}',
    )
    server.register("sessions", sessions, 'the latest charging sessions: {"cmd": "sessions", "limit": 20}')
