"""`connext sim-modbus`: the config's devices served on a pty cable it makes itself."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from support.rs485_line import wait_for

from connext.actors.modbus_transport import ModbusTransport

CONFIG = """
[box]
serial = "CA020490200005"
[site]
phases = 3
contracted_power_w = 6000
topology = 5
[rs485]
port = "{port}"
[meter]
address = 32
[[inverters]]
address = 3
serial = "ZM1ES030L9A003"
kind = "pv_3ph"
family = "sofar_legacy"
"""


def test_sim_modbus_serves_the_configured_devices_on_a_pty(tmp_path: Path) -> None:
    cable = tmp_path / "ttyRS485"
    config = tmp_path / "site.toml"
    config.write_text(CONFIG.format(port=cable))
    command = [sys.executable, "-m", "connext.bin.cli", "sim-modbus", "-c", str(config), "--pty", str(cable)]
    sim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: cable.exists() or sim.poll() is not None, "the pty cable")
        transport = ModbusTransport(str(cable), timeout_s=0.5)
        assert transport.open()
        try:
            serial = wait_for(lambda: transport.read(3, 3, 0x2002, 7).registers, "the inverter's serial")
            assert bytes(b for w in serial for b in w.to_bytes(2, "big")).decode() == "ZM1ES030L9A003"
            assert transport.read(32, 3, 0x0006, 1).registers == (40,)  # the configured CT ratio
        finally:
            transport.close()
    finally:
        sim.send_signal(signal.SIGTERM)
        _, stderr = sim.communicate(timeout=10)
    assert sim.returncode == 0, stderr
    assert not cable.exists()  # the cable is gone with the simulator
