"""The API's figures: scrypt cost, request latency with token check, login throughput.

Starts the API in-process on a free port (real KDF parameters, a real SQLite file in a
temporary folder) and talks to it over HTTP/1.1 keep-alive connections. Prints one
line per figure.

    .venv/bin/python benchmarks/bench_api.py [--requests 500]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from connext.actors.directory import Directory
from connext.api.accounts import KDF
from connext.api.service import ApiService
from connext.core.clock import SystemClock
from connext.core.config import from_dict

DOCUMENT = {
    "box": {"serial": "CA020490200005"},
    "site": {"phases": 3, "contracted_power_w": 6000, "topology": 9},
    "rs485": {"port": "tcp://127.0.0.1:1"},
    "meter": {"address": 32},
    "api": {"enabled": True, "listen": "127.0.0.1:0"},
}


def call(conn: http.client.HTTPConnection, method: str, path: str, body: object = None, token: str = "") -> dict:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    assert response.status < 300, (response.status, data)
    return json.loads(data) if data else {}


def latency_ms(port: int, path: str, token: str, count: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call(conn, "GET", path, token=token)
        samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return sorted(samples)


def logins_per_s(port: int, clients: int, each: int) -> float:
    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(each):
            call(conn, "POST", "/api/auth/login", {"name": "olivia", "password": "owner-password"})
        conn.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * each / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    hashes = []
    for _ in range(5):
        started = time.perf_counter()
        KDF.hash("owner-password")
        hashes.append((time.perf_counter() - started) * 1000)
    print(f"scrypt n={KDF.n} r={KDF.r} p={KDF.p}: {statistics.median(hashes):.0f} ms per hash, "
          f"{128 * KDF.r * KDF.n / 2**20:.0f} MiB per hash")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        config = from_dict({**DOCUMENT, "state_dir": folder}, Path(folder))
        service = ApiService(config, Directory(), SystemClock()).start()
        try:
            assert service.server is not None
            port = service.server.port
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            token = call(conn, "POST", "/api/auth/register", {"name": "olivia", "password": "owner-password"})["token"]
            conn.close()
            for path in ("/api/auth/me", "/api/site"):
                samples = latency_ms(port, path, token, args.requests)
                p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]
                print(f"GET {path} (token checked): p50 {p50:.2f} ms, p99 {p99:.2f} ms over {args.requests} requests")
            print(f"logins, 4 clients at once: {logins_per_s(port, 4, 5):.1f} per s (at most 2 hashes run at a time)")
        finally:
            service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
