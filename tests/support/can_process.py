"""Helpers for the CAN tests that cross process boundaries: a random multicast bus,
a config file on disk, and the `connext sim-wallbox` subprocess."""

from __future__ import annotations

import json
import queue
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from .configs import site_document

READY_TIMEOUT_S = 20.0


def random_multicast() -> tuple[str, int]:
    """A group and port no other test on this machine is likely to use."""
    rnd = random.SystemRandom()
    return f"239.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}", rnd.randint(20000, 60000)


def _toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def to_toml(document: dict[str, Any]) -> str:
    """Enough TOML for a site document: scalars, tables, arrays of tables."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in document.items() if not isinstance(v, dict | list)]
    for key, value in document.items():
        tables = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
        header = f"[{key}]" if isinstance(value, dict) else f"[[{key}]]"
        for table in tables:
            lines.append(header)
            lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def write_config(path: Path, **sections: Any) -> Path:
    document = site_document(9, **sections)
    document.setdefault("state_dir", str(path.parent / "var"))
    path.write_text(to_toml(document))
    return path


class SimProcess:
    """`connext sim-wallbox` as a real subprocess, driven through its stdin."""

    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "connext.bin.cli", "sim-wallbox", *args]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self._next(READY_TIMEOUT_S)
        if not self.ready.get("ready"):
            raise RuntimeError(f"sim-wallbox did not start: {self.ready}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _next(self, timeout_s: float) -> dict[str, Any]:
        try:
            return json.loads(self.lines.get(timeout=timeout_s))
        except queue.Empty:
            self.process.kill()
            _, err = self.process.communicate(timeout=5)
            raise RuntimeError(f"sim-wallbox said nothing for {timeout_s} s; stderr:\n{err[-3000:]}") from None

    def command(self, line: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self._next(10.0)

    def wallbox(self, address: int) -> dict[str, Any]:
        return next(w for w in self.command("state")["wallboxes"] if w["address"] == address)

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
