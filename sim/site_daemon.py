"""The daemon beside a simulated site: `connext run` as a child process, exactly as on the
box (`connext demo`, the end-to-end tests, the benchmarks).

It runs in its own session (a terminal's Ctrl-C reaches the demo only, which then stops
the daemon first and the simulated devices after it, so the daemon's safe-state frames
still reach the wallboxes), in the config's folder (a relative rs485.port is opened from
there), with its log in a file so a status screen stays readable.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from connext.bin.debug_client import request
from connext.core.config import Config

from .site_rs485 import Rs485Link
from .site_toml import write_toml

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class DaemonFailed(RuntimeError):
    """The daemon did not come up; the message ends with the tail of its log."""


class DaemonProcess:
    """`connext run --config CONFIG` in `cwd`, output to `log_path`. `launcher`: how Python
    starts the CLI (a benchmark may wrap it in a script taking the CLI's arguments)."""

    def __init__(self, config_path: Path, cwd: Path, log_path: Path, socket_path: str,
                 launcher: tuple[str, ...] = ("-m", "connext.bin.cli")) -> None:  # fmt: skip
        self.config_path, self.cwd, self.log_path, self.socket_path = config_path, cwd, log_path, socket_path
        self.launcher = launcher
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> DaemonProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            command = [sys.executable, *self.launcher, "run", "--config", str(self.config_path)]
            self.process = subprocess.Popen(command, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        return self

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ask(self, payload: dict[str, Any], timeout_s: float = 3.0) -> dict[str, Any] | None:
        """One debug-socket request; None when the daemon does not answer (yet)."""
        try:
            reply = request(self.socket_path, payload, timeout_s)
        except (OSError, ValueError):
            return None
        return reply if reply.get("ok") else None

    def wait_ready(self, endpoints: tuple[str, ...] = (), timeout_s: float = READY_TIMEOUT_S) -> dict[str, Any]:
        """The `version` reply (pid, endpoints) once the debug socket answers and lists
        `endpoints` (the API starts just after the debug socket)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive():
                raise DaemonFailed(f"the daemon exited with code {self.exit_code()}:\n{self.log_tail()}")
            reply = self.ask({"cmd": "version"})
            if reply is not None and reply.get("pid") == self.pid and all(k in reply for k in endpoints):
                return reply
            time.sleep(0.1)
        raise DaemonFailed(f"the daemon's debug socket did not answer within {timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM (the daemon puts the site in its safe state), then wait; kill if it hangs."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.exit_code()

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def derived_config(config_path: Path, config: Config, link: Rs485Link | None) -> Path:
    """The config the daemon runs on: `config_path` itself, or, when the simulator serves
    the RS485 line elsewhere (Modbus TCP without socat, a tcp port 0), a copy pointing
    there, written into the state dir with every path absolute."""
    if link is None or config.rs485 is None or link.daemon_port == config.rs485.port:
        return config_path
    document = tomllib.loads(config_path.read_text(encoding="utf-8"))
    document["rs485"]["port"] = link.daemon_port
    document["state_dir"] = config.state_dir
    document.setdefault("debug", {})["socket"] = config.debug.socket
    document.setdefault("storage", {})["path"] = config.storage.path
    return write_toml(Path(config.state_dir) / "daemon-config.toml", document)
