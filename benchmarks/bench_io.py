"""Box I/O figures: the cost of one output-controller tick (pure logic step for all
logics and outputs) and of reading the sensors through IIO sysfs files.

Run: .venv/bin/python benchmarks/bench_io.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from connext.control.ct import ct_power_w
from connext.control.output_logic import SiteValues
from connext.control.output_logic_plan import LogicMemory, decide_output, step_logics
from connext.core.config import CtConfig, LogicConfig
from connext.core.hw.sysfs import IioChannel

ROME = ZoneInfo("Europe/Rome")
VARIABLES = ("pv_power", "grid_export", "battery_soc", "temperature")


def _logics(n: int) -> list[LogicConfig]:
    return [
        LogicConfig(
            name=f"logic {i}", output=1 + i % 4, variable=VARIABLES[i % 4], max=1000 + i, min=500,
            period_s=1.0, window="06:00-22:00" if i % 2 else "", dates="03-01..10-31" if i % 3 else "",
            group=f"g{i % 3}" if i % 5 == 0 else "",
        )
        for i in range(n)
    ]  # fmt: skip


def bench_tick(n_logics: int, rounds: int = 2000) -> list[float]:
    logics = _logics(n_logics)
    memory: dict[str, LogicMemory] = {}
    values = SiteValues(55.0, 3200.0, 0.0, 900.0, 21.0)
    now = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        memory = step_logics(float(i), now.astimezone(ROME), logics, values, memory, (1, 2, 3, 4))
        for number in (1, 2, 3, 4):
            decide_output(number, logics, memory, None, now, True, False)
        samples.append(time.perf_counter() - start)
    return samples


def bench_iio(rounds: int = 5000) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        dev = Path(tmp) / "iio:device0"
        dev.mkdir()
        for i, raw in enumerate(("-1200", "3100", "21500")):
            (dev / f"in_voltage{i}_raw").write_text(raw + "\n")
        (dev / "in_voltage_scale").write_text("0.5\n")
        channels = [IioChannel(dev / f"in_voltage{i}_raw") for i in range(3)]
        ct = CtConfig(multiplier=3)
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            for channel in channels:
                ct_power_w(channel.read(), ct)
            samples.append(time.perf_counter() - start)
    return samples


def _report(title: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1e6
    p99 = ordered[int(len(ordered) * 0.99)] * 1e6
    print(f"{title:48} p50 {p50:8.1f} us   p99 {p99:8.1f} us")


if __name__ == "__main__":
    for n in (4, 16, 64):
        _report(f"controller tick, {n} logics, 4 outputs", bench_tick(n))
    _report("sensors read: 3 IIO channels (file I/O, tmp dir)", bench_iio())
