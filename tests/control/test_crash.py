"""kill -9 of the daemon in the middle of a session: after a restart no finished session is
missing and the running one continues with its energy (a real SQLite file, a real process)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.control_actors import wait_for

from connext.bin.debug_client import request

REPO = Path(__file__).resolve().parents[2]

CONFIG = """
state_dir = "{state}"
[box]
serial = "CA020490200005"
[site]
phases = 3
contracted_power_w = 11000
topology = 9
[rs485]
port = "tcp://127.0.0.1:1"
[meter]
address = 32
[[wallboxes]]
address = 1
serial = "WB0000000001"
max_current_a = 16
[charging]
strategy = "km_repeated"
km_distance_km = 500
[storage]
session_progress_s = 1
[metrics]
enabled = false
"""


class Site:
    """The daemon process and the files the test and the stand-in share."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = tmp_path / "site.toml"
        self.config.write_text(CONFIG.format(state=tmp_path / "var"))
        self.plug, self.state = tmp_path / "plug.json", tmp_path / "wallbox.json"
        self.db = tmp_path / "var" / "connext.db"
        self.socket = tmp_path / "var" / "connext.sock"
        self.log = tmp_path / "daemon.log"
        self.process: subprocess.Popen | None = None

    def plug_in(self, plugged: bool) -> None:
        self.plug.write_text(json.dumps({"plugged": plugged}))

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
        command = [sys.executable, "-m", "support.control_daemon", str(self.config), str(self.plug), str(self.state)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    def sessions(self) -> list[tuple]:
        if not self.db.exists():
            return []
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5) as db:
            try:
                return db.execute("SELECT key, ended_at, energy_wh FROM sessions ORDER BY id").fetchall()
            except sqlite3.OperationalError:  # the daemon has not created the table yet
                return []

    def stop(self, sig: int) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    if site.process is not None and site.process.poll() is None:
        site.process.kill()
        site.process.wait(timeout=10)


def test_kill_9_mid_session_loses_nothing(site):
    site.plug_in(True)
    site.start()
    first = wait_for(lambda: [s for s in site.sessions() if s[2] > 5], 30, "a first session charging")[0]
    site.plug_in(False)
    wait_for(lambda: site.sessions()[0][1] is not None, 30, "the first session to end")
    site.plug_in(True)
    wait_for(lambda: len(site.sessions()) == 2 and site.sessions()[1][2] > 5, 30, "a second session charging")
    before = site.sessions()
    assert site.stop(signal.SIGKILL) == -signal.SIGKILL
    after_kill = site.sessions()
    assert after_kill[0][0] == first[0]
    assert after_kill[0][1] is not None  # the finished session is there, ended
    assert after_kill[0][2] >= first[2]
    running_key, running_ended, running_wh = after_kill[1]
    assert running_ended is None
    assert running_wh >= before[1][2]
    site.start()  # the car stayed plugged in; the wallbox went on counting
    wait_for(lambda: site.sessions()[1][2] > running_wh + 5, 30, "the running session to go on")
    assert [s[0] for s in site.sessions()] == [first[0], running_key]  # the same session, no new one
    strategy = request(str(site.socket), {"cmd": "strategy"})  # the real debug socket of the daemon
    assert (strategy["name"], strategy["parameters"]["km_distance_km"], strategy["sessions_open"]) == (
        "km_repeated",
        500,
        1,
    )
    refused = request(str(site.socket), {"cmd": "strategy-set", "role": "owner", "strategy": "fast"})
    assert not refused["ok"]
    assert "session is in progress" in refused["error"]
    assert site.stop(signal.SIGTERM) == 0
    final = site.sessions()
    assert final[1][1] is None
    assert final[1][2] > running_wh
    log = site.log.read_text()
    assert "1 session(s) carried on from the store" in log
