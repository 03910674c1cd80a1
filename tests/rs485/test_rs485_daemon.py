"""The daemon's RS485 actors against the simulated line, over RTU (socat) and TCP:
decoded values, signs, probing, metrics and the debug socket."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

import pytest
from support.rs485_line import Rs485Daemon, SocatPair, inverter, rs485_config, wait_for

from connext.bin.debug_client import request
from connext.sim.modbus_devices import InverterSim, MeterSim
from connext.sim.modbus_line import SimLine


def _scrape(daemon: Rs485Daemon) -> str:
    with urllib.request.urlopen(daemon.daemon.endpoints["metrics"], timeout=10) as reply:
        return reply.read().decode()


def test_meter_and_inverters_over_rtu(tmp_path: Path, pair: SocatPair, line: SimLine) -> None:
    line.add(MeterSim())
    line.add(InverterSim(1, "SN0001PV_3PH", family="sofar_g3", kind="pv_3ph"))
    line.add(InverterSim(2, "SN0002PV_1PH", family="sofar_legacy", kind="pv_1ph", functions=(4,)))
    line.serve_serial(pair.b)
    line.meter.set_phase_power(-1500.0, 400.0, -200.0)  # import on L1 and L3, export on L2
    line.meter.set_energy(import_kwh=1234.5, export_kwh=67.25)
    line.inverter(1).set_pv(4200.0)
    line.inverter(2).set_pv(1830.0)
    config = rs485_config(tmp_path, pair.a, inverters=[inverter(1, "pv_3ph"), inverter(2, "pv_1ph", "sofar_legacy")])
    with Rs485Daemon(config) as site:
        wait_for(lambda: site.inverter_readings(1) and site.inverter_readings(2), "both inverters")
        wait_for(lambda: len(site.meter_readings()) >= 3, "meter readings")
        reading = site.meter_readings()[-1]
        assert reading.grid_power_w == pytest.approx(-1300.0, abs=0.1)  # SPEC §3: - import
        assert reading.phase_power_w == pytest.approx((-1500.0, 400.0, -200.0), abs=0.1)
        assert reading.phase_voltage_v == pytest.approx((230.0, 230.0, 230.0))
        assert reading.phase_current_a[1] == pytest.approx(400.0 / 230.0, rel=1e-4)
        assert site.inverter_readings(1)[-1].pv_power_w == pytest.approx(4200.0)
        legacy = site.inverter_readings(2)[-1]
        assert (legacy.pv_power_w, legacy.state, legacy.battery_soc) == (1830.0, "charging", None)
        # the legacy unit answers function 04 only: probed once, then remembered
        polls = site.snapshot("modbus-bus")["devices"]["2"]["polls"]
        assert {p["fn"] for p in polls} == {4}
        metrics = wait_for(lambda: next((t for t in [_scrape(site)] if 'kind="import"' in t), None), "energy")
    assert 'connext_meter_power_watts{address="32"} -1300' in metrics
    assert 'connext_meter_phase_power_watts{address="32",phase="2"} 400' in metrics
    assert 'connext_inverter_pv_power_watts{address="2"} 1830.0' in metrics
    assert 'connext_meter_energy_joules_total{address="32",kind="import"} 4.4442e+09' in metrics
    assert 'connext_modbus_requests_total{address="2"}' in metrics
    lint = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_hybrid_and_storage_inverters_over_tcp(tmp_path: Path, line: SimLine) -> None:
    line.add(InverterSim(1, "SN0001STORAGE", family="sofar_legacy", kind="storage"))
    line.add(InverterSim(2, "SN0002HYBRID_1PH", family="sofar_g3", kind="hybrid_1ph"))
    port = line.serve_tcp()
    line.inverter(1).set_battery(-1200.0, soc=0.42)  # discharging
    line.inverter(1).set_grid(350.0)  # exporting
    line.inverter(2).set_battery(2500.0, soc=0.9)  # charging
    line.inverter(2).set_grid(-800.0)  # importing
    line.inverter(2).set_pv(5100.0)
    inverters = [inverter(1, "storage", "sofar_legacy"), inverter(2, "hybrid_1ph")]
    config = rs485_config(tmp_path, f"tcp://127.0.0.1:{port}", topology=2, inverters=inverters)
    with Rs485Daemon(config) as site:
        storage = wait_for(lambda: site.inverter_readings(1), "storage reading")[-1]
        hybrid = wait_for(lambda: site.inverter_readings(2), "hybrid reading")[-1]
        reply = request(config.debug.socket, {"cmd": "state", "name": "inverter-2"})
        bus = request(config.debug.socket, {"cmd": "modbus"})
        raw = request(config.debug.socket, {"cmd": "modbus-read", "unit": 2, "fn": 3, "start": "0x0608", "count": 1})
    assert (storage.battery_power_w, storage.battery_soc, storage.grid_power_w) == (-1200.0, 0.42, 350.0)
    assert (hybrid.battery_power_w, hybrid.battery_soc, hybrid.grid_power_w) == (2500.0, 0.9, -800.0)
    assert hybrid.pv_power_w == 5100.0
    assert reply["ok"]
    assert reply["state"]["serial"]["ok"] is True
    assert bus["ok"]
    assert bus["connected"] is True
    assert bus["devices"]["1"]["errors"] == {}
    assert raw["ok"]
    assert raw["registers"] == [90]
    assert raw["error"] is None
