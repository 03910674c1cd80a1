"""Changing the strategy: who may, when, and with which parameters."""

from __future__ import annotations

import pytest

from connext.control.strategy import Strategy, StrategyRefused, change_strategy
from connext.core.config import ChargingConfig

BASE = ChargingConfig()


def test_owner_and_administrator_may_change_it():
    for role in ("owner", "administrator"):
        new = change_strategy(Strategy(name="fast"), BASE, role, "km_single", {"km_distance_km": 80}, [])
        assert (new.name, new.km_distance_km, new.km_target_wh) == ("km_single", 80, 80 * 160)
        assert new.fallback == "fast"


@pytest.mark.parametrize("role", ["user", None, "root"])
def test_other_roles_are_refused(role):
    with pytest.raises(StrategyRefused, match="owner or administrator"):
        change_strategy(Strategy(), BASE, role, "eco_pure", {}, [])


def test_refused_while_a_session_is_in_progress():
    with pytest.raises(StrategyRefused, match=r"in progress \(wallbox 1 since .*\)"):
        change_strategy(Strategy(), BASE, "owner", "eco_pure", {}, ["wallbox 1 since 2026-06-21T10:00:00+00:00"])


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("turbo", {}, "unknown strategy 'turbo'"),
        ("fast", {"km_distance_km": 10}, "km_distance_km: not a parameter of fast"),
        ("km_repeated", {"km_distance_km": 0}, r"charging.km_distance_km = 0: must be a distance in km 1..2000"),
        ("time_power", {"time_start": "25:00"}, r"charging.time_start = \"25:00\": must be a time of day"),
        ("time_power", {"time_power_w": "lots"}, "charging.time_power_w"),
    ],
)
def test_bad_requests_say_why(name, params, message):
    with pytest.raises(StrategyRefused, match=message):
        change_strategy(Strategy(), BASE, "owner", name, params, [])


def test_km_single_falls_back_to_the_strategy_before_it():
    eco = change_strategy(Strategy(name="fast"), BASE, "owner", "eco_mixed", {}, [])
    km = change_strategy(eco, BASE, "owner", "km_single", {}, [])
    again = change_strategy(km, BASE, "owner", "km_single", {"km_distance_km": 20}, [])
    assert (km.fallback, again.fallback) == ("eco_mixed", "eco_mixed")


def test_stored_strategy_round_trip_and_bad_values():
    s = Strategy(name="time_power", time_start="22:15", time_duration_min=90, time_power_w=7400)
    assert Strategy.from_json(s.to_json(), Strategy()) == s
    assert Strategy.from_json({"name": "nonsense"}, Strategy(name="eco_pure")).name == "eco_pure"
    assert s.parameters() == {"time_start": "22:15", "time_duration_min": 90, "time_power_w": 7400}
