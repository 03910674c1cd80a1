"""`connext demo` end to end: the car charges by the configured strategy, the terminal
view, the debug socket and /metrics say the same, and the demo stops cleanly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support.site_demo import CAR_W, CONTRACT_W, GRID_W, DemoProcess, sample, steady_site, watts

from connext.bin.debug_client import request

TOLERANCE_W = 150.0  # the meter's float registers and the 0.1 A grid of the currents


def charging_at_16a(status: dict[str, str]) -> bool:
    return status.get("wb1", "").startswith("charging/") and status["wb1"].endswith("/16.0A/fast")


def test_the_car_charges_by_the_strategy_and_the_three_views_agree(demo: DemoProcess) -> None:
    status = demo.wait_status(lambda s: charging_at_16a(s) and abs(watts(s["grid"]) - GRID_W) < TOLERANCE_W)
    # the terminal view: the daemon's grid, and the simulator's meter, both as worked out by hand
    assert abs(watts(status["simgrid"]) - GRID_W) < TOLERANCE_W
    assert abs(watts(status["wallbox"]) - CAR_W) < TOLERANCE_W
    assert abs(watts(status["wb1"].split("/")[1]) - CAR_W) < TOLERANCE_W
    # the debug socket
    socket_path = str(demo.folder / "var" / "connext.sock")
    live = request(socket_path, {"cmd": "site"})["live"]
    assert abs(live["site"]["grid_power_w"] - GRID_W) < TOLERANCE_W
    assert live["wallboxes"]["1"]["setpoint_a"] == 16.0
    assert live["wallboxes"]["1"]["reason"] == "fast"
    (box,) = request(socket_path, {"cmd": "wallboxes"})["wallboxes"]
    assert box["state"] == "charging"
    assert abs(box["power_w"] - CAR_W) < TOLERANCE_W
    # /metrics: the meter's own value and the site model's
    scrape = demo.scrape()
    assert abs(sample(scrape, "connext_meter_power_watts") - GRID_W) < TOLERANCE_W
    assert abs(sample(scrape, "connext_site_grid_power_watts") - GRID_W) < TOLERANCE_W
    assert abs(sample(scrape, "connext_wallbox_power_watts", address="1") - CAR_W) < TOLERANCE_W
    assert sample(scrape, "connext_site_setpoint_reason", address="1", reason="fast") == 1.0
    # what the contract alert relies on: available - wallboxes = contracted + grid
    margin = sample(scrape, "connext_site_available_power_watts") - sample(scrape, "connext_site_wallbox_power_watts")
    assert abs(margin - (CONTRACT_W + GRID_W)) < 2 * TOLERANCE_W


def test_without_socat_the_demo_runs_over_modbus_tcp_stops_by_itself_and_leaves_the_site_safe(tmp_path: Path) -> None:
    assert shutil.which("socat") is not None, "socat is installed by scripts/system-deps.sh"
    hidden = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "socat").exists())
    demo = DemoProcess(tmp_path, *steady_site(tmp_path), "--for", "20", env={**os.environ, "PATH": hidden})
    demo.wait_for(r"socat is not installed.*serving Modbus TCP on 127\.0\.0\.1:\d+ instead of RTU")
    demo.wait_status(charging_at_16a)
    assert demo.wait() == 0, demo.output()[-3000:]
    # the daemon's SIGTERM put the charging wallbox to its safe current (6 A) before the end
    assert "the daemon exited with code 0; the wallboxes it left: wallbox 1 at 6.0 A" in demo.output()
    assert "connext stopped" in (tmp_path / "var" / "demo-daemon.log").read_text()
