"""Benchmark of the control code: decision latency (reading in -> setpoints out) of the
pure decision for 8 wallboxes, and the virtual-time speed of a 24 h scenario at 1 s steps.

    .venv/bin/python benchmarks/bench_control.py [--decisions N] [--scenario FILE]

Prints p50/p99/max of one decision (site model + decide) over a varying reading stream,
and the wall time of `connext scenario run` on the eight-wallbox scenario (run, then
writing timeline.csv, kpis.json and plot.png).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connext.actors.messages import MeterReading, WallboxStatus
from connext.control.decide import decide
from connext.control.site import Readings, derive_site, wallbox_totals
from connext.control.state import ControlSettings, Memory
from connext.control.strategy import Strategy
from connext.core.config import from_dict
from connext.sim.scenario import load_scenario
from connext.sim.scenario_output import write_outputs
from connext.sim.scenario_run import run_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "sim" / "scenarios"
VOLTS = 230.0


def _config(tmp: Path):
    boxes = [
        {"address": a, "serial": f"WB{a}", "max_current_a": 32, "can_switch_phases": a % 2 == 0} for a in range(1, 9)
    ]
    document = {
        "box": {"serial": "CA000000000000"},
        "site": {"phases": 3, "contracted_power_w": 44000, "topology": 9, "timezone": "Europe/Rome"},
        "rs485": {"port": "tcp://127.0.0.1:1"},
        "meter": {"address": 32},
        "wallboxes": boxes,
        "state_dir": str(tmp),
    }
    return from_dict(document, tmp)


def bench_decisions(n: int) -> list[float]:
    """Latency of site model + decide for 8 charging wallboxes, one meter reading each call."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = ControlSettings.from_config(_config(Path(tmp)))
    memory = Memory(Strategy(name="fast"))
    readings = Readings()
    start = datetime(2026, 6, 21, 10, tzinfo=UTC)
    currents = dict.fromkeys(range(1, 9), 0.0)
    samples = []
    for k in range(n):
        now_s = 1000.0 + k * 0.25
        statuses = {
            a: WallboxStatus(a, now_s, "charging" if k else "connected", True, i * 3 * VOLTS, (i, i, i), k * 1.0)
            for a, i in currents.items()
        }
        house = 6000 + 4000 * ((k // 40) % 2)  # the house load steps every 10 s
        cars = sum(i * 3 * VOLTS for i in currents.values())
        grid = -(house + cars)
        readings.meter = MeterReading(32, now_s, grid, (grid / 3,) * 3, (VOLTS,) * 3, (0.0,) * 3)
        t0 = time.perf_counter()
        power, phase_a = wallbox_totals(statuses.values())
        site = derive_site(settings.layout, readings, power, phase_a, now_s)
        decision, memory = decide(site, statuses, settings, memory, now_s, start + timedelta(seconds=k * 0.25))
        samples.append(time.perf_counter() - t0)
        currents = {sp.address: sp.current_a for sp in decision.setpoints}
    return samples


def bench_scenario(path: Path) -> tuple[float, float, float, int]:
    """(run wall s, run CPU s, outputs wall s, steps)."""
    scenario = load_scenario(path)
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_scenario(scenario)
    t1, c1 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out:
        write_outputs(result, out)
    return t1 - t0, c1 - c0, time.perf_counter() - t1, result.steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument(
        "--scenario",
        type=Path,
        action="append",
        help="scenario file(s); default: eco_pure.toml (one wallbox) and eight_wallboxes.toml",
    )
    args = parser.parse_args()
    samples = sorted(bench_decisions(args.decisions))
    us = [s * 1e6 for s in samples]
    print(f"decision latency (site model + decide), 8 wallboxes charging, {len(us)} meter readings:")
    print(f"  p50 {statistics.median(us):.1f} us   p99 {us[int(len(us) * 0.99)]:.1f} us   max {us[-1]:.1f} us")
    for path in args.scenario or [SCENARIOS / "eco_pure.toml", SCENARIOS / "eight_wallboxes.toml"]:
        run_s, cpu_s, write_s, steps = bench_scenario(path)
        print(f"scenario {path.name}: {steps} steps ({steps / 3600:.0f} h at 1 s), virtual time x{steps / run_s:.0f}")
        print(f"  run {run_s:.2f} s wall ({cpu_s:.2f} s CPU, {run_s / steps * 1e6:.1f} us/step)")
        print(f"  outputs (timeline.csv, kpis.json, plot.png) {write_s:.2f} s; total {run_s + write_s:.2f} s")


if __name__ == "__main__":
    main()
