"""The simulated line speaks standard Modbus RTU (checked with mbpoll) and TCP, and its
faults look on the wire like the real thing."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from support.rs485_line import SocatPair

from connext.actors.modbus_transport import ModbusTransport
from connext.sim.modbus_devices import InverterSim, MeterSim
from connext.sim.modbus_line import SimLine


def _mbpoll(port: str, *args: str) -> str:
    if shutil.which("mbpoll") is None:
        raise RuntimeError("mbpoll is not installed: run `make system-deps` (apt-get install mbpoll)")
    command = ["mbpoll", "-m", "rtu", "-b", "9600", "-P", "none", "-1", "-o", "1", *args, port]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    return done.stdout + done.stderr


def test_an_independent_master_reads_the_simulated_meter(pair: SocatPair, line: SimLine) -> None:
    line.add(MeterSim())
    line.add(InverterSim(1, "ZM1ES030L9A001"))
    line.serve_serial(pair.b)
    line.meter.set_voltage(231.5, 229.0, 230.0)
    line.meter.set_power(-2300.0)  # importing 2300 W
    # mbpoll counts from 1: reference 8199 is register 0x2006 (Ua), 8211 is 0x2012 (Pt)
    volts = _mbpoll(pair.a, "-a", "32", "-B", "-t", "4:float", "-r", "8199", "-c", "3")
    assert "[8199]: \t2315" in volts
    assert "[8201]: \t2290" in volts
    power = _mbpoll(pair.a, "-a", "32", "-B", "-t", "4:float", "-r", "8211", "-c", "1")
    assert "[8211]: \t575" in power  # +2300 W import / 0.1 W / CT 40, the meter's own sign
    serial = _mbpoll(pair.a, "-a", "1", "-t", "4:hex", "-r", "1094", "-c", "1")
    assert "0x5A4D" in serial  # "ZM"
    assert "Connection timed out" in _mbpoll(pair.a, "-a", "7", "-t", "4", "-r", "1", "-c", "1")


@pytest.mark.parametrize("over", ["rtu", "tcp"])
def test_faults_are_what_the_master_sees(pair: SocatPair, line: SimLine, over: str) -> None:
    line.add(MeterSim())
    line.add(InverterSim(2, "LEGACY", family="sofar_legacy", kind="storage", functions=(4,)))
    if over == "rtu":
        line.serve_serial(pair.b)
        port = pair.a
    else:
        port = f"tcp://127.0.0.1:{line.serve_tcp()}"
    transport = ModbusTransport(port, timeout_s=0.3)
    assert transport.open()
    try:
        assert transport.read(32, 3, 0x2006, 20).error is None
        assert transport.read(2, 3, 0x0200, 2).exception_code == 1  # legacy unit answering 04 only
        assert transport.read(2, 4, 0x0210, 1).registers == (50,)  # SoC 50 %
        assert transport.read(32, 3, 0x3000, 2).exception_code == 2
        line.silence(32)
        assert transport.read(32, 3, 0x2006, 2).error == "timeout"
        line.clear_faults()
        line.garble(32)
        assert transport.read(32, 3, 0x2006, 2).error == ("crc" if over == "rtu" else "garbled")
        line.clear_faults()
        line.fail_with(32, 6)
        assert transport.read(32, 3, 0x2006, 2).exception_code == 6
        line.clear_faults()
        assert transport.read(32, 3, 0x2006, 2).error is None
    finally:
        transport.close()


def test_a_late_reply_is_flushed_and_counted_as_stray_bytes(pair: SocatPair, line: SimLine) -> None:
    line.add(MeterSim())
    line.serve_serial(pair.b)
    transport = ModbusTransport(pair.a, timeout_s=0.2)
    assert transport.open()
    try:
        line.slow(32, 0.22)  # answers a few tens of ms after the master gave up
        assert transport.read(32, 3, 0x2006, 2).error == "timeout"
        line.clear_faults()
        assert transport.read(32, 3, 0x2006, 2).error is None  # the late reply is not taken for this one
        assert transport.stray_bytes == 9  # the late 2-register reply: 5 + 2 x 2 bytes
    finally:
        transport.close()
