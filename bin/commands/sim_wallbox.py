"""connext sim-wallbox: simulated wallboxes and EVs on a CAN channel."""

from __future__ import annotations

import argparse

NAME = "sim-wallbox"
HELP = "serve simulated wallboxes and EVs on a CAN channel"
DESCRIPTION = "Simulated wallboxes speaking the connext CAN protocol; commands on stdin (see docs/can.md)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from connext.sim.wallbox_cli import add_arguments as add

    add(parser)


def run(args: argparse.Namespace) -> int:
    from connext.sim.wallbox_cli import run as serve

    return serve(args)
