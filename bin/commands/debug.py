"""connext debug: a client of the running daemon's debug socket."""

from __future__ import annotations

import argparse
import json
import sys

from .common import EXIT_CONFIG, add_config, load

NAME = "debug"
HELP = "query a running daemon through its debug socket"
DESCRIPTION = "Requests: actors | state NAME | site | version | help | raw JSON | CMD key=value ..."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--socket", metavar="PATH", help="debug socket (default: debug.socket of the config)")
    parser.add_argument("--json", action="store_true", help="print the raw JSON reply")
    parser.add_argument("words", nargs="*", help="the request, e.g. `actors` or `state meter`")


def run(args: argparse.Namespace) -> int:
    from connext.bin.debug_client import build_request, render_actors, request

    socket_path = args.socket
    if socket_path is None:
        config = load(args.config)
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
