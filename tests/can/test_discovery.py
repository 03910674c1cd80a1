"""Discovery, registration by serial, the firmware gate: real frames on a virtual bus."""

from __future__ import annotations

from support.can_rig import wait_for

from connext.actors.messages import RegisterWallbox, SetChargeCurrent, StartCharging, UnregisterWallbox
from connext.actors.wallbox_registry import settings_from
from connext.protocols.wallbox_can import Version
from connext.sim.wallbox import SimWallbox


def test_a_plug_and_play_wallbox_is_detected_not_registered(make_rig):
    rig = make_rig()
    sim = rig.simulator(SimWallbox(5, "WBNEW0005", firmware=Version(1, 0, 500)))
    snapshot = rig.wait_state(5, "detected", sim, firmware="1.0.500")
    assert snapshot["registered"] is False
    assert snapshot["serial"] == "WBNEW0005"
    assert snapshot["firmware"] == "1.0.500"
    assert "5" in rig.snapshot("can-bus")["heard"]
    published = wait_for(lambda: rig.statuses(5), "a WallboxStatus for address 5")
    assert published[-1].state == "detected"
    assert not published[-1].registered
    reply = rig.ask("wallbox-5", StartCharging(5))
    assert reply["sent"] is False
    assert "detected" in reply["why"]


def test_registering_the_serial_at_run_time_drives_it(make_rig):
    rig = make_rig()
    sim = rig.simulator(SimWallbox(6, "WB6"))
    rig.wait_state(6, "detected", sim, firmware="1.2.0", limit_a=32.0)  # identity and status heard
    wrong = rig.ask("wallbox-6", RegisterWallbox(settings_from({"address": 6, "serial": "OTHER"})))
    assert wrong["registered"] is False
    assert "reports serial WB6" in wrong["why"]
    reply = rig.ask("wallbox-6", RegisterWallbox(settings_from({"address": 6, "serial": "WB6", "safe_current_a": 0})))
    assert reply == {"registered": True, "state": "available"}
    box = sim.wallboxes[6]
    wait_for(lambda: box.safe_current_a == 0.0 and box.mode == "online", "fallback and mode configured")
    assert box.fallback_timeout_s == rig.config.can.fallback_timeout_s


def test_a_configured_wallbox_in_online_mode_is_woken_by_identify(make_rig):
    rig = make_rig({"address": 2, "serial": "WB2", "max_current_a": 16})
    sim = rig.simulator(SimWallbox(2, "WB2", mode="online"))
    assert rig.wallbox(2)["state"] == "offline"  # registered, not heard yet
    rig.tick_wallboxes(2)  # the tick sends IDENTIFY to a silent registered wallbox
    snapshot = rig.wait_state(2, "available", sim)
    assert snapshot["registered"] is True
    assert snapshot["source"] == "config"


def test_serial_mismatch_is_not_driven(make_rig):
    rig = make_rig({"address": 3, "serial": "EXPECTED"})
    sim = rig.simulator(SimWallbox(3, "SOMEONE-ELSE"))
    snapshot = rig.wait_state(3, "detected", sim, firmware="1.2.0")
    assert snapshot["registered"] is False
    assert snapshot["registered_serial"] == "EXPECTED"
    reply = rig.ask("wallbox-3", SetChargeCurrent(3, 10, 3, "test"))
    assert reply["sent"] is False


def test_old_firmware_needs_support_and_is_never_driven(make_rig):
    rig = make_rig({"address": 1, "serial": "OLD1"}, {"address": 2, "serial": "OLD2"})
    sim = rig.simulator(
        SimWallbox(1, "OLD1", firmware=Version(1, 0, 492)),
        SimWallbox(2, "OLD2", firmware=Version(0, 9, 999)),
    )
    for address in (1, 2):
        rig.wait_state(address, "needs_support", sim)
    sim.plug_in(1)
    wait_for(lambda: rig.wallbox(1)["vehicle_max_current_a"] is not None, "the vehicle reported")
    for command in (StartCharging(1), SetChargeCurrent(1, 10, 3, "test")):
        reply = rig.ask("wallbox-1", command)
        assert reply["sent"] is False
        assert "1.0.493" in reply["why"]
    commands_heard = sim.wallboxes[1].commands
    rig.cycle(sim)
    rig.cycle(sim)
    assert sim.wallboxes[1].commands == commands_heard  # no frame was addressed to it
    assert sim.wallboxes[1].mode == "plug_and_play"  # not even configured


def test_only_addresses_heard_or_registered_tick(make_rig):
    rig = make_rig({"address": 2, "serial": "WB2"})
    assert "wallbox-2" in rig.ticker.jobs()  # registered: watched for IDENTIFY and offline
    assert "wallbox-5" not in rig.ticker.jobs()  # absent: nothing for time to change
    sim = rig.simulator(SimWallbox(5, "WBNEW0005"))
    rig.wait_state(5, "detected", sim)
    assert "wallbox-5" in rig.ticker.jobs()  # heard: it may go offline
    rig.ask("wallbox-7", RegisterWallbox(settings_from({"address": 7, "serial": "WB7"})))
    assert rig.wallbox(7)["state"] == "offline"
    assert "wallbox-7" in rig.ticker.jobs()
    rig.ask("wallbox-7", UnregisterWallbox(7))
    assert rig.wallbox(7)["state"] == "absent"
    assert "wallbox-7" not in rig.ticker.jobs()


def test_a_talking_wallbox_is_not_ticked_until_it_falls_silent(make_rig):
    rig = make_rig()
    sim = rig.simulator(SimWallbox(5, "WBNEW0005"))
    rig.wait_state(5, "detected", sim)
    rig.settle(sim)
    rig.wallbox(5)  # the actor has handled every frame: the last one was heard now
    due = []
    for _ in range(3):
        rig.clock.advance(1.0)
        due.append("wallbox-5" in {job.key for job in rig.ticker._pop_due()})
    assert due == [False, True, True]  # postponed by 1.5 s, then every second
