"""The output controller with a fake clock: logics drive real output actors on a
simulated board; changes and overrides persist in a real SQLite file."""

from __future__ import annotations

import pytest
from support.configs import site_config
from support.io_actors import start_actor

from connext.actors.messages import (
    EditLogic,
    EnterSafeState,
    ForceOutput,
    GetSnapshot,
    SensorReading,
    SiteUpdate,
    Tick,
)
from connext.actors.output import OutputActor
from connext.actors.output_controller import OutputControllerActor

OUTPUTS = [
    {"number": 3, "min_on_s": 0, "min_off_s": 0, "stale_after_s": 30},
    {"number": 4, "min_on_s": 0, "min_off_s": 0},
]
PV_LOGIC = {"name": "pv", "output": 3, "variable": "pv_power", "max": 4000, "min": 2500, "period_s": 900}


@pytest.fixture
def config(tmp_path):
    return site_config(tmp_path, 6, outputs=OUTPUTS, logics=[PV_LOGIC])


def start_site(directory, clock, board, config):
    for out in config.outputs:
        start_actor(directory, clock, f"output-{out.number}", OutputActor, output=out, board=board)
    return start_controller(directory, clock, config)


def start_controller(directory, clock, config):
    return start_actor(directory, clock, "output-controller", OutputControllerActor, config=config)


def update(clock, pv: float, grid: float = 0.0, stale: bool = False) -> SiteUpdate:
    return SiteUpdate(clock.monotonic(), grid, pv, None, None, 0.0, None, stale)


def step(ref, directory, message=None) -> dict:
    """Tell `message` (if any) and a Tick; return the controller's snapshot once the outputs have their command."""
    if message is not None:
        ref.tell(message)
    ref.tell(Tick())
    snap = ref.ask(GetSnapshot(), timeout=5)
    for name in ("output-3", "output-4"):
        directory.ref(name).ask(GetSnapshot(), timeout=5)
    return snap


def test_pv_ramp_switches_at_evaluations_only(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    seen = []
    for pv in (1000, 3000, 4200, 5000, 4500, 3000, 2400, 2400, 4100):
        for _ in range(15):  # a site update every minute, a tick with each
            step(ctl, directory, update(clock, pv))
            seen.append((pv, board.contact_state(3)))
            clock.advance(60)
    # evaluated every 15 minutes: at the first minute of each pv value
    changes = [(i, pv, state) for i, (pv, state) in enumerate(seen) if i == 0 or state != seen[i - 1][1]]
    assert changes == [(0, 1000, False), (30, 4200, True), (90, 2400, False), (120, 4100, True)]


def test_decision_and_logic_status_in_the_snapshot(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    snap = step(ctl, directory, update(clock, 4500))
    (logic,) = snap["logics"]
    assert (logic["in_force"], logic["closed"], logic["value"], logic["next_evaluation_in_s"]) == (
        True,
        True,
        4500,
        900,
    )
    assert snap["decisions"]["3"] == {"closed": True, "reason": "logic", "logics": ["pv"]}
    assert snap["decisions"]["4"] == {"closed": False, "reason": "no_logic_in_force", "logics": []}


def test_stale_or_missing_site_state_gives_safe_state(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    assert step(ctl, directory)["decisions"]["3"]["reason"] == "stale_site_state"  # nothing received yet
    step(ctl, directory, update(clock, 5000))
    assert board.contact_state(3) is True
    step(ctl, directory, update(clock, 5000, stale=True))
    assert board.contact_state(3) is False
    step(ctl, directory, update(clock, 5000))
    assert board.contact_state(3) is True  # fresh again: evaluated at once
    clock.advance(30.5)  # output 3: stale_after_s = 30
    snap = step(ctl, directory)
    assert (snap["decisions"]["3"]["reason"], board.contact_state(3)) == ("stale_site_state", False)


def test_edits_and_overrides_persist_across_a_restart(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    reply = ctl.ask(EditLogic("set", "pv", "owner", (("max", 3000.0), ("min", 1000.0))), timeout=5)
    assert reply["logics"][0]["max"] == 3000
    fields = (("output", 4), ("variable", "grid_export"), ("max", 1500), ("min", 300), ("group", "water"))
    ctl.ask(EditLogic("set", "boiler", "administrator", fields), timeout=5)
    ctl.ask(EditLogic("disable", "boiler", "owner"), timeout=5)
    assert "overrides" in ctl.ask(ForceOutput(4, "closed", 3600, "owner"), timeout=5)
    ctl.stop()

    ctl = start_controller(directory, clock, config)  # same database, config still says max 4000
    snap = step(ctl, directory, update(clock, 3500))
    assert [(lg["name"], lg["max"], lg["enabled"]) for lg in snap["logics"]] == [
        ("pv", 3000, True),
        ("boiler", 1500, False),
    ]
    assert [(o["output"], o["state"]) for o in snap["overrides"]] == [(4, "closed")]
    assert (board.contact_state(3), board.contact_state(4)) == (True, True)
    clock.advance(3600)
    assert step(ctl, directory, update(clock, 3500))["overrides"] == []
    assert board.contact_state(4) is False


def test_refused_changes_change_nothing(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    reply = ctl.ask(EditLogic("set", "pv", "user", (("max", 1.0),)), timeout=5)
    assert reply["problems"] == [
        'role = "user": may not set output logics: only the owner or an administrator may (SPEC §6)'
    ]
    reply = ctl.ask(EditLogic("set", "pv", "owner", (("min", 4000.0),)), timeout=5)
    assert reply["problems"] == [
        "logics[0].min = 4000.0: must be below max (4000): max closes the contact, min opens it"
    ]
    reply = ctl.ask(ForceOutput(3, "closed", 60, "user"), timeout=5)
    assert "may not force outputs" in reply["error"]
    snap = ctl.ask(GetSnapshot(), timeout=5)
    assert (snap["logics"][0]["max"], snap["logics"][0]["min"], snap["overrides"]) == (4000, 2500, [])


def test_override_release(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    step(ctl, directory, update(clock, 5000))
    ctl.ask(ForceOutput(3, "open", 600, "administrator"), timeout=5)
    step(ctl, directory, update(clock, 5000))
    assert board.contact_state(3) is False
    ctl.ask(ForceOutput(3, None, None, "owner"), timeout=5)
    step(ctl, directory, update(clock, 5000))
    assert board.contact_state(3) is True


def test_temperature_logic_uses_the_sensor_reading(directory, clock, board, tmp_path):
    frost = {"name": "frost", "output": 4, "variable": "temperature", "max": 30, "min": 25, "period_s": 60}
    config = site_config(tmp_path, 6, outputs=OUTPUTS, logics=[frost])
    ctl = start_site(directory, clock, board, config)
    ctl.tell(update(clock, 0))
    step(ctl, directory, SensorReading(clock.monotonic(), temperature_c=31.0))
    assert board.contact_state(4) is True
    clock.advance(60)
    ctl.tell(update(clock, 0))
    step(ctl, directory, SensorReading(clock.monotonic(), temperature_c=24.0))
    assert board.contact_state(4) is False


def test_shutdown_stops_commanding(directory, clock, board, config):
    ctl = start_site(directory, clock, board, config)
    ctl.ask(EnterSafeState("shutdown"), timeout=5)
    assert step(ctl, directory, update(clock, 5000))["halted"] is True
    assert board.contact_state(3) is False
