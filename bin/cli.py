"""The `connext` command line: one CLI, one subcommand per job."""

from __future__ import annotations

import argparse
import json
import os
import sys

DEFAULT_CONFIG = os.environ.get("CONNEXT_CONFIG", "config.toml")
EXIT_CONFIG = 2


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        default=DEFAULT_CONFIG,
        metavar="PATH",
        help=f"site configuration (default: {DEFAULT_CONFIG}, or $CONNEXT_CONFIG)",
    )


def _add_logging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-level",
        choices=["TRACE", "DEBUG", "INFO", "WARNING", "ERROR"],
        help="overrides logging.level of the config",
    )
    parser.add_argument("--log-format", choices=["human", "json"], help="overrides logging.format of the config")


def _load(path: str):  # -> Config | None, printing the problems
    from connext.core.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as err:
        print(f"{path}: {len(err.problems)} problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def cmd_run(args: argparse.Namespace) -> int:
    from loguru import logger

    from connext.bin.daemon import Daemon
    from connext.core.lock import AlreadyRunning
    from connext.core.logs import setup_logging

    config = _load(args.config)
    if config is None:
        return EXIT_CONFIG
    setup_logging(args.log_level or config.logging.level, args.log_format or config.logging.format)
    daemon = Daemon(config)
    daemon.handle_signals()
    try:
        daemon.start()
    except AlreadyRunning as err:
        logger.error("{}", err)
        return 1
    except OSError as err:
        logger.error("cannot start: {}", err)
        daemon.stop()
        return 1
    return daemon.wait()


def cmd_check_config(args: argparse.Namespace) -> int:
    from connext.core.config import describe_site, site_summary

    config = _load(args.config)
    if config is None:
        return EXIT_CONFIG
    if args.json:
        print(json.dumps(site_summary(config), indent=2))
    else:
        print(f"{args.config}: valid\n{describe_site(config)}")
    return 0


def cmd_debug(args: argparse.Namespace) -> int:
    from connext.bin.debug_client import build_request, render_actors, request

    socket_path = args.socket
    if socket_path is None:
        config = _load(args.config)
        if config is None:
            return EXIT_CONFIG
        socket_path = config.debug.socket
    try:
        payload = build_request(args.words)
    except ValueError as err:
        print(f"bad request: {err}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        reply = request(socket_path, payload)
    except (OSError, ValueError) as err:
        print(f"cannot talk to {socket_path}: {err}", file=sys.stderr)
        return 1
    if payload.get("cmd") == "actors" and reply.get("ok") and not args.json:
        print(render_actors(reply))
    else:
        print(json.dumps(reply, indent=2))
    return 0 if reply.get("ok") else 1


def cmd_check_ct(args: argparse.Namespace) -> int:
    from connext.bin.check_ct import run

    config = _load(args.config)
    if config is None:
        return EXIT_CONFIG
    return run(config, args.seconds, args.pv == "on")


def cmd_sim_modbus(args: argparse.Namespace) -> int:
    import signal
    import threading

    from connext.core.config import parse_listen
    from connext.core.logs import setup_logging
    from connext.sim.modbus_site import serve

    config = _load(args.config)
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


def cmd_sim_wallbox(args: argparse.Namespace) -> int:
    from connext.sim.wallbox_cli import run

    return run(args)


def cmd_scenario_run(args: argparse.Namespace) -> int:
    import time

    from connext.core.config import ConfigError
    from connext.sim.scenario import load_scenario
    from connext.sim.scenario_output import write_outputs
    from connext.sim.scenario_run import run_scenario

    started = time.perf_counter()
    try:
        scenario = load_scenario(args.file)
    except ConfigError as err:
        print(f"{args.file}: {len(err.problems)} problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    result = run_scenario(scenario)
    paths = write_outputs(result, args.out, plot=not args.no_plot)
    elapsed = time.perf_counter() - started
    print(json.dumps(result.kpis, indent=2))
    print(f"{result.steps} steps in {elapsed:.2f} s; wrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="connext", description="Control daemon of a home energy box.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the daemon", description="Run the long-lived control daemon.")
    _add_config(run)
    _add_logging(run)
    run.set_defaults(func=cmd_run)

    check = sub.add_parser(
        "check-config",
        help="validate a configuration and print the understood site",
        description="Validate the config; exit 0 when valid, 2 with every problem otherwise.",
    )
    _add_config(check)
    check.add_argument("--json", action="store_true", help="print the site as JSON")
    check.set_defaults(func=cmd_check_config)

    debug = sub.add_parser(
        "debug",
        help="query a running daemon through its debug socket",
        description="Requests: actors | state NAME | site | version | help | raw JSON | CMD key=value ...",
    )
    _add_config(debug)
    debug.add_argument("--socket", metavar="PATH", help="debug socket (default: debug.socket of the config)")
    debug.add_argument("--json", action="store_true", help="print the raw JSON reply")
    debug.add_argument("words", nargs="*", help="the request, e.g. `actors` or `state meter`")
    debug.set_defaults(func=cmd_debug)

    check_ct = sub.add_parser(
        "check-ct",
        help="guide the CT clamp direction check (PV off, loads on)",
        description="Read the CT clamps for a few seconds and say which one looks reversed. "
        "Exit 0 fine, 1 a clamp looks reversed, 3 unclear (too little load, PV not off), 2 config problem.",
    )
    _add_config(check_ct)
    check_ct.add_argument("--seconds", type=float, default=5.0, help="how long to average (default 5)")
    check_ct.add_argument("--pv", choices=["off", "on"], default="off", help="the PV state during the check")
    check_ct.set_defaults(func=cmd_check_ct)

    sim = sub.add_parser(
        "sim-modbus",
        help="serve a simulated RS485 line (DTSU666 + inverters of the config)",
        description="Simulate the config's meter and inverters as Modbus RTU slaves and/or a TCP gateway.",
    )
    _add_config(sim)
    sim.add_argument("--serial", metavar="DEVICE", help="serve RTU on this serial device (e.g. one end of socat)")
    sim.add_argument("--pty", metavar="PATH", help="make a socat pty pair: PATH for the daemon, PATH-sim for us")
    sim.add_argument("--tcp", metavar="HOST:PORT", help="serve Modbus TCP (port 0: any free port)")
    sim.add_argument("--baudrate", type=int, default=9600, help="wire time emulated per byte (default 9600)")
    sim.add_argument("--no-wire-time", action="store_true", help="answer at once, no 9600-baud emulation")
    sim.set_defaults(func=cmd_sim_modbus)
    from connext.sim.wallbox_cli import add_arguments as add_sim_wallbox_arguments

    sim_wallbox = sub.add_parser(
        "sim-wallbox",
        help="serve simulated wallboxes and EVs on a CAN channel",
        description="Simulated wallboxes speaking the connext CAN protocol; commands on stdin (see docs/can.md).",
    )
    add_sim_wallbox_arguments(sim_wallbox)
    sim_wallbox.set_defaults(func=cmd_sim_wallbox)

    scenario = sub.add_parser("scenario", help="run the control code over a scenario in virtual time")
    scenario_sub = scenario.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    run_scenario = scenario_sub.add_parser(
        "run",
        help="run FILE, write DIR/timeline.csv, DIR/kpis.json and DIR/plot.png",
        description="Examples: sim/scenarios/*.toml. Prints the KPIs as JSON; exit 2 on a bad file.",
    )
    run_scenario.add_argument("file", metavar="FILE", help="scenario TOML")
    run_scenario.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    run_scenario.add_argument("--no-plot", action="store_true", help="skip plot.png")
    run_scenario.set_defaults(func=cmd_scenario_run)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
