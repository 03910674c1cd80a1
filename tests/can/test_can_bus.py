"""The CanBus actor on a real virtual bus: bad frames, echoes, bus faults and reopening."""

from __future__ import annotations

import can
from support.can_rig import wait_for

from connext.actors.messages import SendWallboxFrame, SetChargeCurrent
from connext.core.metrics import REGISTRY
from connext.protocols.wallbox_frames import Identify
from connext.sim.wallbox import SimWallbox


def _bad(address: str, reason: str) -> float:
    return REGISTRY.get_sample_value("connext_can_frames_bad_total", {"address": address, "reason": reason}) or 0.0


def test_bad_frames_are_counted_and_dropped_and_the_wallbox_carries_on(make_rig):
    rig = make_rig({"address": 4, "serial": "WB4"})
    sim = rig.simulator(SimWallbox(4, "WB4"))
    rig.wait_state(4, "available", sim)
    before = {reason: _bad("4", reason) for reason in ("length", "unknown_id", "value")}
    assert sim.send_bad_frames(4) == 3
    with can.Bus(interface="virtual", channel=rig.channel) as stranger:
        stranger.send(can.Message(arbitration_id=0x1ABCDE, data=b"\x01", is_extended_id=True))
    rig.settle(sim)
    bus = wait_for(lambda: (s := rig.snapshot("can-bus"))["frames"]["bad"] == 4 and s, "4 bad frames counted")
    for reason in ("length", "unknown_id", "value"):
        assert _bad("4", reason) == before[reason] + 1, reason
    assert bus["open"] is True
    assert bus["generation"] == 1  # bad frames are not bus faults
    rig.cycle(sim)
    assert rig.wallbox(4)["state"] == "available"
    assert rig.directory.record("can-bus").restarts == 0


def test_frames_to_send_go_out_with_the_heartbeat_and_echoes_are_ignored(make_rig):
    rig = make_rig()
    with can.Bus(interface="virtual", channel=rig.channel) as listener:
        rig.heartbeat()
        rig.ask("can-bus", SendWallboxFrame(Identify(9)))
        heard = [listener.recv(5), listener.recv(5)]
        # a frame in the controller's direction heard on the bus is not routed to a wallbox
        listener.send(can.Message(arbitration_id=0x020, data=b"\x05", is_extended_id=False))
    assert [(m.arbitration_id, bytes(m.data)) for m in heard] == [(0x020, b"\x01"), (0x109, b"")]
    assert all(not m.is_extended_id for m in heard)
    wait_for(lambda: rig.snapshot("can-bus")["frames"]["echo"] == 1, "the echo ignored")
    assert rig.snapshot("can-bus")["heard"] == {}


def test_a_read_fault_closes_and_reopens_the_bus(make_rig):
    rig = make_rig({"address": 2, "serial": "WB2"})
    sim = rig.simulator(SimWallbox(2, "WB2"))
    rig.wait_state(2, "available", sim)
    errors = REGISTRY.get_sample_value("connext_can_bus_errors_total") or 0.0
    link = rig.ref("can-bus").proxy().link.get(timeout=5)
    link.bus.shutdown()  # the socket dies under the reader: recv() now raises
    down = wait_for(lambda: (s := rig.snapshot("can-bus"))["open"] is False and s, "the bus closed")
    assert "read" in down["last_error"]
    assert REGISTRY.get_sample_value("connext_can_bus_errors_total") == errors + 1
    assert REGISTRY.get_sample_value("connext_can_bus_up") == 0
    rig.ask("wallbox-2", SetChargeCurrent(2, 10, 3, "test"))  # sent while down: counted, not raised
    wait_for(lambda: rig.snapshot("can-bus")["frames"]["unsent"] >= 1, "the unsent frame counted")
    rig.clock.advance(1.0)
    rig.heartbeat()  # the tick reopens, then beats
    up = rig.snapshot("can-bus")
    assert up["open"] is True
    assert up["generation"] == 2
    rig.cycle(sim)
    rig.wait_state(2, "available", sim)
    wait_for(lambda: sim.wallboxes[2].limit_a == 10.0, "the setpoint reaches the wallbox after the reopen")


def test_a_bus_that_cannot_open_is_retried_with_backoff(make_rig):
    rig = make_rig(interface="socketcan", channel="vcan-missing")  # no such interface here
    bus = rig.snapshot("can-bus")
    assert bus["open"] is False
    assert "open" in bus["last_error"]
    rig.clock.advance(1.0)
    rig.heartbeat()
    second = rig.snapshot("can-bus")
    assert second["generation"] == 2
    assert second["reopen_in_s"] == 2.0  # 1 s, then 2 s, doubling up to 30 s
    rig.heartbeat()
    assert rig.snapshot("can-bus")["generation"] == 2  # not due yet
    assert rig.directory.record("can-bus").status == "running"  # a bus fault is not a crash


def test_heartbeat_counter_wraps(make_rig):
    rig = make_rig()
    sent = REGISTRY.get_sample_value("connext_can_heartbeats_sent_total") or 0.0
    with can.Bus(interface="virtual", channel=rig.channel) as listener:
        for _ in range(257):
            rig.heartbeat()
        counters = [listener.recv(5).data[0] for _ in range(257)]
    assert counters[:2] == [1, 2]
    assert counters[254:] == [255, 0, 1]
    assert REGISTRY.get_sample_value("connext_can_heartbeats_sent_total") == sent + 257
