"""Driving a registered wallbox over real frames: start/stop, clamping, sessions,
fallback, offline detection and recovery."""

from __future__ import annotations

from support.can_rig import wait_for

from connext.actors.messages import EnterSafeState, SetChargeCurrent, StartCharging, StopCharging
from connext.sim.ev import EvModel
from connext.sim.wallbox import SimWallbox

SERIAL = "WB0000000001"


def _rig_and_sim(make_rig, mode="online", **settings):
    rig = make_rig(
        {"address": 1, "serial": SERIAL, "max_current_a": 20, "mode": mode, **settings}, fallback_timeout_s=3
    )
    sim = rig.simulator(SimWallbox(1, SERIAL, mode=mode, max_current_a=32))
    rig.tick_wallboxes(1)  # IDENTIFY wakes it
    rig.wait_state(1, "available", sim)
    box = sim.wallboxes[1]
    wait_for(lambda: box.fallback_timeout_s == 3.0, "the fallback configured")
    return rig, sim, box


def test_remote_start_and_stop_with_a_vehicle_connected(make_rig):
    rig, sim, box = _rig_and_sim(make_rig)
    refused = rig.ask("wallbox-1", StartCharging(1))
    assert refused["sent"] is False
    assert "no vehicle" in refused["why"]
    sim.plug_in(1, EvModel(battery_wh=50_000, soc=0.5, max_current_a=16, phases=3))
    rig.wait_state(1, "connected", sim)
    assert rig.ask("wallbox-1", SetChargeCurrent(1, 10, 3, "test"))["sent"] is True
    assert rig.ask("wallbox-1", StartCharging(1)) == {"sent": True}
    charging = rig.wait_state(1, "charging", sim)
    assert charging["current_a"] == [10.0, 10.0, 10.0]
    assert charging["setpoint_a"] == 10.0
    assert charging["limit_a"] == 10.0
    assert rig.ask("wallbox-1", StopCharging(1)) == {"sent": True}
    rig.wait_state(1, "connected", sim)
    assert not box.enabled


def test_setpoints_are_clamped_to_wallbox_and_vehicle_maximum(make_rig):
    rig, sim, box = _rig_and_sim(make_rig, mode="plug_and_play")
    sim.plug_in(1, EvModel(battery_wh=50_000, soc=0.5, max_current_a=13, phases=1))
    rig.wait_state(1, "charging", sim, vehicle_max_current_a=13)
    rig.ask("wallbox-1", SetChargeCurrent(1, 32, 3, "test"))
    wait_for(lambda: box.limit_a == 13.0, "the vehicle's maximum")
    sim.unplug(1)
    sim.plug_in(1, EvModel(battery_wh=50_000, soc=0.5, max_current_a=32, phases=3))
    rig.cycle(sim)  # the new vehicle allows more: the setpoint follows, up to the wallbox's 20 A
    wait_for(lambda: box.limit_a == 20.0, "the wallbox's configured maximum")
    rig.ask("wallbox-1", SetChargeCurrent(1, 4.5, 3, "test"))
    wait_for(lambda: box.limit_a == 0.0, "below 6 A: pause")
    snapshot = rig.wait_state(1, "suspended", sim)
    assert snapshot["setpoint_a"] == 0.0
    assert snapshot["requested_a"] == 4.5


def test_session_energy_follows_the_wallbox_counter_and_ends_at_plug_out(make_rig):
    rig, sim, box = _rig_and_sim(make_rig, mode="plug_and_play")
    sim.plug_in(1)
    rig.ask("wallbox-1", SetChargeCurrent(1, 16, 3, "test"))
    rig.wait_state(1, "charging", sim)
    for _ in range(15):
        rig.cycle(sim, seconds=2)  # heartbeats every 2 s: within the 3 s fallback timeout
    expected_wh = int(box.session_wh)
    assert expected_wh > 60  # about 11 kW for 30 s
    snapshot = wait_for(
        lambda: (s := rig.wallbox(1))["session_energy_wh"] == expected_wh and s, "the session energy reported"
    )
    assert snapshot["session"]["ended"] is False
    assert snapshot["session"]["joined"] is False
    assert snapshot["session_started_at_s"] is not None
    sim.unplug(1)
    done = rig.wait_state(1, "available", sim)
    assert done["session"]["ended"] is True
    assert done["session"]["energy_wh"] == expected_wh
    assert rig.statuses(1)[-1].state == "available"


