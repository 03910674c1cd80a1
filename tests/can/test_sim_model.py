"""The simulated wallbox as a pure model: announce, status cycle, sessions, fallback."""

from __future__ import annotations

from connext.protocols.wallbox_can import Version
from connext.protocols.wallbox_frames import (
    CardPresented,
    CardSlot,
    Currents,
    Energy,
    Heartbeat,
    Identify,
    Identity,
    SerialPart,
    SetCurrent,
    SetFallback,
    Start,
    Status,
    Stop,
)
from connext.sim.ev import EvModel
from connext.sim.wallbox import SimWallbox


def _ev(max_a: float = 16, phases: int = 3) -> EvModel:
    return EvModel(battery_wh=60_000, soc=0.3, max_current_a=max_a, phases=phases)


def _last(frames: list, kind: type):
    return [f for f in frames if isinstance(f, kind)][-1]


def test_plug_and_play_announces_at_boot_and_reports_status():
    box = SimWallbox(4, "WB4", firmware=Version(1, 0, 493))
    box.boot(0.0)
    frames = box.take_outbox()
    assert [type(f) for f in frames[:2]] == [SerialPart, Identity]
    box.advance(0.0)
    cycle = box.take_outbox()
    assert [type(f) for f in cycle] == [Status, Currents, Energy]
    assert cycle[0].state == "A"


def test_online_mode_is_silent_until_addressed():
    box = SimWallbox(2, "WB2", mode="online")
    box.boot(0.0)
    box.advance(5.0)
    assert box.take_outbox() == []
    box.handle(Heartbeat(0, 1), 5.0)  # a broadcast does not wake it
    box.advance(6.0)
    assert box.take_outbox() == []
    box.handle(Identify(2), 6.0)
    box.advance(6.0)
    kinds = {type(f) for f in box.take_outbox()}
    assert {SerialPart, Identity, Status, Energy} <= kinds


def test_online_session_needs_start_and_counts_energy():
    box = SimWallbox(1, "WB1", mode="online")
    box.boot(0.0)
    box.handle(Heartbeat(0, 1), 0.0)
    box.plug_in(_ev(), 0.0)
    assert box.state == "B"
    box.handle(SetCurrent(1, 10.0, 3), 0.0)
    box.handle(Start(1), 0.0)
    assert box.state == "C"
    box.handle(Heartbeat(0, 2), 3.0)
    box.advance(3.6)
    assert 3.6 * 10 * 230 * 3 / 3600 * 0.99 < box.session_wh < 3.6 * 10 * 230 * 3 / 3600 * 1.01
    energy = _last(box.take_outbox(), Energy)
    assert energy.power_w == 6900
    box.handle(Stop(1), 3.6)
    assert box.state == "B"
    box.unplug(4.0)
    assert box.state == "A"


def test_fallback_caps_the_limit_without_heartbeat_and_keeps_it():
    box = SimWallbox(1, "WB1", mode="plug_and_play")
    box.boot(0.0)
    box.handle(SetFallback(1, 2.0, 6.0), 0.0)
    box.handle(SetCurrent(1, 16.0, 3), 0.0)
    box.plug_in(_ev(), 0.0)
    box.advance(2.0)
    assert box.limit_a == 16.0
    assert not box.fallback
    box.advance(2.1)
    assert box.fallback
    assert box.limit_a == 6.0
    status = _last(box.take_outbox(), Status)
    assert status.fallback
    assert status.limit_a == 6.0
    box.handle(SetCurrent(1, 16.0, 3), 2.2)  # while in fallback: capped
    assert box.limit_a == 6.0
    box.handle(Heartbeat(0, 1), 3.0)
    assert not box.fallback
    assert box.limit_a == 6.0
    box.handle(SetCurrent(1, 12.0, 3), 3.0)
    assert box.limit_a == 12.0


def test_fallback_to_zero_stops_drawing():
    box = SimWallbox(1, "WB1")
    box.boot(0.0)
    box.handle(SetFallback(1, 1.0, 0.0), 0.0)
    box.plug_in(_ev(), 0.0)
    assert box.state == "C"
    box.advance(1.5)
    assert box.state == "B"
    assert box.current_a == 0.0


def test_offline_mode_starts_on_a_listed_card():
    box = SimWallbox(3, "WB3", mode="offline")
    box.boot(0.0)
    box.handle(CardSlot(3, 0, bytes.fromhex("04A1B2C3")), 0.0)
    box.plug_in(_ev(), 0.0)
    box.present_card(bytes.fromhex("DEADBEEF"), 0.0)
    assert box.state == "B"
    box.present_card(bytes.fromhex("04A1B2C3"), 0.0)
    assert box.state == "C"
    assert _last(box.take_outbox(), CardPresented).uid == bytes.fromhex("04A1B2C3")


def test_single_phase_vehicle_draws_on_one_phase_and_respects_its_maximum():
    box = SimWallbox(1, "WB1")
    box.boot(0.0)
    box.handle(Heartbeat(0, 1), 0.0)
    box.plug_in(_ev(max_a=13, phases=1), 0.0)
    box.take_outbox()
    box.advance(0.0)
    frames = box.take_outbox()
    assert _last(frames, Currents).current_a == (13.0, 0.0, 0.0)
    assert _last(frames, Status).vehicle_max_current_a == 13


def test_muted_wallbox_sends_nothing():
    box = SimWallbox(1, "WB1")
    box.boot(0.0)
    box.take_outbox()
    box.muted = True
    box.advance(10.0)
    assert box.take_outbox() == []
