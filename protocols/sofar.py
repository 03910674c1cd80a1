"""Sofar / ZCS Azzurro inverters: which map a family uses, which fields a kind reads, and
the poll plan built from them. The maps themselves are `sofar_g3` and `sofar_legacy`."""

from __future__ import annotations

from types import MappingProxyType

from . import sofar_g3, sofar_legacy
from .modbus_map import Field
from .poll_plan import PollSpec, fields_for, plan_blocks

MAPS = MappingProxyType({"sofar_g3": sofar_g3, "sofar_legacy": sofar_legacy})
PROBE_FUNCTIONS = MappingProxyType({"sofar_g3": (3,), "sofar_legacy": (3, 4)})  # try in this order, remember

HYBRID_KINDS = frozenset({"hybrid_1ph", "hybrid_3ph", "storage"})
PV_FIELDS = ("state", "fault_code", "pv_w")
HYBRID_FIELDS = (*PV_FIELDS, "grid_w", "battery_w", "soc")
PV_SLOW = ("serial", "pv_kwh")
HYBRID_SLOW = (*PV_SLOW, "import_kwh", "export_kwh", "battery_in_kwh", "battery_out_kwh")
STATE_NAMES = ("unknown", "waiting", "checking", "normal", "charging", "discharging", "eps", "fault",
               "permanent_fault", "upgrading")  # fmt: skip


def fields(family: str) -> tuple[Field, ...]:
    return MAPS[family].FIELDS


def wanted(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(normal, slow) field names an inverter of `kind` is read for."""
    return (HYBRID_FIELDS, HYBRID_SLOW) if kind in HYBRID_KINDS else (PV_FIELDS, PV_SLOW)


def polls(family: str, kind: str, period_s: float, slow_period_s: float) -> tuple[PollSpec, ...]:
    """Requests for one inverter; each block carries its probe variants (function codes)."""
    normal, slow = wanted(kind)
    specs: list[PollSpec] = []
    for poll, names, period, priority in (("slow", slow, slow_period_s, 2), ("normal", normal, period_s, 1)):
        for i, block in enumerate(plan_blocks(fields_for(fields(family), poll, names))):
            variants = tuple(block.moved(fn, block.start) for fn in PROBE_FUNCTIONS[family])
            specs.append(PollSpec(f"{poll}{i}", period, priority, variants))
    return tuple(specs)


def state_name(family: str, code: object) -> str:
    """The project's state word for a family's state code."""
    if not isinstance(code, int | float):
        return "unknown"
    return MAPS[family].STATES.get(int(code), "unknown")
