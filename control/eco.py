"""Following the sun calmly: a smoothed PV value and a threshold with a dwell time.

The PV value is an exponential moving average with time constant `tau_s`, exact for a
signal that holds between samples whatever the call rate (4 meter readings a second
or one scenario step). A threshold is crossed only when the smoothed value stays on
the other side for `dwell_s` seconds, so a passing cloud does not switch the car.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def smooth(previous: float | None, value: float, dt_s: float, tau_s: float) -> float:
    """The moving average after `dt_s` seconds at `value`."""
    if previous is None or tau_s <= 0.0:
        return value
    if dt_s <= 0.0:
        return previous
    return previous + (1.0 - math.exp(-dt_s / tau_s)) * (value - previous)


@dataclass(frozen=True, slots=True)
class Hysteresis:
    """On/off above a threshold. `since_s`: when the value first crossed to the other side."""

    on: bool = False
    since_s: float | None = None

    @property
    def pending(self) -> bool:
        return self.since_s is not None


OFF = Hysteresis()
ON = Hysteresis(on=True)


def step(state: Hysteresis, value: float, threshold_w: float, dwell_s: float, now_s: float) -> Hysteresis:
    """Off -> on when `value > threshold` for `dwell_s`; on -> off when `value < threshold` for `dwell_s`."""
    crossing = value < threshold_w if state.on else value > threshold_w
    if not crossing:
        return ON if state.on else OFF
    since = now_s if state.since_s is None else state.since_s
    if now_s - since >= dwell_s:
        return OFF if state.on else ON
    return Hysteresis(state.on, since)
