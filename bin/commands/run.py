"""connext run: the long-lived daemon."""

from __future__ import annotations

import argparse

from .common import EXIT_CONFIG, add_config, add_logging, load

NAME = "run"
HELP = "run the daemon"
DESCRIPTION = "Run the long-lived control daemon; SIGTERM/SIGINT put the site in its safe state and exit 0."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_logging(parser)


def run(args: argparse.Namespace) -> int:
    from loguru import logger

    from connext.bin.daemon import Daemon
    from connext.core.lock import AlreadyRunning
    from connext.core.logs import setup_logging

    config = load(args.config)
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
