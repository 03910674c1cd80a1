"""Output logics, pure: thresholds, period, windows, dates, DST, alternatives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connext.control.output_logic import SiteValues, in_dates, in_window, variable_value
from connext.control.output_logic_plan import (
    LogicMemory,
    Override,
    decide_output,
    logics_in_force,
    step_logics,
)
from connext.core.clock import ManualClock
from connext.core.config import LogicConfig

ROME = ZoneInfo("Europe/Rome")
NOON = datetime(2026, 6, 21, 12, 0, tzinfo=ROME)


def logic(name: str = "pv", **fields) -> LogicConfig:
    base = {"name": name, "output": 3, "variable": "pv_power", "max": 4000.0, "min": 2500.0, "period_s": 900.0}
    return LogicConfig(**{**base, **fields})


def run(steps, logics, local=NOON, usable=(1, 2, 3, 4)):
    """Feed (now_s, pv_w) steps; return the memory after each."""
    memory: dict[str, LogicMemory] = {}
    out = []
    for now_s, pv in steps:
        memory = step_logics(now_s, local, logics, SiteValues(pv_power_w=pv), memory, usable)
        out.append(memory)
    return out


def test_closes_at_max_and_opens_at_min():
    steps = [(0, 3999), (900, 4000), (1800, 3000), (2700, 2501), (3600, 2500), (4500, 3999)]
    closed = [mem["pv"].closed for mem in run(steps, [logic()])]
    assert closed == [False, True, True, True, False, False]


def test_no_switch_inside_the_period():
    steps = [(0, 1000), (1, 5000), (899.9, 5000), (900, 5000), (901, 0), (1799, 0), (1800, 0)]
    closed = [mem["pv"].closed for mem in run(steps, [logic()])]
    assert closed == [False, False, False, True, True, True, False]


def test_period_is_per_logic():
    fast, slow = logic("fast", period_s=60), logic("slow", period_s=900)
    history = run([(0, 0), (60, 5000), (120, 5000)], [fast, slow])
    assert [m["fast"].closed for m in history] == [False, True, True]
    assert [m["slow"].closed for m in history] == [False, False, False]
    assert history[-1]["slow"].evaluated_at_s == 0


def test_unknown_value_opens():
    memory = run([(0, 5000)], [logic()])[-1]
    assert memory["pv"].closed
    after = step_logics(900, NOON, [logic()], SiteValues(), memory, (3,))
    assert after["pv"] == LogicMemory(True, False, 900, None)


def test_stale_output_forgets_and_reevaluates_on_return():
    memory = run([(0, 5000)], [logic()])[-1]
    stale = step_logics(10, NOON, [logic()], SiteValues(pv_power_w=5000), memory, usable_outputs=())
    assert stale["pv"] == LogicMemory()
    back = step_logics(11, NOON, [logic()], SiteValues(pv_power_w=5000), stale, usable_outputs=(3,))
    assert back["pv"].closed
    assert back["pv"].evaluated_at_s == 11


@pytest.mark.parametrize(
    ("window", "hhmm", "expected"),
    [
        ("09:00-18:00", "08:59", False),
        ("09:00-18:00", "09:00", True),
        ("09:00-18:00", "17:59", True),
        ("09:00-18:00", "18:00", False),
        ("22:00-06:00", "21:59", False),
        ("22:00-06:00", "22:00", True),
        ("22:00-06:00", "23:59", True),
        ("22:00-06:00", "00:00", True),
        ("22:00-06:00", "05:59", True),
        ("22:00-06:00", "06:00", False),
        ("", "03:00", True),
    ],
)
def test_window_edges(window, hhmm, expected):
    hours, minutes = map(int, hhmm.split(":"))
    assert in_window(window, NOON.replace(hour=hours, minute=minutes)) is expected


@pytest.mark.parametrize(
    ("dates", "day", "expected"),
    [
        ("04-01..10-31", (3, 31), False),
        ("04-01..10-31", (4, 1), True),
        ("04-01..10-31", (10, 31), True),
        ("04-01..10-31", (11, 1), False),
        ("12-01..01-31", (11, 30), False),
        ("12-01..01-31", (12, 1), True),
        ("12-01..01-31", (12, 31), True),
        ("12-01..01-31", (1, 1), True),
        ("12-01..01-31", (1, 31), True),
        ("12-01..01-31", (2, 1), False),
        ("02-29..02-29", (2, 28), False),
    ],
)
def test_date_range_edges(dates, day, expected):
    assert in_dates(dates, datetime(2028, day[0], day[1], 12, tzinfo=ROME)) is expected


def _minutes_in_window(window: str, utc_start: datetime, hours: int) -> int:
    """Real minutes, walked in UTC, during which `window` holds in Rome's wall time."""
    return sum(in_window(window, (utc_start + timedelta(minutes=i)).astimezone(ROME)) for i in range(hours * 60))


def test_dst_spring_forward_skips_the_missing_hour():
    day = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # Rome: 23:00 CET on the 28th; clocks jump 02:00 -> 03:00
    assert _minutes_in_window("02:00-03:00", day, 6) == 0
    assert _minutes_in_window("01:00-04:00", day, 6) == 120  # 3 wall hours, 2 real ones
    evening = datetime(2026, 3, 28, 19, 0, tzinfo=UTC)
    assert _minutes_in_window("22:00-06:00", evening, 12) == 7 * 60  # crosses midnight and the jump


