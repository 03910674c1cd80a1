"""Load management: under the contracted power, each phase under its share, fair sharing."""

from __future__ import annotations

import pytest
from support.control_site import VOLTS, ControlHarness, config, wallboxes

from connext.control import reasons as R

CHARGING_STATES = ("charging", "connected", "suspended")


def _plug_in(h: ControlHarness, addresses, house_w: float, **step_kwargs) -> None:
    """Plug the cars in one per second (so their sessions start in address order)."""
    for address in addresses:
        h.wallbox(address, "connected")
        h.step(house_w, **step_kwargs)


def test_one_wallbox_gets_the_contract_minus_the_house(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(1)))
    _plug_in(h, [1], 2000, house_phases=(0.2, 0.4, 0.4))
    # phase budgets: (3666.7 - 400) / 230 = 14.2 A and (3666.7 - 800) / 230 = 12.46 A; total 9000 / 690 = 13.04 A
    assert h.decided(1) == (12.4, R.PHASE_LIMIT)
    assert h.decision.available_power_w == pytest.approx(9000)
    h.step(2000, house_phases=(1 / 3, 1 / 3, 1 / 3))
    assert h.current(1) == pytest.approx(13.0)


def test_a_step_in_house_load_is_corrected_on_the_next_reading(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(1)))
    _plug_in(h, [1], 1000)
    for _ in range(3):
        h.step(1000)
    assert h.current(1) == pytest.approx(14.4)  # (11000 - 1000) / 690
    h.step(4000)  # the house jumps: this reading is over the contract ...
    assert -h.readings.meter.grid_power_w > 11000
    assert h.current(1) == pytest.approx(10.1)  # ... and this decision already corrects it
    h.step(4000)
    assert -h.readings.meter.grid_power_w <= 11000


def test_setpoints_respect_the_wallbox_and_vehicle_maximum(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=30000, wallboxes=wallboxes(1, max_current_a=16)))
    _plug_in(h, [1], 0)
    assert h.decided(1) == (16.0, R.FAST)
    h.wallbox(1, "charging", vehicle_max_current_a=10)
    h.step(0)
    assert h.current(1) == 10.0


@pytest.mark.parametrize("n", range(1, 9))
@pytest.mark.parametrize(
    ("topology", "contracted_w", "phases", "level_a"),
    [(9, 22000, 3, 21000 / 690), (8, 6000, 1, 5500 / 230)],
    ids=["three-phase", "single-phase"],
)
def test_fair_sharing_pauses_the_latest_sessions(tmp_path, n, topology, contracted_w, phases, level_a):
    sensors = {} if topology == 9 else {"sensors": {"ct1": {"multiplier": 1}}}
    boxes = wallboxes(n, phases=phases)
    h = ControlHarness(config(tmp_path, topology, contracted_w=contracted_w, wallboxes=boxes, **sensors))
    house_w = 1000 if phases == 3 else 500
    step = h.step if phases == 3 else (lambda house: _single_phase_step(h, house))
    for address in range(1, n + 1):
        h.wallbox(address, "connected")
        step(house_w)
    for _ in range(3):
        step(house_w)
    fitting = min(n, int(level_a // 6))  # how many fit at 6 A each
    charging = [a for a in range(1, n + 1) if h.current(a) > 0]
    assert charging == list(range(1, fitting + 1))  # the earliest sessions charge, the latest pause
    share = min(32.0, level_a / fitting)
    for a in charging:
        assert h.current(a) == pytest.approx(share, abs=0.1)
    for a in range(fitting + 1, n + 1):
        assert h.reason(a) == R.CONTRACT_LIMIT
    drawn_w = sum(h.current(a) * VOLTS * phases for a in charging)
    assert drawn_w <= contracted_w - house_w + 1e-6


def _single_phase_step(h: ControlHarness, house_w: float):
    """The CT 1 version of `step` for a single-phase site."""
    h.advance(1.0)
    for address, status in list(h.statuses.items()):
        h.wallbox(address, "charging" if h.current(address) > 0 else status.state)
    cars_w = sum(s.power_w for s in h.statuses.values())
    h.sensors(ct1_w=-(house_w + cars_w))
    return h.decide()


def test_paused_sessions_resume_when_power_returns(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=22000, wallboxes=wallboxes(3)))
    _plug_in(h, [1, 2, 3], 1000)
    h.step(1000)
    assert [h.current(a) for a in (1, 2, 3)] == [10.1, 10.1, 10.1]
    h.step(10000)  # 12000 W left = 17.4 A on three phases: only two fit at 6 A
    h.step(10000)
    assert [h.current(a) > 0 for a in (1, 2, 3)] == [True, True, False]
    assert h.reason(3) == R.CONTRACT_LIMIT
    h.step(1000)
    h.step(1000)
    assert [h.current(a) for a in (1, 2, 3)] == [10.1, 10.1, 10.1]


def test_each_phase_stays_under_its_share(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=22000, wallboxes=wallboxes(1)))
    _plug_in(h, [1], 6000, house_phases=(0.9, 0.05, 0.05))
    h.step(6000, house_phases=(0.9, 0.05, 0.05))
    # L1 carries 5400 W of house: its share 7333 W leaves 1933 W = 8.4 A although the total leaves 23 A
    assert h.decided(1) == (8.4, R.PHASE_LIMIT)
    h.step(6000, house_phases=(0.9, 0.05, 0.05))
    assert max(-w for w in h.readings.meter.phase_power_w) <= 22000 / 3


def test_a_single_phase_wallbox_loads_only_l1(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=22000, wallboxes=wallboxes(1, phases=1)))
    _plug_in(h, [1], 3000, house_phases=(0.0, 0.5, 0.5))
    h.step(3000, house_phases=(0.0, 0.5, 0.5))
    assert h.setpoint(1).phases == 1
    assert h.current(1) == 31.8  # L1 share alone: 7333 / 230 = 31.88 A
    assert h.statuses[1].current_a == (31.8, 0.0, 0.0)


