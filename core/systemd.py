"""systemd's notify protocol (sd_notify) without a C library: READY, STATUS, STOPPING
and the watchdog, as datagrams to $NOTIFY_SOCKET. Every call is a no-op outside systemd.
"""

from __future__ import annotations

import os
import socket

from loguru import logger


class Notifier:
    """Talks to the service manager named by the environment, if any."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self.watchdog_s = _watchdog_period(env)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, *assignments: str) -> bool:
        """Send `READY=1`, `STATUS=...`, `WATCHDOG=1`, ...; False when nobody listens."""
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto("\n".join(assignments).encode(), self.address)
        except OSError as err:
            if not self._warned:  # once: a broken notify socket must not flood the log
                logger.warning("cannot notify the service manager at {}: {}", self.address.lstrip("\0"), err)
                self._warned = True
            return False
        return True


def _watchdog_period(env: os._Environ[str] | dict[str, str]) -> float | None:
    """WatchdogSec in seconds when the watchdog is meant for this process."""
    usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 1_000_000
