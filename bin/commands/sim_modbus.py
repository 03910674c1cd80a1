"""connext sim-modbus: serve the config's meter and inverters as a simulated RS485 line."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_CONFIG, add_config, load

NAME = "sim-modbus"
HELP = "serve a simulated RS485 line (DTSU666 + inverters of the config)"
DESCRIPTION = "Simulate the config's meter and inverters as Modbus RTU slaves and/or a TCP gateway."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--serial", metavar="DEVICE", help="serve RTU on this serial device (e.g. one end of socat)")
    parser.add_argument("--pty", metavar="PATH", help="make a socat pty pair: PATH for the daemon, PATH-sim for us")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve Modbus TCP (port 0: any free port)")
    parser.add_argument("--baudrate", type=int, default=9600, help="wire time emulated per byte (default 9600)")
    parser.add_argument("--no-wire-time", action="store_true", help="answer at once, no 9600-baud emulation")


def run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from connext.core.config import parse_listen
    from connext.core.logs import setup_logging
    from connext.sim.modbus_site import serve

    config = load(args.config)
    if config is None:
        return EXIT_CONFIG
    if not (args.serial or args.pty or args.tcp):
        print("sim-modbus: give --serial, --pty and/or --tcp", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging("INFO")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    tcp = parse_listen(args.tcp) if args.tcp else None
    serve(config, args.serial, args.pty, tcp, None if args.no_wire_time else args.baudrate, stop)
    return 0
