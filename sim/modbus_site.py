"""The simulated RS485 line of a configured site, served until interrupted (CLI: sim-modbus).

Units, serials, families and kinds come from the site's config, so the daemon pointed
at the line finds exactly the devices it expects. `--pty` makes the cable too: a socat
pty pair whose one end (`PATH`) is for the daemon and the other (`PATH-sim`) for us.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

from loguru import logger

from connext.core.config import Config

from .modbus_devices import InverterSim, MeterSim
from .modbus_line import SimLine

PTY_WAIT_S = 5.0


def line_for(config: Config, baudrate: int | None = 9600) -> SimLine:
    """A line with the config's meter and inverters, showing a plausible midday."""
    line = SimLine(baudrate)
    if config.meter is not None:
        line.add(MeterSim(config.meter.address, ct_ratio=config.meter.ct_ratio)).set_power(-500.0)
    for inv in config.inverters:
        sim = InverterSim(inv.address, inv.serial, family=inv.family, kind=inv.kind)
        sim.set_pv(1500.0)
        line.add(sim)
    if not line.devices:
        raise ValueError("the config has no [meter] and no [[inverters]]: nothing to simulate")
    return line


def make_pty_pair(path: str) -> tuple[subprocess.Popen[bytes], str]:
    """A socat pty pair: `path` for the daemon, `path`-sim for the simulator."""
    if shutil.which("socat") is None:
        raise RuntimeError("socat is not installed (apt-get install socat)")
    sim_end = f"{path}-sim"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={path}", f"pty,raw,echo=0,link={sim_end}"])
    deadline = time.monotonic() + PTY_WAIT_S
    while not (Path(path).exists() and Path(sim_end).exists()):
        if time.monotonic() > deadline or socat.poll() is not None:
            socat.kill()
            raise RuntimeError(f"socat did not create {path} and {sim_end}")
        time.sleep(0.02)
    return socat, sim_end


def serve(config: Config, serial: str | None, pty: str | None, tcp: tuple[str, int] | None,
          baudrate: int | None, stop: threading.Event) -> None:  # fmt: skip
    """Serve until `stop` is set."""
    line = line_for(config, baudrate)
    socat = None
    try:
        if pty:
            socat, serial = make_pty_pair(pty)
            logger.info("cable: point rs485.port at {}", pty)
        if serial:
            line.serve_serial(serial)
            logger.info("RTU slaves {} on {}", sorted(line.devices), serial)
        if tcp:
            port = line.serve_tcp(*tcp)
            logger.info("Modbus TCP gateway with units {} on tcp://{}:{}", sorted(line.devices), tcp[0], port)
        stop.wait()
    finally:
        line.stop()
        if socat is not None:
            socat.terminate()
