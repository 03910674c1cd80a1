"""MeterActor: one DTSU666. Registers its requests with the bus, decodes the replies,
rejects implausible readings and publishes `MeterReading`s to the site controller.

Safety (SPEC §10): a reading carries the time its registers arrived (`at_s`); an old
reading is never sent again with a fresh time; a rejected one is never published. The
site controller judges staleness from `at_s`; this actor also marks its own data stale
(snapshot, metric) once it is older than `meter.stale_after_s`.
"""

from __future__ import annotations

from typing import Any

from loguru import logger

from connext.core.config import MeterConfig, Rs485Config
from connext.core.metrics import PHASE_LABELS
from connext.protocols import dtsu666
from connext.protocols.modbus_map import Block, Value, decode
from connext.protocols.poll_plan import PollSpec

from . import rs485_metrics as m
from .base import ActorContext
from .messages import MeterReading
from .rs485_device import SITE, Rs485DeviceActor, rounded


class MeterActor(Rs485DeviceActor):
    """Owns the meter at `meter.address`."""

    kind = "meter"

    def __init__(self, ctx: ActorContext, meter: MeterConfig, rs485: Rs485Config, max_power_w: float) -> None:
        super().__init__(ctx, meter.address, meter.stale_after_s)
        self.config, self.rs485 = meter, rs485
        self.max_power_w = max_power_w
        self.max_current_a = max_power_w / 100.0  # 100 V per phase floor: generous on purpose
        self.pt_ratio = 1.0  # until the meter's UrAt is read
        self.meter_ct_ratio: int | None = None
        self.last: MeterReading | None = None
        self.extra: dict[str, Value] = {}

    def polls(self) -> tuple[PollSpec, ...]:
        return dtsu666.polls(self.rs485.meter_period_s, self.rs485.inverter_period_s, self.rs485.slow_period_s)

    def on_block(self, poll: str, block: Block, registers: tuple[int, ...], at_s: float) -> None:
        values = decode(block, registers, {"ct": self.config.ct_ratio, "pt": self.pt_ratio})
        if poll.startswith("power"):
            self._publish(values, at_s)
        elif poll == "ratios":
            self._check_ratios(values)
        else:
            self.extra.update(values)
            self._export_extra()

    def _publish(self, values: dict[str, Value], at_s: float) -> None:
        why = dtsu666.implausible(values, self.max_power_w, self.max_current_a)
        if why is not None:
            self.reject(why)
            return
        self.rejected.ok()
        v = {k: float(values[k]) for k in dtsu666.FAST_FIELDS}  # type: ignore[arg-type]
        reading = MeterReading(
            self.unit,
            at_s,
            v["p_w"],
            (v["p1_w"], v["p2_w"], v["p3_w"]),
            (v["u1_v"], v["u2_v"], v["u3_v"]),
            (v["i1_a"], v["i2_a"], v["i3_a"]),
        )
        self.last = reading
        self.fresh(at_s)
        self.ctx.address(SITE).tell(reading)
        m.GRID_POWER_OF(self.address).set(reading.grid_power_w)
        for phase, p, u, i in zip(PHASE_LABELS, reading.phase_power_w, reading.phase_voltage_v, reading.phase_current_a,
                                  strict=True):  # fmt: skip
            m.GRID_PHASE_POWER_OF(self.address, phase).set(p)
            m.PHASE_VOLTAGE_OF(self.address, phase).set(u)
            m.PHASE_CURRENT_OF(self.address, phase).set(i)

    def _check_ratios(self, values: dict[str, Value]) -> None:
        ct, pt = values.get("ct_ratio"), values.get("pt_ratio")
        if isinstance(pt, float | int):
            self.pt_ratio = float(pt)
        if not isinstance(ct, float | int):
            return
        first_mismatch = int(ct) != self.config.ct_ratio and self.meter_ct_ratio != int(ct)
        self.meter_ct_ratio = int(ct)
        mismatch = self.meter_ct_ratio != self.config.ct_ratio
        m.CT_MISMATCH.labels(address=self.address).set(1 if mismatch else 0)
        if first_mismatch:
            logger.error(
                "meter {}: CT ratio on the meter is {}, meter.ct_ratio says {}: readings are scaled with {} "
                "(the configured one); fix the keypad setting or the config",
                self.unit,
                self.meter_ct_ratio,
                self.config.ct_ratio,
                self.config.ct_ratio,
            )

    def _export_extra(self) -> None:
        pf, freq = self.extra.get("pf"), self.extra.get("freq_hz")
        if isinstance(pf, float):
            m.POWER_FACTOR.labels(address=self.address).set(pf)
        if isinstance(freq, float):
            m.FREQUENCY.labels(address=self.address).set(freq)
        for kind in ("import", "export"):
            kwh = self.extra.get(f"{kind}_kwh")
            if isinstance(kwh, float):
                m.ENERGY.set("meter", self.unit, kind, kwh)

    def snapshot(self) -> dict[str, Any]:
        ct_ok = None if self.meter_ct_ratio is None else self.meter_ct_ratio == self.config.ct_ratio
        return {
            "address": self.unit,
            "last": None if self.last is None else rounded(self.last),
            "ct_ratio": {"config": self.config.ct_ratio, "meter": self.meter_ct_ratio, "ok": ct_ok},
            "pt_ratio": self.pt_ratio,
            "quality": dict(self.extra),
            **self.health(),
        }
