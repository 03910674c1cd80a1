"""RS485 test helpers: a socat pty pair, a reading collector posing as the site controller,
and a daemon running the RS485 group against a simulated line."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connext.actors.base import ConnextActor
from connext.actors.messages import GetSnapshot, InverterReading, MeterReading
from connext.actors.rs485_tree import rs485_group
from connext.actors.tree import Child, Group
from connext.bin.daemon import Daemon
from connext.core.config import Config

from .configs import site_config

FAST_RS485 = {"timeout_s": 0.2, "retries": 1, "offline_poll_s": 0.5}


class SocatPair:
    """Two linked ptys (`a` for the master, `b` for the simulated slaves), like a cable."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("socat") is None:
            raise RuntimeError("socat is not installed: run `make system-deps` (apt-get install socat)")
        self.a, self.b = str(folder / "ttyA"), str(folder / "ttyB")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> SocatPair:
        link = "pty,raw,echo=0,link={}"
        self.process = subprocess.Popen(
            ["socat", link.format(self.a), link.format(self.b)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: os.path.exists(self.a) and os.path.exists(self.b), "socat ptys")
        return self

    def stop(self) -> None:
        """Pull the cable: both ptys disappear."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=5)
            self.process = None
        wait_for(lambda: not os.path.exists(self.a), "socat ptys to vanish")


def wait_for(condition: Callable[[], Any], what: str, timeout_s: float = 20.0) -> Any:
    """Poll `condition` until it is truthy; fail with `what` after a generous deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


class Collector(ConnextActor):
    """Stands in for the site controller: keeps every reading it is told."""

    def __init__(self, ctx: Any, sink: list[object], lock: threading.Lock) -> None:
        super().__init__(ctx)
        self.sink, self.lock = sink, lock

    def receive(self, message: Any) -> Any:
        match message:
            case MeterReading() | InverterReading():
                with self.lock:
                    self.sink.append(message)
            case _:
                raise TypeError(f"collector: unexpected {message!r}")


class Rs485Daemon:
    """The real daemon running the RS485 group plus a collector named site-controller."""

    def __init__(self, config: Config) -> None:
        self.readings: list[object] = []
        self.lock = threading.Lock()
        group = rs485_group(config)
        assert group is not None
        site = Child("site-controller", Collector, {"sink": self.readings, "lock": self.lock})
        self.daemon = Daemon(config, tree=Group("site", (group, site)))

    def __enter__(self) -> Rs485Daemon:
        self.daemon.start()  # the supervisor starts the actors on its own thread, right after
        records = self.daemon.directory.records
        wait_for(lambda: all(r.status == "running" and r.ref is not None for r in records()), "actors running")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.daemon.stop()

    def snapshot(self, name: str) -> dict[str, Any]:
        ref = self.daemon.directory.ref(name)
        assert ref is not None, f"{name} is not running"
        return ref.ask(GetSnapshot(), timeout=10)

    def meter_readings(self) -> list[MeterReading]:
        with self.lock:
            return [r for r in self.readings if isinstance(r, MeterReading)]

    def inverter_readings(self, unit: int) -> list[InverterReading]:
        with self.lock:
            return [r for r in self.readings if isinstance(r, InverterReading) and r.unit == unit]


def inverter(address: int, kind: str, family: str = "sofar_g3") -> dict[str, Any]:
    return {"address": address, "serial": f"SN{address:04d}{kind.upper()}", "kind": kind, "family": family}


def rs485_config(tmp_path: Path, port: str, topology: int = 5, **sections: Any) -> Config:
    sections.setdefault("meter", {"address": 32, "stale_after_s": 1.0})
    if topology != 5:
        sections.pop("meter")
    sections["rs485"] = {"port": port, **FAST_RS485, **sections.get("rs485", {})}
    return site_config(tmp_path, topology, **sections)
