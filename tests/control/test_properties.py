"""Properties over arbitrary reading sequences: the decisions never command more than the
contracted power (and each phase's share) allows, and every current is 0 or in [6 A, max]."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.control_site import VOLTS, ControlHarness, config

from connext.control.decide import usable
from connext.control.state import MIN_CURRENT_A
from connext.control.strategy import PARAMETERS, Strategy

STATES = ("available", "connected", "charging", "suspended", "fault", "offline")
BOXES = 8

power = st.floats(-30000, 30000, allow_nan=False)
box_step = st.tuples(
    st.sampled_from(STATES),
    st.floats(0, 40),  # what the car draws per phase
    st.one_of(st.none(), st.floats(0, 40)),  # vehicle maximum
    st.floats(0, 500),  # energy added
)
reading = st.fixed_dictionaries(
    {
        "advance_s": st.sampled_from([0.25, 1.0, 4.0, 60.0, 400.0]),
        "meter": st.booleans(),  # False: a decision on wallbox events only (no new grid reading)
        "phases_w": st.tuples(power, power, power),
        "pv_w": st.floats(0, 20000),
        "boxes": st.lists(box_step, min_size=BOXES, max_size=BOXES),
    }
)


_CONFIGS: dict[float, object] = {}


def _boxes() -> list[dict]:
    return [
        {
            "address": a,
            "serial": f"WB{a}",
            "max_current_a": 16.0 + 2 * a,
            "phases": 1 if a % 3 == 0 else 3,
            "can_switch_phases": a % 2 == 0,
            "safe_current_a": 0.0 if a == 5 else 6.0,
        }
        for a in range(1, BOXES + 1)
    ]


def _check(h: ControlHarness) -> None:
    decision, site = h.decision, h.site
    commanded_w, per_phase_a = 0.0, [0.0, 0.0, 0.0]
    for sp in decision.setpoints:
        status = h.statuses[sp.address]
        box = h.settings.box(sp.address, status.max_current_a)
        cap = min(box.max_current_a, status.max_current_a, status.vehicle_max_current_a or 1e9)
        assert sp.current_a == 0.0 or MIN_CURRENT_A <= sp.current_a <= cap + 1e-9, sp
        assert sp.current_a == 0.0 or usable(status, h.settings, h.now_s), sp
        commanded_w += sp.current_a * sp.phases * VOLTS
        for i in range(3 if sp.phases == 3 else 1):
            per_phase_a[i] += sp.current_a
    if site.grid_power_w is None:
        return
    assert commanded_w <= max(0.0, decision.available_power_w) + 1e-6
    share_w = h.settings.layout.contracted_power_w / 3
    drawn_a = h.memory.grid_wallbox_a  # what the wallboxes drew when the grid value was read
    for i in range(3):
        budget_a = (share_w + site.grid_phase_power_w[i]) / VOLTS + drawn_a[i]
        assert per_phase_a[i] <= max(0.0, budget_a) + 1e-6


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(reading, min_size=1, max_size=25),
    strategy=st.sampled_from(sorted(PARAMETERS)),
    contracted_w=st.sampled_from([3000.0, 6000.0, 11000.0, 22000.0]),
)
def test_no_reading_sequence_breaks_the_limits(tmp_path_factory, steps, strategy, contracted_w):
    if contracted_w not in _CONFIGS:
        tmp: Path = tmp_path_factory.mktemp("prop")
        charging = {"min_on_s": 30, "dwell_s": 5}
        _CONFIGS[contracted_w] = config(tmp, 5, contracted_w=contracted_w, charging=charging, wallboxes=_boxes())
    h = ControlHarness(_CONFIGS[contracted_w], Strategy(name=strategy, time_start="00:00", time_duration_min=1440))
    for step in steps:
        h.advance(step["advance_s"])
        if step["meter"] and step["advance_s"] < 60.0:  # long gaps leave the meter stale
            h.meter(sum(step["phases_w"]), step["phases_w"]).inverter(1, step["pv_w"])
        for address, (state, drawn_a, vehicle_max, energy) in enumerate(step["boxes"], start=1):
            h.wallbox(address, state, current_a=drawn_a, vehicle_max_current_a=vehicle_max)
            h.statuses[address] = dataclasses.replace(
                h.statuses[address], session_energy_wh=h.statuses[address].session_energy_wh + energy
            )
        h.decide()
        _check(h)
