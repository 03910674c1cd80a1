"""The debug socket: commands, malformed input, oversized lines, idle clients."""

from __future__ import annotations

import contextlib
import json
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.configs import site_config
from support.waiting import wait_until

from connext.actors.base import ConnextActor
from connext.actors.debug_socket import MAX_LINE, DebugServer
from connext.actors.tree import Child, Group
from connext.bin.daemon import Daemon
from connext.core.clock import ManualClock


class Counter(ConnextActor):
    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.count = 0

    def receive(self, message: Any) -> Any:
        if message == "inc":
            self.count += 1
            return self.count
        if message == "boom":
            raise RuntimeError("boom")
        return super().receive(message)

    def snapshot(self) -> dict[str, Any]:
        return {"count": self.count}


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    tree = Group("site", (Child("counter", Counter), Child("other", Counter)))
    running = Daemon(site_config(tmp_path), tree=tree)
    running.start()
    yield running
    running.stop()


def connect(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    return sock


def exchange(sock: socket.socket, line: bytes) -> dict[str, Any]:
    sock.sendall(line + b"\n")
    buffer = b""
    while not buffer.endswith(b"\n"):
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a reply"
        buffer += chunk
    return json.loads(buffer)


def ask(daemon: Daemon, request: dict[str, Any]) -> dict[str, Any]:
    with connect(daemon.config.debug.socket) as sock:
        return exchange(sock, json.dumps(request).encode())


def test_the_socket_file_is_private(daemon: Daemon) -> None:
    mode = stat.S_IMODE(Path(daemon.config.debug.socket).stat().st_mode)
    assert mode == 0o600


def test_actors_lists_the_tree_with_status_and_message_age(daemon: Daemon) -> None:
    daemon.directory.ref("counter").ask("inc", timeout=5)
    reply = ask(daemon, {"cmd": "actors"})
    assert reply["ok"] is True
    by_name = {a["name"]: a for a in reply["actors"]}
    assert set(by_name) == {"supervisor", "counter", "other"}
    assert by_name["counter"]["kind"] == "Counter"
    assert by_name["counter"]["status"] == "running"
    assert by_name["counter"]["restarts"] == 0
    assert by_name["counter"]["last_message_age_s"] is not None
    assert by_name["other"]["last_message_age_s"] is None


def test_state_returns_the_actor_snapshot(daemon: Daemon) -> None:
    for _ in range(3):
        daemon.directory.ref("counter").ask("inc", timeout=5)
    reply = ask(daemon, {"cmd": "state", "name": "counter", "id": 7})
    assert reply["id"] == 7
    assert reply["state"] == {"count": 3}
    assert reply["actor"]["messages_handled"] >= 3


def test_state_of_an_unknown_or_dead_actor_is_an_error_reply(daemon: Daemon) -> None:
    reply = ask(daemon, {"cmd": "state", "name": "nope"})
    assert reply["ok"] is False and "no actor named 'nope'" in reply["error"]
    daemon.directory.ref("other").tell("boom")
    wait_until(lambda: daemon.directory.record("other").status == "restarting", what="other restarting")
    reply = ask(daemon, {"cmd": "state", "name": "other"})
    assert reply["ok"] is False and "other is restarting" in reply["error"] and "boom" in reply["error"]


def test_site_and_version(daemon: Daemon) -> None:
    site = ask(daemon, {"cmd": "site"})
    assert site["config"]["topology"]["number"] == 9
    assert site["config"]["box_serial"] == "CA020490200005"
    version = ask(daemon, {"cmd": "version"})
    assert version["version"] and version["pid"] > 0
    assert version["metrics"].startswith("http://127.0.0.1:")
    helps = ask(daemon, {"cmd": "help"})["commands"]
    assert {"actors", "state", "site", "version", "help"} <= set(helps)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'["actors"]', "a request is a JSON object"),
        (b'{"cmd": "launch"}', "unknown cmd 'launch'"),
        (b'{"name": "x"}', "unknown cmd None"),
        (b'{"cmd": "state"}', 'state needs "name"'),
        (b'{"cmd": "state", "name": 5}', 'state needs "name"'),
    ],
)
def test_a_malformed_request_gets_an_error_and_the_connection_survives(daemon: Daemon, line: bytes, error: str) -> None:
    with connect(daemon.config.debug.socket) as sock:
        reply = exchange(sock, line)
        assert reply["ok"] is False and error in reply["error"]
        assert exchange(sock, b'{"cmd": "version"}')["ok"] is True


def test_an_oversized_line_is_refused_and_others_are_still_served(daemon: Daemon) -> None:
    replies: list[bytes] = []

    def flood() -> None:
        with connect(daemon.config.debug.socket) as sock:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server hangs up on us
                sock.sendall(b"x" * (10 * 1024 * 1024))  # 10 MB, no newline
            with contextlib.suppress(ConnectionResetError):
                while chunk := sock.recv(65536):
                    replies.append(chunk)

    flooder = threading.Thread(target=flood)
    flooder.start()
    assert ask(daemon, {"cmd": "version"})["ok"] is True
    flooder.join(timeout=30)
    assert not flooder.is_alive()
    reply = json.loads(b"".join(replies).split(b"\n")[0])
    assert reply == {"ok": False, "error": f"request line longer than {MAX_LINE} bytes"}
    assert ask(daemon, {"cmd": "actors"})["ok"] is True


def test_a_silent_client_does_not_block_others_and_is_dropped_when_idle(tmp_path: Path) -> None:
    clock = ManualClock()
    server = DebugServer(tmp_path / "debug.sock", clock, idle_timeout_s=60)
    server.start()
    try:
        silent = connect(str(server.path))
        with connect(str(server.path)) as talker:
            assert exchange(talker, b'{"cmd": "help"}')["ok"] is True
        clock.advance(61)
        silent.settimeout(10)
        assert silent.recv(1) == b""  # the server closed the idle connection
        silent.close()
    finally:
        server.stop()
    assert not server.path.exists()


def test_stop_ends_a_server_waiting_for_its_first_client(tmp_path: Path) -> None:
    server = DebugServer(tmp_path / "debug.sock", ManualClock())
    server.start()  # no client: its thread waits for a connection, with no timeout
    server.stop()
    assert server._thread is not None and not server._thread.is_alive()
    assert not server.path.exists()


def test_a_handler_bug_becomes_an_error_reply(tmp_path: Path) -> None:
    server = DebugServer(tmp_path / "debug.sock", ManualClock())

    def broken(_request: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("oops")

    server.register("broken", broken, "always fails")
    reply = server.handle_line(b'{"cmd": "broken"}')
    assert reply["ok"] is False and "internal error: KeyError" in reply["error"]
