"""Faults on the RS485 line: the daemon keeps running, counts and shows the fault (metrics,
debug socket), never publishes stale or implausible data, and recovers by itself."""

from __future__ import annotations

import math
import struct
import time
import urllib.request
from pathlib import Path

from support.rs485_line import Rs485Daemon, SocatPair, inverter, rs485_config, wait_for

from connext.bin.debug_client import request
from connext.core.config import Config
from connext.sim.modbus_devices import InverterSim, MeterSim
from connext.sim.modbus_line import SimLine

FAST = {"inverter_period_s": 0.5}


def _line(line: SimLine, pair: SocatPair, meter: MeterSim | None = None, serial: str = "SN0001PV_3PH") -> None:
    line.add(meter or MeterSim())
    line.add(InverterSim(1, serial, kind="pv_3ph"))
    line.serve_serial(pair.b)
    line.meter.set_power(-900.0)


def _config(tmp_path: Path, pair: SocatPair) -> Config:
    return rs485_config(tmp_path, pair.a, rs485=FAST, inverters=[inverter(1, "pv_3ph")])


def _scrape(site: Rs485Daemon) -> str:
    with urllib.request.urlopen(site.daemon.endpoints["metrics"], timeout=10) as reply:
        return reply.read().decode()


def _metric(site: Rs485Daemon, name: str) -> float:
    for line in _scrape(site).splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _assert_all_running(site: Rs485Daemon) -> None:
    records = {r.name: r for r in site.daemon.directory.records()}
    for name in ("modbus-bus", "meter", "inverter-1"):
        assert records[name].status == "running", name
        assert records[name].restarts == 0, name


def _fresh_meter_reading(site: Rs485Daemon, after_s: float) -> object:
    return wait_for(lambda: [r for r in site.meter_readings() if r.at_s > after_s], "a fresh meter reading")


def test_meter_silent_then_back(tmp_path: Path, pair: SocatPair, line: SimLine) -> None:
    _line(line, pair)
    config = _config(tmp_path, pair)
    with Rs485Daemon(config) as site:
        _fresh_meter_reading(site, 0.0)
        line.silence(32)
        silenced_at = time.monotonic()
        wait_for(lambda: site.snapshot("meter")["stale"], "the meter marked stale")
        published = len(site.meter_readings())
        last = site.meter_readings()[-1]
        inverter_count = len(site.inverter_readings(1))
        wait_for(lambda: len(site.inverter_readings(1)) > inverter_count + 1, "inverter still polled")
        bus = request(config.debug.socket, {"cmd": "modbus"})
        meter = request(config.debug.socket, {"cmd": "state", "name": "meter"})["state"]
        assert bus["devices"]["32"]["errors"]["timeout"] >= 2
        assert bus["devices"]["32"]["offline"]
        assert meter["stale"]
        assert meter["bus_errors"]["in_a_row"] >= 1
        assert meter["last"]["at_s"] == round(last.at_s, 3)  # the old reading keeps its old time
        assert _metric(site, 'connext_rs485_stale{address="32"}') == 1.0
        assert _metric(site, 'connext_modbus_errors_total{address="32",kind="timeout"}') >= 2
        assert _metric(site, 'connext_rs485_data_age_seconds{address="32"}') > config.meter.stale_after_s
        assert len(site.meter_readings()) == published  # nothing published while silent
        assert last.at_s < silenced_at + 1.0
        line.clear_faults()
        _fresh_meter_reading(site, time.monotonic())
        wait_for(lambda: not site.snapshot("meter")["stale"], "the meter fresh again")
        _assert_all_running(site)


def test_crc_garbage_and_exceptions_are_counted_and_survived(tmp_path: Path, pair: SocatPair, line: SimLine) -> None:
    _line(line, pair)
    with Rs485Daemon(_config(tmp_path, pair)) as site:
        _fresh_meter_reading(site, 0.0)
        line.garble(32)
        wait_for(lambda: site.snapshot("modbus-bus")["devices"]["32"]["errors"].get("crc", 0) >= 3, "CRC errors")
        assert _metric(site, 'connext_modbus_errors_total{address="32",kind="crc"}') >= 3
        line.clear_faults()
        line.fail_with(32, 6)  # device busy
        wait_for(lambda: site.snapshot("modbus-bus")["devices"]["32"]["errors"].get("exception", 0) >= 2, "busy")
        line.clear_faults()
        _fresh_meter_reading(site, time.monotonic())
        assert site.snapshot("modbus-bus")["devices"]["32"]["offline"] is False
        _assert_all_running(site)


