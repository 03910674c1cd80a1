"""One way to ask an actor from outside (`actors/asking.py`), and how its failures reach a
client: the debug socket prints them, the API answers 503 (missing or down) or 504 (no
answer in time)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.api_client import running_api
from support.configs import site_config

from connext.actors.asking import ASK_TIMEOUT_S, AskFailed, AskTimedOut, ask_actor, ask_all
from connext.actors.base import ConnextActor
from connext.actors.debug_commands import register_builtin
from connext.actors.debug_socket import DebugServer
from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot
from connext.actors.supervisor import Supervisor
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.config import SupervisorConfig


class Slow(ConnextActor):
    """Answers a snapshot only once the test lets it (a stuck actor, for as long as needed)."""

    def __init__(self, ctx: Any, gate: threading.Event) -> None:
        super().__init__(ctx)
        self.gate = gate

    def snapshot(self) -> dict[str, Any]:
        self.gate.wait(timeout=30)
        return {"strategy": {"name": "fast", "parameters": {}, "fallback": "fast"}, "sessions_open": 0}


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # let the stuck actor go, so it can stop


@pytest.fixture
def directory(clock: ManualClock, gate: threading.Event) -> Directory:
    tree = Group("site", (Child("site-controller", Slow, {"gate": gate}), Child("recorder", Slow, {"gate": gate})))
    directory = Directory()
    Supervisor.start(tree, directory, clock, SupervisorConfig()).ask(GetSnapshot(), timeout=10)
    directory.ref("recorder").stop()
    return directory


def test_ask_actor_names_what_went_wrong(directory: Directory, gate: threading.Event) -> None:
    with pytest.raises(AskFailed, match=r"^meter is not part of this site$"):
        ask_actor(directory, "meter", GetSnapshot())
    with pytest.raises(AskFailed, match=r"^recorder is stopped, not running"):
        ask_actor(directory, "recorder", GetSnapshot())
    with pytest.raises(AskTimedOut, match=r"site-controller did not answer within 0\.1 s"):
        ask_actor(directory, "site-controller", GetSnapshot(), timeout_s=0.1)
    gate.set()
    answers = ask_all(directory, ["site-controller", "meter"], GetSnapshot())
    assert answers["site-controller"]["sessions_open"] == 0
    assert isinstance(answers["meter"], AskFailed)


def test_the_debug_socket_prints_the_failure(tmp_path: Path, clock: ManualClock, directory: Directory) -> None:
    server = DebugServer(tmp_path / "d.sock", clock)
    register_builtin(server, directory, site_config(tmp_path), clock, 0.0, {})
    reply = server.handle_line(json.dumps({"cmd": "state", "name": "recorder"}).encode())
    assert reply["ok"] is False and reply["error"].startswith("recorder is stopped, not running")


def test_the_api_answers_504_when_the_actor_is_stuck_and_503_when_it_is_missing(
    tmp_path: Path, clock: ManualClock, directory: Directory
) -> None:
    with running_api(tmp_path, clock, directory) as (_service, api):
        token = api.register("olivia", "owner-password")
        stuck = api.request("GET", "/api/strategy", token=token)
        assert stuck.status == 504
        assert stuck.error == f"site-controller did not answer within {ASK_TIMEOUT_S:g} s (busy or stuck)"
        missing = api.request("GET", "/api/logics", token=token)
        assert (missing.status, missing.error) == (503, "output-controller is not part of this site")
        down = api.request("GET", "/api/sessions", token=token)
        assert down.status == 503 and down.error.startswith("recorder is stopped, not running")
