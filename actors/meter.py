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
from connext.protocols import dtsu666
from connext.protocols.modbus_map import Value, decode

from . import rs485_metrics as m
from .base import ActorContext, ConnextActor
from .burst_log import BurstLog
from .messages import BlockFailed, BlockRead, MeterReading, RegisterPolls, Tick
from .rs485_device import BUS, SITE, StaleWatch, rounded

PHASES = ("1", "2", "3")


class MeterActor(ConnextActor):
    """Owns the meter at `meter.address`."""

    def __init__(self, ctx: ActorContext, meter: MeterConfig, rs485: Rs485Config, max_power_w: float) -> None:
        super().__init__(ctx)
        self.config, self.rs485 = meter, rs485
        self.unit = meter.address
        self.address = str(meter.address)
        self.max_power_w = max_power_w
        self.max_current_a = max_power_w / 100.0  # 100 V per phase floor: generous on purpose
        self.pt_ratio = 1.0  # until the meter's UrAt is read
        self.meter_ct_ratio: int | None = None
        self.last: MeterReading | None = None
        self.extra: dict[str, Value] = {}
        self.rejected = BurstLog(f"meter {self.unit}: implausible reading rejected")
        self.bus_errors = BurstLog(f"meter {self.unit}: no reading", level="ERROR")
        self.stale = StaleWatch(self.address, meter.stale_after_s, self.clock)

    def on_start(self) -> None:
        polls = dtsu666.polls(self.rs485.meter_period_s, self.rs485.inverter_period_s, self.rs485.slow_period_s)
        self.ctx.address(BUS).tell(RegisterPolls(self.unit, polls, self.ctx.address(self.name)))
        if self.ctx.ticker:
            self.ctx.ticker.every(f"{self.name}:stale", 0.5, self.ctx.address(self.name), Tick("stale"), 0.5)

    def on_stop(self) -> None:
        if self.ctx.ticker:
            self.ctx.ticker.cancel(f"{self.name}:stale")
        self.stale.forget()

    def receive(self, message: Any) -> Any:
        match message:
            case BlockRead(poll=poll, block=block, registers=registers, at_s=at_s):
                values = decode(block, registers, {"ct": self.config.ct_ratio, "pt": self.pt_ratio})
                self.bus_errors.ok()
                self._on_values(poll, values, at_s)
            case BlockFailed(poll=poll, error=error, detail=detail):
                self.bus_errors.failed(f"{poll}: {error} {detail}".strip())
            case Tick():
                self.stale.check()
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")

    def _on_values(self, poll: str, values: dict[str, Value], at_s: float) -> None:
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
            m.REJECTED.labels(address=self.address).inc()
            self.rejected.failed(why)
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
        self.stale.seen(at_s)
        self.ctx.address(SITE).tell(reading)
        m.GRID_POWER.labels(address=self.address).set(reading.grid_power_w)
        for phase, p, u, i in zip(PHASES, reading.phase_power_w, reading.phase_voltage_v, reading.phase_current_a,
                                  strict=True):  # fmt: skip
            m.GRID_PHASE_POWER.labels(address=self.address, phase=phase).set(p)
            m.PHASE_VOLTAGE.labels(address=self.address, phase=phase).set(u)
            m.PHASE_CURRENT.labels(address=self.address, phase=phase).set(i)

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
            **self.stale.view(),
            "ct_ratio": {"config": self.config.ct_ratio, "meter": self.meter_ct_ratio, "ok": ct_ok},
            "pt_ratio": self.pt_ratio,
            "quality": dict(self.extra),
            "rejected": self.rejected.view(),
            "bus_errors": self.bus_errors.view(),
        }
