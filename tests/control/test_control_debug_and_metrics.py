"""The control area's debug commands and metrics (linted by promtool)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from prometheus_client import generate_latest
from support.control_actors import ControlActors
from support.control_site import config, wallboxes

from connext.actors.control_tree import register_control_commands
from connext.actors.debug_socket import DebugServer
from connext.actors.messages import MeterReading, WallboxStatus
from connext.control import reasons as R
from connext.core.metrics import REGISTRY


@pytest.fixture
def running(tmp_path, clock):
    cfg = config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(1))
    site = ControlActors(cfg, clock)
    server = DebugServer(tmp_path / "debug.sock", clock)
    register_control_commands(server, site.directory, cfg, clock)

    def request(**payload):
        return server.handle_line(json.dumps(payload).encode())

    return site, request


def _plug_in(site, clock):
    site.tell(WallboxStatus(1, clock.monotonic(), "connected", True, 0.0, (0.0,) * 3, 0.0))
    site.tell(MeterReading(32, clock.monotonic(), -800, (-200, -300, -300), (230.0,) * 3, (0.0,) * 3))
    site.settle()


def test_strategy_commands(running, clock):
    site, request = running
    assert request(cmd="strategy") == {
        "ok": True,
        "name": "fast",
        "parameters": {},
        "fallback": "fast",
        "sessions_open": 0,
    }
    refused = request(cmd="strategy-set", role="user", strategy="eco_pure")
    assert refused["ok"] is False
    assert "owner or administrator" in refused["error"]
    bad = request(cmd="strategy-set", role="owner", strategy="time_power", time_start="7 am")
    assert "charging.time_start" in bad["error"]
    ok = request(cmd="strategy-set", role="administrator", strategy="time_power", time_start="22:30")
    assert ok["parameters"]["time_start"] == "22:30"
    _plug_in(site, clock)
    busy = request(cmd="strategy-set", role="owner", strategy="fast")
    assert "session is in progress" in busy["error"]
    sessions = request(cmd="sessions", limit=5)["sessions"]
    assert [(s["wallbox"], s["strategy"], s["ended_at"]) for s in sessions] == [(1, "time_power", None)]
    assert sessions[0]["parameters"]["time_start"] == "22:30"
    assert request(cmd="sessions", limit=0)["ok"] is False


def test_metrics_say_why_and_pass_promtool(running, clock, tmp_path):
    site, _request = running
    _plug_in(site, clock)
    text = generate_latest(REGISTRY).decode()
    assert f'connext_site_setpoint_reason{{address="1",reason="{R.PHASE_LIMIT}"}} 1.0' in text
    assert 'connext_site_strategy{strategy="fast"} 1.0' in text
    assert "connext_site_decisions_total" in text
    assert "connext_site_decision_duration_seconds_bucket" in text
    assert 'connext_site_input_stale{input="grid"} 0.0' in text
    assert 'connext_site_charging_starts_total{address="1"}' in text
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (scripts/system-deps.sh installs it)")
    lint = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_site_tree_has_the_recorder_then_the_site_controller(tmp_path):
    from connext.actors.site_tree import build_tree
    from connext.actors.tree import walk

    names = [child.name for child, _ in walk(build_tree(config(tmp_path, 9)))]
    assert names.index("recorder") < names.index("site-controller")


def test_snapshots_are_json_ready(running, clock):
    site, _request = running
    _plug_in(site, clock)
    snapshot = json.loads(json.dumps(site.snapshot()))
    box = snapshot["wallboxes"]["1"]
    assert (box["reason"], box["session"]["strategy"]) == (R.PHASE_LIMIT, "fast")
    assert snapshot["site"]["grid_power_w"] == -800
    assert json.loads(json.dumps(site.snapshot("recorder")))["schema_version"] == 1


def test_the_setpoint_gauges_follow_each_change(running, clock):
    site, _request = running
    _plug_in(site, clock)
    first = site.snapshot()["wallboxes"]["1"]["setpoint_a"]
    assert f'connext_site_setpoint_amperes{{address="1"}} {first}' in generate_latest(REGISTRY).decode()
    for _ in range(2):  # new readings with the same outcome change nothing shown
        clock.advance(0.25)
        site.tell(MeterReading(32, clock.monotonic(), -800, (-200, -300, -300), (230.0,) * 3, (0.0,) * 3))
    site.tell(WallboxStatus(1, clock.monotonic(), "charging", True, first * 690, (first,) * 3, 1.0, setpoint_a=first))
    car_w = first * 230.0  # per phase
    phases = (-1200 - car_w, -1300 - car_w, -1300 - car_w)  # the house stepped up by 1 kW a phase
    site.tell(MeterReading(32, clock.monotonic(), sum(phases), phases, (230.0,) * 3, (0.0,) * 3))
    site.settle()
    second = site.snapshot()["wallboxes"]["1"]["setpoint_a"]
    assert second < first
    text = generate_latest(REGISTRY).decode()
    assert f'connext_site_setpoint_amperes{{address="1"}} {second}' in text
    assert 'connext_site_setpoint_phases{address="1"} 3.0' in text
