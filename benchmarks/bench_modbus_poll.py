"""Benchmark: one full RS485 poll cycle (a DTSU666 + 8 inverters at 9600 baud) against
the theoretical wire time of the same requests, over a real RTU link (socat pty pair).

The simulated slaves delay each reply by its 9600-baud wire time (request, gap, reply);
the bus keeps the 3.5-character gap before its next request. So the cycle can never beat
the wire time, and the ratio measured / theoretical is what the daemon adds on top
(pymodbus, the actor hop per transaction, the pty). Target: <= 1.15.

Also printed: how often the meter's power block was read while the cycle ran (what the
overload protection reacts on) and, in steady state, the meter read interval.

Run: .venv/bin/python benchmarks/bench_modbus_poll.py [--cycles N]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from connext.actors.messages import GetSnapshot, PollAllNow
from connext.actors.rs485_tree import rs485_group
from connext.actors.tree import Group
from connext.bin.daemon import Daemon
from connext.core.config import Config, from_dict
from connext.core.logs import setup_logging
from connext.protocols.poll_plan import transaction_wire_s
from connext.sim.modbus_devices import InverterSim, MeterSim
from connext.sim.modbus_line import SimLine

# (family, kind): the heaviest plans of each family; the bus does not care about topology
INVERTERS = [("sofar_g3", "hybrid_3ph")] * 4 + [("sofar_legacy", "storage")] * 4


def build(folder: Path) -> tuple[subprocess.Popen[bytes], SimLine, Config]:
    a, b = folder / "ttyA", folder / "ttyB"
    socat = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"])
    while not (a.exists() and b.exists()):
        time.sleep(0.01)
    line = SimLine(baudrate=9600)
    line.add(MeterSim())
    inverters = []
    for unit, (family, kind) in enumerate(INVERTERS, start=1):
        serial = f"BENCH{unit:04d}"
        line.add(InverterSim(unit, serial, family=family, kind=kind))
        inverters.append({"address": unit, "serial": serial, "kind": "pv_3ph", "family": family})
    line.serve_serial(str(b))
    document = {
        "box": {"serial": "CA020490200005"},
        "site": {"phases": 3, "contracted_power_w": 6000, "topology": 5},
        "state_dir": str(folder / "var"),
        "metrics": {"enabled": False},
        "rs485": {"port": str(a)},
        "meter": {"address": 32},
        "inverters": inverters,
    }
    config = from_dict(document, folder)
    kinds = [dataclasses.replace(inv, kind=kind) for inv, (_, kind) in zip(config.inverters, INVERTERS, strict=True)]
    return socat, line, dataclasses.replace(config, inverters=tuple(kinds))


def bus_snapshot(daemon: Daemon) -> dict:
    while (ref := daemon.directory.ref("modbus-bus")) is None:  # the supervisor is starting it
        time.sleep(0.01)
    return ref.ask(GetSnapshot(), timeout=10)


def one_cycle(daemon: Daemon, line: SimLine) -> dict:
    before = bus_snapshot(daemon)["last_cycle"]
    ref = daemon.directory.ref("modbus-bus")
    assert ref is not None
    started = time.monotonic()
    ref.tell(PollAllNow())
    while (cycle := bus_snapshot(daemon)["last_cycle"]) == before:
        time.sleep(0.02)
    requests = [r for r in line.requests if started <= r.at_s <= started + cycle["duration_s"]]
    sim_wire = sum(transaction_wire_s(r.count, 9600) for r in requests)
    meter = [r.at_s for r in requests if r.unit == 32 and r.address == 0x2006]
    return {**cycle, "sim_requests": len(requests), "sim_wire_s": sim_wire, "meter_reads": len(meter),
            "meter_gap_s": max((b - a for a, b in itertools.pairwise(meter)), default=0.0)}  # fmt: skip


def steady_meter_interval(line: SimLine, seconds: float) -> list[float]:
    start = time.monotonic()
    time.sleep(seconds)
    reads = [r.at_s for r in line.requests if r.at_s >= start and r.unit == 32 and r.address == 0x2006]
    return [b - a for a, b in itertools.pairwise(reads)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=5)
    args = parser.parse_args()
    setup_logging("ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        socat, line, config = build(Path(tmp))
        group = rs485_group(config)
        assert group is not None
        daemon = Daemon(config, tree=Group("site", (group,)))
        daemon.start()
        try:
            while bus_snapshot(daemon)["last_cycle"] is None:  # the start-up cycle, not measured
                time.sleep(0.05)
            cycles = [one_cycle(daemon, line) for _ in range(args.cycles)]
            steady = steady_meter_interval(line, 6.0)
        finally:
            daemon.stop()
            line.stop()
            socat.terminate()
    report(cycles, steady)


def report(cycles: list[dict], steady: list[float]) -> None:
    print("RS485 poll cycle: DTSU666 + 8 inverters (4 G3 hybrid, 4 legacy storage), 9600 baud RTU over socat")
    print(f"{'cycle':>5} {'requests':>8} {'measured s':>10} {'wire s':>8} {'ratio':>6} {'meter reads':>11} "
          f"{'max meter gap s':>15}")  # fmt: skip
    for i, c in enumerate(cycles, start=1):
        ratio = c["duration_s"] / c["wire_s"]
        print(f"{i:>5} {c['transactions']:>8} {c['duration_s']:>10.3f} {c['wire_s']:>8.3f} {ratio:>6.3f} "
              f"{c['meter_reads']:>11} {c['meter_gap_s']:>15.3f}")  # fmt: skip
        assert c["sim_requests"] == c["transactions"], "the simulator saw other requests than the bus sent"
    ratios = [c["duration_s"] / c["wire_s"] for c in cycles]
    print(f"ratio measured / theoretical wire time: median {statistics.median(ratios):.3f}, "
          f"worst {max(ratios):.3f} (target <= 1.15)")  # fmt: skip
    if steady:
        print(f"steady state, meter power block read every {statistics.median(steady):.3f} s median, "
              f"{max(steady):.3f} s worst (rs485.meter_period_s = 0.25)")  # fmt: skip


if __name__ == "__main__":
    main()
