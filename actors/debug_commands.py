"""The debug socket's built-in commands: actors, state, site, version."""

from __future__ import annotations

import os
import platform
from typing import Any

from connext.core import metrics
from connext.core.clock import Clock
from connext.core.config import Config, site_summary

from .asking import AskFailed, ask_actor
from .debug_socket import DebugServer, RequestError
from .directory import Directory
from .messages import GetSnapshot

SITE_CONTROLLER = "site-controller"


def register_builtin(
    server: DebugServer,
    directory: Directory,
    config: Config,
    clock: Clock,
    started_at_s: float,
    endpoints: dict[str, Any],
) -> None:
    """Add the runtime-core commands to `server`."""

    def actors(_request: dict[str, Any]) -> dict[str, Any]:
        now = clock.monotonic()
        return {"actors": [record.view(now) for record in directory.records()]}

    def state(request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("name")
        if not isinstance(name, str):
            raise RequestError('state needs "name": an actor name (see "actors")')
        record = directory.record(name)
        if record is None:
            known = ", ".join(r.name for r in directory.records())
            raise RequestError(f"no actor named {name!r}; known: {known}")
        view = record.view(clock.monotonic())
        return {"name": name, "actor": view, "state": ask_actor(directory, name, GetSnapshot())}

    def site(_request: dict[str, Any]) -> dict[str, Any]:
        live: dict[str, Any] | None = None
        live_error: str | None = None
        if directory.record(SITE_CONTROLLER) is not None:
            try:
                live = ask_actor(directory, SITE_CONTROLLER, GetSnapshot())
            except AskFailed as err:
                live_error = str(err)
        return {"config": site_summary(config), "live": live, "live_error": live_error}

    def version(_request: dict[str, Any]) -> dict[str, Any]:
        return {
            "version": metrics.version(),
            "python": platform.python_version(),
            "pid": os.getpid(),
            "uptime_s": round(clock.monotonic() - started_at_s, 3),
            "state_dir": config.state_dir,
            **endpoints,
        }

    server.register("actors", actors, "the actor tree: name, kind, group, status, restarts, last message age")
    server.register("state", state, 'one actor\'s state snapshot: {"cmd": "state", "name": "meter"}')
    server.register("site", site, "the configured site and the site controller's live snapshot")
    server.register("version", version, "server version, pid, uptime and endpoints")
