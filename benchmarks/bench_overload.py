"""Overload reaction, end to end over the real buses: a house load step pushes the site over
its contracted power; how long until the corrected SET_CURRENT frame is on the CAN bus?

The daemon (`connext run`) is a separate process; the simulated site runs here: a DTSU666
and N inverters on a 9600-baud RTU line over a socat pty pair (the simulator adds each
frame's wire time), a wallbox with a car charging by the Fast strategy on udp_multicast
CAN. A second CAN socket on the same group listens for the wallbox's SET_CURRENT frames
(kernel receive timestamps). Up steps (over the contract) and down steps alternate, each
after a random 0.6-1.4 s so the step falls anywhere in the meter's poll cycle.

Per up step: the total (step -> frame), and its two parts: until a reply of the meter's
power block carried the step (the wait for the next poll plus that exchange's wire time,
from the simulator's request log), and the rest (the daemon's decode, decision, wallbox
actor, CAN send, and the multicast hop).

    .venv/bin/python benchmarks/bench_overload.py [--steps 50] [--inverters 8]
"""

from __future__ import annotations

import argparse
import itertools
import queue
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import can

from connext.actors.can_io import bus_options
from connext.core.logs import setup_logging
from connext.protocols.poll_plan import GAP_CHARS, REQUEST_BYTES, char_time_s, reply_bytes, reply_delay_s
from connext.protocols.wallbox_can import FrameError, decode
from connext.protocols.wallbox_frames import SetCurrent
from connext.sim.site_rig import SiteRig, site_document, steady_scenario

HOUSE_W, STEP_W = 1000.0, 3000.0  # 11 kW contract: the car gets ~14.3 A, then ~10 A during the step
POWER_BLOCK = (32, 0x2006, 20)  # the meter's power block: unit, start, count
WIRE_S = reply_delay_s(REQUEST_BYTES, reply_bytes(POWER_BLOCK[2]), 9600)  # request + gap + reply at 9600 baud
SAMPLE_S = (REQUEST_BYTES + GAP_CHARS) * char_time_s(9600)  # the reply's values are those of its start
FRAME_TIMEOUT_S = 10.0


class Listener(can.Listener):
    """SET_CURRENT frames to one wallbox, with their kernel receive time."""

    def __init__(self, address: int) -> None:
        self.address = address
        self.frames: queue.Queue[tuple[float, float]] = queue.Queue()

    def on_message_received(self, msg: can.Message) -> None:
        try:
            frame = decode(msg.arbitration_id, bytes(msg.data))
        except FrameError:
            return
        if isinstance(frame, SetCurrent) and frame.address == self.address:
            self.frames.put((msg.timestamp, frame.current_a))

    def next_change(self, after_wall_s: float, previous_a: float) -> tuple[float, float]:
        """The first frame received after `after_wall_s` whose current differs from `previous_a`."""
        deadline = time.monotonic() + FRAME_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                at, current = self.frames.get(timeout=0.5)
            except queue.Empty:
                continue
            if at > after_wall_s and abs(current - previous_a) > 0.05:
                return at, current
        raise SystemExit(f"no corrected SET_CURRENT within {FRAME_TIMEOUT_S} s (daemon log in the rig folder)")


def wait_steady(listener: Listener, quiet_s: float = 3.0) -> float:
    """The setpoint once no new SET_CURRENT came for `quiet_s`."""
    current = None
    while True:
        try:
            _, current = listener.frames.get(timeout=quiet_s)
        except queue.Empty:
            if current is not None:
                return current
            raise SystemExit("the wallbox never got a setpoint") from None


def first_reply_after(rig: SiteRig, mono_s: float) -> float | None:
    """When the first meter power-block reply carrying a value set at `mono_s` had reached
    the daemon: the simulated meter takes the values when its reply starts (the request and
    the gap after the request arrived) and the reply ends a wire time after the request."""
    assert rig.sim.line is not None
    for request in list(rig.sim.line.requests):
        if (request.unit, request.address, request.count) == POWER_BLOCK and request.at_s + SAMPLE_S >= mono_s:
            return request.at_s + WIRE_S
    return None


