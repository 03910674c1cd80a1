"""The box's own sensors: CT 1 "exchange" (terminals 23/24), CT 2 "production"
(21/22), digital inputs 1 and 2 (terminals 5, 6) and the temperature sensor (11/19).

Every `period_s` it reads each configured channel, applies the CT multiplier and
inversion (control/ct.py), and publishes one `SensorReading` to its targets (the site
controller, and the output controller for temperature logics). A channel that fails
is published as None (never a stale value), counted, and logged once per outage.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from loguru import logger

from connext.control.ct import NOISE_W, ct_power_w
from connext.core.config import SensorsConfig
from connext.core.hw import HardwareError
from connext.core.hw.open import SensorChannels, open_sensors
from connext.core.hw.sim import SimBoard
from connext.core.hw.sysfs import GPIO_ROOT

from . import io_metrics as m
from .base import ActorContext, ConnextActor
from .messages import SensorReading, Tick

T = TypeVar("T")


class SensorsActor(ConnextActor):
    """Reads the box's sensor channels and publishes `SensorReading`s."""

    def __init__(
        self,
        ctx: ActorContext,
        sensors: SensorsConfig,
        targets: tuple[str, ...] = ("site-controller",),
        board: SimBoard | None = None,
        gpio_root: Path = GPIO_ROOT,
    ) -> None:
        super().__init__(ctx)
        self.cfg, self.targets, self.board, self.gpio_root = sensors, targets, board, gpio_root
        self.failing: dict[str, str] = {}  # channel -> error of the ongoing outage
        self.errors: dict[str, int] = {}
        self.ct2_negative = False
        self.last: SensorReading | None = None
        self.raw: dict[str, float | None] = {}

    def on_start(self) -> None:
        self.channels: SensorChannels = open_sensors(self.cfg, self.board, self.gpio_root)
        names = [n for n in ("ct1", "ct2", "temperature") if getattr(self.channels, n) is not None]
        for name in names + [f"input{n}" for n in self.channels.inputs]:
            m.SENSOR_ERRORS.labels(channel=name)  # the series exist (at 0) before the first error
        if self.ctx.ticker:
            self.ctx.ticker.every(self.name, self.cfg.period_s, self.ctx.address(self.name), Tick())

    def on_stop(self) -> None:
        if hasattr(self, "channels"):
            self.channels.release()

    def receive(self, message: Any) -> Any:
        match message:
            case Tick():
                self._publish(self._read())
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")

    def _guard(self, name: str, read: Callable[[], T]) -> T | None:
        """One channel read; a HardwareError gives None, counted and logged once per outage."""
        try:
            value = read()
        except HardwareError as err:
            self.errors[name] = self.errors.get(name, 0) + 1
            m.SENSOR_ERRORS.labels(channel=name).inc()
            if name not in self.failing:
                logger.error("sensors: {} cannot be read: {}", name, err)
            self.failing[name] = str(err)
            return None
        if self.failing.pop(name, None) is not None:
            logger.info("sensors: {} reads again", name)
        return value

    def _read(self) -> SensorReading:
        c, cfg = self.channels, self.cfg
        ct1 = ct2 = temperature = None
        if c.ct1 is not None and cfg.ct1 is not None:
            raw = self.raw["ct1"] = self._guard("ct1", c.ct1.read)
            ct1 = None if raw is None else ct_power_w(raw, cfg.ct1)
        if c.ct2 is not None and cfg.ct2 is not None:
            raw = self.raw["ct2"] = self._guard("ct2", c.ct2.read)
            ct2 = None if raw is None else self._production(ct_power_w(raw, cfg.ct2))
        if c.temperature is not None and cfg.temperature is not None:
            raw = self.raw["temperature"] = self._guard("temperature", c.temperature.read)
            temperature = None if raw is None else raw * cfg.temperature.c_per_unit + cfg.temperature.offset_c
        numbers = tuple(sorted(c.inputs))
        inputs = tuple(self._guard(f"input{n}", c.inputs[n].read) for n in numbers)
        if any(v is None for v in inputs):  # a reading's inputs are all known or not sent at all
            inputs, numbers = (), ()
        return SensorReading(self.clock.monotonic(), ct1, ct2, inputs, temperature, numbers)  # type: ignore[arg-type]

    def _production(self, power_w: float) -> float:
        """CT 2 is a production: a clearly negative one is a reversed clamp, reported once."""
        m.CT_POWER.labels(channel="ct2").set(power_w)  # signed, so a reversed clamp shows
        negative = power_w < -NOISE_W
        if negative and not self.ct2_negative:
            logger.warning("sensors: CT 2 reads {:.0f} W: reversed clamp? run `connext check-ct --pv on`", power_w)
        self.ct2_negative = negative
        return max(0.0, power_w)

    def _publish(self, reading: SensorReading) -> None:
        self.last = reading
        if reading.ct1_power_w is not None:
            m.CT_POWER.labels(channel="ct1").set(reading.ct1_power_w)
        if reading.temperature_c is not None:
            m.TEMPERATURE.set(reading.temperature_c)
        for number, closed in zip(reading.input_numbers, reading.inputs, strict=True):
            m.INPUT_CLOSED.labels(input=str(number)).set(int(closed))
        for target in self.targets:
            self.ctx.address(target).tell(reading)

    def snapshot(self) -> dict[str, Any]:
        last = self.last
        return {
            "driver": self.cfg.driver,
            "period_s": self.cfg.period_s,
            "targets": list(self.targets),
            "ct1": None if self.cfg.ct1 is None else {**_ct_view(self.cfg.ct1), "power_w": last and last.ct1_power_w},
            "ct2": None if self.cfg.ct2 is None else {**_ct_view(self.cfg.ct2), "power_w": last and last.ct2_power_w},
            "ct2_reads_negative": self.ct2_negative,
            "raw": dict(self.raw),
            "inputs": {} if last is None else {str(n): v for n, v in zip(last.input_numbers, last.inputs, strict=True)},
            "temperature_c": last and last.temperature_c,
            "age_s": None if last is None else round(self.clock.monotonic() - last.at_s, 3),
            "errors": dict(self.errors),
            "failing": dict(self.failing),
        }


def _ct_view(ct: Any) -> dict[str, Any]:
    return {"multiplier": ct.multiplier, "invert": ct.invert, "w_per_unit": ct.w_per_unit, "channel": ct.channel}
