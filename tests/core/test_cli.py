"""The connext CLI: --help everywhere, check-config's output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONNEXT = [sys.executable, "-m", "connext.bin.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CONNEXT, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("command", ["run", "check-config", "debug"])
def test_every_subcommand_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert "--config" in result.stdout


def test_check_config_prints_the_understood_site() -> None:
    result = run("check-config", "--config", "config.toml")
    assert result.returncode == 0, result.stderr
    assert "config.toml: valid" in result.stdout
    assert "topology 5: three-phase, Azzurro PV string inverter" in result.stdout
    assert "DTSU666 at address 32, CT ratio 40" in result.stdout
    as_json = json.loads(run("check-config", "--config", "config.toml", "--json").stdout)
    assert as_json["contracted_power_w"] == 6000
    assert [i["address"] for i in as_json["inverters"]] == [1, 2]


def test_check_config_exits_2_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "config.toml").read_text().replace("topology = 5", "topology = 9"))
    result = run("check-config", "--config", str(bad))
    assert result.returncode == 2
    assert 'inverters = "2 entries": topology 9 (three-phase, no PV) has no PV for production' in result.stderr


def test_debug_without_a_daemon_says_it_cannot_connect(tmp_path: Path) -> None:
    result = run("debug", "--socket", str(tmp_path / "none.sock"), "actors")
    assert result.returncode == 1
    assert "cannot talk to" in result.stderr
