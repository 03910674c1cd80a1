"""`connext check-ct`: guide the installer's CT direction check (SPEC §2).

With the PV off and some loads on, the grid (CT 1) must read negative = import. It
reads the clamps through the configured driver for a few seconds (the daemon may
keep running: the channels are only read), averages them, and prints a verdict per
clamp. Exit 0 when every clamp looks right, 1 when one looks reversed, 3 when a
reading is too small or odd to judge.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connext.control.ct import check_clamps, ct_power_w
from connext.core.config import Config, CtConfig
from connext.core.hw import AnalogChannel, HardwareError
from connext.core.hw.open import open_analog
from connext.core.hw.sim import SimBoard

EXIT_OK, EXIT_REVERSED, EXIT_UNCLEAR, EXIT_NO_CLAMPS = 0, 1, 3, 2
LABELS = {"ct1": "CT 1 (grid, + export / - import)", "ct2": "CT 2 (production)"}


def _average(channel: AnalogChannel, ct: CtConfig, samples: int, period_s: float, sleep: Callable) -> float:
    total = 0.0
    for i in range(samples):
        if i:
            sleep(period_s)
        total += ct_power_w(channel.read(), ct)
    return total / samples


def run(config: Config, seconds: float, pv_on: bool, out: Callable[[str], None] = print, sleep=time.sleep) -> int:
    """Sample the configured clamps, print readings and verdicts, return the exit code."""
    sensors = config.sensors
    clamps = {} if sensors is None else {n: c for n, c in (("ct1", sensors.ct1), ("ct2", sensors.ct2)) if c}
    if sensors is None or not clamps:
        out("no CT clamp configured ([sensors.ct1] / [sensors.ct2]): nothing to check")
        return EXIT_NO_CLAMPS
    board = SimBoard() if sensors.driver == "sim" else None
    samples = max(1, round(seconds / sensors.period_s))
    names = ", ".join(LABELS[c] for c in clamps)
    out(f"reading {names} ({sensors.driver}) for {seconds:g} s, PV {'on' if pv_on else 'off'}")
    averages: dict[str, tuple[float, CtConfig]] = {}
    for name, ct in clamps.items():
        try:
            channel = open_analog(sensors.driver, name, ct.channel, board)
            averages[name] = (_average(channel, ct, samples, sensors.period_s, sleep), ct)
        except HardwareError as err:
            out(f"{LABELS[name]}: cannot be read: {err}")
            return EXIT_UNCLEAR
        power_w, _ = averages[name]
        out(f"{LABELS[name]}: {power_w:+.0f} W  (x{ct.multiplier}{', inverted' if ct.invert else ''})")
    verdicts = check_clamps(averages.get("ct1"), averages.get("ct2"), pv_on=pv_on)
    for verdict in verdicts:
        out(f"{verdict.status.upper():8} {verdict.text}")
    statuses = {v.status for v in verdicts}
    if "reversed" in statuses:
        return EXIT_REVERSED
    return EXIT_UNCLEAR if "unclear" in statuses else EXIT_OK
