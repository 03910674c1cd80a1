"""connext sim: a whole simulated site (meter, inverters, wallboxes with EVs) for a daemon."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .common import EXIT_CONFIG, add_config, load, print_problems

if TYPE_CHECKING:
    from connext.core.config import Config
    from connext.sim.site_setup import SimulatedSite

NAME = "sim"
HELP = "simulate the config's whole site (RS485 meter + inverters, CAN wallboxes + EVs) from a scenario"
DESCRIPTION = (
    "Serve the devices of the config on its buses (a socat pty pair or Modbus TCP for RS485, the [can] bus "
    "for the wallboxes), with PV, house load and cars from a scenario file; the simulated meter measures what "
    "the house, PV and cars really draw. Run `connext run` on the same config beside it (see docs/site.md)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_site_arguments(parser, speed=1.0)
    parser.add_argument("--status-every", type=float, default=10.0, metavar="S", help="log a status line this often")


def add_site_arguments(parser: argparse.ArgumentParser, speed: float) -> None:
    """The options `connext sim` and `connext demo` share."""
    parser.add_argument("--scenario", metavar="FILE", help="PV/house profiles and cars (default: the demo day)")
    parser.add_argument("--speed", type=float, default=speed, help=f"profile time per real second (default {speed:g})")
    parser.add_argument("--no-wire-time", action="store_true", help="answer Modbus at once (no 9600-baud emulation)")


def open_site(args: argparse.Namespace, config: Config, tcp_fallback: bool = False) -> SimulatedSite | None:
    """Start the simulated site the options ask for; None after saying why it cannot start."""
    from pathlib import Path

    from connext.core.config import ConfigError
    from connext.sim.site_setup import SiteSetupError, default_scenario, start_site

    scenario = args.scenario or default_scenario()
    try:
        return start_site(config, Path(args.config).resolve().parent, scenario, speed=args.speed,
                          wire_time=not args.no_wire_time, tcp_fallback=tcp_fallback)  # fmt: skip
    except ConfigError as err:
        print_problems(str(scenario), err.problems)
    except SiteSetupError as err:
        print(f"cannot simulate the site: {err}", file=sys.stderr)
    return None


def run(args: argparse.Namespace) -> int:
    import json
    import signal
    import threading

    from connext.core.logs import setup_logging
    from connext.sim.site import summary

    config = load(args.config)
    if config is None:
        return EXIT_CONFIG
    setup_logging("INFO")
    site = open_site(args, config)
    if site is None:
        return EXIT_CONFIG
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    rs485 = site.rs485.daemon_port if site.rs485 else "none"
    print(json.dumps({"ready": True, "scenario": site.sim.scenario.name, "rs485": rs485}), flush=True)
    try:
        while not stop.wait(args.status_every):
            print(summary(site.sim.view()), flush=True)
    finally:
        site.stop()
    return 0