def test_dst_fall_back_repeats_the_hour():
    day = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # Rome: 00:00 CEST on the 25th; 03:00 -> 02:00
    assert _minutes_in_window("02:00-03:00", day, 6) == 120
    evening = datetime(2026, 10, 24, 19, 0, tzinfo=UTC)
    assert _minutes_in_window("22:00-06:00", evening, 12) == 9 * 60


def test_period_counts_real_seconds_across_dst():
    clock = ManualClock(start=datetime(2026, 3, 29, 0, 0, tzinfo=UTC), monotonic_s=0.0)
    lg = logic(window="01:00-05:00", period_s=900)
    memory: dict[str, LogicMemory] = {}
    evaluations = []
    for _ in range(4 * 60):
        before = memory.get("pv")
        memory = step_logics(clock.monotonic(), clock.now().astimezone(ROME), [lg], SiteValues(0), memory, (3,))
        if memory["pv"].evaluated_at_s is not None and memory["pv"] != before:
            evaluations.append(clock.now().astimezone(ROME).strftime("%H:%M"))
        clock.advance(60)
    # in force 01:00 CET (00:00 UTC) to 05:00 CEST (03:00 UTC): 3 real hours, one evaluation per 15 min
    assert len(evaluations) == 12
    assert evaluations[:5] == ["01:00", "01:15", "01:30", "01:45", "03:00"]


def test_alternatives_one_in_force_per_group():
    day = logic("day", group="water", window="08:00-20:00")
    any_time = logic("any time", group="water", variable="grid_export")
    solo = logic("solo", output=4)
    assert logics_in_force([day, any_time, solo], NOON) == {"day", "solo"}
    assert logics_in_force([day, any_time, solo], NOON.replace(hour=21)) == {"any time", "solo"}
    assert logics_in_force([any_time, day, solo], NOON) == {"any time", "solo"}  # list order decides


def test_disabled_logic_leaves_its_group_to_the_next():
    first = logic("first", group="g", enabled=False)
    second = logic("second", group="g")
    assert logics_in_force([first, second], NOON) == {"second"}


def test_simultaneous_logics_on_one_output_or_their_wishes():
    pv = logic("pv")
    export = logic("export", variable="grid_export", max=1500, min=300)
    values = SiteValues(pv_power_w=3000, grid_power_w=2000)
    memory = step_logics(0, NOON, [pv, export], values, {}, (3,))
    assert not memory["pv"].closed
    assert memory["export"].closed
    decision = decide_output(3, [pv, export], memory, None, NOON, usable=True, safe_closed=False)
    assert (decision.closed, decision.reason, decision.logics) == (True, "logic", ("export",))


def test_alternatives_group_evaluates_only_the_chosen():
    pv = logic("pv", group="g")
    export = logic("export", group="g", variable="grid_export", max=1500, min=300)
    memory = step_logics(0, NOON, [pv, export], SiteValues(pv_power_w=3000, grid_power_w=2000), {}, (3,))
    assert memory["export"] == LogicMemory()  # not in force: no wish although its value is above max
    assert not decide_output(3, [pv, export], memory, None, NOON, True, False).closed


def test_leaving_the_window_opens():
    lg = logic(window="09:00-18:00")
    memory = step_logics(0, NOON, [lg], SiteValues(pv_power_w=5000), {}, (3,))
    assert decide_output(3, [lg], memory, None, NOON, True, False).closed
    memory = step_logics(60, NOON.replace(hour=18), [lg], SiteValues(pv_power_w=5000), memory, (3,))
    decision = decide_output(3, [lg], memory, None, NOON, True, False)
    assert (decision.closed, decision.reason) == (False, "no_logic_in_force")


def test_override_wins_then_expires_and_stale_gives_safe_state():
    lg = logic()
    memory = step_logics(0, NOON, [lg], SiteValues(pv_power_w=5000), {}, (3,))
    force_open = Override(3, False, NOON + timedelta(hours=1), "owner")
    assert decide_output(3, [lg], memory, force_open, NOON, True, False).reason == "override"
    assert not decide_output(3, [lg], memory, force_open, NOON, True, False).closed
    assert decide_output(3, [lg], memory, force_open, NOON + timedelta(hours=1), True, False).closed
    stale = decide_output(3, [lg], memory, None, NOON, usable=False, safe_closed=True)
    assert (stale.closed, stale.reason) == (True, "stale_site_state")


@pytest.mark.parametrize(
    ("variable", "values", "expected"),
    [
        ("battery_soc", SiteValues(battery_soc_pct=55.0), 55.0),
        ("grid_import", SiteValues(grid_power_w=-1200), 1200),
        ("grid_import", SiteValues(grid_power_w=800), 0),
        ("grid_export", SiteValues(grid_power_w=800), 800),
        ("grid_export", SiteValues(grid_power_w=-1200), 0),
        ("injected_power", SiteValues(pv_power_w=3000, grid_power_w=800), 800),
        ("injected_power", SiteValues(pv_power_w=500, grid_power_w=2000), 500),  # battery discharging into the grid
        ("injected_power", SiteValues(grid_power_w=800), 800),
        ("vehicle_power", SiteValues(vehicle_power_w=7400), 7400),
        ("temperature", SiteValues(temperature_c=-3.5), -3.5),
        ("grid_export", SiteValues(), None),
    ],
)
def test_variables(variable, values, expected):
    assert variable_value(variable, values) == expected
