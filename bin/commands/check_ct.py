"""connext check-ct: guide the installer's CT clamp direction check."""

from __future__ import annotations

import argparse

from .common import EXIT_CONFIG, add_config, load

NAME = "check-ct"
HELP = "guide the CT clamp direction check (PV off, loads on)"
DESCRIPTION = (
    "Read the CT clamps for a few seconds and say which one looks reversed. "
    "Exit 0 fine, 1 a clamp looks reversed, 3 unclear (too little load, PV not off), 2 config problem."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to average (default 5)")
    parser.add_argument("--pv", choices=["off", "on"], default="off", help="the PV state during the check")


def run(args: argparse.Namespace) -> int:
    from connext.bin.check_ct import run as check

    config = load(args.config)
    if config is None:
        return EXIT_CONFIG
    return check(config, args.seconds, args.pv == "on")
