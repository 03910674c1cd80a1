"""Helpers shared by the subcommands: the --config and logging options, config loading."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connext.core.config import Config

DEFAULT_CONFIG = os.environ.get("CONNEXT_CONFIG", "config.toml")
EXIT_CONFIG = 2


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", default=DEFAULT_CONFIG, metavar="PATH",
                        help=f"site configuration (default: {DEFAULT_CONFIG}, or $CONNEXT_CONFIG)")  # fmt: skip


def add_logging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", choices=["TRACE", "DEBUG", "INFO", "WARNING", "ERROR"],
                        help="overrides logging.level of the config")  # fmt: skip
    parser.add_argument("--log-format", choices=["human", "json"], help="overrides logging.format of the config")


def print_problems(source: str, problems: tuple[object, ...]) -> None:
    print(f"{source}: {len(problems)} problem(s):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def load(path: str) -> Config | None:
    """The validated config, or None after printing every problem to stderr."""
    from connext.core.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as err:
        print_problems(path, err.problems)
        return None
