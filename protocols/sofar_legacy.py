"""Sofar / ZCS Azzurro legacy register map (ME3000SP / HYD-ES style 0x02xx block; ZCS
single-phase hybrids of the older generation and the 3000SP storage retrofit).

Source: SOFAR "ME3000SP Modbus-RTU communication protocol" real-time data table, as read
by the evcc `sofarsolar` template (function 03) and the openWB ZCS module (function 04):
the function code is disputed, so every block is probed 03 first, then 04, and the one
that answers is remembered (`protocols.sofar.polls`). Serial at 0x2002, 7 words, as the
Home Assistant solax-modbus `sofar_old` plugin reads it. Units: 0.01 kW powers, kWh
energy, SoC in %.

Signs: "feed in/out power" is + = export and battery power + = charging in this map (evcc
negates both into its own import-positive convention), so `sign` stays +1 here.
"""

from __future__ import annotations

from .modbus_map import Field

KW = (-100_000.0, 100_000.0)
STATES = {
    0: "waiting",
    1: "checking",
    2: "charging",
    3: "checking",  # check before discharging
    4: "discharging",
    5: "eps",
    6: "fault",
    7: "permanent_fault",
}

#        name                addr    type   scale  unit    valid                  poll
FIELDS: tuple[Field, ...] = (
    Field("state", 0x0200, "u16", 1, "", poll="normal"),
    Field("fault_code", 0x0201, "u16", 1, "", poll="normal"),
    Field("battery_w", 0x020D, "s16", 10, "W", valid=KW, poll="normal"),
    Field("soc", 0x0210, "u16", 0.01, "", valid=(0.0, 1.0), poll="normal"),
    Field("grid_w", 0x0212, "s16", 10, "W", valid=KW, poll="normal"),
    Field("pv_w", 0x0215, "u16", 10, "W", valid=(0.0, 100_000.0), poll="normal"),
    Field("pv_kwh", 0x021C, "u32", 1, "kWh", poll="slow"),
    Field("export_kwh", 0x021E, "u32", 1, "kWh", poll="slow"),
    Field("import_kwh", 0x0220, "u32", 1, "kWh", poll="slow"),
    Field("serial", 0x2002, "str", words=7, poll="slow"),
)  # fmt: skip
