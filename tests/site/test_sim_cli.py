"""`connext sim` as a real process: it makes the RS485 cable (socat pty pair) where the
config says, serves the site's meter there (read by mbpoll, an independent Modbus master)
with the value the simulated house, PV and car produce, and stops on Ctrl-C."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from support.site_demo import CAR_W, GRID_W, steady_site
from support.waiting import wait_until

from connext.sim.site_toml import write_toml


def mbpoll_float(port: Path, register: int) -> float:
    """One big-endian holding-register float (1-based address, as mbpoll counts) from unit 32."""
    assert shutil.which("mbpoll") is not None, "mbpoll is installed by scripts/system-deps.sh"
    command = ["mbpoll", "-m", "rtu", "-b", "9600", "-P", "none", "-1", "-o", "2", "-a", "32", "-B", "-t", "4:float",
               "-r", str(register), "-c", "1", str(port)]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith(f"[{register}]"))
    return float(line.split(":")[1])


def test_connext_sim_serves_the_meter_value_of_the_simulated_site_on_its_pty(tmp_path: Path) -> None:
    document, scenario = steady_site(tmp_path)
    config = write_toml(tmp_path / "config.toml", document)
    day = write_toml(tmp_path / "day.toml", scenario)
    command = [sys.executable, "-m", "connext.bin.cli", "sim", "--config", str(config), "--scenario", str(day),
               "--status-every", "0.5"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready == {"ready": True, "scenario": "steady site", "rs485": "var/ttyRS485"}
        status = process.stdout.readline()  # sim=00:00 grid=-9040W pv=3000W house=1000W wallbox=11040W wb1=C/...
        assert f"grid={GRID_W:+.0f}W" in status
        assert f"wallbox={CAR_W:.0f}W" in status
        # the DTSU666's total power at 0x2012 (register 8211 counted from 1): import positive,
        # secondary watts x 10 (CT 40): 9040 W import -> 2260
        assert mbpoll_float(tmp_path / "var" / "ttyRS485", 0x2012 + 1) == -GRID_W / 40 * 10
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    wait_until(lambda: not (tmp_path / "var" / "ttyRS485").exists(), what="the cable removed")
