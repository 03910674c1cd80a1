"""A throw-away simulated site with the daemon beside it, for the end-to-end tests and the
benchmarks: config and scenario files written into a folder, every TCP port free (bound
as 0), a random multicast group and port for CAN, RS485 on a socat pty pair with the
line's wire time, the simulator in this process and the daemon a child process.

    with SiteRig(tmp, site_document(tmp, wallboxes=2), steady_scenario(pv_w=3000)) as rig:
        rig.sim.add_house_load(2000); rig.daemon.ask({"cmd": "site"}); rig.metrics_text()
"""

from __future__ import annotations

import random
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from connext.core.config import Config, load_config

from .site import SiteSim
from .site_daemon import DaemonProcess, derived_config
from .site_setup import SimulatedSite, start_site
from .site_toml import write_toml

FAMILIES = ("sofar_g3", "sofar_legacy")
LOGIC_VARIABLES = ("pv_power", "grid_export", "vehicle_power", "grid_import")


def random_can() -> dict[str, Any]:
    """A udp_multicast [can] section no other test or benchmark on this machine is likely to use."""
    rnd = random.SystemRandom()
    group = f"239.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
    return {"interface": "udp_multicast", "channel": group, "port": rnd.randint(20000, 60000)}


def site_document(folder: Path, *, inverters: int = 1, wallboxes: int = 1, outputs: int = 0,
                  contracted_power_w: float = 11000.0, strategy: str = "fast", api: bool = False,
                  rs485_port: str = "var/ttyRS485", **sections: Any) -> dict[str, Any]:  # fmt: skip
    """A three-phase site with a DTSU666 and PV string inverters (topology 5), wallboxes in
    plug&play mode (a car charges once plugged in) and simulated outputs, each output with
    one logic; keyword arguments replace or add whole sections."""
    document: dict[str, Any] = {
        "state_dir": str(folder / "var"),
        "box": {"serial": "CA020490200005"},
        "site": {"phases": 3, "contracted_power_w": contracted_power_w, "topology": 5, "timezone": "Europe/Rome"},
        "rs485": {"port": rs485_port},
        "meter": {"address": 32},
        "inverters": [
            {"address": a, "serial": f"ZM1ES030L9A{a:06d}", "kind": "pv_3ph", "family": FAMILIES[a % 2]}
            for a in range(1, inverters + 1)
        ],
        "can": random_can(),
        "wallboxes": [
            {"address": a, "serial": f"WB{a:010d}", "max_current_a": 16, "mode": "plug_and_play"}
            for a in range(1, wallboxes + 1)
        ],
        "charging": {"strategy": strategy},
        "outputs": [{"number": n, "name": f"load {n}", "driver": "sim"} for n in range(1, outputs + 1)],
        "logics": [logic(n) for n in range(1, outputs + 1)],
        "metrics": {"listen": "127.0.0.1:0"},
        "api": {"enabled": api, "listen": "127.0.0.1:0"},
    }
    document.update(sections)
    return document


def logic(output: int) -> dict[str, Any]:
    """A logic on `output`: one of four variables, thresholds 1000..3000, evaluated every minute."""
    variable = LOGIC_VARIABLES[(output - 1) % len(LOGIC_VARIABLES)]
    return {"name": f"logic {output}", "output": output, "variable": variable, "max": 3000, "min": 1000, "period_s": 60}


def steady_scenario(pv_w: float = 0.0, house_w: float = 1000.0, cars: tuple[int, ...] = (1,),
                    soc: float = 0.2, battery_kwh: float = 100.0) -> dict[str, Any]:  # fmt: skip
    """Constant PV and house load; a car on each wallbox of `cars` from the start, all day."""
    return {
        "name": "steady site",
        "date": "2026-06-21",
        "start": "00:00",
        "duration_h": 24,
        "profiles": {"pv_w": [["00:00", pv_w]], "house_w": [["00:00", house_w]]},
        "cars": [
            {"wallbox": a, "arrive": "00:00", "depart": "48:00", "battery_kwh": battery_kwh, "soc": soc} for a in cars
        ],
    }


class SiteRig:
    """Write the files, start the simulated site, then the daemon; stop in reverse."""

    def __init__(self, folder: Path, document: dict[str, Any], scenario: dict[str, Any], *, speed: float = 1.0,
                 wire_time: bool = True, launcher: tuple[str, ...] = ("-m", "connext.bin.cli")) -> None:  # fmt: skip
        self.folder, self.document, self.scenario = folder, document, scenario
        self.speed, self.wire_time, self.launcher = speed, wire_time, launcher
        self.site: SimulatedSite | None = None
        self.daemon: DaemonProcess | None = None
        self.version: dict[str, Any] = {}

    def start(self) -> SiteRig:
        config_path = write_toml(self.folder / "config.toml", self.document)
        scenario_path = write_toml(self.folder / "scenario.toml", self.scenario)
        self.config: Config = load_config(config_path)
        self.site = start_site(self.config, self.folder, scenario_path, speed=self.speed,
                               wire_time=self.wire_time, tcp_fallback=True)  # fmt: skip
        self.start_daemon()
        return self

    def start_daemon(self) -> DaemonProcess:
        """Start the daemon beside the running site (again, after it exited or was killed)
        and wait until its debug socket and metrics answer."""
        assert self.site is not None, "start() first"
        daemon_config = derived_config(self.folder / "config.toml", self.config, self.site.rs485)
        log = Path(self.config.state_dir) / "daemon.log"
        self.daemon = DaemonProcess(daemon_config, self.folder, log, self.config.debug.socket, self.launcher).start()
        self.version = self.daemon.wait_ready(("metrics",))
        return self.daemon

    def stop(self) -> int | None:
        """Stop the daemon (SIGTERM), then the site; the daemon's exit code."""
        code = self.daemon.stop() if self.daemon is not None else None
        if self.site is not None:
            self.site.stop()
        return code

    def __enter__(self) -> SiteRig:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def sim(self) -> SiteSim:
        assert self.site is not None, "start() first"
        return self.site.sim

    def metrics_text(self, timeout_s: float = 10.0) -> str:
        """One real scrape of the daemon's /metrics."""
        with urllib.request.urlopen(self.version["metrics"], timeout=timeout_s) as reply:
            return reply.read().decode()