def one_step(rig: SiteRig, listener: Listener, load_w: float, previous_a: float) -> tuple[float, float, float | None]:
    """Apply a step; (latency s, new current, time until a meter reply carried it s or None)."""
    wall, mono = time.time(), time.monotonic()
    rig.sim.add_house_load(load_w)
    at, current = listener.next_change(wall, previous_a)
    replied_at = first_reply_after(rig, mono)
    return at - wall, current, None if replied_at is None else replied_at - mono


def measure(rig: SiteRig, listener: Listener, steps: int) -> dict[str, list[Any]]:
    rnd = random.Random(7)
    current = wait_steady(listener)
    print(f"steady: the car at {current:.1f} A; stepping the house load {HOUSE_W:.0f} W <-> {HOUSE_W + STEP_W:.0f} W")
    out: dict[str, list[Any]] = {"up": [], "down": [], "wait": []}
    for k in range(steps):
        time.sleep(rnd.uniform(0.6, 1.4))
        latency, reduced, wait = one_step(rig, listener, STEP_W, current)
        out["up"].append(latency)
        out["wait"].append(wait)
        time.sleep(rnd.uniform(0.6, 1.4))
        latency, current, _ = one_step(rig, listener, 0.0, reduced)
        out["down"].append(latency)
        if (k + 1) % 10 == 0:
            print(f"  {k + 1} steps: last up {out['up'][-1] * 1000:.0f} ms ({current:.1f} A -> {reduced:.1f} A)")
    return out


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered) * 1000:4.0f} ms  p90 {ordered[int(0.9 * (len(ordered) - 1))] * 1000:4.0f} ms"
        f"  p99 {p99 * 1000:4.0f} ms  max {ordered[-1] * 1000:4.0f} ms  (n={len(ordered)})"
    )


def meter_read_intervals(rig: SiteRig) -> list[float]:
    assert rig.sim.line is not None
    times = [r.at_s for r in rig.sim.line.requests if (r.unit, r.address, r.count) == POWER_BLOCK]
    return [b - a for a, b in itertools.pairwise(times)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="up steps (each followed by a down step)")
    parser.add_argument("--inverters", type=int, default=8, help="inverters sharing the RS485 line (0..8)")
    args = parser.parse_args()
    setup_logging("WARNING")
    with tempfile.TemporaryDirectory(prefix="connext-overload-") as tmp:
        folder = Path(tmp)
        document = site_document(folder, inverters=args.inverters, wallboxes=1, contracted_power_w=11000)
        with SiteRig(folder, document, steady_scenario(house_w=HOUSE_W)) as rig:
            listener = Listener(1)
            bus = can.Bus(**bus_options(rig.config.can))
            notifier = can.Notifier(bus, [listener], timeout=0.1)
            try:
                result = measure(rig, listener, args.steps)
                intervals = meter_read_intervals(rig)
            finally:
                notifier.stop()
                bus.shutdown()
            print_figures(rig, args, result, intervals)
            code = rig.stop()
    print(f"daemon exit code {code}")
    return 0


def print_figures(rig: SiteRig, args: argparse.Namespace, result: dict[str, list[float]], gaps: list[float]) -> None:
    assert rig.config.rs485 is not None
    paired = [(u, w) for u, w in zip(result["up"], result["wait"], strict=True) if w is not None]
    print(f"RS485 9600 baud RTU over a socat pty, meter + {args.inverters} inverters; CAN udp_multicast; "
          f"meter_period_s {rig.config.rs485.meter_period_s}")  # fmt: skip
    print(f"overload reaction (step -> corrected SET_CURRENT on CAN): {quantiles(result['up'])}")
    print(f"  of it, until a meter reply carrying the step was in (poll wait + the {WIRE_S * 1000:.0f} ms exchange): "
          f"{quantiles([w for _, w in paired])}")  # fmt: skip
    print(f"  of it, the daemon (decode, decide, wallbox actor, CAN send) and the multicast hop: "
          f"{quantiles([u - w for u, w in paired])}")  # fmt: skip
    print(f"load drop -> raised SET_CURRENT:                          {quantiles(result['down'])}")
    print(f"meter power block read every:                             {quantiles(gaps)}")


if __name__ == "__main__":
    sys.exit(main())
