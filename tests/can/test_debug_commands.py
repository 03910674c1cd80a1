"""The wallbox debug commands over a real Unix socket, and registrations kept in the store."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.can_rig import CanRig, wait_for

from connext.actors.debug_socket import DebugServer
from connext.actors.messages import UnregisterWallbox
from connext.actors.wallbox_commands import register_wallbox_commands
from connext.bin.debug_client import request
from connext.sim.wallbox import SimWallbox


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cx") as folder:  # short: a socket path has ~100 bytes
        yield Path(folder)


def _serve(rig: CanRig, path: Path) -> DebugServer:
    server = DebugServer(path, rig.clock)
    register_wallbox_commands(server, rig.directory, rig.config, rig.clock)
    server.start()
    return server


def test_detected_wallboxes_are_listed_and_registered_by_serial(make_rig, socket_dir):
    rig = make_rig({"address": 1, "serial": "WB1"})
    sim = rig.simulator(SimWallbox(1, "WB1"), SimWallbox(7, "NEWCOMER7"))
    server = _serve(rig, socket_dir / "d.sock")
    try:
        ask = lambda payload: request(str(socket_dir / "d.sock"), payload)  # noqa: E731
        rig.wait_state(7, "detected", sim, serial="NEWCOMER7", limit_a=32.0)
        rig.wait_state(1, "available", sim)
        listing = ask({"cmd": "wallboxes"})
        assert listing["ok"] is True
        assert {(w["address"], w["state"], w["registered"]) for w in listing["wallboxes"]} == {
            (1, "available", True),
            (7, "detected", False),
        }
        assert listing["can_bus"]["open"] is True

        taken = ask({"cmd": "wallbox-register", "serial": "WB1", "address": 7})
        assert taken["ok"] is False
        assert "already registered" in taken["error"]
        unknown = ask({"cmd": "wallbox-register", "serial": "NOBODY"})
        assert unknown["ok"] is False
        assert 'give its "address"' in unknown["error"]
        bad = ask({"cmd": "wallbox-register", "serial": "NEWCOMER7", "max_current_a": 100})
        assert bad["ok"] is False
        assert "max_current_a" in bad["error"]

        reply = ask({"cmd": "wallbox-register", "serial": "NEWCOMER7", "max_current_a": 16, "mode": "plug_and_play"})
        assert reply == {"ok": True, "registered": True, "state": "available"}
        snapshot = rig.wallbox(7)
        assert snapshot["source"] == "store"
        assert snapshot["max_current_a"] == 16

        sim.plug_in(7)
        assert ask({"cmd": "wallbox-current", "address": 7, "current_a": 40})["ok"] is True
        wait_for(lambda: sim.wallboxes[7].limit_a == 16.0, "clamped to the registered maximum")
        rig.wait_state(7, "charging", sim)
        assert ask({"cmd": "wallbox-stop", "address": 7}) == {"ok": True, "sent": True}
        rig.wait_state(7, "connected", sim)
        assert ask({"cmd": "wallbox-start", "address": 7}) == {"ok": True, "sent": True}
        rig.wait_state(7, "charging", sim)
        refused = ask({"cmd": "wallbox-start", "address": 3})
        assert refused["ok"] is False
        assert "absent" in refused["error"]
        assert ask({"cmd": "wallbox-unregister", "address": 1})["ok"] is False  # configured in config.toml
    finally:
        server.stop()


def test_a_run_time_registration_survives_a_restart(make_rig, socket_dir):
    first = make_rig()
    sim = first.simulator(SimWallbox(9, "KEEPME9"))
    server = _serve(first, socket_dir / "d.sock")
    try:
        first.wait_state(9, "detected", sim, serial="KEEPME9")
        reply = request(
            str(socket_dir / "d.sock"), {"cmd": "wallbox-register", "serial": "KEEPME9", "safe_current_a": 0}
        )
        assert reply["registered"] is True
    finally:
        server.stop()
    first.close()

    second = make_rig()  # the same state dir, so the same store
    snapshot = second.wallbox(9)
    assert snapshot["state"] == "offline"  # registered, not heard yet
    assert snapshot["source"] == "store"
    assert snapshot["registered_serial"] == "KEEPME9"
    sim = second.simulator(SimWallbox(9, "KEEPME9"))
    second.wait_state(9, "available", sim)
    wait_for(lambda: sim.wallboxes[9].safe_current_a == 0.0, "the stored settings applied")
    assert second.ask("wallbox-9", UnregisterWallbox(9)) == {"unregistered": True, "state": "detected"}
    third = make_rig()
    assert third.wallbox(9)["state"] == "absent"
