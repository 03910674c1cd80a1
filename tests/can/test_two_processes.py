"""The simulator in one process, the daemon in another, over udp_multicast: a session
charges, its energy shows in /metrics, and the wallbox falls back when the daemon stops."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from support.can_process import SimProcess, random_multicast, write_config
from support.can_rig import wait_for

from connext.bin.daemon import Daemon
from connext.bin.debug_client import request
from connext.core.config import load_config


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _sample(text: str, name: str, labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and labels in line:
            return float(line.rsplit(" ", 1)[1])
    return None


def test_a_session_over_udp_multicast_between_two_processes(tmp_path: Path):
    group, port = random_multicast()
    with tempfile.TemporaryDirectory(prefix="cx") as short:
        config_path = write_config(
            tmp_path / "site.toml",
            can={"interface": "udp_multicast", "channel": group, "port": port, "heartbeat_period_s": 0.25,
                 "fallback_timeout_s": 1, "offline_after_s": 3},
            wallboxes=[{"address": 1, "serial": "WB0000000001", "max_current_a": 16, "safe_current_a": 6}],
            metrics={"listen": "127.0.0.1:0"},
            debug={"socket": f"{short}/d.sock"},
        )  # fmt: skip
        sim = SimProcess("--config", str(config_path), "--mode", "online", "--status-period", "0.2", "--plug", "1")
        daemon = Daemon(load_config(config_path))
        try:
            daemon.start()
            ask = lambda payload: request(f"{short}/d.sock", payload)  # noqa: E731

            def state() -> str | None:
                boxes = ask({"cmd": "wallboxes"})["wallboxes"]
                return next((w["state"] for w in boxes if w["address"] == 1), None)

            wait_for(lambda: state() == "connected", "the online wallbox woken and its vehicle seen")
            assert ask({"cmd": "wallbox-current", "address": 1, "current_a": 20})["setpoint_a"] == 16.0
            assert ask({"cmd": "wallbox-start", "address": 1})["sent"] is True

            url, energy = daemon.endpoints["metrics"], 'address="1"'

            def charged() -> str | None:
                text = _scrape(url)
                return text if (_sample(text, "connext_wallbox_session_energy_joules", energy) or 0) > 0 else None

            scrape = wait_for(charged, "session energy in /metrics")
            assert _sample(scrape, "connext_wallbox_state", 'address="1",state="charging"') == 1.0
            assert _sample(scrape, "connext_wallbox_setpoint_amperes", energy) == 16.0
            assert _sample(scrape, "connext_wallbox_power_watts", energy) == 16 * 3 * 230
            assert (_sample(scrape, "connext_can_frames_received_total", energy) or 0) > 0
            sim_view = sim.wallbox(1)
            assert sim_view["state"] == "C"
            assert sim_view["limit_a"] == 16.0
            promtool = shutil.which("promtool")
            assert promtool, "promtool is missing: run scripts/system-deps.sh"
            lint = subprocess.run([promtool, "check", "metrics"], input=scrape, capture_output=True, text=True)
            assert lint.returncode == 0, lint.stdout + lint.stderr
        finally:
            daemon.stop()
        try:
            # the daemon sent the safe current on its way down ...
            wait_for(lambda: sim.wallbox(1)["last_setpoint_a"] == 6.0, "the safe current sent at shutdown")
            # ... and its heartbeat is gone, so the wallbox's own fallback timer fires too
            fallen = wait_for(lambda: (w := sim.wallbox(1))["fallback"] and w, "the wallbox's own fallback")
            assert fallen["limit_a"] == 6.0
            assert fallen["state"] == "C"
        finally:
            sim.close()
