"""Set up a whole simulated site from a daemon config and a scenario file, served where
the config says (shared by `connext sim`, `connext demo`, the benchmarks and tests)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from connext.core.config import Config

from .scenario import load_scenario
from .site import SiteSim
from .site_rs485 import Rs485Link, Rs485Unavailable, serve_rs485


class SiteSetupError(RuntimeError):
    """The site cannot be simulated as asked; the message says why."""


def default_scenario() -> Path:
    """The demo day shipped with the package (sim/scenarios/site/demo.toml)."""
    return Path(str(resources.files("connext.sim") / "scenarios" / "site" / "demo.toml"))


@dataclass
class SimulatedSite:
    """A running simulated site and how its RS485 line is served."""

    sim: SiteSim
    rs485: Rs485Link | None

    def stop(self) -> None:
        self.sim.stop()
        if self.rs485 is not None:
            self.rs485.close()


def start_site(config: Config, config_dir: Path, scenario_path: str | Path, *, speed: float = 1.0,
               wire_time: bool = True, tcp_fallback: bool = False,
               can_options: dict[str, Any] | None = None) -> SimulatedSite:  # fmt: skip
    """Build the site of `config` with the scenario's profiles and cars, serve it, start it.

    Raises `ConfigError` for a bad scenario file and `SiteSetupError` for a site that
    cannot be simulated or served."""
    scenario = load_scenario(scenario_path, site=config)
    try:
        sim = SiteSim(config, scenario, speed=speed, wire_time=wire_time, can_options=can_options)
    except ValueError as err:
        raise SiteSetupError(str(err)) from err
    link = None
    try:
        if sim.line is not None and config.rs485 is not None:
            link = serve_rs485(sim.line, config.rs485.port, config_dir, tcp_fallback)
    except (Rs485Unavailable, OSError) as err:
        sim.stop()
        raise SiteSetupError(str(err)) from err
    sim.start()
    return SimulatedSite(sim, link)
