"""connext demo: the simulated site and the daemon on the demo config, with a live status.

The simulator runs in this process (it stands for the hardware: one thing less to start
and stop, and its view is at hand for the status screen); the daemon runs as a child
process (`connext run`, exactly what runs on the box). Ctrl-C, SIGTERM or the end of
`--for` stop the daemon first (SIGTERM: it puts the site in its safe state while the
simulated wallboxes still listen), then the simulator.
"""

from __future__ import annotations

import argparse

from .common import EXIT_CONFIG, add_config
from .sim import add_site_arguments

NAME = "demo"
HELP = "run the simulated site and the daemon on the demo config, with a live status"
DESCRIPTION = (
    "Start the whole simulated site (socat pty RS485 or Modbus TCP, udp_multicast CAN) and the daemon on "
    "the config, print where to look (metrics, web page, debug socket), show a live status every second, "
    "and stop both cleanly on Ctrl-C or after --for seconds."
)
EXIT_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_site_arguments(parser, speed=60.0)
    parser.add_argument("--for", dest="duration_s", type=float, metavar="SECONDS", help="stop after this long")
    parser.add_argument("--plain", action="store_true", help="one status line per refresh even on a terminal")


def run(args: argparse.Namespace) -> int:
    from .demo_session import DemoSession

    session = DemoSession.open(args)
    if session is None:
        return EXIT_CONFIG
    return session.run()
