"""A real Prometheus server (the Debian package) scrapes the running demo with the alert
rules of deploy/, and a PromQL query over its HTTP API returns the grid power the
simulated meter produces."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.site_demo import GRID_W, DemoProcess
from support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "connext-alerts.yml"
DEADLINE_S = 90.0  # a loaded 2-core machine: generous, never asserted


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.loads(reply.read())


class PrometheusServer:
    """`prometheus` on a free port with a temporary storage dir and a 1 s scrape interval."""

    def __init__(self, folder: Path, target: str) -> None:
        self.config = folder / "prometheus.yml"
        self.config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            f"rule_files:\n  - {RULES}\n"
            f"scrape_configs:\n  - job_name: connext\n    static_configs:\n      - targets: ['{target}']\n"
        )
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> PrometheusServer:
        for _ in range(3):  # a port taken between free_port() and the bind: try another
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            log = (self.folder / "prometheus.log").open("wb")
            command = ["prometheus", f"--config.file={self.config}", f"--storage.tsdb.path={self.folder / 'data'}",
                       f"--web.listen-address=127.0.0.1:{port}"]  # fmt: skip
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            if self._ready():
                return self
            self.stop()
        raise AssertionError(f"prometheus did not start:\n{(self.folder / 'prometheus.log').read_text()[-3000:]}")

    def _ready(self) -> bool:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and self.process is not None and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=5) as reply:
                    if reply.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        return False

    def query(self, promql: str) -> list[dict[str, Any]]:
        reply = get_json(f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}")
        assert reply["status"] == "success", reply
        return reply["data"]["result"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def prometheus(demo: DemoProcess, tmp_path: Path) -> Iterator[PrometheusServer]:
    target = urllib.parse.urlparse(demo.metrics_url()).netloc
    server = PrometheusServer(tmp_path, target).start()
    yield server
    server.stop()


def wait_for_value(server: PrometheusServer, promql: str, expected: float, tolerance: float) -> float:
    deadline, last = time.monotonic() + DEADLINE_S, None
    while time.monotonic() < deadline:
        result = server.query(promql)
        if result:
            last = float(result[0]["value"][1])
            if abs(last - expected) <= tolerance:
                return last
        time.sleep(0.5)
    raise AssertionError(f"{promql} = {last}, expected {expected} ± {tolerance} (log: {server.folder})")


def test_promql_over_the_http_api_returns_the_grid_power_of_the_simulated_meter(
    demo: DemoProcess, prometheus: PrometheusServer
) -> None:
    simulated = demo.wait_status(lambda s: s.get("simgrid", "").endswith("W") and s["wb1"].startswith("charging"))
    expected = float(simulated["simgrid"].removesuffix("W"))
    assert abs(expected - GRID_W) < 150  # the steady site's worked-out value
    wait_for_value(prometheus, 'connext_meter_power_watts{job="connext"}', expected, 150)
    wait_for_value(prometheus, 'connext_site_grid_power_watts{job="connext"}', expected, 150)
    # the deploy/ alert rules are loaded and evaluate without error, and none fires on this healthy site
    rules = wait_until(lambda: evaluated_rules(prometheus), DEADLINE_S, "every rule evaluated")
    assert len(rules) == RULES.read_text().count("- alert:")
    assert all(rule["health"] == "ok" for rule in rules), rules
    assert get_json(f"{prometheus.url}/api/v1/alerts")["data"]["alerts"] == []


def evaluated_rules(server: PrometheusServer) -> list[dict[str, Any]]:
    groups = get_json(f"{server.url}/api/v1/rules")["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    return rules if rules and all(rule["health"] != "unknown" for rule in rules) else []
