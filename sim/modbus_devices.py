"""Simulated RS485 devices: a DTSU666 meter and Sofar/ZCS inverters of both map families.

Values are held in the project's units and sign convention (grid + = export, battery + =
charging) and turned into registers with the same register maps the daemon decodes with
(`protocols/`), so a value set here is exactly what a correct master reads back. Setters
are thread-safe: tests and the simulated site call them while the server answers.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping

from connext.protocols import dtsu666, sofar
from connext.protocols.modbus_map import Field, encode_field
from connext.protocols.poll_plan import plan_blocks

ILLEGAL_FUNCTION, ILLEGAL_ADDRESS = 1, 2


class SimModbusDevice:
    """One unit on the simulated line: field values, raw overrides, served areas."""

    def __init__(self, unit: int, fields: Iterable[Field], functions: tuple[int, ...] = (3,)) -> None:
        self.unit = unit
        self.functions = functions
        self.fields = {f.name: f for f in fields}
        self.areas = tuple((b.start, b.start + b.count) for b in plan_blocks(self.fields.values()))
        self._lock = threading.Lock()
        self._values: dict[str, float | str] = {}
        self._raw: dict[str, tuple[int, ...]] = {}

    def set(self, **values: float | str) -> None:
        """Set fields by name, in the map's units (after scale, ratio and sign)."""
        unknown = set(values) - set(self.fields)
        if unknown:
            raise KeyError(f"unit {self.unit}: no field {sorted(unknown)}; known: {sorted(self.fields)}")
        with self._lock:
            self._values.update(values)
            for name in values:
                self._raw.pop(name, None)

    def set_raw(self, name: str, words: Iterable[int]) -> None:
        """Put raw register words under a field (NaN, out-of-range, garbage values)."""
        words = tuple(words)
        if len(words) != self.fields[name].count:
            raise ValueError(f"{name} takes {self.fields[name].count} registers, got {len(words)}")
        with self._lock:
            self._raw[name] = words

    def get(self, name: str) -> float | str | None:
        with self._lock:
            return self._values.get(name)

    def ratios(self) -> Mapping[str, float]:
        return {}

    def check(self, fn: int, address: int, count: int) -> int | None:
        """The exception code a real device would answer with, or None."""
        if fn not in self.functions:
            return ILLEGAL_FUNCTION
        if not any(start <= address and address + count <= end for start, end in self.areas):
            return ILLEGAL_ADDRESS
        return None

    def image(self) -> dict[int, int]:
        """address -> register word, for every field that has a value."""
        with self._lock:
            values, raw = dict(self._values), dict(self._raw)
        ratios = self.ratios()
        out: dict[int, int] = {}
        for name, field in self.fields.items():
            words = raw.get(name)
            if words is None and name in values:
                words = encode_field(field, values[name], ratios)
            for i, word in enumerate(words or ()):
                out[field.addr + i] = word
        return out


class MeterSim(SimModbusDevice):
    """A DTSU666. Powers follow SPEC §3 (+ export); currents follow from power and voltage."""

    def __init__(self, unit: int = dtsu666.UNIT_DEFAULT, ct_ratio: int = 40, energy_base: int = 0x401E) -> None:
        shift = energy_base - 0x401E
        fields = [dataclasses.replace(f, addr=f.addr + shift) if f.unit == "kWh" else f for f in dtsu666.FIELDS]
        super().__init__(unit, fields)
        self.set(ct_ratio=ct_ratio, pt_ratio=1.0, pf=1.0, pf1=1.0, pf2=1.0, pf3=1.0, freq_hz=50.0)
        self.set(import_kwh=0.0, export_kwh=0.0, u1_v=230.0, u2_v=230.0, u3_v=230.0)
        self.set_phase_power(0.0, 0.0, 0.0)

    def ratios(self) -> Mapping[str, float]:
        ct, pt = self.get("ct_ratio"), self.get("pt_ratio")
        return {"ct": float(ct or 1), "pt": float(pt or 1)}

    def set_power(self, total_w: float) -> None:
        """Grid exchange, + export / - import, spread evenly over the three phases."""
        self.set_phase_power(total_w / 3, total_w / 3, total_w / 3)

    def set_phase_power(self, p1_w: float, p2_w: float, p3_w: float) -> None:
        currents = {}
        for k, p in enumerate((p1_w, p2_w, p3_w), start=1):
            u = float(self.get(f"u{k}_v") or 230.0)
            currents[f"i{k}_a"] = abs(p) / u if u else 0.0
        self.set(p_w=p1_w + p2_w + p3_w, p1_w=p1_w, p2_w=p2_w, p3_w=p3_w, **currents)

    def set_voltage(self, u1_v: float, u2_v: float, u3_v: float) -> None:
        self.set(u1_v=u1_v, u2_v=u2_v, u3_v=u3_v)

    def set_energy(self, import_kwh: float, export_kwh: float) -> None:
        self.set(import_kwh=import_kwh, export_kwh=export_kwh)


class InverterSim(SimModbusDevice):
    """A Sofar/ZCS inverter of `family` (sofar_g3 | sofar_legacy) and `kind`."""

    def __init__(self, unit: int, serial: str, family: str = "sofar_g3", kind: str = "hybrid_3ph",
                 functions: tuple[int, ...] | None = None) -> None:  # fmt: skip
        super().__init__(unit, sofar.fields(family), functions or (3,))
        self.family, self.kind = family, kind
        idle = "normal" if family == "sofar_g3" else "charging"  # legacy: on grid, battery charging
        self.set(serial=serial, state=_state_code(family, idle), fault_code=0, pv_w=0.0)
        if kind in sofar.HYBRID_KINDS:
            self.set(grid_w=0.0, battery_w=0.0, soc=0.5)
        self.set(**{name: 0.0 for name in self.fields if name.endswith("_kwh")})

    def set_pv(self, power_w: float) -> None:
        self.set(pv_w=power_w)

    def set_battery(self, power_w: float, soc: float | None = None) -> None:
        """Battery power + charging / - discharging; SoC as a ratio 0..1."""
        self.set(battery_w=power_w, **({} if soc is None else {"soc": soc}))

    def set_grid(self, power_w: float) -> None:
        self.set(grid_w=power_w)

    def set_state(self, state: str, fault_code: int = 0) -> None:
        self.set(state=_state_code(self.family, state), fault_code=fault_code)

    def set_serial(self, serial: str) -> None:
        self.set(serial=serial)


def _state_code(family: str, state: str) -> int:
    codes: dict[str, int] = {}
    for code, name in sofar.MAPS[family].STATES.items():
        codes.setdefault(name, code)
    if state not in codes:
        raise ValueError(f"{family} has no state {state!r}; known: {sorted(codes)}")
    return codes[state]
