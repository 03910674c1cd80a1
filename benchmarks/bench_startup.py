"""Start-up time and idle footprint of the daemon on the example config.

Spawns `connext run` on a copy of config.toml with its state in a temporary folder,
measures the time from exec until the debug socket answers `version`, then samples
the idle process for a while: RSS, threads and CPU. Prints one line per figure.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5] [--idle-s 10]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def answer(sock_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(sock_path))
            sock.sendall(b'{"cmd": "version"}\n')
            return json.loads(sock.recv(65536)).get("ok") is True
    except (OSError, ValueError):
        return False


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(workdir: Path, idle_s: float) -> dict[str, float]:
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
        while not answer(sock_path):
            if process.poll() is not None or time.monotonic() - begin > 60:
                raise SystemExit("the daemon did not come up")
            time.sleep(0.005)
        ready_s = time.monotonic() - begin
        cpu_before, wall_before = cpu_seconds(process.pid), time.monotonic()
        time.sleep(idle_s)
        cpu = (cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - wall_before)
        status = proc_status(process.pid)
        return {"ready_s": ready_s, "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
                "threads": int(status["Threads"]), "cpu_ratio": cpu}  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle-s", type=float, default=10.0)
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(one_run(Path(tmp), args.idle_s))
    ready = sorted(r["ready_s"] for r in results)
    print(f"start-up to debug socket ready: median {statistics.median(ready) * 1000:.0f} ms, "
          f"max {ready[-1] * 1000:.0f} ms over {args.runs} runs")  # fmt: skip
    print(f"idle RSS: {statistics.median(r['rss_mb'] for r in results):.1f} MB (median)")
    print(f"idle threads: {results[-1]['threads']}")
    print(f"idle CPU: {statistics.median(r['cpu_ratio'] for r in results) * 100:.2f} % of one core")


if __name__ == "__main__":
    main()
