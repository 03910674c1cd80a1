"""The demo's status view: the terminal screen and the plain line show what the daemon's
debug socket replies and what the simulator does, and say so when the daemon is silent."""

from __future__ import annotations

from connext.bin.commands.demo_view import Status, collect, line, screen

SITE = {
    "site": {
        "grid_power_w": -1234.0,
        "grid_phase_power_w": [-1000.0, -200.0, -34.0],
        "pv_power_w": 3210.0,
        "battery_power_w": None,
        "battery_soc": None,
        "wallbox_power_w": 4140.0,
        "house_power_w": 304.0,
    },
    "available_power_w": 4700.0,
    "strategy": {"name": "eco_mixed"},
    "wallboxes": {
        "1": {"setpoint_a": 6.0, "phases": 3, "reason": "pv_surplus", "session": {"energy_wh": 530.0}},
        "2": {"setpoint_a": 0.0, "phases": 3, "reason": "pv_below_threshold", "session": None},
    },
}
WALLBOXES = [{"address": 1, "state": "charging", "power_w": 4140}, {"address": 2, "state": "connected", "power_w": 0}]
OUTPUTS = {
    "3": {"name": "heat pump", "closed": False, "wanted": True, "reason": "logic", "hold_left_s": 250.0},
    "4": {"name": "water heater", "closed": True, "wanted": True, "reason": "logic", "hold_left_s": 0.0},
}
SIM = {
    "scenario": "Demo",
    "time": "10:42",
    "speed": 60,
    "ended": False,
    "flows": {"pv_w": 3200.0, "house_w": 300.0, "wallbox_w": 4140.0, "battery_w": 0.0, "grid_w": -1240.0},
}


def replies(cmd: str) -> dict | None:
    return {
        "site": {"ok": True, "live": SITE},
        "wallboxes": {"ok": True, "wallboxes": WALLBOXES},
        "outputs": {"ok": True, "outputs": OUTPUTS},
    }[cmd]


def test_the_plain_line_has_the_daemons_values_then_the_simulators_meter() -> None:
    status = collect(lambda request: replies(request["cmd"]), SIM, 12.3)
    assert line(status) == (
        "t=12s sim=10:42 grid=-1234W pv=3210W house=304W battery=- wallbox=4140W "
        "wb1=charging/4140W/6.0A/pv_surplus wb2=connected/0W/0.0A/pv_below_threshold "
        "out3=open out4=closed simgrid=-1240W"
    )


def test_the_screen_shows_flows_wallboxes_outputs_and_where_to_look() -> None:
    text = screen(collect(lambda request: replies(request["cmd"]), SIM, 75), ["  metrics  http://x/metrics"])
    assert "profile time 10:42 (×60)" in text
    assert "running 1m 15s" in text
    assert "strategy eco_mixed · daemon answering" in text
    assert "grid        -1.23 kW  importing  L1 -1.00  L2 -0.20  L3 -0.03" in text
    assert "available for cars     4.70 kW" in text
    assert "pv_surplus" in text
    assert "0.53 kWh" in text
    assert "6.0 A ×3" in text
    assert "logic (wants closed, held 250 s)" in text  # the relay's minimum off time holds it
    assert "the meter reads -1.24 kW" in text
    assert text.endswith("  metrics  http://x/metrics")


def test_a_silent_daemon_is_shown_as_such() -> None:
    status = collect(lambda _request: None, SIM, 3)
    assert status == Status(3, None, [], {}, SIM)
    assert "daemon=not-answering" in line(status)
    assert "daemon NOT answering" in screen(status, [])
