"""`connext demo --plain` as a real subprocess for the end-to-end tests: its config and
scenario written into a folder (free ports, a random multicast group), its output read
line by line, its status lines parsed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from connext.sim.site_rig import site_document, steady_scenario
from connext.sim.site_toml import write_toml

STOP_TIMEOUT_S = 60.0
# The steady site: 11 kW contracted, PV 3 kW and the house 1 kW all day, a car on wallbox 1
# from the start, Fast strategy: the car gets all it may, 16 A on three phases, so the
# meter reads 3000 - 1000 - 11 040 = -9040 W.
CONTRACT_W = 11000.0
CAR_W = 16 * 230 * 3
GRID_W = 3000 - 1000 - CAR_W


def steady_site(folder: Path, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The config and scenario documents of the steady site (`options`: see site_document)."""
    document = site_document(folder, wallboxes=1, contracted_power_w=CONTRACT_W, **options)
    return document, steady_scenario(pv_w=3000, house_w=1000)


def parse_status(line: str) -> dict[str, str]:
    """`t=3s sim=00:03 grid=-9040W ... wb1=charging/11040W/16.0A/fast` -> {key: value}."""
    return dict(word.split("=", 1) for word in line.split() if "=" in word)


def watts(value: str) -> float:
    return float(value.removesuffix("W"))


class DemoProcess:
    """One `connext demo` run; `lines` is everything it printed so far."""

    def __init__(self, folder: Path, document: dict[str, Any], scenario: dict[str, Any], *args: str,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.folder = folder
        config, scenario_path = write_toml(folder / "config.toml", document), write_toml(folder / "day.toml", scenario)
        command = [sys.executable, "-m", "connext.bin.cli", "demo", "--config", str(config),
                   "--scenario", str(scenario_path), "--plain", *args]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env=env or dict(os.environ))  # fmt: skip
        self.lines: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout_s: float = 60.0) -> re.Match[str]:
        """The first match of `pattern` in the output; fails with the output after the deadline."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the reader drain the last lines
                found = re.search(pattern, self.output())
                if found:
                    return found
                break
            time.sleep(0.1)
        raise AssertionError(f"`connext demo` never printed {pattern!r}; it printed:\n{self.output()[-4000:]}")

    def wait_status(self, predicate: Any, timeout_s: float = 60.0) -> dict[str, str]:
        """The first status line (parsed) for which `predicate(status)` holds."""
        deadline = time.monotonic() + timeout_s
        seen = 0
        while time.monotonic() < deadline:
            with self._lock:
                fresh, seen = self.lines[seen:], len(self.lines)
            for line in fresh:
                if line.startswith("t=") and predicate(status := parse_status(line)):
                    return status
            time.sleep(0.1)
        raise AssertionError(f"no status line matched within {timeout_s} s; output:\n{self.output()[-4000:]}")

    def metrics_url(self) -> str:
        return self.wait_for(r"metrics\s+(http://\S+/metrics)").group(1)

    def scrape(self) -> str:
        with urllib.request.urlopen(self.metrics_url(), timeout=10) as reply:
            return reply.read().decode()

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.wait()

    def wait(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"`connext demo` did not stop; output:\n{self.output()[-4000:]}") from None


def sample(scrape: str, name: str, **labels: str) -> float:
    """The value of one series in an exposition text."""
    for line in scrape.splitlines():
        if not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] == name and all(f'{k}="{v}"' in series for k, v in labels.items()):
            return float(value)
    raise AssertionError(f"no sample {name}{labels} in the scrape")
