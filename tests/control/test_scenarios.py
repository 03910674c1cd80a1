"""The example scenarios, run in virtual time on the real decision code: their KPIs.

Most run at 2 s steps to keep the suite fast (one reading = one step); Eco pure also
runs at the scenario's own 1 s steps."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path
from typing import get_type_hints

import pytest
from support.configs import site_document

from connext.actors.messages import WallboxStatus
from connext.bin.cli import main
from connext.control import reasons as R
from connext.control.decide import StatusLike
from connext.control.site import WallboxLike
from connext.core.config import ConfigError
from connext.sim.scenario import load_scenario, parse_scenario
from connext.sim.scenario_plant import Bay, BayStatus
from connext.sim.scenario_run import RunResult, run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "sim" / "scenarios"
ALL = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
STRATEGY_EXAMPLES = {"km_single", "km_repeated", "fast", "eco_pure", "eco_mixed", "time_power"}


@cache
def run(name: str, step_s: float = 2.0) -> RunResult:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    return run_scenario(dataclasses.replace(scenario, step_s=step_s))


def test_there_is_an_example_for_each_strategy():
    assert {load_scenario(SCENARIOS / f"{name}.toml").strategy.name for name in ALL} >= STRATEGY_EXAMPLES


@pytest.mark.parametrize("name", ALL)
def test_no_strategy_stays_above_the_contracted_power_beyond_one_reading(name):
    result = run(name)
    k = result.kpis
    assert k["energy_to_cars_wh"] > 0
    assert k["longest_above_contracted_power_s"] <= result.scenario.step_s
    assert k["longest_phase_above_share_s"] <= result.scenario.step_s
    caps = {w.address: w.max_current_a for w in result.scenario.config.wallboxes}
    for address, setpoints in result.timeline.setpoint("current_a").items():
        assert all(a == 0.0 or 6.0 <= a <= caps[address] for a in setpoints), address


def test_eco_pure_draws_no_grid_energy_into_the_car_outside_the_reaction_window():
    for result in (run("eco_pure"), run("eco_pure", 1.0)):
        k = result.kpis
        assert k["eco_grid_to_cars_outside_reaction_wh"] <= 0.5
        assert k["energy_to_cars_from_grid_wh"] <= 0.01 * k["energy_to_cars_wh"]  # the reaction windows
        assert k["energy_to_cars_from_pv_wh"] > 20000
    reasons = set(run("eco_pure", 1.0).timeline.setpoint("reason")[1])
    assert {R.PV_SURPLUS, R.PV_BELOW_THRESHOLD, R.PV_DWELL} <= reasons


def test_eco_mixed_tops_up_to_18_kw_and_never_charges_below_it():
    result = run("eco_mixed")
    k = result.kpis
    assert k["energy_to_cars_from_grid_wh"] > 0  # the top-up
    powers = result.timeline.power_w[1]
    assert min(p for p in powers if p > 0) >= 1790  # 7.8 A x 230 V
    assert R.ECO_TOPUP in set(result.timeline.setpoint("reason")[1])


@pytest.mark.parametrize("name", ["km_single", "km_repeated"])
def test_kilometer_delivers_its_target_within_one_percent(name):
    k = run(name).kpis
    assert k["km_target_met"] is True
    for car in k["cars"]:
        assert abs(car["energy_wh"] - car["km_target_wh"]) <= 0.01 * car["km_target_wh"]
        assert car["end_soc"] < 1.0  # the battery is not filled
    assert len(k["cars"]) == (3 if name == "km_repeated" else 1)


def test_time_power_charges_only_inside_its_window_and_waits_connected():
    result = run("time_power")
    tl, scenario = result.timeline, result.scenario
    window = (clock_s("23:30"), clock_s("23:30") + 4 * 3600)  # elapsed time, across the DST change
    for t, power, state in zip(tl.t_s, tl.power_w[1], tl.state[1], strict=True):
        moment = scenario.start_s + t
        if power > 0:
            assert window[0] <= moment <= window[1] + 2 * scenario.step_s  # one reading, then the ramp
        elif clock_s("18:30") <= moment < window[0]:
            assert state == "connected"  # plugged in, waiting, communicating
    # 3.7 kW (16 A x 230 V) for 4 h, less the half hour the house peak at 23:45 leaves only
    # 6000 - 100 (reserve) - 2800 = 3100 W for the car
    assert result.kpis["energy_to_cars_wh"] == pytest.approx(3680 * 4 - (3680 - 3100) * 0.5, rel=0.005)


def clock_s(text: str) -> float:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def test_eight_wallboxes_share_equally_and_the_latest_wait():
    result = run("eight_wallboxes")
    setpoints = result.timeline.setpoint("current_a")
    caps = {w.address: w.max_current_a for w in result.scenario.config.wallboxes}
    for i in range(0, len(result.timeline.t_s), 60):
        charging = [setpoints[a][i] for a in setpoints if setpoints[a][i] > 0 and setpoints[a][i] < caps[a]]
        assert max(charging, default=0) - min(charging, default=0) <= 0.11  # equal current (0.1 A rounding)
    assert all(w["energy_wh"] > 0 for w in result.kpis["wallboxes"].values())


def test_the_cli_writes_timeline_kpis_and_plot(tmp_path, capsys):
    text = (SCENARIOS / "km_single.toml").read_text().replace("duration_h = 24", "duration_h = 1")
    short = tmp_path / "short.toml"
    short.write_text(text.replace('start = "12:00"', 'start = "18:00"'))
    assert main(["scenario", "run", str(short), "--out", str(tmp_path / "out")]) == 0
    kpis = json.loads((tmp_path / "out" / "kpis.json").read_text())
    assert kpis["energy_to_cars_wh"] > 0
    assert json.loads(capsys.readouterr().out) == kpis
    lines = (tmp_path / "out" / "timeline.csv").read_text().splitlines()
    assert lines[0].startswith("time,pv_w,house_w,grid_w,battery_w,wb1_power_w,wb1_setpoint_a,wb1_phases,wb1_state")
    assert lines[1].startswith("2026-03-10T18:00:00+01:00,")
    assert len(lines) == 3601
    assert (tmp_path / "out" / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_scenario_wallbox_status_is_the_part_of_the_message_the_control_code_reads():
    message, light = get_type_hints(WallboxStatus), get_type_hints(BayStatus)
    assert {name: message.get(name) for name in light} == light
    assert set(StatusLike.__annotations__) | set(WallboxLike.__annotations__) <= set(BayStatus._fields)


def test_the_scenario_decides_the_same_on_the_wallbox_status_message(monkeypatch):
    scenario = dataclasses.replace(load_scenario(SCENARIOS / "eight_wallboxes.toml"), step_s=30.0)
    light = run_scenario(scenario)
    status = Bay.status
    monkeypatch.setattr(Bay, "status", lambda bay, at_s: WallboxStatus(**status(bay, at_s)._asdict()))
    message = run_scenario(scenario)
    assert light.timeline.setpoints == message.timeline.setpoints
    assert light.kpis == message.kpis


def test_a_bad_scenario_says_what_and_why(tmp_path):
    document = {
        "name": "bad",
        "date": "2026-13-01x",
        "config": {k: v for k, v in site_document(9).items() if k != "box"},
        "profiles": {"house_w": [["08:00", 1], ["07:00", 2]], "pv": []},
        "cars": [{"wallbox": 3, "arrive": "9:00", "depart": "8:00", "battery_kwh": 50, "soc": 2}],
    }
    document["config"]["site"]["contracted_power_w"] = -1
    with pytest.raises(ConfigError) as err:
        parse_scenario(document, tmp_path)
    text = str(err.value)
    for expected in (
        "date = ",
        "config.site.contracted_power_w = -1: must be > 0",
        "profiles.house_w",
        "profiles.pv = []: unknown key",
        "cars[0].soc = 2",
    ):
        assert expected in text, expected
