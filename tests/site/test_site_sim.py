"""The whole-site simulator: the meter measures what the house, PV, battery and the cars
really draw; profiles and cars run at the speed factor; a controller's frames (lower
current, one phase, RFID list) change what the meter sees. Real python-can frames on a
`virtual` channel and real simulated Modbus devices, on a ManualClock."""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import can
import pytest
from support.configs import site_config
from support.waiting import wait_until

from connext.core.clock import ManualClock
from connext.core.config import Config, ConfigError, from_dict, load_config
from connext.protocols.wallbox_can import encode
from connext.protocols.wallbox_frames import CardSlot, Frame, SetCurrent
from connext.sim.scenario import load_scenario, parse_scenario
from connext.sim.site import SiteSim
from connext.sim.site_flows import site_flows
from connext.sim.site_rig import site_document, steady_scenario
from connext.sim.site_setup import default_scenario
from connext.sim.site_toml import to_toml

ROOT = Path(__file__).resolve().parents[2]
CAR_3PH_16A_W = 16 * 230 * 3


class Site:
    """A SiteSim on a private virtual CAN channel, and a controller's end of that channel."""

    def __init__(self, config: Config, scenario: dict[str, Any], clock: ManualClock, tmp_path: Path, speed: float):
        channel = f"site-{uuid.uuid4().hex}"
        self.sim = SiteSim(config, parse_scenario(scenario, tmp_path, site=config), speed=speed, clock=clock,
                           can_options={"interface": "virtual", "channel": channel})  # fmt: skip
        self.controller = can.Bus(interface="virtual", channel=channel)

    def send(self, frame: Frame) -> None:
        arbitration_id, data = encode(frame)
        self.controller.send(can.Message(arbitration_id=arbitration_id, data=data, is_extended_id=False))

    def meter(self, name: str = "p_w") -> float:
        assert self.sim.line is not None
        return float(self.sim.line.devices[32].get(name))  # type: ignore[arg-type]

    def close(self) -> None:
        self.controller.shutdown()
        self.sim.stop()


@contextmanager
def simulated(config: Config, scenario: dict[str, Any], clock: ManualClock, tmp_path: Path,
              speed: float = 1.0) -> Iterator[Site]:  # fmt: skip
    site = Site(config, scenario, clock, tmp_path, speed)
    try:
        yield site
    finally:
        site.close()


def config_for(tmp_path: Path, **options: Any) -> Config:
    document = site_document(tmp_path, **options)
    return from_dict(document, tmp_path)


def test_flows_per_phase_as_worked_by_hand() -> None:
    flows = site_flows(3000, 1000, (0.5, 0.3, 0.2), 600, [(10, 10, 10), (16, 0, 0)], 230, site_phases=3)
    # PV - battery per phase: 800 W; house 500/300/200 W; cars 2300 W on each phase + 3680 W on L1
    assert flows.grid_phase_w == pytest.approx((800 - 500 - 2300 - 3680, 800 - 300 - 2300, 800 - 200 - 2300))
    assert flows.grid_w == pytest.approx(3000 - 600 - 1000 - 46 * 230)
    assert flows.wallbox_w == pytest.approx(46 * 230)
    single = site_flows(3000, 1000, (1 / 3, 1 / 3, 1 / 3), 0, [(10, 0, 0)], 230, site_phases=1)
    assert single.grid_phase_w == pytest.approx((3000 - 1000 - 2300, 0, 0))


def test_the_meter_follows_the_car_when_the_controller_lowers_its_current_or_its_phases(tmp_path, clock) -> None:
    config = config_for(tmp_path, wallboxes=1)
    with simulated(config, steady_scenario(pv_w=3000, house_w=1000), clock, tmp_path) as site:
        flows = site.sim.step()  # plugged at the start; plug&play: charging at the wallbox's 16 A
        assert flows.wallbox_w == pytest.approx(CAR_3PH_16A_W)
        assert site.meter() == pytest.approx(3000 - 1000 - CAR_3PH_16A_W)
        site.send(SetCurrent(1, 8.0, 3))
        wait_until(lambda: site.sim.wallboxes.wallboxes[1].limit_a == 8.0, what="the wallbox applies 8 A")
        site.sim.step()
        assert site.meter() == pytest.approx(3000 - 1000 - 8 * 230 * 3)
        site.send(SetCurrent(1, 10.0, 1))  # one phase: only L1 carries the car
        wait_until(lambda: site.sim.wallboxes.wallboxes[1].supply_phases == 1, what="one phase")
        site.sim.step()
        assert site.meter() == pytest.approx(3000 - 1000 - 10 * 230)
        assert site.meter("p1_w") == pytest.approx(1000 - 1000 / 3 - 10 * 230)  # PV and house: a third each
        assert site.meter("p2_w") == pytest.approx(1000 - 1000 / 3)


