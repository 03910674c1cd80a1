"""Start-up time and idle footprint of the daemon on the example config.

Spawns `connext run` on a copy of config.toml with its state in a temporary folder,
measures the time from exec until the debug socket answers `version` and until the API
is up, lets it settle, then samples the idle process for a while: RSS, threads and CPU.
The example config has no devices answering: its RS485 pty does not exist (the bus
retries), its CAN group is silent. Prints one line per figure.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5] [--idle-s 20] [--settle-s 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version(sock_path: Path) -> dict:
    """The daemon's `version` reply, {} while it does not answer."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(sock_path))
            sock.sendall(b'{"cmd": "version"}\n')
            reply = json.loads(sock.recv(65536))
            return reply if reply.get("ok") is True else {}
    except (OSError, ValueError):
        return {}


def wait_for(process: subprocess.Popen, begin: float, ready: Callable[[], bool]) -> float:
    """Seconds from `begin` until `ready()`."""
    while not ready():
        if process.poll() is not None or time.monotonic() - begin > 60:
            raise SystemExit("the daemon did not come up")
        time.sleep(0.005)
    return time.monotonic() - begin


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(workdir: Path, idle_s: float, settle_s: float) -> dict[str, float]:
    config = workdir / "config.toml"
    text = (ROOT / "config.toml").read_text()
    for fixed in ('listen = "127.0.0.1:9810"', 'listen = "127.0.0.1:8080"'):  # metrics, api: any free port
        text = text.replace(fixed, 'listen = "127.0.0.1:0"')
    config.write_text(text)
    sock_path = workdir / "var" / "connext.sock"
    begin = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "connext.bin.cli", "run", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        ready_s = wait_for(process, begin, lambda: bool(version(sock_path)))
        api_s = wait_for(process, begin, lambda: "api" in version(sock_path))  # the API starts last
        time.sleep(settle_s)
        cpu_before, wall_before = cpu_seconds(process.pid), time.monotonic()
        time.sleep(idle_s)
        cpu = (cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - wall_before)
        status = proc_status(process.pid)
        return {"ready_s": ready_s, "api_s": api_s, "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
                "threads": int(status["Threads"]), "cpu_ratio": cpu}  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle-s", type=float, default=20.0, help="the idle window measured")
    parser.add_argument("--settle-s", type=float, default=5.0, help="wait this long after start-up before it")
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(one_run(Path(tmp), args.idle_s, args.settle_s))
    ready = sorted(r["ready_s"] for r in results)
    print(f"start-up to debug socket ready: median {statistics.median(ready) * 1000:.0f} ms, "
          f"max {ready[-1] * 1000:.0f} ms over {args.runs} runs")  # fmt: skip
    print(f"start-up to the API answering: median {statistics.median(r['api_s'] for r in results) * 1000:.0f} ms")
    print(f"idle RSS: {statistics.median(r['rss_mb'] for r in results):.1f} MB (median)")
    print(f"idle threads: {results[-1]['threads']}")
    print(f"idle CPU: {statistics.median(r['cpu_ratio'] for r in results) * 100:.2f} % of one core")


if __name__ == "__main__":
    main()
