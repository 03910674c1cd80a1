"""The `connext` command line: one CLI, one module per subcommand (bin/commands/)."""

from __future__ import annotations

import argparse
import importlib
import sys

# In the order `connext --help` lists them.
COMMANDS = ("run", "demo", "check_config", "debug", "check_ct", "scenario", "sim", "sim_modbus", "sim_wallbox")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="connext", description="Control daemon of a home energy box.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMANDS:
        command = importlib.import_module(f"connext.bin.commands.{module_name}")
        sub_parser = sub.add_parser(command.NAME, help=command.HELP, description=command.DESCRIPTION)
        command.add_arguments(sub_parser)
        sub_parser.set_defaults(func=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
