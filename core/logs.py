"""Logging: one loguru sink, set up in one place; stdlib logging is routed into it.

Human format by default, JSON lines with `fmt="json"`. Libraries that log through the
stdlib (pykka, pymodbus, python-can) land in the same sink.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from loguru import logger

HUMAN_FORMAT = "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> <level>{level: <7}</level> {message}"
# pymodbus logs every failed transaction as an error; the bus actor counts them and logs
# once per burst instead, so only pymodbus' critical messages get through.
LIBRARY_LEVELS = {"pymodbus": logging.CRITICAL, "can": logging.WARNING, "pykka": logging.INFO}


class _ToLoguru(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(depth=6, exception=record.exc_info).log(level, "{}: {}", record.name, record.getMessage())


def setup_logging(level: str = "INFO", fmt: str = "human", sink: TextIO | None = None) -> None:
    """Replace every sink with one; safe to call again (tests, reconfiguration)."""
    logger.remove()
    stream = sink or sys.stderr
    if fmt == "json":
        logger.add(stream, level=level, serialize=True, backtrace=False, diagnose=False)
    else:
        colorize = hasattr(stream, "isatty") and stream.isatty()
        logger.add(stream, level=level, format=HUMAN_FORMAT, colorize=colorize, backtrace=False, diagnose=False)
    logging.basicConfig(handlers=[_ToLoguru()], level=logging.DEBUG, force=True)
    for name, lib_level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(lib_level)
