"""Sofar / ZCS Azzurro "G3" register map (HYD 3-6K-EP, HYD 5-20K-3PH, KTL-X G3, HYD ZSS).

Source: SOFAR "Modbus Protocol - HYD 5…20K-3PH and HYD3…6K-EP" register list (2020-11,
holding registers, function 03, 16/32-bit big-endian), as read by the evcc `sofarsolar-g3`
template and the Home Assistant solax-modbus `sofar` plugin (serial at 0x0445, 7 words).
Units: 0.01 kW powers (PV total 0.1 kW), 0.1 kWh energy, SoC in %.

Signs: the PCC (grid) power is + = export and the battery power + = charging, already the
project's convention (SPEC §3), so `sign` stays +1.
"""

from __future__ import annotations

from .modbus_map import Field

KW = (-100_000.0, 100_000.0)
STATES = {
    0: "waiting",
    1: "checking",
    2: "normal",
    3: "eps",
    4: "fault",
    5: "permanent_fault",
    6: "upgrading",
    7: "charging",  # self-charging from the grid
}

#        name                addr    type   scale  unit    valid                  poll
FIELDS: tuple[Field, ...] = (
    Field("state", 0x0404, "u16", 1, "", poll="normal"),
    Field("fault_code", 0x0405, "u16", 1, "", poll="normal"),
    Field("serial", 0x0445, "str", words=7, poll="slow"),
    Field("grid_w", 0x0488, "s16", 10, "W", valid=KW, poll="normal"),
    Field("pv_w", 0x05C4, "u16", 100, "W", valid=(0.0, 100_000.0), poll="normal"),
    Field("battery_w", 0x0606, "s16", 10, "W", valid=KW, poll="normal"),
    Field("soc", 0x0608, "u16", 0.01, "", valid=(0.0, 1.0), poll="normal"),
    Field("pv_kwh", 0x0686, "u32", 0.1, "kWh", poll="slow"),
    Field("import_kwh", 0x068E, "u32", 0.1, "kWh", poll="slow"),
    Field("export_kwh", 0x0692, "u32", 0.1, "kWh", poll="slow"),
    Field("battery_in_kwh", 0x0696, "u32", 0.1, "kWh", poll="slow"),
    Field("battery_out_kwh", 0x069A, "u32", 0.1, "kWh", poll="slow"),
)  # fmt: skip
