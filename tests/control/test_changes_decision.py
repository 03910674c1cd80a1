"""Which wallbox statuses may change a decision at once (the rest waits for the next one)."""

from __future__ import annotations

import dataclasses

import pytest
from support.control_site import config, wallboxes

from connext.actors.messages import WallboxStatus
from connext.control.decide import changes_decision
from connext.control.state import ControlSettings

BEFORE = WallboxStatus(1, 100.0, "charging", True, 7000.0, (10.0, 10.0, 10.0), 500.0, 3, 16.0, 16.0, 10.0)


@pytest.fixture
def settings(tmp_path) -> ControlSettings:
    return ControlSettings.from_config(config(tmp_path, 9, wallboxes=wallboxes(1)))


@pytest.mark.parametrize(
    "change",
    [
        {"state": "suspended"},
        {"registered": False},
        {"max_current_a": 10.0},
        {"vehicle_max_current_a": 8.0},
        {"card_uid": "04A1B2C3"},
    ],
)
def test_a_new_fact_changes_the_decision(settings, change):
    status = dataclasses.replace(BEFORE, at_s=101.0, **change)
    assert changes_decision(BEFORE, status, settings, 101.0)


def test_new_measurements_alone_do_not(settings):
    status = dataclasses.replace(
        BEFORE, at_s=101.0, power_w=6000.0, current_a=(8.7, 8.7, 8.6), session_energy_wh=502.0, limit_a=9.0
    )
    assert not changes_decision(BEFORE, status, settings, 101.0)


def test_the_first_status_and_one_after_a_silence_do(settings):
    status = dataclasses.replace(BEFORE, at_s=111.0)
    assert settings.status_stale_s == 10.0
    assert changes_decision(None, status, settings, 111.0)
    assert not changes_decision(BEFORE, status, settings, 110.0)
    assert changes_decision(BEFORE, status, settings, 110.5)  # the previous one is older than status_stale_s
