"""A daemon whose tree holds actors that write down their safe-state calls.

Run as `python -m support.recording_daemon CONFIG LOGFILE` (with tests/ on the path):
the shutdown order and the safe-state calls can then be checked from outside.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from connext.actors.base import ConnextActor
from connext.actors.tree import Child, Group
from connext.bin.daemon import Daemon
from connext.core.config import load_config
from connext.core.logs import setup_logging


class Recording(ConnextActor):
    """Appends "<name> safe <reason>" and "<name> stopped" to a log file."""

    def __init__(self, ctx: Any, log: str) -> None:
        super().__init__(ctx)
        self.log = Path(log)

    def _write(self, line: str) -> None:
        with self.log.open("a") as f:
            f.write(line + "\n")

    def enter_safe_state(self, reason: str) -> None:
        self._write(f"{self.name} safe {reason}")

    def on_stop(self) -> None:
        self._write(f"{self.name} stopped")


def main(config_path: str, log: str) -> int:
    config = load_config(config_path)
    setup_logging(config.logging.level, config.logging.format)
    kwargs = {"log": log}
    tree = Group("site", (
        Child("recorder", Recording, kwargs),
        Group("can", (Child("can-bus", Recording, kwargs), Child("wallbox-1", Recording, kwargs)),
              strategy="rest_for_one"),
        Child("site-controller", Recording, kwargs),
    ))  # fmt: skip
    daemon = Daemon(config, tree=tree)
    daemon.handle_signals()
    daemon.start()
    return daemon.wait()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
