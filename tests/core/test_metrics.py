"""/metrics over real HTTP, linted by promtool; the core metrics move with the tree."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.configs import site_config
from support.waiting import wait_until

from connext.actors.base import ConnextActor
from connext.actors.tree import Child, Group
from connext.bin.daemon import Daemon


class Fragile(ConnextActor):
    def receive(self, message: Any) -> Any:
        if message == "boom":
            raise RuntimeError("boom")
        return super().receive(message)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    running = Daemon(site_config(tmp_path), tree=Group("site", (Child("fragile-m", Fragile),)))
    running.start()
    yield running
    running.stop()


def scrape(daemon: Daemon) -> str:
    with urllib.request.urlopen(daemon.endpoints["metrics"], timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return response.read().decode()


def sample(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith((name + " ", name + "{")):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_are_served_over_http_and_pass_promtool(daemon: Daemon) -> None:
    text = scrape(daemon)
    assert 'connext_build_info{version="' in text
    assert sample(text, 'connext_actor_up{actor="fragile-m"}') == 1.0
    assert "process_resident_memory_bytes" in text
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: `make test` installs it (Debian package prometheus)"
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_restarts_show_in_the_scrape(daemon: Daemon) -> None:
    daemon.directory.ref("fragile-m").tell("boom")
    wait_until(lambda: daemon.directory.record("fragile-m").restarts == 1, what="restart counted")
    text = scrape(daemon)
    assert sample(text, 'connext_actor_restarts_total{actor="fragile-m"}') == 1.0
    assert sample(text, 'connext_actor_failures_total{actor="fragile-m"}') == 1.0
    wait_until(lambda: daemon.directory.record("fragile-m").status == "running", what="back up (0.5 s backoff)")
    assert sample(scrape(daemon), 'connext_actor_up{actor="fragile-m"}') == 1.0