def test_fallback_to_the_safe_current_when_the_controller_stops(make_rig):
    rig, sim, box = _rig_and_sim(make_rig, mode="plug_and_play", safe_current_a=6)
    sim.plug_in(1)
    rig.ask("wallbox-1", SetChargeCurrent(1, 16, 3, "test"))
    wait_for(lambda: box.limit_a == 16.0, "16 A applied")
    rig.cycle(sim, seconds=2)
    assert not box.fallback
    assert box.limit_a == 16.0
    rig.cycle(sim, seconds=2, heartbeat=False)  # 2 s without heartbeat: still within 3 s
    assert not box.fallback
    rig.cycle(sim, seconds=2, heartbeat=False)  # 4 s: the wallbox falls back on its own
    assert box.fallback
    assert box.limit_a == 6.0
    snapshot = rig.wait_state(1, "charging", sim, fallback=True, limit_a=6.0)
    assert snapshot["current_a"] == [6.0, 6.0, 6.0]
    rig.cycle(sim)  # the heartbeat is back: the actor sends its setpoint again
    wait_for(lambda: box.limit_a == 16.0, "the setpoint restored")


def test_safe_state_sends_the_safe_current_at_once(make_rig):
    rig, sim, box = _rig_and_sim(make_rig, mode="plug_and_play", safe_current_a=0)
    sim.plug_in(1)
    rig.ask("wallbox-1", SetChargeCurrent(1, 16, 3, "test"))
    wait_for(lambda: box.limit_a == 16.0, "16 A applied")
    rig.ask("wallbox-1", EnterSafeState("shutdown"))
    rig.ask("can-bus", EnterSafeState("shutdown"))
    wait_for(lambda: box.limit_a == 0.0, "0 A: the safe current of this wallbox is stop")
    assert rig.snapshot("can-bus")["heartbeat"] is False
    beats = box.heartbeats
    rig.heartbeat()
    assert box.heartbeats == beats


def test_offline_detection_and_recovery(make_rig):
    rig, sim, _box = _rig_and_sim(make_rig, mode="plug_and_play")
    sim.mute(1)
    rig.cycle(sim, seconds=3)
    assert rig.wallbox(1)["state"] == "available"
    rig.cycle(sim, seconds=3)  # 6 s > can.offline_after_s (5 s)
    offline = rig.wallbox(1)
    assert offline["state"] == "offline"
    assert offline["last_frame_age_s"] >= 5
    assert rig.statuses(1)[-1].state == "offline"
    refused = rig.ask("wallbox-1", StartCharging(1))
    assert refused["sent"] is False
    assert "offline" in refused["why"]
    sim.mute(1, False)
    rig.wait_state(1, "available", sim)
    assert rig.statuses(1)[-1].state == "available"


def test_a_rebooted_wallbox_is_configured_again(make_rig):
    rig, sim, box = _rig_and_sim(make_rig, mode="online", safe_current_a=0)
    rig.ask("wallbox-1", SetChargeCurrent(1, 12, 3, "test"))
    wait_for(lambda: box.limit_a == 12.0, "12 A applied")
    sim.power_cycle(1)  # back to factory fallback, silent (online mode), full limit
    assert box.safe_current_a == 6.0
    for _ in range(6):
        rig.cycle(sim)
    rig.tick_wallboxes(1)
    wait_for(lambda: (sim.step(), box.safe_current_a == 0.0 and box.limit_a == 12.0)[1], "configured again")