def test_serial_port_removed_then_recreated(tmp_path: Path, pair: SocatPair, line: SimLine) -> None:
    _line(line, pair)
    with Rs485Daemon(_config(tmp_path, pair)) as site:
        _fresh_meter_reading(site, 0.0)
        pair.stop()  # the USB adapter is pulled: both ptys vanish
        wait_for(lambda: not site.snapshot("modbus-bus")["connected"], "the bus to notice")
        assert _metric(site, "connext_modbus_connected") == 0.0
        for name in ("meter", "inverter-1"):  # every device hears of it
            wait_for(lambda n=name: "disconnected" in (site.snapshot(n)["bus_errors"]["last"] or ""), name)
        line.stop()
        pair.start()  # plugged in again, same device path
        line.serve_serial(pair.b)
        _fresh_meter_reading(site, time.monotonic())
        assert site.snapshot("modbus-bus")["reconnects"] >= 1
        assert _metric(site, "connext_modbus_reconnects_total") >= 1
        _assert_all_running(site)


def test_inverter_with_the_wrong_serial_is_reported_and_not_used(
    tmp_path: Path, pair: SocatPair, line: SimLine
) -> None:
    _line(line, pair, serial="SOMEONE-ELSE")
    config = _config(tmp_path, pair)
    with Rs485Daemon(config) as site:
        wait_for(lambda: site.snapshot("inverter-1")["serial"]["read"] == "SOMEONE-ELSE", "the serial read")
        wait_for(lambda: site.snapshot("modbus-bus")["devices"]["1"]["requests"] >= 6, "several inverter reads")
        assert site.snapshot("inverter-1")["serial"]["ok"] is False
        assert site.inverter_readings(1) == []
        assert _metric(site, 'connext_inverter_serial_mismatch{address="1"}') == 1.0
        line.inverter(1).set_serial("SN0001PV_3PH")  # the right inverter is wired in
        assert request(config.debug.socket, {"cmd": "modbus-poll-all"})["ok"]
        wait_for(lambda: site.inverter_readings(1), "readings from the right inverter")
        assert _metric(site, 'connext_inverter_serial_mismatch{address="1"}') == 0.0
        _assert_all_running(site)


def test_implausible_meter_readings_are_rejected(tmp_path: Path, pair: SocatPair, line: SimLine) -> None:
    _line(line, pair)
    with Rs485Daemon(_config(tmp_path, pair)) as site:
        _fresh_meter_reading(site, 0.0)
        line.meter.set_power(-150_000.0)  # 150 kW on a 6 kW site: a decode or bus fault
        wait_for(lambda: site.snapshot("meter")["rejected"]["total"] >= 2, "150 kW readings rejected")
        line.meter.set_power(-900.0)
        line.meter.set_raw("u2_v", struct.unpack(">HH", struct.pack(">f", math.nan)))
        before = site.snapshot("meter")["rejected"]["total"]
        wait_for(lambda: site.snapshot("meter")["rejected"]["total"] > before, "NaN voltage rejected")
        assert "u2_v" in site.snapshot("meter")["rejected"]["last"]
        line.meter.set_voltage(230.0, 230.0, 230.0)
        fresh = _fresh_meter_reading(site, time.monotonic())
        assert all(abs(r.grid_power_w) < 10_000 for r in site.meter_readings())
        assert all(not math.isnan(u) for r in site.meter_readings() for u in r.phase_voltage_v)
        assert fresh[-1].grid_power_w == -900.0
        assert _metric(site, 'connext_rs485_rejected_readings_total{address="32"}') >= 3


def test_ct_ratio_mismatch_and_energy_register_probe(tmp_path: Path, pair: SocatPair, line: SimLine) -> None:
    _line(line, pair, meter=MeterSim(ct_ratio=1, energy_base=0x101E))
    line.meter.set_energy(import_kwh=10.0, export_kwh=2.5)
    with Rs485Daemon(_config(tmp_path, pair)) as site:
        wait_for(lambda: site.snapshot("meter")["ct_ratio"]["meter"] == 1, "the CT ratio read")
        assert site.snapshot("meter")["ct_ratio"] == {"config": 40, "meter": 1, "ok": False}
        assert _metric(site, 'connext_meter_ct_ratio_mismatch{address="32"}') == 1.0
        wait_for(lambda: site.snapshot("meter")["quality"].get("export_kwh") == 2.5, "energy via the other base")
        polls = site.snapshot("modbus-bus")["devices"]["32"]["polls"]
        assert next(p for p in polls if p["name"] == "energy")["start"] == "0x101E"


def test_port_missing_at_start_is_retried(tmp_path: Path, line: SimLine) -> None:
    pair = SocatPair(tmp_path)  # not started: the adapter is not plugged in yet
    line.add(MeterSim())
    line.add(InverterSim(1, "SN0001PV_3PH", kind="pv_3ph"))
    with Rs485Daemon(_config(tmp_path, pair)) as site:
        assert site.snapshot("modbus-bus")["connected"] is False
        pair.start()
        line.serve_serial(pair.b)
        try:
            _fresh_meter_reading(site, 0.0)
        finally:
            pair.stop()
        _assert_all_running(site)
