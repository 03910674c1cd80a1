"""Chint DTSU666 three-phase meter: register map and plausibility rules.

Source: Chint DTSU666 user manual, "Modbus communication address table" (holding
registers, function 03, float32 big-endian, high word first), as also used by the public
openWB `chint` and evcc `dtsu666` device modules. Raw units: V x0.1, A x0.001, W x0.1;
the meter reports secondary-side values, multiplied here by the CT ratio (IrAt) and the
PT ratio (UrAt x0.1). Energy is read in kWh as the meter totals it.

Sign: the meter counts import as positive; `sign=-1` makes powers + = export (SPEC §3).
Energy registers sit at 0x401E/0x4028 on most units and at 0x101E/0x1028 on some:
`ENERGY_ALTERNATIVE_BASE` is probed when the first answers "illegal address".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .modbus_map import Field, Value
from .poll_plan import PollSpec, fields_for, plan_blocks

UNIT_DEFAULT = 32
V = (0.0, 300.0)  # SPEC §10: voltages far outside 0..300 V are a decode or bus fault
PF = (-1.0, 1.0)

#        name            addr    type   scale   unit  sign  ratio    valid   poll
FIELDS: tuple[Field, ...] = (
    Field("ct_ratio", 0x0006, "s16", 1, "", ratio="", valid=(1, 9999), poll="slow"),
    Field("pt_ratio", 0x0007, "s16", 0.1, "", valid=(0.1, 999.9), poll="slow"),
    Field("u1_v", 0x2006, "f32", 0.1, "V", ratio="pt", valid=V, poll="fast"),
    Field("u2_v", 0x2008, "f32", 0.1, "V", ratio="pt", valid=V, poll="fast"),
    Field("u3_v", 0x200A, "f32", 0.1, "V", ratio="pt", valid=V, poll="fast"),
    Field("i1_a", 0x200C, "f32", 0.001, "A", ratio="ct", poll="fast"),
    Field("i2_a", 0x200E, "f32", 0.001, "A", ratio="ct", poll="fast"),
    Field("i3_a", 0x2010, "f32", 0.001, "A", ratio="ct", poll="fast"),
    Field("p_w", 0x2012, "f32", 0.1, "W", sign=-1, ratio="ct_pt", poll="fast"),
    Field("p1_w", 0x2014, "f32", 0.1, "W", sign=-1, ratio="ct_pt", poll="fast"),
    Field("p2_w", 0x2016, "f32", 0.1, "W", sign=-1, ratio="ct_pt", poll="fast"),
    Field("p3_w", 0x2018, "f32", 0.1, "W", sign=-1, ratio="ct_pt", poll="fast"),
    Field("pf", 0x202A, "f32", 0.001, "", valid=PF),
    Field("pf1", 0x202C, "f32", 0.001, "", valid=PF),
    Field("pf2", 0x202E, "f32", 0.001, "", valid=PF),
    Field("pf3", 0x2030, "f32", 0.001, "", valid=PF),
    Field("freq_hz", 0x2044, "f32", 0.01, "Hz", valid=(40.0, 70.0)),
    Field("import_kwh", 0x401E, "f32", 1, "kWh", valid=(0.0, 1e9), poll="slow"),
    Field("export_kwh", 0x4028, "f32", 1, "kWh", valid=(0.0, 1e9), poll="slow"),
)  # fmt: skip

ENERGY_ALTERNATIVE_BASE = 0x101E  # some tables: ImpEp at 0x101E, ExpEp at 0x1028


def polls(meter_period_s: float, normal_period_s: float, slow_period_s: float) -> tuple[PollSpec, ...]:
    """The meter's requests: the power block fast and first, the rest slower."""
    fast = plan_blocks(fields_for(FIELDS, "fast"))
    normal = plan_blocks(fields_for(FIELDS, "normal"))
    ratios, energy = plan_blocks(fields_for(FIELDS, "slow"))
    specs = [PollSpec(f"power{i}", meter_period_s, 0, (b,)) for i, b in enumerate(fast)]
    specs += [PollSpec(f"quality{i}", normal_period_s, 1, (b,)) for i, b in enumerate(normal)]
    specs.append(PollSpec("ratios", slow_period_s, 2, (ratios,)))
    specs.append(PollSpec("energy", slow_period_s, 2, (energy, energy.moved(energy.fn, ENERGY_ALTERNATIVE_BASE))))
    return tuple(specs)


POWER_FIELDS = ("p_w", "p1_w", "p2_w", "p3_w")
FAST_FIELDS = ("u1_v", "u2_v", "u3_v", "i1_a", "i2_a", "i3_a", *POWER_FIELDS)


def implausible(values: Mapping[str, Value], max_power_w: float, max_current_a: float) -> str | None:
    """Why a fast-block reading cannot be believed, or None when it can."""
    for name in FAST_FIELDS:
        value = values.get(name)
        if not isinstance(value, float | int) or not math.isfinite(value):
            return f"{name} invalid"
    powers = [float(values[n]) for n in POWER_FIELDS]  # type: ignore[arg-type]
    if any(abs(p) > max_power_w for p in powers):
        return f"power beyond {max_power_w:g} W"
    if any(abs(float(values[f"i{k}_a"])) > max_current_a for k in (1, 2, 3)):  # type: ignore[arg-type]
        return f"current beyond {max_current_a:g} A"
    total, phases = powers[0], sum(powers[1:])
    if abs(total - phases) > 0.1 * max(abs(total), abs(phases)) + 100.0:
        return f"total {total:.0f} W disagrees with the phase sum {phases:.0f} W"
    return None
