"""The ops pack under deploy/: the alert rules pass promtool (syntax and unit tests), the
systemd unit passes systemd-analyze, the Grafana dashboard is a valid dashboard, and every
metric name the dashboard and the rules use exists in a real scrape of the running demo."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.site_demo import DemoProcess

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "connext-dashboard.json"
RULES = DEPLOY / "prometheus" / "connext-alerts.yml"
UNIT = DEPLOY / "systemd" / "connext.service"
METRIC_NAME = re.compile(r"\b(?:connext|process)_[a-z0-9_]+\b")


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    "command",
    [
        ("check", "rules", RULES),
        ("test", "rules", DEPLOY / "prometheus" / "connext-alerts.test.yml"),
        ("check", "config", DEPLOY / "prometheus" / "prometheus.yml"),
    ],
    ids=["check-rules", "test-rules", "check-config"],
)
def test_promtool_accepts_the_rules_their_unit_tests_and_the_scrape_config(command: tuple[str | Path, ...]) -> None:
    result = run("promtool", *command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (docs/ops.md: verify the unit on the box)")
    # verify checks that the executables exist: point them at this checkout's connext
    connext = Path(sys.executable).with_name("connext")
    unit = tmp_path / "connext.service"
    unit.write_text(UNIT.read_text().replace("/opt/connext/bin/connext", str(connext)))
    result = run("systemd-analyze", "verify", unit)
    assert result.returncode == 0, result.stderr
    assert str(unit) not in result.stderr, result.stderr  # unknown keys and bad values are only warnings
    text = UNIT.read_text()
    for needed in ("Type=notify", "WatchdogSec=", "NotifyAccess=main", "NoNewPrivileges=yes", "ProtectSystem=strict"):
        assert needed in text


def dashboard_panels() -> list[dict[str, Any]]:
    return [p for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] != "row"]


def test_the_dashboard_is_a_grafana_dashboard_with_promql_panels_that_do_not_overlap() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["schemaVersion"] >= 30
    assert dashboard["uid"]
    assert {v["name"] for v in dashboard["templating"]["list"]} == {"datasource", "instance"}
    panels = dashboard_panels()
    assert len(panels) >= 15
    taken: dict[tuple[int, int], str] = {}
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(METRIC_NAME.search(t["expr"]) for t in panel["targets"]), panel["title"]
        g = panel["gridPos"]
        for cell in ((x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])):
            assert cell not in taken, f"{panel['title']} overlaps {taken.get(cell)}"
            taken[cell] = panel["title"]


def used_metric_names() -> set[str]:
    exprs = [t["expr"] for p in dashboard_panels() for t in p["targets"]]
    exprs += [v["definition"] for v in json.loads(DASHBOARD.read_text())["templating"]["list"] if "definition" in v]
    exprs += re.findall(r"expr: (.+)", RULES.read_text())
    return {name for expr in exprs for name in METRIC_NAME.findall(expr)}


def exposed_names(scrape: str) -> set[str]:
    """Every family (# TYPE lines: also those without a sample yet) and every sample name."""
    names = {line.split()[2] for line in scrape.splitlines() if line.startswith("# TYPE ")}
    names |= {re.split(r"[{ ]", line, maxsplit=1)[0] for line in scrape.splitlines() if line and line[0] != "#"}
    return names


def test_every_metric_the_dashboard_and_the_alerts_use_exists_in_a_real_scrape(demo: DemoProcess) -> None:
    used = used_metric_names()
    assert {"connext_site_grid_power_watts", "connext_actor_degraded", "connext_site_input_stale"} <= used
    missing = used - exposed_names(demo.scrape())
    assert not missing, f"not exported by the daemon: {sorted(missing)}"
