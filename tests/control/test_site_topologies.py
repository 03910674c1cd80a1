"""The site model for each of the nine topologies, with numbers worked by hand.

Balance used everywhere: house = PV - grid(+export) - battery(+charging) - wallboxes.
"""

from __future__ import annotations

import pytest
from support.configs import RS485, site_config
from support.control_site import ControlHarness, config

from connext.control.site import SiteLayout


def _inv(address: int, kind: str, family: str = "sofar_g3") -> dict:
    return {"address": address, "serial": f"SN{address:04d}", "kind": kind, "family": family}


def test_1_single_phase_hybrid(tmp_path):
    h = ControlHarness(config(tmp_path, 1, wallboxes=[{"address": 1, "serial": "W1", "phases": 1}]))
    h.inverter(1, 3000, grid_power_w=500, battery_power_w=1000, battery_soc=0.55)
    h.wallbox(1, "charging", current_a=1000 / 230, phases=1)  # 1000 W
    h.decide()
    s = h.site
    # 3000 PV - 500 export - 1000 into the battery - 1000 car = 500 W of house
    assert (s.pv_power_w, s.grid_power_w, s.battery_power_w, s.battery_soc) == (3000, 500, 1000, 0.55)
    assert s.wallbox_power_w == pytest.approx(1000)
    assert s.house_power_w == pytest.approx(500)
    assert s.grid_phase_power_w == (500,)


def test_2_storage_retrofit_grid_from_the_storage_inverter(tmp_path):
    inverters = [_inv(1, "pv_1ph"), _inv(2, "storage", "sofar_legacy")]
    h = ControlHarness(config(tmp_path, 2, rs485=RS485, inverters=inverters))
    h.inverter(1, 2500)  # a PV string inverter: production only
    h.inverter(2, 0, grid_power_w=-300, battery_power_w=-800, battery_soc=0.4)
    h.decide()
    s = h.site
    # 2500 PV + 300 import + 800 from the battery = 3600 W of house
    assert (s.pv_power_w, s.grid_power_w, s.battery_power_w) == (2500, -300, -800)
    assert s.house_power_w == pytest.approx(3600)


def test_3_three_phase_hybrid_uses_the_lowest_hybrid_address_for_the_grid(tmp_path):
    inverters = [_inv(5, "hybrid_3ph"), _inv(1, "pv_3ph"), _inv(3, "hybrid_3ph")]
    cfg = config(tmp_path, 3, rs485=RS485, inverters=inverters)
    assert SiteLayout.from_config(cfg).grid_inverter == 3
    h = ControlHarness(cfg)
    h.inverter(1, 4000).inverter(3, 2000, grid_power_w=-1000, battery_power_w=500, battery_soc=0.8)
    h.inverter(5, 1000, grid_power_w=9999, battery_power_w=-1500, battery_soc=0.6)  # grid value ignored
    h.decide()
    s = h.site
    # PV 4000+2000+1000 = 7000; battery 500-1500 = -1000; house = 7000 + 1000 + 1000 = 9000
    assert (s.pv_power_w, s.grid_power_w, s.battery_power_w) == (7000, -1000, -1000)
    assert s.battery_soc == pytest.approx(0.7)
    assert s.house_power_w == pytest.approx(9000)
    assert s.grid_phase_power_w is None  # a three-phase inverter gives the total only


def test_4_single_phase_pv_string_and_ct1(tmp_path):
    h = ControlHarness(config(tmp_path, 4))
    h.inverter(1, 2000).sensors(ct1_w=-1500)
    h.decide()
    s = h.site
    assert (s.pv_power_w, s.grid_power_w, s.battery_power_w) == (2000, -1500, None)
    assert s.house_power_w == pytest.approx(3500)


def test_5_three_phase_pv_string_and_dtsu666_per_phase(tmp_path):
    h = ControlHarness(config(tmp_path, 5, wallboxes=[{"address": 1, "serial": "W1"}]))
    h.inverter(1, 4000).meter(1000, (500, 300, 200))
    h.wallbox(1, "charging", current_a=10)  # 3 x 10 A x 230 V = 6900 W
    h.decide()
    s = h.site
    # 4000 PV - 1000 export - 6900 car -> the balance says the house draws 0 (clamped) ...
    assert s.wallbox_power_w == pytest.approx(6900)
    assert s.house_power_w == 0.0
    assert s.grid_phase_power_w == (500, 300, 200)
    assert s.wallbox_phase_current_a == (10, 10, 10)
    h.wallbox(1, "charging", current_a=0).decide()
    assert h.site.house_power_w == pytest.approx(3000)  # ... and 3000 W without the car


def test_6_single_phase_foreign_pv_ct2_and_ct1(tmp_path):
    h = ControlHarness(config(tmp_path, 6))
    h.sensors(ct1_w=-200, ct2_w=1800).decide()
    assert (h.site.pv_power_w, h.site.grid_power_w) == (1800, -200)
    assert h.site.house_power_w == pytest.approx(2000)


def test_7_three_phase_foreign_pv_ct2_times_three_and_meter(tmp_path):
    h = ControlHarness(config(tmp_path, 7))
    h.sensors(ct2_w=2400).meter(-600, (-300, -200, -100)).decide()  # CT 2 arrives already x3
    assert (h.site.pv_power_w, h.site.grid_power_w) == (2400, -600)
    assert h.site.house_power_w == pytest.approx(3000)


def test_8_single_phase_no_pv(tmp_path):
    h = ControlHarness(config(tmp_path, 8))
    h.sensors(ct1_w=-2300).decide()
    assert (h.site.pv_power_w, h.site.grid_power_w, h.site.house_power_w) == (0, -2300, 2300)
    assert h.site.stale == ()


def test_9_three_phase_no_pv(tmp_path):
    h = ControlHarness(config(tmp_path, 9, wallboxes=[{"address": 1, "serial": "W1"}]))
    h.meter(-4100).wallbox(1, "charging", current_a=3000 / 690).decide()
    assert h.site.pv_power_w == 0
    assert h.site.house_power_w == pytest.approx(1100)


@pytest.mark.parametrize(
    ("topology", "feed"),
    [
        (1, lambda h: h.inverter(1, 1000, grid_power_w=0)),
        (4, lambda h: h.inverter(1, 1000).sensors(ct1_w=0)),
        (9, lambda h: h.meter(0)),
    ],
)
def test_a_stale_grid_source_makes_the_grid_unknown(tmp_path, topology, feed):
    h = ControlHarness(site_config(tmp_path, topology))
    feed(h)
    h.decide()
    assert h.site.grid_fresh
    h.advance(20)  # older than any source's stale_after_s (meter 3, sensors 5, inverter 15)
    h.decide()
    assert h.site.grid_power_w is None
    assert h.site.house_power_w is None
    assert "grid" in h.site.stale


def test_one_stale_inverter_makes_the_pv_sum_unknown(tmp_path):
    h = ControlHarness(site_config(tmp_path, 5))
    h.inverter(1, 3000).meter(0).decide()
    assert h.site.pv_power_w == 3000
    h.advance(16)
    h.meter(0).decide()
    assert h.site.pv_power_w is None
    assert h.site.stale == ("pv",)
    assert h.site.grid_power_w == 0
