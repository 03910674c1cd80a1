"""connext check-config: validate a config and print the understood site."""

from __future__ import annotations

import argparse
import json

from .common import EXIT_CONFIG, add_config, load

NAME = "check-config"
HELP = "validate a configuration and print the understood site"
DESCRIPTION = "Validate the config; exit 0 when valid, 2 with every problem otherwise."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--json", action="store_true", help="print the site as JSON")


def run(args: argparse.Namespace) -> int:
    from connext.core.config import describe_site, site_summary

    config = load(args.config)
    if config is None:
        return EXIT_CONFIG
    if args.json:
        print(json.dumps(site_summary(config), indent=2))
    else:
        print(f"{args.config}: valid\n{describe_site(config)}")
    return 0
