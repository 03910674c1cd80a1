"""The understood site, in words: what `check-config` prints and `debug site` returns."""

from __future__ import annotations

from typing import Any

from .model import Config
from .topology import TOPOLOGIES

_PRODUCTION = {"inverters": "inverters (Modbus)", "ct2": "CT 2 on the box", "none": "none (no PV)"}
_GRID = {"inverter": "the hybrid/storage inverter", "ct1": "CT 1 on the box", "meter": "the DTSU666 meter"}


def site_summary(config: Config) -> dict[str, Any]:
    """A JSON-ready description of the configured site."""
    topology = TOPOLOGIES[config.site.topology]
    rs485 = config.rs485
    return {
        "box_serial": config.box.serial,
        "topology": {
            "number": topology.number,
            "title": topology.title,
            "production": _PRODUCTION[topology.production],
            "grid": _GRID[topology.grid],
        },
        "phases": config.site.phases,
        "contracted_power_w": config.site.contracted_power_w,
        "timezone": config.site.timezone,
        "location": [config.site.latitude, config.site.longitude],
        "rs485": None
        if rs485 is None
        else {"port": rs485.port, "baudrate": rs485.baudrate, "format": f"8{rs485.parity}{rs485.stopbits}"},
        "meter": None
        if config.meter is None
        else {"model": config.meter.model, "address": config.meter.address, "ct_ratio": config.meter.ct_ratio},
        "inverters": [
            {"address": i.address, "serial": i.serial, "kind": i.kind, "family": i.family} for i in config.inverters
        ],
        "sensors": None
        if config.sensors is None
        else {
            name: {"multiplier": ct.multiplier, "invert": ct.invert}
            for name, ct in (("ct1", config.sensors.ct1), ("ct2", config.sensors.ct2))
            if ct is not None
        },
        "can": {"interface": config.can.interface, "channel": config.can.channel},
        "wallboxes": [
            {"address": w.address, "serial": w.serial, "max_current_a": w.max_current_a, "phases": w.phases}
            for w in config.wallboxes
        ],
        "charging_strategy": config.charging.strategy,
        "outputs": [{"number": o.number, "name": o.name, "driver": o.driver} for o in config.outputs],
        "logics": [lg.name for lg in config.logics],
        "metrics": f"http://{config.metrics.listen}/metrics" if config.metrics.enabled else None,
        "debug_socket": config.debug.socket,
        "storage": config.storage.path,
    }


def describe_site(config: Config) -> str:
    """The same, as lines for a terminal."""
    s = site_summary(config)
    t = s["topology"]
    lines = [
        f"box         {s['box_serial']}",
        f"site        topology {t['number']}: {t['title']}; {s['phases']}-phase; "
        f"contracted {s['contracted_power_w']:g} W; {s['timezone']} {tuple(s['location'])}",
        f"production  {t['production']}",
        f"grid        {t['grid']}",
    ]
    if s["rs485"]:
        r = s["rs485"]
        lines.append(f"rs485       {r['port']} {r['baudrate']} {r['format']}")
    if s["meter"]:
        m = s["meter"]
        lines.append(f"meter       {m['model'].upper()} at address {m['address']}, CT ratio {m['ct_ratio']}")
    lines += [
        f"inverter    {i['kind']} at address {i['address']} ({i['family']}), serial {i['serial']}"
        for i in s["inverters"]
    ]
    for name, ct in (s["sensors"] or {}).items():
        lines.append(f"sensor      {name.upper()} x{ct['multiplier']}{' inverted' if ct['invert'] else ''}")
    lines.append(f"can         {s['can']['interface']} {s['can']['channel']}")
    lines += [
        f"wallbox     address {w['address']}, serial {w['serial']}, {w['max_current_a']:g} A, {w['phases']}-phase"
        for w in s["wallboxes"]
    ]
    lines.append(f"strategy    {s['charging_strategy']}")
    lines += [f"output      {o['number']} {o['name'] or ''} ({o['driver']})".rstrip() for o in s["outputs"]]
    lines += [f"logic       {name}" for name in s["logics"]]
    lines += [
        f"metrics     {s['metrics'] or 'disabled'}",
        f"debug       {s['debug_socket']}",
        f"storage     {s['storage']}",
    ]
    return "\n".join(lines)
