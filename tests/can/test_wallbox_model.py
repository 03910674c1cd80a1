"""Pure decisions of the wallbox actor: the state it reports, the setpoint clamp, sessions."""

from __future__ import annotations

import pytest

from connext.actors.wallbox_model import Heard, clamp_setpoint, derive_state, follow_session
from connext.protocols.wallbox_frames import Identity, Status


def _heard(state: str = "A", fw: tuple[int, int, int] = (1, 0, 493), flags: int = 0, error: int = 0) -> Heard:
    return Heard(
        serial="WB1",
        identity=Identity(1, *fw, 32.0, 3, "online"),
        status=Status(1, state, flags, error, None, 16.0),
        last_frame_at_s=10.0,
    )


@pytest.mark.parametrize(
    ("state", "flags", "error", "expected"),
    [
        ("A", 0, 0, "available"),
        ("B", 0, 0, "connected"),
        ("B", 1, 0, "suspended"),
        ("C", 1, 0, "charging"),
        ("D", 1, 0, "charging"),
        ("E", 0, 0, "fault"),
        ("F", 0, 0, "fault"),
        ("C", 1, 7, "fault"),
    ],
)
def test_registered_online_states(state, flags, error, expected):
    assert derive_state(True, _heard(state, flags=flags, error=error), online=True) == expected


def test_unregistered_old_firmware_offline_and_unheard():
    assert derive_state(False, _heard(), online=True) == "detected"
    assert derive_state(True, _heard(fw=(1, 0, 492)), online=True) == "needs_support"
    assert derive_state(False, _heard(fw=(0, 9, 999)), online=True) == "needs_support"
    assert derive_state(True, _heard(), online=False) == "offline"
    assert derive_state(True, Heard(), online=False) == "offline"
    assert derive_state(False, Heard(), online=False) == "absent"
    assert derive_state(True, Heard(status=_heard().status, last_frame_at_s=1.0), online=True) == "detected"


@pytest.mark.parametrize(
    ("requested", "wallbox_max", "vehicle_max", "expected", "clamped"),
    [
        (10.0, 32.0, None, 10.0, False),
        (0.0, 32.0, None, 0.0, False),
        (6.0, 32.0, 16.0, 6.0, False),
        (5.9, 32.0, None, 0.0, True),  # below 6 A: pause, never more than asked
        (-3.0, 32.0, None, 0.0, True),
        (40.0, 32.0, None, 32.0, True),
        (20.0, 32.0, 16.0, 16.0, True),  # the vehicle's maximum
        (20.0, 16.0, 32.0, 16.0, True),  # the wallbox's maximum
        (10.0, 32.0, 5.0, 0.0, True),  # a vehicle that takes less than 6 A
        (10.07, 32.0, None, 10.0, False),  # onto the 0.1 A grid, rounding down
    ],
)
def test_clamp_stays_in_zero_or_six_to_the_lowest_maximum(requested, wallbox_max, vehicle_max, expected, clamped):
    setpoint, why = clamp_setpoint(requested, wallbox_max, vehicle_max)
    assert setpoint == expected
    assert (why is not None) is clamped
    assert setpoint == 0 or 6 <= setpoint <= min(wallbox_max, vehicle_max or wallbox_max)


def test_session_from_plug_in_to_plug_out():
    session, event = follow_session(None, False, 1.0, "t1", joined=False)
    assert (session, event) == (None, None)
    session, event = follow_session(None, True, 2.0, "t2", joined=False)
    assert event == "started"
    assert session.started_at_s == 2.0
    assert not session.joined
    session.energy_wh = 1234
    same, event = follow_session(session, True, 3.0, "t3", joined=False)
    assert same is session
    assert event is None
    ended, event = follow_session(session, False, 9.0, "t9", joined=False)
    assert event == "ended"
    assert ended.ended_at_s == 9.0
    assert ended.energy_wh == 1234
    again, event = follow_session(ended, True, 10.0, "t10", joined=False)
    assert event == "started"
    assert again is not ended
