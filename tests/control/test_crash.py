"""kill -9 of the daemon in the middle of a session: after a restart no finished session is
missing and the running one continues with its energy. All real parts: `connext run` as a
child process, the simulated site (DTSU666 and an inverter on an RTU pty line, a wallbox
with its car on udp_multicast CAN), a real SQLite file and the real debug socket."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest
from support.waiting import wait_until

from connext.bin.debug_client import request
from connext.sim.site_rig import SiteRig, site_document, steady_scenario

WAIT_S = 40.0


class CrashSite(SiteRig):
    """A one-wallbox site whose daemon the test kills and starts again (the wallbox and its
    car, like real ones, go on charging meanwhile)."""

    def sessions(self) -> list[tuple]:
        db = Path(self.config.storage.path)
        if not db.exists():
            return []
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            try:
                return connection.execute("SELECT key, ended_at, energy_wh FROM sessions ORDER BY id").fetchall()
            except sqlite3.OperationalError:  # the daemon has not created the table yet
                return []

    def kill_daemon(self) -> int | None:
        assert self.daemon is not None and self.daemon.process is not None
        self.daemon.process.send_signal(signal.SIGKILL)
        return self.daemon.process.wait(timeout=30)

    def ask(self, payload: dict) -> dict:
        assert self.daemon is not None
        reply = self.daemon.ask(payload)
        assert reply is not None, f"no reply to {payload}:\n{self.daemon.log_tail()}"
        return reply


@pytest.fixture
def site(tmp_path):
    document = site_document(
        tmp_path,
        charging={"strategy": "km_repeated", "km_distance_km": 500},
        storage={"session_progress_s": 1},
    )
    with CrashSite(tmp_path, document, steady_scenario(house_w=1000.0, cars=())) as rig:
        yield rig


def charging_session(site: CrashSite, index: int) -> tuple:
    sessions = site.sessions()
    return sessions[index] if len(sessions) > index and sessions[index][2] > 5 else ()


def test_kill_9_mid_session_loses_nothing(site):
    site.sim.wallboxes.plug_in(1)
    first = wait_until(lambda: charging_session(site, 0), WAIT_S, "a first session charging")
    site.sim.wallboxes.unplug(1)
    wait_until(lambda: site.sessions()[0][1] is not None, WAIT_S, "the first session to end")
    site.sim.wallboxes.plug_in(1)
    wait_until(lambda: charging_session(site, 1), WAIT_S, "a second session charging")
    before = site.sessions()

    assert site.kill_daemon() == -signal.SIGKILL
    after_kill = site.sessions()
    assert after_kill[0][0] == first[0]
    assert after_kill[0][1] is not None  # the finished session is there, ended
    assert after_kill[0][2] >= first[2]
    running_key, running_ended, running_wh = after_kill[1]
    assert running_ended is None
    assert running_wh >= before[1][2]

    site.start_daemon()  # the car stayed plugged in; the wallbox went on counting
    wait_until(lambda: site.sessions()[1][2] > running_wh + 5, WAIT_S, "the running session to go on")
    assert [s[0] for s in site.sessions()] == [first[0], running_key]  # the same session, no new one
    strategy = site.ask({"cmd": "strategy"})
    assert (strategy["name"], strategy["parameters"]["km_distance_km"], strategy["sessions_open"]) == (
        "km_repeated",
        500,
        1,
    )
    refused = request(site.config.debug.socket, {"cmd": "strategy-set", "role": "owner", "strategy": "fast"})
    assert not refused["ok"]
    assert "session is in progress" in refused["error"]
    assert site.stop() == 0
    final = site.sessions()
    assert final[1][1] is None  # a shutdown does not end the car's session
    assert final[1][2] > running_wh
    assert "1 session(s) carried on from the store" in site.daemon.log_path.read_text()