def test_profiles_and_the_car_timetable_run_at_the_speed_factor_and_hold_at_the_end(tmp_path, clock) -> None:
    config = config_for(tmp_path, wallboxes=1)
    day = {**steady_scenario(), "start": "08:00", "duration_h": 2}
    day["profiles"] = {"pv_w": [["08:00", 0], ["09:00", 6000]], "house_w": [["00:00", 500]]}
    day["cars"][0] |= {"arrive": "08:30", "depart": "09:30"}
    with simulated(config, day, clock, tmp_path, speed=60) as site:
        assert site.sim.step().pv_w == 0
        assert site.sim.wallboxes.wallboxes[1].ev is None
        clock.advance(30)  # 30 real seconds = 30 profile minutes
        assert site.sim.step().pv_w == pytest.approx(3000)
        assert site.sim.wallboxes.wallboxes[1].ev is not None
        assert site.sim.view()["time"] == "08:30"
        clock.advance(40)  # 09:10: the car still there
        site.sim.step()
        clock.advance(30)  # 09:40: it left
        site.sim.step()
        assert site.sim.wallboxes.wallboxes[1].ev is None
        clock.advance(3600)  # far past the end (10:00): the last values hold
        assert site.sim.step().pv_w == pytest.approx(6000)
        assert site.sim.view()["ended"] is True


def test_an_offline_mode_wallbox_charges_once_the_driver_shows_a_card_the_controller_listed(tmp_path, clock) -> None:
    wallbox = {"address": 1, "serial": "WB0000000001", "max_current_a": 16, "mode": "offline", "cards": ["04A1B2C3"]}
    config = from_dict({**site_document(tmp_path, wallboxes=0), "wallboxes": [wallbox]}, tmp_path)
    with simulated(config, steady_scenario(), clock, tmp_path) as site:
        site.sim.step()  # the card is shown, but the wallbox does not know it yet
        assert not site.sim.wallboxes.wallboxes[1].enabled
        site.send(CardSlot(1, 0, bytes.fromhex("04A1B2C3")))
        wait_until(lambda: site.sim.wallboxes.wallboxes[1].cards[0], what="the card slot set")
        clock.advance(4.0)
        site.sim.step()  # not shown again yet
        assert not site.sim.wallboxes.wallboxes[1].enabled
        clock.advance(1.5)
        assert site.sim.step().wallbox_w > 0  # shown again: accepted, charging
        assert site.sim.wallboxes.wallboxes[1].enabled


def test_a_hybrid_site_reports_its_battery_and_the_grid_on_the_inverter(tmp_path, clock) -> None:
    document = site_document(tmp_path, inverters=0, wallboxes=0)
    del document["meter"]
    document["site"]["topology"] = 3
    document["inverters"] = [{"address": 1, "serial": "ZM1ES030L9A000001", "kind": "hybrid_3ph", "family": "sofar_g3"}]
    day = {**steady_scenario(pv_w=5000, house_w=1000, cars=()), "battery": {"capacity_kwh": 10, "soc": 0.5}}
    with simulated(from_dict(document, tmp_path), day, clock, tmp_path) as site:
        site.sim.step()
        clock.advance(1.0)
        flows = site.sim.step()
        inverter = site.sim.line.inverter(1)  # type: ignore[union-attr]
        assert flows.battery_w == pytest.approx(3000)  # the surplus, capped at the battery's 3 kW
        assert inverter.get("battery_w") == pytest.approx(3000)
        assert inverter.get("grid_w") == pytest.approx(5000 - 1000 - 3000)
        assert inverter.get("pv_w") == pytest.approx(5000)
        assert inverter.get("soc") > 0.5


def test_sites_read_through_ct_clamps_are_refused_with_the_reason(tmp_path) -> None:
    config = site_config(tmp_path, 8)
    scenario = parse_scenario(steady_scenario(cars=()), tmp_path, site=config)
    with pytest.raises(ValueError, match=r"topology 8 .* CT clamps"):
        SiteSim(config, scenario, can_options={"interface": "virtual", "channel": uuid.uuid4().hex})


def test_a_scenario_file_takes_the_site_from_the_daemon_config_and_checks_its_cars_against_it(tmp_path) -> None:
    config = config_for(tmp_path, wallboxes=1)
    eco = load_scenario(ROOT / "sim" / "scenarios" / "eco_pure.toml", site=config)
    assert eco.config is config
    assert eco.cars[0].wallbox == 1
    with pytest.raises(ConfigError, match=r"cars\[0\]\.wallbox = 5: must be the address of a"):
        parse_scenario({**steady_scenario(cars=(5,))}, tmp_path, site=config)


def test_the_demo_config_and_the_demo_day_make_a_simulated_site(clock) -> None:
    config = load_config(ROOT / "config.toml")
    assert config.rs485 is not None
    assert not config.rs485.port.startswith("tcp://")  # a pty the simulator makes: RTU framing end to end
    scenario = load_scenario(default_scenario(), site=config)
    assert {car.wallbox for car in scenario.cars} == {w.address for w in config.wallboxes}
    sim = SiteSim(config, scenario, speed=60, clock=clock, can_options={"interface": "virtual", "channel": "demo"})
    try:
        clock.advance(60)  # one real minute: 09:00, PV on its morning ramp
        flows = sim.step()
        assert flows.pv_w > 1800  # above the Ecological thresholds, so the car can start within the minute
    finally:
        sim.stop()


def test_the_toml_writer_round_trips_config_documents() -> None:
    demo = tomllib.loads((ROOT / "config.toml").read_text())
    assert tomllib.loads(to_toml(demo)) == demo
    nested = {"sensors": {"driver": "sim", "ct1": {"multiplier": 3}, "inputs": [{"number": 1, "line": 4}]}}
    assert tomllib.loads(to_toml(nested)) == nested
    with pytest.raises(ValueError, match="TOML has no"):
        to_toml({"x": float("nan")})
