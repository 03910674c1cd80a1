"""Each strategy of SPEC §7: thresholds, hysteresis, targets, windows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.control_site import ControlHarness, config, wallboxes

from connext.control import reasons as R
from connext.control.schedule import window_for
from connext.control.strategy import Strategy


def _eco(tmp_path, name: str, charging: dict | None = None, **box) -> ControlHarness:
    boxes = wallboxes(1, **({"phases": 1} | box))
    cfg = config(tmp_path, 5, contracted_w=11000, charging={"dwell_s": 60, **(charging or {})}, wallboxes=boxes)
    h = ControlHarness(cfg, Strategy(name=name))
    h.wallbox(1, "connected")
    return h


def _run(h: ControlHarness, seconds: int, pv_w: float, house_w: float = 500) -> None:
    for _ in range(seconds):
        h.step(house_w, pv_w=pv_w)


def test_eco_pure_threshold_dwell_and_following(tmp_path):
    h = _eco(tmp_path, "eco_pure")
    _run(h, 5, 1000)
    assert h.decided(1) == (0, R.PV_BELOW_THRESHOLD)
    _run(h, 30, 2500)
    assert h.decided(1) == (0, R.PV_DWELL)
    _run(h, 31, 2500)
    assert h.decided(1) == (10.8, R.PV_SURPLUS)
    _run(h, 1, 3000)
    assert h.current(1) == pytest.approx(13.0)  # follows the whole PV
    _run(h, 5, 1500)
    assert h.current(1) == pytest.approx(6.5)  # under 1.8 kW but still on: dwell before standby
    _run(h, 5, 1000)
    assert h.decided(1) == (6.0, R.ECO_TOPUP)
    _run(h, 55, 1000)
    assert h.decided(1) == (0, R.PV_BELOW_THRESHOLD)
    _run(h, 30, 1900)
    assert h.decided(1) == (0, R.PV_DWELL)
    _run(h, 31, 1900)
    assert h.current(1) == pytest.approx(8.2)


def test_eco_pure_a_short_dip_does_not_stop(tmp_path):
    h = _eco(tmp_path, "eco_pure")
    _run(h, 61, 3000)
    assert h.current(1) == 13.0
    _run(h, 50, 500)
    _run(h, 20, 3000)
    assert h.current(1) == 13.0
    assert h.session(1).starts.__len__() == 1


def test_eco_thresholds_apply_to_the_smoothed_pv(tmp_path):
    h = _eco(tmp_path, "eco_pure", {"dwell_s": 0, "pv_smoothing_s": 60})
    _run(h, 2, 0)
    _run(h, 50, 3000)  # smoothed: 3000 (1 - exp(-50/60)) = 1696 W < 1800
    assert h.current(1) == 0
    assert h.decision.pv_smoothed_w == pytest.approx(1696, abs=5)
    _run(h, 8, 3000)  # 1862 W > 1800
    assert h.current(1) == 13.0  # and then follows the raw PV


def test_eco_mixed_tops_up_to_the_minimum(tmp_path):
    h = _eco(tmp_path, "eco_mixed")
    _run(h, 10, 400)
    assert h.decided(1) == (0, R.PV_BELOW_THRESHOLD)
    _run(h, 61, 1000)  # above 0.5 kW for the dwell time
    assert h.decided(1) == (7.8, R.ECO_TOPUP)
    _run(h, 1, 3000)
    assert h.decided(1) == (13.0, R.PV_SURPLUS)
    _run(h, 30, 300)
    assert h.current(1) == pytest.approx(7.8)  # below 0.5 kW: still on during the dwell
    _run(h, 31, 300)
    assert h.decided(1) == (0, R.PV_BELOW_THRESHOLD)


def test_eco_switches_a_three_phase_wallbox_to_one_phase(tmp_path):
    h = _eco(tmp_path, "eco_pure", {"dwell_s": 10, "phase_switch_min_s": 30}, phases=3, can_switch_phases=True)
    _run(h, 11, 3000)  # 3000 W is 4.3 A on three phases: below 6 A
    assert h.setpoint(1).phases == 1
    assert h.current(1) == 13.0
    _run(h, 11, 6000)  # three phases possible for the dwell time, but the last switch is recent
    assert h.setpoint(1).phases == 1
    _run(h, 20, 6000)
    assert h.setpoint(1).phases == 3
    assert h.current(1) == pytest.approx(8.6)


def test_eco_three_phase_wallbox_that_cannot_switch_stands_by(tmp_path):
    h = _eco(tmp_path, "eco_pure", {"dwell_s": 0}, phases=3)
    _run(h, 3, 3000)
    assert h.decided(1) == (0, R.BELOW_MIN_CURRENT)
    _run(h, 3, 5000)
    assert h.current(1) == pytest.approx(7.2)


def test_eco_minimum_on_time_and_stop_ramp(tmp_path):
    h = _eco(tmp_path, "eco_pure", {"dwell_s": 0, "min_on_s": 60, "stop_ramp_s": 5})
    _run(h, 2, 4000)
    assert h.current(1) == 17.3
    _run(h, 10, 0)
    assert h.decided(1) == (6.0, R.MIN_ON_TIME)
    _run(h, 48, 0)
    assert h.current(1) == 6.0  # 59 s since the start
    _run(h, 1, 0)
    assert h.current(1) == 0.0


def test_a_stop_reduces_the_current_first(tmp_path):
    h = _eco(tmp_path, "eco_pure", {"dwell_s": 0, "stop_ramp_s": 5})
    _run(h, 2, 4000)
    assert h.current(1) == 17.3
    h.step(500, pv_w=0)  # below the threshold: down to 6 A first ...
    assert h.decided(1) == (6.0, R.STOP_RAMP)
    h.step(500, pv_w=0)  # ... the wallbox reports 6 A: now it stops
    assert h.decided(1) == (0.0, R.PV_BELOW_THRESHOLD)


def test_km_stops_by_itself_at_the_target(tmp_path):
    strategy = Strategy(name="km_repeated", km_distance_km=10, km_consumption_wh_per_km=150)
    h = ControlHarness(config(tmp_path, 9, contracted_w=50000, wallboxes=wallboxes(1)), strategy)
    h.wallbox(1, "connected")
    h.step(1000)
    assert h.setpoint(1).start
    assert h.reason(1) == R.KM_CHARGING
    h.add_energy(1, 1499)
    h.step(1000)
    assert h.current(1) > 0
    h.add_energy(1, 1)  # 10 km x 150 Wh/km = 1500 Wh
    h.step(1000)
    assert h.decided(1) == (0, R.KM_TARGET_REACHED)
    assert h.setpoint(1).stop
    h.step(1000)
    assert h.current(1) == 0
    assert not h.setpoint(1).stop
    h.wallbox(1, "available")
    h.step(1000)
    assert h.decision.strategy is None  # repeated: stays in force
    h.wallbox(1, "connected", session_energy_wh=0)
    h.step(1000)
    assert h.current(1) > 0
    assert h.session(1).strategy.km_target_wh == 1500


def test_km_single_gives_way_after_its_session(tmp_path):
    strategy = Strategy(name="km_single", km_distance_km=10, km_consumption_wh_per_km=150, fallback="eco_pure")
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(1)), strategy)
    h.wallbox(1, "connected")
    h.step(1000)
    h.add_energy(1, 1600)
    h.step(1000)
    assert h.reason(1) == R.KM_TARGET_REACHED
    h.wallbox(1, "available")
    h.step(1000)
    ended = [s for s in h.decision.sessions if s.session.ended_at]
    assert ended
    assert ended[0].energy_wh == 1600
    assert h.decision.strategy is not None
    assert h.decision.strategy.name == "eco_pure"
    assert h.memory.strategy.name == "eco_pure"


def test_time_power_waits_charges_in_its_window_across_midnight_then_stops(tmp_path):
    strategy = Strategy(name="time_power", time_start="23:30", time_duration_min=120, time_power_w=3700)
    cfg = config(tmp_path, 9, contracted_w=22000, wallboxes=wallboxes(1, phases=1))
    h = ControlHarness(cfg, strategy)  # the harness starts at 12:00 Europe/Rome
    h.wallbox(1, "connected")
    h.step(500)
    assert h.decided(1) == (0, R.SCHEDULE_WAIT)
    assert not h.setpoint(1).stop
    h.advance(11.5 * 3600 - 62)  # 23:29 local
    h.step(500)
    assert h.reason(1) == R.SCHEDULE_WAIT
    h.advance(60)
    h.step(500)
    assert h.decided(1) == (16.0, R.SCHEDULE_POWER)
    h.advance(2 * 3600 - 60)  # 01:29 the next day
    h.step(500)
    assert h.current(1) == 16.0
    h.advance(60)
    h.step(500)
    assert h.decided(1) == (0, R.SCHEDULE_DONE)
    assert h.setpoint(1).stop


def test_time_power_on_three_phases_switches_or_waits(tmp_path):
    strategy = Strategy(name="time_power", time_start="11:00", time_duration_min=120, time_power_w=3700)
    for can_switch, expected in ((True, (1, 16.0)), (False, (3, 0.0))):
        cfg = config(tmp_path, 9, contracted_w=22000, wallboxes=wallboxes(1, can_switch_phases=can_switch))
        h = ControlHarness(cfg, strategy)
        h.wallbox(1, "connected")
        h.step(500)
        assert (h.setpoint(1).phases, h.current(1)) == expected


def _local(ts: float) -> str:
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(ts, ZoneInfo("Europe/Rome")).strftime("%m-%d %H:%M %Z")


def test_time_windows_across_dst():
    spring = datetime(2026, 3, 28, 12, tzinfo=UTC)
    opens, closes = window_for(spring, "Europe/Rome", "01:30", 120)
    assert (_local(opens), _local(closes)) == ("03-29 01:30 CET", "03-29 04:30 CEST")  # 2 h of elapsed time
    opens, _ = window_for(spring, "Europe/Rome", "02:30", 60)  # a time the spring-forward skips
    assert _local(opens) == "03-29 03:30 CEST"
    autumn = datetime(2026, 10, 24, 12, tzinfo=UTC)
    opens, closes = window_for(autumn, "Europe/Rome", "02:30", 60)  # a time that happens twice
    assert (_local(opens), _local(closes)) == ("10-25 02:30 CEST", "10-25 02:30 CET")
    inside = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    assert window_for(inside, "Europe/Rome", "02:30", 60)[0] == opens


def test_the_session_keeps_the_strategy_it_started_with(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(1)))
    h.wallbox(1, "connected")
    h.step(500)
    h.memory = h.memory._replace(strategy=Strategy(name="eco_pure"))
    h.step(500)
    assert h.session(1).strategy.name == "fast"
    assert h.decided(1) == (15.2, R.CONTRACT_LIMIT)
