"""Footprint of the daemon running a full site for 10 minutes: CPU, memory, threads, growth.

The full site: a DTSU666 and 8 inverters (4 G3, 4 legacy) on a 9600-baud RTU line over a
socat pty pair, 8 wallboxes all charging (Fast strategy, 44 kW contract) on udp_multicast
CAN, 4 simulated outputs each with a logic, the API enabled (as in config.toml). The
simulator runs in this process; the daemon (`connext run`) is the measured child process.

After a warm-up, /proc is sampled every `--sample-s`: CPU (utime + stime, % of one core),
RSS, threads and open files; the CPU per thread (by the daemon's Python thread names, which
benchmarks/thread_names.py publishes) shows where the time goes.

    .venv/bin/python benchmarks/bench_footprint.py [--minutes 10] [--warmup-s 60] [--no-api]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from connext.core.logs import setup_logging
from connext.sim.site_rig import SiteRig, site_document, steady_scenario

TICKS = os.sysconf("SC_CLK_TCK")
WALLBOXES = 8


def cpu_s(pid: int, task: str = "") -> float:
    path = f"/proc/{pid}/task/{task}/stat" if task else f"/proc/{pid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15 of stat)


def status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "Threads"):
            values[key] = int(rest.split()[0])
    values["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return values


def per_thread(pid: int, names_path: Path) -> dict[str, float]:
    """CPU seconds per thread name, as the daemon's Python threads are named (thread_names.py);
    threads of one kind summed: "WallboxActor-12 (urn:...)" -> "WallboxActor"."""
    names = {int(tid): name for tid, name in json.loads(names_path.read_text()).items()}
    out: dict[str, float] = collections.defaultdict(float)
    for task in os.listdir(f"/proc/{pid}/task"):
        name = names.get(int(task), "(not a Python thread)")
        try:
            out[re.sub(r"[-_ ]?\d+$", "", name.split(" (")[0])] += cpu_s(pid, task)
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
    return out


def charging(rig: SiteRig) -> int:
    reply = rig.daemon.ask({"cmd": "wallboxes"}) if rig.daemon else None
    return sum(1 for w in (reply or {}).get("wallboxes", []) if w["state"] == "charging")


def sample_run(rig: SiteRig, minutes: float, sample_s: float) -> list[tuple[float, float, dict[str, int]]]:
    """(monotonic, cpu s, status) every `sample_s` for `minutes`."""
    assert rig.daemon is not None
    assert rig.daemon.pid is not None
    pid, samples = rig.daemon.pid, []
    end = time.monotonic() + minutes * 60
    while True:
        samples.append((time.monotonic(), cpu_s(pid), status(pid)))
        if time.monotonic() >= end:
            return samples
        time.sleep(min(sample_s, max(0.0, end - time.monotonic())))


def report(samples: list[tuple[float, float, dict[str, int]]], threads_before: dict[str, float],
           threads_after: dict[str, float], boxes: tuple[int, int]) -> None:  # fmt: skip
    (t0, c0, s0), (t1, c1, s1) = samples[0], samples[-1]
    cpu = [(cb - ca) / (tb - ta) * 100 for (ta, ca, _), (tb, cb, _) in itertools.pairwise(samples)]
    rss = [s["VmRSS"] / 1024 for _, _, s in samples]
    print(f"window: {(t1 - t0) / 60:.1f} min, {len(samples)} samples; wallboxes charging at start/end: {boxes}")
    print(f"daemon CPU: {(c1 - c0) / (t1 - t0) * 100:.2f} % of one core (per sample: min {min(cpu):.2f} %, "
          f"max {max(cpu):.2f} %)")  # fmt: skip
    print(f"daemon RSS: start {rss[0]:.1f} MiB, end {rss[-1]:.1f} MiB, max {max(rss):.1f} MiB, "
          f"growth {rss[-1] - rss[0]:+.1f} MiB (second half {rss[-1] - rss[len(rss) // 2]:+.1f} MiB)")  # fmt: skip
    print(f"daemon threads: start {s0['Threads']}, end {s1['Threads']}; open files: start {s0['fds']}, end {s1['fds']}")
    spent = {name: threads_after[name] - threads_before.get(name, 0.0) for name in threads_after}
    top = sorted(spent.items(), key=lambda kv: -kv[1])[:10]
    print("CPU by thread, % of one core: " + ", ".join(f"{name} {cpu / (t1 - t0) * 100:.2f}" for name, cpu in top))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="measured window (report a 10-minute run)")
    parser.add_argument("--warmup-s", type=float, default=60.0, help="before the window: start-up and first polls")
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--no-api", action="store_true", help="without the HTTP API (config.toml enables it)")
    args = parser.parse_args()
    setup_logging("WARNING")
    with tempfile.TemporaryDirectory(prefix="connext-footprint-") as tmp:
        folder = Path(tmp)
        document = site_document(folder, inverters=8, wallboxes=WALLBOXES, outputs=4, contracted_power_w=44000,
                                 api=not args.no_api)  # fmt: skip
        scenario = steady_scenario(pv_w=8000, house_w=1500, cars=tuple(range(1, WALLBOXES + 1)))
        names = folder / "thread-names.json"
        launcher = (str(Path(__file__).with_name("thread_names.py")), str(names))
        with SiteRig(folder, document, scenario, launcher=launcher) as rig:
            assert rig.daemon is not None
            assert rig.daemon.pid is not None
            time.sleep(args.warmup_s)
            before, at_start = per_thread(rig.daemon.pid, names), charging(rig)
            samples = sample_run(rig, args.minutes, args.sample_s)
            after, at_end = per_thread(rig.daemon.pid, names), charging(rig)
            report(samples, before, after, (at_start, at_end))
            code = rig.stop()
    print(f"daemon exit code {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
