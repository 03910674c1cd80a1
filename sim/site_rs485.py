"""Where the simulated RS485 line is served, so the daemon finds it at its `rs485.port`.

- `rs485.port = "tcp://host:port"`: the simulator is the Modbus TCP gateway there.
- a device path (e.g. `var/ttyRS485`): a socat pty pair makes the cable; the daemon
  opens the path, the simulator answers as RTU slaves on `PATH-sim`, with the line's
  wire time. A relative path is taken from `base_dir` (the daemon opens it relative to
  its working directory: `connext demo` runs it in the config's folder).
- no socat and `tcp_fallback`: Modbus TCP on a free local port instead; the daemon
  must then be pointed at `Rs485Link.daemon_port` (the demo writes a derived config).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from connext.core.config import parse_listen

from .modbus_line import SimLine
from .modbus_site import make_pty_pair

NO_SOCAT = "socat is not installed (Debian: apt-get install socat; `make demo` installs it when run as root)"


class Rs485Unavailable(RuntimeError):
    """The line cannot be served where the config says; the message says why and what to do."""


@dataclass
class Rs485Link:
    """How the simulated line is served."""

    kind: str  # "pty" (RTU over a socat pair) or "tcp"
    daemon_port: str  # the rs485.port the daemon must open
    note: str = ""  # why it differs from the config, if it does
    socat: subprocess.Popen[bytes] | None = None

    def close(self) -> None:
        if self.socat is not None and self.socat.poll() is None:
            self.socat.terminate()
            self.socat.wait(timeout=5)


def device_path(port: str, base_dir: Path) -> Path:
    path = Path(port)
    return path if path.is_absolute() else base_dir / path


def serve_rs485(line: SimLine, port: str, base_dir: Path, tcp_fallback: bool = False) -> Rs485Link:
    """Serve `line` where `port` (the config's rs485.port) points; see the module docstring."""
    if port.startswith("tcp://"):
        host, number = parse_listen(port.removeprefix("tcp://"))
        bound = line.serve_tcp(host, number)
        return Rs485Link("tcp", f"tcp://{host}:{bound}")
    if shutil.which("socat") is None:
        if not tcp_fallback:
            raise Rs485Unavailable(f"rs485.port = {port} needs a pty pair, but {NO_SOCAT}")
        bound = line.serve_tcp("127.0.0.1", 0)
        note = f"{NO_SOCAT}: serving Modbus TCP on 127.0.0.1:{bound} instead of RTU on {port}"
        return Rs485Link("tcp", f"tcp://127.0.0.1:{bound}", note)
    path = device_path(port, base_dir)
    if path.exists() and not path.is_symlink():
        raise Rs485Unavailable(
            f"rs485.port = {port} is a real device or file: the simulator does not take it over; "
            'point rs485.port at a path under the state dir (e.g. "var/ttyRS485") or at tcp://127.0.0.1:5020'
        )
    if path.exists():
        raise Rs485Unavailable(f"rs485.port = {port} is in use (another simulator running?)")
    try:
        socat, sim_end = make_pty_pair(str(path))
    except RuntimeError as err:
        raise Rs485Unavailable(str(err)) from err
    link = Rs485Link("pty", port, socat=socat)
    try:
        line.serve_serial(sim_end)
    except (OSError, TimeoutError):
        link.close()
        raise
    return link
