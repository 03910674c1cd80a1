"""The SiteController and Recorder actors: event-driven decisions, commands only on change,
safe current when stale, SiteUpdate, strategy changes and sessions on SQLite."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from support.control_actors import ControlActors, wait_for
from support.control_site import config, wallboxes

from connext.actors.messages import (
    InverterReading,
    MeterReading,
    SetChargeCurrent,
    SetStrategy,
    SiteUpdate,
    StartCharging,
    StopCharging,
    Tick,
    WallboxStatus,
)
from connext.control import reasons as R

V = 230.0


@pytest.fixture
def cfg(tmp_path):
    return config(tmp_path, 9, contracted_w=11000, wallboxes=wallboxes(1))


@pytest.fixture
def site(cfg, clock):
    return ControlActors(cfg, clock)


def meter(clock, grid_w: float) -> MeterReading:
    return MeterReading(32, clock.monotonic(), grid_w, (grid_w / 3,) * 3, (V,) * 3, (0.0,) * 3)


def status(clock, state: str = "connected", current_a: float = 0.0, energy_wh: float = 0.0, **kw) -> WallboxStatus:
    return WallboxStatus(
        1,
        clock.monotonic(),
        state,
        True,
        current_a * 3 * V,
        (current_a,) * 3,
        energy_wh,
        3,
        32.0,
        None,
        current_a,
        **kw,
    )


def rows(cfg, sql: str) -> list[tuple]:
    with sqlite3.connect(cfg.storage.path) as db:
        return db.execute(sql).fetchall()


def test_decides_on_every_reading_and_sends_only_changes(site, clock):
    site.tell(status(clock))
    site.tell(meter(clock, -1000))  # 10000 W for the car: 14.4 A
    site.settle()
    commands = site.received(kind=SetChargeCurrent)
    assert commands[-1].current_a == 14.4
    assert commands[-1].reason in (R.CONTRACT_LIMIT, R.PHASE_LIMIT)  # balanced: both bind
    assert any(isinstance(m, StartCharging) for m in site.received())
    for _ in range(3):  # the same reading again: nothing new to say
        site.tell(meter(clock, -1000))
    site.settle()
    assert len(site.received(kind=SetChargeCurrent)) == len(commands)
    site.tell(status(clock, "charging", 14.4))
    site.tell(meter(clock, -1000 - 14.4 * 3 * V - 3000))  # the house steps up by 3000 W
    site.settle()
    assert site.received(kind=SetChargeCurrent)[-1].current_a == 10.1  # corrected on this very reading


def test_stale_meter_gives_the_safe_current(site, clock):
    site.tell(status(clock))
    site.tell(meter(clock, -1000))
    site.settle()
    clock.advance(1)
    site.tell(status(clock, "charging", 14.4))
    site.settle()
    clock.advance(3.5)  # the meter's last reading is now older than meter.stale_after_s
    site.tell(Tick("watchdog"))
    site.settle()
    last = site.received(kind=SetChargeCurrent)[-1]
    assert (last.current_a, last.reason) == (6.0, R.STALE_METER)
    assert tuple(site.snapshot()["site"]["stale"]) == ("grid",)


def test_site_update_goes_to_the_output_controller_and_is_measured(site, clock, cfg):
    site.tell(status(clock, "available"))
    for _ in range(4):
        site.tell(meter(clock, -1200))
        site.settle()  # handled before the clock moves on
        clock.advance(15)
    site.tell(Tick("flush"), "recorder")
    site.settle()
    update = wait_for(lambda: site.received("output-controller", SiteUpdate), what="a SiteUpdate")[-1]
    assert (update.grid_power_w, update.house_power_w, update.strategy) == (-1200, 1200, "fast")
    assert update.wallboxes[0].reason == R.NO_VEHICLE
    [(grid_w, import_wh, period_s)] = rows(cfg, "SELECT grid_w, import_wh, period_s FROM measurements")
    assert (grid_w, period_s) == (-1200, 60)
    assert import_wh == pytest.approx(20)  # 1200 W for 60 s


def test_strategy_change_refused_during_a_session_and_kept_after_a_restart(site, clock, cfg):
    refused = site.ask(SetStrategy("user", "eco_pure"))
    assert "owner or administrator" in refused["refused"]
    site.tell(status(clock))
    site.tell(meter(clock, -500))
    site.settle()
    refused = site.ask(SetStrategy("owner", "eco_pure"))
    assert "session is in progress (wallbox 1 since" in refused["refused"]
    site.tell(status(clock, "available"))
    site.settle()
    done = site.ask(SetStrategy("owner", "km_repeated", (("km_distance_km", 30),)))
    assert done == {"strategy": "km_repeated", "parameters": {"km_distance_km": 30, "km_consumption_wh_per_km": 160}}
    site.settle()
    site.stop_control()
    site.start_control()
    assert site.snapshot()["strategy"]["name"] == "km_repeated"
    assert site.snapshot()["strategy"]["parameters"]["km_distance_km"] == 30


def test_sessions_are_recorded_and_carried_on_after_a_restart(site, clock, cfg):
    site.ask(SetStrategy("owner", "km_single", (("km_distance_km", 10), ("km_consumption_wh_per_km", 150))))
    site.tell(status(clock, card_uid="CARD-7"))
    site.tell(meter(clock, -500))
    site.settle()
    clock.advance(11)  # energy progress is recorded at most every 10 s
    site.tell(status(clock, "charging", 14.4, energy_wh=800))
    site.tell(meter(clock, -500 - 14.4 * 3 * V))
    site.settle()
    [(key, energy, ended, strategy, card)] = rows(cfg, "SELECT key, energy_wh, ended_at, strategy, card FROM sessions")
    assert (energy, ended, strategy, card) == (800, None, "km_single", "CARD-7")
    site.stop_control()  # the controller goes away mid-session ...
    site.start_control()
    clock.advance(5)
    site.tell(status(clock, "charging", 14.4, energy_wh=1200))  # ... and the wallbox went on counting
    site.tell(meter(clock, -500 - 14.4 * 3 * V))
    site.settle()
    assert site.snapshot()["wallboxes"]["1"]["session"]["energy_wh"] == 1200
    site.tell(status(clock, "charging", 14.4, energy_wh=1500))  # 10 km x 150 Wh/km reached ...
    site.tell(meter(clock, -500 - 14.4 * 3 * V))  # ... and the next decision stops the car
    site.settle()
    assert isinstance(site.received()[-1], StopCharging)
    site.tell(status(clock, "available", energy_wh=1500))
    site.settle()
    [(key2, energy, ended, done)] = rows(cfg, "SELECT key, energy_wh, ended_at, done_reason FROM sessions")
    assert (key2, energy, done) == (key, 1500, R.KM_TARGET_REACHED)
    assert ended is not None
    assert site.snapshot()["strategy"]["name"] == "fast"  # km_single gave way to what was before it


def test_a_status_with_new_measurements_only_waits_for_the_next_decision(site, clock):
    site.tell(status(clock))
    site.tell(meter(clock, -1000))
    clock.advance(1)
    site.tell(status(clock, "charging", 14.4, energy_wh=10))  # a new state: decided at once
    site.settle()
    decisions = site.snapshot()["decisions"]
    commands, updates = len(site.received()), len(site.received("output-controller", SiteUpdate))
    clock.advance(1)
    site.tell(status(clock, "charging", 12.0, energy_wh=20))  # only its measurements moved
    site.settle()
    assert site.snapshot()["decisions"] == decisions
    assert (len(site.received()), len(site.received("output-controller", SiteUpdate))) == (commands, updates)
    site.tell(meter(clock, -1000 - 12.0 * 3 * V))  # the next reading takes them in
    site.settle()
    assert site.received("output-controller", SiteUpdate)[-1].wallboxes[0].power_w == 12.0 * 3 * V
    assert site.snapshot()["wallboxes"]["1"]["session"]["energy_wh"] == 20


def test_a_status_with_a_new_fact_is_decided_at_once(site, clock):
    site.tell(status(clock))
    site.tell(meter(clock, -1000))
    clock.advance(1)
    site.tell(status(clock, "charging", 14.4))
    site.settle()
    clock.advance(1)
    site.tell(dataclasses.replace(status(clock, "charging", 14.4), vehicle_max_current_a=10.0))  # another car limit
    site.settle()
    assert site.received(kind=SetChargeCurrent)[-1].current_a == 10.0
    clock.advance(1)
    site.tell(status(clock, "available"))  # unplugged
    site.settle()
    assert site.received("output-controller", SiteUpdate)[-1].wallboxes[0].reason == R.NO_VEHICLE
    assert site.snapshot()["wallboxes"]["1"]["session"] is None


def test_a_status_after_a_silence_is_decided_at_once(site, clock, cfg):
    site.tell(status(clock, "available"))
    site.settle()
    decisions = site.snapshot()["decisions"]
    clock.advance(2 * cfg.can.offline_after_s + 1)  # the last status counts as offline now
    site.tell(status(clock, "available"))
    site.settle()
    assert site.snapshot()["decisions"] == decisions + 1


def test_a_pv_reading_goes_into_the_next_grid_decision(tmp_path, clock):
    site = ControlActors(config(tmp_path, 5, contracted_w=11000, wallboxes=wallboxes(1)), clock)
    site.tell(InverterReading(1, clock.monotonic(), 3000.0))
    site.tell(meter(clock, 2000))
    site.settle()
    decisions = site.snapshot()["decisions"]
    clock.advance(1)
    site.tell(InverterReading(1, clock.monotonic(), 2500.0))  # the PV inverter is not the grid source
    site.settle()
    assert site.snapshot()["decisions"] == decisions
    site.tell(meter(clock, 1500))
    site.settle()
    assert site.received("output-controller", SiteUpdate)[-1].pv_power_w == 2500.0


def test_a_reading_of_the_grid_inverter_is_decided_at_once(tmp_path, clock):
    site = ControlActors(config(tmp_path, 1, contracted_w=7000, wallboxes=wallboxes(1, phases=1)), clock)
    site.tell(dataclasses.replace(status(clock), current_a=(0.0, 0.0, 0.0), phases=1))
    site.tell(InverterReading(1, clock.monotonic(), 0.0, grid_power_w=-1000.0))  # the hybrid inverter reads the grid
    site.settle()
    assert site.received(kind=SetChargeCurrent)[-1].current_a == 26.0  # 6000 W / 230 V on one phase


def test_site_updates_at_most_twice_a_second_unless_a_setpoint_changes(site, clock):
    def updates() -> int:
        site.settle()
        return len(site.received("output-controller", SiteUpdate))

    site.tell(status(clock))
    site.tell(meter(clock, -1000))
    first = updates()
    clock.advance(0.1)
    site.tell(meter(clock, -1000))  # a new reading, the same setpoint
    assert updates() == first
    clock.advance(0.5)
    site.tell(meter(clock, -1000))
    assert updates() == first + 1  # half a second on
    clock.advance(0.1)
    site.tell(meter(clock, -1000 - 3000))  # the house steps up: a lower setpoint
    assert updates() == first + 2
    assert site.received("output-controller", SiteUpdate)[-1].wallboxes[0].setpoint_a < 14.4
