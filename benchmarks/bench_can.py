"""CAN side figures: codec speed, frame-to-WallboxStatus latency, start-up of the CAN group.

Run: .venv/bin/python benchmarks/bench_can.py   (about 10 s; prints one line per figure)

- codec: encode + decode of a whole status cycle (STATUS, CURRENTS, ENERGY).
- latency: from the simulator sending a status cycle to the `WallboxStatus` reaching the
  site controller's address, through python-can, can-bus and wallbox-1; over `virtual`
  (one process) and `udp_multicast` (two sockets, loopback).
- start-up: the CAN group (can-bus + 31 wallbox actors) started by the supervisor, and
  the threads and memory it costs.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import timeit
import uuid
from pathlib import Path
from typing import Any

from connext.actors.base import ConnextActor
from connext.actors.can_tree import can_group
from connext.actors.directory import Directory
from connext.actors.messages import WallboxStatus
from connext.actors.supervisor import Supervisor
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.config import from_dict
from connext.protocols.wallbox_can import decode, encode
from connext.protocols.wallbox_frames import Currents, Energy, Status
from connext.sim.wallbox import SimWallbox
from connext.sim.wallbox_bus import WallboxSimulator

ROUNDS = 300


class Arrivals(ConnextActor):
    """Stands in for the site controller; sets `arrived` when a WallboxStatus arrives."""

    def __init__(self, ctx: Any, arrived: threading.Event) -> None:
        super().__init__(ctx)
        self.arrived = arrived

    def receive(self, message: Any) -> Any:
        if isinstance(message, WallboxStatus):
            self.arrived.set()
        return None


def bench_codec() -> None:
    cycle = [Status(3, "C", 1, 0, 16, 16.0), Currents(3, 16.0, 16.0, 16.0), Energy(3, 11040, 12345)]
    wire = [encode(f) for f in cycle]
    n = 20_000
    enc = timeit.timeit(lambda: [encode(f) for f in cycle], number=n) / (n * 3)
    dec = timeit.timeit(lambda: [decode(i, d) for i, d in wire], number=n) / (n * 3)
    print(f"codec: encode {enc * 1e6:.1f} us/frame, decode {dec * 1e6:.1f} us/frame")


def _config(folder: Path, can: dict[str, Any]) -> Any:
    document = {
        "box": {"serial": "CA020490200005"},
        "site": {"phases": 3, "contracted_power_w": 6000, "topology": 9},
        "rs485": {"port": "tcp://127.0.0.1:5020"},
        "meter": {"address": 32},
        "state_dir": str(folder),
        "can": can,
        "wallboxes": [{"address": 1, "serial": "BENCH1", "mode": "plug_and_play"}],
    }
    return from_dict(document, folder)


def _start(folder: Path, can: dict[str, Any], arrived: threading.Event) -> tuple[Any, Directory, Any, float]:
    config, clock, directory = _config(folder, can), ManualClock(), Directory()
    directory.declare("supervisor", "Supervisor", "-")
    tree = Group("site", (Child("site-controller", Arrivals, {"arrived": arrived}), can_group(config)))
    started = time.perf_counter()
    supervisor = Supervisor.start(tree, directory, clock, config.supervisor)
    while not all(r.status == "running" for r in directory.records() if r.name != "supervisor"):
        time.sleep(0.001)
    return supervisor, directory, clock, time.perf_counter() - started


def bench_latency(name: str, can: dict[str, Any], bus: dict[str, Any]) -> None:
    arrived = threading.Event()
    with tempfile.TemporaryDirectory() as folder:
        supervisor, _, clock, _ = _start(Path(folder), can, arrived)
        sim = WallboxSimulator([SimWallbox(1, "BENCH1")], bus, clock)
        try:
            samples = []
            for _ in range(ROUNDS):
                time.sleep(0.005)  # let the previous cycle settle (identify, configuration)
                arrived.clear()
                clock.advance(1.0)
                started = time.perf_counter()
                sim.step()  # one status cycle: STATUS, CURRENTS, ENERGY
                if not arrived.wait(5.0):
                    raise RuntimeError("no WallboxStatus within 5 s")
                samples.append(time.perf_counter() - started)
            samples.sort()
            p50, p99 = statistics.median(samples), samples[int(len(samples) * 0.99) - 1]
            print(f"latency {name}: status cycle -> WallboxStatus p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms")
        finally:
            sim.stop()
            supervisor.stop()


def bench_startup() -> None:
    threads, rss = threading.active_count(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        channel = f"bench-{uuid.uuid4().hex[:8]}"
        virtual = {"interface": "virtual", "channel": channel}
        supervisor, _, _, seconds = _start(Path(folder), virtual, threading.Event())
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss
        print(
            f"start-up: CAN group of 32 actors in {seconds * 1e3:.0f} ms, "
            f"+{threading.active_count() - threads} threads, max RSS +{grown / 1024:.1f} MiB"
        )
        supervisor.stop()


def main() -> int:
    from loguru import logger

    logger.remove()  # figures only
    bench_startup()
    bench_codec()
    channel = f"bench-{uuid.uuid4().hex[:8]}"
    bench_latency("virtual", {"interface": "virtual", "channel": channel}, {"interface": "virtual", "channel": channel})
    group = f"239.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    port = random.randint(20000, 60000)
    udp = {"interface": "udp_multicast", "channel": group, "port": port}
    bench_latency("udp_multicast", udp, {"interface": "udp_multicast", "channel": group, "port": port})
    return 0


if __name__ == "__main__":
    sys.exit(main())
