"""sd_notify: READY, STOPPING and a watchdog fed only while the tree is healthy."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.core_helpers import SETTINGS, Flaky, config_file, fail, tick
from support.waiting import wait_until

from connext.actors.directory import Directory
from connext.actors.messages import GetSnapshot
from connext.actors.supervisor import Supervisor
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.systemd import Notifier


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify.sock"))
    sock.settimeout(20)
    yield sock
    sock.close()


def receive_until(sock: socket.socket, wanted: str) -> list[str]:
    seen: list[str] = []
    while wanted not in seen:
        seen += sock.recv(4096).decode().split("\n")
    return seen


def test_the_daemon_notifies_ready_watchdog_and_stopping(tmp_path: Path, notify_socket: socket.socket) -> None:
    env = {**os.environ, "NOTIFY_SOCKET": notify_socket.getsockname(), "WATCHDOG_USEC": "200000"}
    process = subprocess.Popen([sys.executable, "-m", "connext.bin.cli", "run", "--config", str(config_file(tmp_path))],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        seen = receive_until(notify_socket, "READY=1")
        assert any(line.startswith("STATUS=running") for line in seen)
        for _ in range(3):
            receive_until(notify_socket, "WATCHDOG=1")
        process.send_signal(signal.SIGTERM)
        receive_until(notify_socket, "STOPPING=1")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_the_watchdog_starves_while_an_essential_actor_is_degraded(
    clock: ManualClock, notify_socket: socket.socket
) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": notify_socket.getsockname(), "WATCHDOG_USEC": "2000000"})
    directory = Directory()
    tree = Group("site", (Child("site-controller", Flaky), Child("meter", Flaky)))
    supervisor = Supervisor.start(tree, directory, clock, SETTINGS, notifier=notifier,
                                  essential=frozenset({"site-controller"}))  # fmt: skip
    supervisor.ask(GetSnapshot(), timeout=5)
    tick(supervisor, clock, 1.0)
    assert receive_until(notify_socket, "WATCHDOG=1")

    for delay in (1.0, 2.0, 4.0):  # a device that keeps failing does not starve it
        fail(directory, "meter")
        tick(supervisor, clock, delay)
    fail(directory, "meter")
    assert directory.record("meter").status == "degraded"
    tick(supervisor, clock, 1.0)
    assert receive_until(notify_socket, "WATCHDOG=1")

    for delay in (1.0, 2.0, 4.0):
        fail(directory, "site-controller")
        tick(supervisor, clock, delay)
    fail(directory, "site-controller")
    wait_until(lambda: directory.record("site-controller").status == "degraded", what="controller degraded")
    assert supervisor.ask(GetSnapshot(), timeout=5)["healthy"] is False
    notify_socket.settimeout(0.5)
    with pytest.raises(TimeoutError):
        while True:  # drain what was sent before; nothing new may come
            tick(supervisor, clock, 1.0)
            notify_socket.recv(4096)


def test_outside_systemd_notify_is_a_no_op() -> None:
    notifier = Notifier({})
    assert notifier.enabled is False
    assert notifier.notify("READY=1") is False
    assert notifier.watchdog_s is None
    assert Notifier({"WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"}).watchdog_s is None  # meant for another pid
    assert Notifier({"NOTIFY_SOCKET": "@abstract"}).address == "\0abstract"
