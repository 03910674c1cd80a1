"""Supervision: a can-bus crash leaves the wallbox actors and their sessions alone; a
site controller given up puts the wallboxes on their safe current."""

from __future__ import annotations

from support.can_rig import wait_for

from connext.actors.messages import SetChargeCurrent
from connext.sim.wallbox import SimWallbox

SERIAL = "WB0000000001"


def _charging(rig, safe_current_a=6):
    sim = rig.simulator(SimWallbox(1, SERIAL))
    rig.wait_state(1, "available", sim)
    box = sim.wallboxes[1]
    wait_for(lambda: box.safe_current_a == safe_current_a, "the wallbox configured")
    sim.plug_in(1)
    rig.ask("wallbox-1", SetChargeCurrent(1, 16, 3, "test"))
    rig.wait_state(1, "charging", sim, limit_a=16.0)
    return sim, box


def test_a_can_bus_crash_restarts_only_can_bus_and_keeps_the_session(make_rig):
    rig = make_rig({"address": 1, "serial": SERIAL, "mode": "plug_and_play"})
    sim, box = _charging(rig)
    for _ in range(10):
        rig.cycle(sim, seconds=2)  # heartbeats within the 5 s fallback timeout
    before = wait_for(lambda: (s := rig.wallbox(1))["session_energy_wh"] == int(box.session_wh) and s, "energy")
    wallbox_urn = rig.directory.ref("wallbox-1").actor_urn
    bus_urn = rig.directory.ref("can-bus").actor_urn

    rig.crash("can-bus")
    rig.frames_lost = sim.frames_sent  # nothing reads the bus until the restart
    rig.supervise(1.0)  # past the first backoff (0.5 s)
    wait_for(lambda: rig.directory.record("can-bus").status == "running", "can-bus restarted")
    assert rig.directory.ref("can-bus").actor_urn != bus_urn
    assert rig.snapshot("can-bus")["open"] is True

    for _ in range(10):
        rig.cycle(sim, seconds=2)  # heartbeats within the 5 s fallback timeout
    after = wait_for(lambda: (s := rig.wallbox(1))["session_energy_wh"] == int(box.session_wh) and s, "energy")
    assert after["state"] == "charging"
    assert after["session_energy_wh"] > before["session_energy_wh"]
    assert after["session"]["started_at"] == before["session"]["started_at"]  # the same session object
    assert after["session"]["joined"] is False
    assert rig.directory.ref("wallbox-1").actor_urn == wallbox_urn
    assert rig.directory.record("wallbox-1").restarts == 0
    assert rig.directory.record("can-bus").restarts == 1
    assert box.heartbeats > 0
    assert not box.fallback


def test_site_controller_given_up_sends_the_safe_current_and_stops_the_heartbeat(make_rig):
    rig = make_rig({"address": 1, "serial": SERIAL, "mode": "plug_and_play"}, supervisor={"intensity": 1})
    sim, box = _charging(rig)
    rig.crash("site-controller")
    rig.supervise(1.0)
    wait_for(lambda: rig.directory.record("site-controller").status == "running", "site-controller restarted")
    rig.crash("site-controller")  # the second failure within the period: given up
    wait_for(lambda: rig.directory.record("site-controller").status == "degraded", "site-controller degraded")

    wait_for(lambda: box.limit_a == 6.0, "the safe current sent at once")
    snapshot = rig.wallbox(1)
    assert snapshot["safe_reason"] == "the site controller was given up"
    assert rig.snapshot("can-bus")["heartbeat"] is False
    beats = box.heartbeats
    rig.cycle(sim, seconds=10)
    assert box.heartbeats == beats
    assert box.fallback  # the wallbox's own timer fired as well

    rig.supervise(60.0)  # the degraded retry: the site controller is back
    wait_for(lambda: rig.snapshot("can-bus")["heartbeat"] is True, "the heartbeat resumed")
    rig.cycle(sim)
    wait_for(lambda: box.heartbeats > beats, "heartbeats on the bus again")
    assert rig.wallbox(1)["requested_a"] is None  # holds the safe current until a new setpoint
    assert box.limit_a == 6.0
    rig.ask("wallbox-1", SetChargeCurrent(1, 12, 3, "test"))
    wait_for(lambda: box.limit_a == 12.0, "the new setpoint applied")
