"""The daemon as a process: start, signals, safe state, single instance, logging."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.core_helpers import config_file
from support.waiting import wait_until

TESTS = Path(__file__).resolve().parents[1]
CONNEXT = [sys.executable, "-m", "connext.bin.cli"]


@pytest.fixture
def spawn() -> Iterator:
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(TESTS), **(env or {})},
        )  # fmt: skip
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for_socket(path: Path, process: subprocess.Popen[str]) -> None:
    def ready() -> bool:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        return path.exists()

    wait_until(ready, what=f"{path} to appear")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_puts_the_site_in_its_safe_state_and_exits_0(tmp_path: Path, spawn, sig: signal.Signals) -> None:
    config, log = config_file(tmp_path), tmp_path / "calls.log"
    process = spawn(sys.executable, "-m", "support.recording_daemon", str(config), str(log))
    wait_for_socket(tmp_path / "state" / "connext.sock", process)
    process.send_signal(sig)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    calls = log.read_text().splitlines()
    safe = [c for c in calls if " safe " in c]
    # the controller stops deciding first, the devices follow, storage is last
    assert safe == [
        "site-controller safe shutdown", "wallbox-1 safe shutdown", "can-bus safe shutdown", "recorder safe shutdown"
    ]  # fmt: skip
    assert calls.index("recorder safe shutdown") < calls.index("site-controller stopped")
    assert calls[-1] == "recorder stopped"
    assert f"{signal.Signals(sig).name} received: stopping" in output
    assert "connext stopped" in output
    assert not (tmp_path / "state" / "connext.sock").exists()


def test_the_cli_daemon_logs_each_actor_and_refuses_a_second_instance(tmp_path: Path, spawn) -> None:
    config = config_file(tmp_path)
    first = spawn(*CONNEXT, "run", "--config", str(config))
    wait_for_socket(tmp_path / "state" / "connext.sock", first)
    listing = subprocess.run([*CONNEXT, "debug", "--config", str(config), "actors"], capture_output=True,
                             text=True, timeout=30)  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[0].split() == ["NAME", "KIND", "GROUP", "STATUS", "RESTARTS", "LAST", "MSG",
                                                      "MAILBOX"]  # fmt: skip
    assert "supervisor" in listing.stdout and "running" in listing.stdout
    state = subprocess.run([*CONNEXT, "debug", "--config", str(config), "state", "supervisor"],
                           capture_output=True, text=True, timeout=30)  # fmt: skip
    assert json.loads(state.stdout)["state"]["supervising"] is True
    second = spawn(*CONNEXT, "run", "--config", str(config))
    output, _ = second.communicate(timeout=30)
    assert second.returncode == 1
    assert f"another connext (pid {first.pid}) is running on state dir" in output
    first.send_signal(signal.SIGTERM)
    output, _ = first.communicate(timeout=30)
    assert first.returncode == 0, output
    for actor in ("modbus-bus", "meter"):  # the config's RS485 line and its DTSU666
        assert f"started {actor} (" in output
    started = re.findall(r"started (\S+) \(", output)
    assert f"running: {len(started)} actors" in output


def test_json_log_format_gives_one_object_per_line(tmp_path: Path, spawn) -> None:
    config = config_file(tmp_path, log_format="json")
    process = spawn(*CONNEXT, "run", "--config", str(config))
    wait_for_socket(tmp_path / "state" / "connext.sock", process)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    messages = [r["record"]["message"] for r in records]
    assert any(m.startswith("connext ") and "running" in m for m in messages)
    assert messages[-1] == "connext stopped"


def test_a_bad_config_exits_2_and_names_every_problem(tmp_path: Path, spawn) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[box]\nserial = "x"\n[site]\nphases = 2\ncontracted_power_w = 6000\ntopology = 9\n')
    process = spawn(*CONNEXT, "run", "--config", str(path))
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 2
    assert 'box.serial = "x": must be a box serial' in output
    assert "site.phases = 2: must be one of 1, 3" in output
