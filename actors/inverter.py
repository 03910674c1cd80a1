"""InverterActor: one Sofar / ZCS Azzurro inverter on the RS485 line.

Registers its family's requests with the bus, decodes the replies, checks the serial
number against the configured one and publishes `InverterReading`s to the site
controller. Until the serial has been read and matches, nothing is published: a wrong
inverter at this address (mismatch) is reported and its data is not used. A reading's
`at_s` is that of its oldest block, so its age is never understated.
"""

from __future__ import annotations

from typing import Any

from loguru import logger

from connext.core.config import InverterConfig, Rs485Config
from connext.protocols import sofar
from connext.protocols.modbus_map import Block, Value, decode
from connext.protocols.poll_plan import PollSpec

from . import rs485_metrics as m
from .base import ActorContext
from .messages import InverterReading
from .rs485_device import SITE, Rs485DeviceActor, rounded


def serial_matches(configured: str, read: str, capacity: int) -> bool:
    """Equal, or `read` fills its whole register field and the configured serial starts
    with it (the G3 and legacy maps hold 14 characters; longer serials are cut)."""
    return read == configured or (len(read) == capacity and configured.startswith(read))


class InverterActor(Rs485DeviceActor):
    """Owns the inverter at `inverter.address`."""

    kind = "inverter"

    def __init__(self, ctx: ActorContext, inverter: InverterConfig, rs485: Rs485Config) -> None:
        super().__init__(ctx, inverter.address, inverter.stale_after_s)
        self.config, self.rs485 = inverter, rs485
        self.normal_fields, _ = sofar.wanted(inverter.kind)
        self.serial_field = next(f for f in sofar.fields(inverter.family) if f.name == "serial")
        self.serial_read: str | None = None
        self.serial_ok = False
        self.values: dict[str, Value] = {}
        self.read_at: dict[str, float] = {}  # poll name -> when its last good block arrived
        self.last: InverterReading | None = None
        self.normal_polls = {p.name for p in self.polls() if p.name.startswith("normal")}

    def polls(self) -> tuple[PollSpec, ...]:
        c = self.config
        return sofar.polls(c.family, c.kind, self.rs485.inverter_period_s, self.rs485.slow_period_s)

    def on_block(self, poll: str, block: Block, registers: tuple[int, ...], at_s: float) -> None:
        values = decode(block, registers)
        if "serial" in values:
            self._check_serial(str(values["serial"] or ""))
        self._export_energy(values)
        if poll in self.normal_polls:
            self.values.update(values)
            self.read_at[poll] = at_s
        self._publish()

    def _check_serial(self, read: str) -> None:
        ok = serial_matches(self.config.serial, read, self.serial_field.words * 2)
        if not ok and (self.serial_ok or read != self.serial_read):
            logger.error(
                "inverter {}: serial {!r} read, {!r} configured: a different inverter at this address? "
                "its data is not used",
                self.unit,
                read,
                self.config.serial,
            )
        elif ok and not self.serial_ok:
            logger.info("inverter {}: serial {} confirmed", self.unit, read)
        self.serial_read, self.serial_ok = read, ok
        m.SERIAL_MISMATCH.labels(address=self.address).set(0 if ok else 1)

    def _publish(self) -> None:
        if not self.serial_ok or set(self.read_at) != self.normal_polls:
            return
        missing = [name for name in self.normal_fields if self.values.get(name) is None]
        if missing:
            self.reject(f"invalid or implausible {', '.join(missing)}")
            return
        self.rejected.ok()
        at_s = min(self.read_at.values())
        if self.last is not None and self.last.at_s == at_s:
            return  # nothing newer than what was sent
        v = self.values
        hybrid = self.config.kind in sofar.HYBRID_KINDS
        reading = InverterReading(
            unit=self.unit,
            at_s=at_s,
            pv_power_w=float(v["pv_w"]),  # type: ignore[arg-type]
            grid_power_w=float(v["grid_w"]) if hybrid else None,  # type: ignore[arg-type]
            battery_power_w=float(v["battery_w"]) if hybrid else None,  # type: ignore[arg-type]
            battery_soc=float(v["soc"]) if hybrid else None,  # type: ignore[arg-type]
            state=sofar.state_name(self.config.family, v["state"]),
            fault_code=int(v["fault_code"]),  # type: ignore[arg-type]
        )
        self.last = reading
        self.fresh(at_s)
        self.ctx.address(SITE).tell(reading)
        self._export(reading)

    def _export(self, r: InverterReading) -> None:
        a = self.address
        m.PV_POWER.labels(address=a).set(r.pv_power_w)
        m.INVERTER_STATE.labels(address=a).state(r.state)
        m.INVERTER_FAULT.labels(address=a).set(r.fault_code)
        for gauge, value in ((m.INVERTER_GRID, r.grid_power_w), (m.BATTERY_POWER, r.battery_power_w),
                             (m.BATTERY_SOC, r.battery_soc)):  # fmt: skip
            if value is not None:
                gauge.labels(address=a).set(value)

    def _export_energy(self, values: dict[str, Value]) -> None:
        if not self.serial_ok:
            return
        for name, value in values.items():
            if name.endswith("_kwh") and isinstance(value, float | int):
                m.ENERGY.set("inverter", self.unit, name.removesuffix("_kwh"), float(value))

    def snapshot(self) -> dict[str, Any]:
        return {
            "address": self.unit,
            "family": self.config.family,
            "kind": self.config.kind,
            "serial": {"config": self.config.serial, "read": self.serial_read, "ok": self.serial_ok},
            "last": None if self.last is None else rounded(self.last),
            **self.health(),
        }
