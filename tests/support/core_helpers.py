"""Test actors and helpers for the runtime core: a failing actor, supervisor steps,
and a config file for a daemon process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connext.actors.base import ConnextActor
from connext.actors.directory import Directory
from connext.actors.messages import Tick
from connext.core.clock import ManualClock
from connext.core.config import SupervisorConfig
from support.waiting import wait_until

SETTINGS = SupervisorConfig(backoff_base_s=1.0, backoff_cap_s=4.0, intensity=3, period_s=60.0, degraded_retry_s=100.0)


class Flaky(ConnextActor):
    """Raises on "boom"; remembers the degraded notices it receives."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.notices: list[tuple[tuple[str, ...], bool]] = []

    def receive(self, message: Any) -> Any:
        if message == "boom":
            raise RuntimeError("boom")
        if message == "ping":
            return "pong"
        return super().receive(message)

    def on_degraded(self, names: tuple[str, ...], degraded: bool) -> None:
        self.notices.append((names, degraded))

    def snapshot(self) -> dict[str, Any]:
        return {"notices": [[list(n), d] for n, d in self.notices]}


def fail(directory: Directory, name: str) -> None:
    """Make `name` raise, and wait until the supervisor has dealt with it."""
    record = directory.record(name)
    assert record is not None and record.ref is not None
    failures = record.restarts + (record.status == "degraded")
    record.ref.tell("boom")
    wait_until(lambda: record.status != "running" or record.restarts > failures, what=f"{name} failure handled")


def tick(supervisor: Any, clock: ManualClock, seconds: float) -> None:
    clock.advance(seconds)
    supervisor.ask(Tick(), timeout=5)


def config_file(tmp_path: Path, log_format: str = "human") -> Path:
    """A TOML config for topology 9 with its state under tmp_path."""
    path = tmp_path / "site.toml"
    path.write_text(
        f"""
state_dir = "state"
[box]
serial = "CA020490200005"
[site]
phases = 3
contracted_power_w = 6000
topology = 9
[rs485]
port = "tcp://127.0.0.1:1"
[meter]
address = 32
[metrics]
listen = "127.0.0.1:0"
[logging]
format = "{log_format}"
"""
    )
    return path