def test_switches_to_one_phase_when_three_phases_cannot_reach_6a(tmp_path):
    boxes = wallboxes(1, can_switch_phases=True)
    h = ControlHarness(config(tmp_path, 9, contracted_w=6000, wallboxes=boxes))
    split = (0.1, 0.5, 0.4)  # L1 200 W, L2 1000 W, L3 800 W of house
    _plug_in(h, [1], 2000, house_phases=split)
    # three phases: L2 allows (2000 - 1000) / 230 = 4.3 A < 6; one phase on L1: (2000 - 200) / 230 = 7.8 A
    assert h.setpoint(1).phases == 1
    assert h.current(1) == pytest.approx(7.8)
    h.step(2000, house_phases=split)
    assert h.setpoint(1).phases == 1
    assert h.current(1) == pytest.approx(7.8)


def test_cannot_switch_stands_by(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=6000, wallboxes=wallboxes(1)))
    _plug_in(h, [1], 2000, house_phases=(0.1, 0.5, 0.4))
    assert h.decided(1) == (0.0, R.PHASE_LIMIT)


def test_stale_meter_drops_to_the_safe_current_and_never_raises(tmp_path):
    boxes = [*wallboxes(2, safe_current_a=8), {"address": 3, "serial": "W3", "safe_current_a": 0}]
    h = ControlHarness(config(tmp_path, 9, contracted_w=30000, wallboxes=boxes))
    _plug_in(h, [1, 2, 3], 1000)
    h.step(1000)
    assert [h.current(a) for a in (1, 2, 3)] == [14.0, 14.0, 14.0]
    h.wallbox(2, "suspended", current_a=0)
    h.advance(4.0)  # the meter went quiet: its last reading is now older than stale_after_s = 3 s
    h.wallbox(1, "charging").wallbox(2, "charging").wallbox(3, "charging")
    h.decide()
    assert [h.current(a) for a in (1, 2, 3)] == [8.0, 8.0, 0.0]
    assert {h.reason(a) for a in (1, 2, 3)} == {R.STALE_METER}
    assert h.decision.available_power_w is None
    assert "grid" in h.site.stale
    h.wallbox(4, "connected")
    h.advance(1)
    h.decide()
    assert h.decided(4) == (0.0, R.STALE_METER)


def test_min_off_time_after_a_contract_pause(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, charging={"min_off_s": 300}, wallboxes=wallboxes(1)))
    _plug_in(h, [1], 1000)
    h.step(9000)
    assert h.decided(1) == (0.0, R.CONTRACT_LIMIT)
    h.step(1000)
    assert h.decided(1) == (0.0, R.MIN_OFF_TIME)
    h.advance(300)
    h.step(1000)
    assert h.current(1) > 0


def test_max_starts_per_hour(tmp_path):
    cfg = config(tmp_path, 9, contracted_w=11000, charging={"max_starts_per_hour": 2}, wallboxes=wallboxes(1))
    h = ControlHarness(cfg)
    _plug_in(h, [1], 1000)  # start 1
    h.step(9000)
    h.step(1000)  # start 2
    h.step(9000)
    h.step(1000)
    assert h.decided(1) == (0.0, R.MAX_STARTS)
    h.advance(3600)
    h.step(1000)
    assert h.current(1) > 0


def test_nothing_for_a_wallbox_without_vehicle_or_in_fault(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(3)))
    h.wallbox(1, "available").wallbox(2, "fault").wallbox(3, "connected", registered=False)
    h.step(0)
    assert [h.reason(a) for a in (1, 2, 3)] == [R.NO_VEHICLE, R.UNAVAILABLE, R.UNAVAILABLE]
    assert [h.current(a) for a in (1, 2, 3)] == [0, 0, 0]


def test_a_session_carried_on_after_a_restart_is_not_paused_by_the_first_stale_decision(tmp_path):
    from types import MappingProxyType

    from connext.control.state import BoxMemory

    h = ControlHarness(config(tmp_path, 9, contracted_w=22000, charging={"min_off_s": 300}, wallboxes=wallboxes(1)))
    h.wallbox(1, "connected")
    h.step(1000)
    session = h.session(1)
    assert session.on
    h.memory = h.memory._replace(boxes=MappingProxyType({1: BoxMemory(session, 500.0, 500.0)}))  # as restored
    h.advance(1)
    h.wallbox(1, "charging", current_a=16.0, session_energy_wh=520.0)  # before any meter reading
    h.readings.meter = None
    h.decide()
    assert (h.current(1), h.reason(1)) == (6.0, R.STALE_METER)  # the safe current, not a pause
    h.step(1000)
    assert h.current(1) == 30.4  # the meter is back: (22000 - 1000) / 690, no min_off_time
    assert h.memory.boxes[1].energy_wh == 520.0


def test_currents_rise_and_sessions_start_only_on_a_new_grid_reading(tmp_path):
    h = ControlHarness(config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(2)))
    _plug_in(h, [1], 1000)
    h.step(1000)
    assert h.current(1) == 14.4  # (11000 - 1000) / 690
    h.wallbox(1, "charging", current_a=2.0)  # between two meter readings the car draws less,
    h.wallbox(2, "connected")  # and a second car arrives
    h.advance(0.5)
    h.decide()  # no new grid reading: the budget is the one of the last reading's time
    assert h.current(1) == 14.4  # not paused on mixed-up data
    assert h.current(2) == 0.0  # and nothing starts
    h.step(1000)  # a new meter reading
    assert (h.current(1), h.current(2)) == (7.2, 7.2)
