"""The demo's live status: what the daemon says (debug socket) next to what the simulator
does, as one screen on a terminal or one plain line per refresh in a pipe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Ask = Callable[[dict[str, Any]], dict[str, Any] | None]
CLEAR = "\x1b[H\x1b[2J"


@dataclass
class Status:
    """One refresh: the daemon's replies (None when it did not answer) and the simulator's view."""

    elapsed_s: float
    site: dict[str, Any] | None  # the site controller's snapshot (`site` -> live)
    wallboxes: list[dict[str, Any]] = field(default_factory=list)  # `wallboxes` -> wallboxes
    outputs: dict[str, Any] = field(default_factory=dict)  # `outputs` -> outputs
    sim: dict[str, Any] = field(default_factory=dict)  # SiteSim.view()


def collect(ask: Ask, sim_view: dict[str, Any], elapsed_s: float) -> Status:
    site = ask({"cmd": "site"})
    boxes = ask({"cmd": "wallboxes"})
    outputs = ask({"cmd": "outputs"})
    return Status(
        elapsed_s,
        site.get("live") if site else None,
        boxes["wallboxes"] if boxes else [],
        outputs["outputs"] if outputs else {},
        sim_view,
    )


def _w(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}W"


def _kw(value: float | None, sign: bool = False) -> str:
    return f"{'—':>8}   " if value is None else f"{value / 1000:{'+' if sign else ''}8.2f} kW"


def _flows(status: Status) -> dict[str, Any]:
    return (status.site or {}).get("site") or {}


def _setpoints(status: Status) -> dict[str, Any]:
    return (status.site or {}).get("wallboxes") or {}


def line(status: Status) -> str:
    """One plain line, key=value: for pipes, CI logs and tests."""
    flows, setpoints = _flows(status), _setpoints(status)
    parts = [f"t={status.elapsed_s:.0f}s", f"sim={status.sim.get('time', '-')}"]
    if status.site is None:
        parts.append("daemon=not-answering")
    for key in ("grid", "pv", "house", "battery", "wallbox"):
        parts.append(f"{key}={_w(flows.get(f'{key}_power_w'))}")
    for box in status.wallboxes:
        sp = setpoints.get(str(box["address"]), {})
        setpoint = sp.get("setpoint_a", box.get("setpoint_a"))
        parts.append(f"wb{box['address']}={box['state']}/{_w(box.get('power_w'))}/{setpoint}A/{sp.get('reason', '-')}")
    for number, out in sorted(status.outputs.items()):
        parts.append(f"out{number}={'closed' if out.get('closed') else 'open'}")
    sim_flows = status.sim.get("flows") or {}
    parts.append(f"simgrid={_w(sim_flows.get('grid_w'))}")
    return " ".join(parts)


def screen(status: Status, footer: list[str]) -> str:
    """The one-screen view for a terminal (redrawn every refresh)."""
    live, flows, sim = status.site or {}, _flows(status), status.sim
    strategy = (live.get("strategy") or {}).get("name", "-")
    minutes, seconds = divmod(int(status.elapsed_s), 60)
    out = [
        f"connext demo · {sim.get('scenario', '')} · profile time {sim.get('time', '-')} (×{sim.get('speed', 1):g})"
        f"{' ended' if sim.get('ended') else ''} · running {minutes}m {seconds:02d}s",
        f"strategy {strategy} · daemon {'answering' if status.site is not None else 'NOT answering'}",
        "",
    ]
    out += _flow_rows(flows, live)
    out += ["", "  wallbox  state        power      setpoint     reason                 session"]
    setpoints = _setpoints(status)
    for box in status.wallboxes:
        sp = setpoints.get(str(box["address"]), {})
        session = (sp.get("session") or {}).get("energy_wh")
        energy = "" if session is None else f"{session / 1000:.2f} kWh"
        setpoint = f"{sp.get('setpoint_a', 0.0):.1f} A ×{sp.get('phases', '-')}" if sp else "-"
        out.append(
            f"  {box['address']:<7}  {box['state']:<11} {_kw(box.get('power_w'))}  {setpoint:<11}  "
            f"{sp.get('reason', '-'):<21}  {energy}"
        )
    out += ["", "  output   name             contact   reason"]
    for number, o in sorted(status.outputs.items()):
        waits = o.get("wanted") != o.get("closed") and o.get("hold_left_s")
        held = f" (wants {'closed' if o.get('wanted') else 'open'}, held {o['hold_left_s']:.0f} s)" if waits else ""
        contact = "closed" if o.get("closed") else "open"
        out.append(f"  {number:<7}  {o.get('name', ''):<15}  {contact:<8}  {o.get('reason', '-')}{held}")
    out += ["", _sim_row(sim), "", *footer]
    return "\n".join(out)


def _flow_rows(flows: dict[str, Any], live: dict[str, Any]) -> list[str]:
    grid = flows.get("grid_power_w")
    direction = "" if grid is None else ("exporting" if grid > 0 else "importing")
    phases = flows.get("grid_phase_power_w") or ()
    per_phase = "  ".join(f"L{k} {p / 1000:+.2f}" for k, p in enumerate(phases, start=1))
    soc = flows.get("battery_soc")
    return [
        f"  grid     {_kw(grid, sign=True)}  {direction:<10} {per_phase}",
        f"  PV       {_kw(flows.get('pv_power_w'))}",
        f"  house    {_kw(flows.get('house_power_w'))}",
        f"  battery  {_kw(flows.get('battery_power_w'), sign=True)}{'' if soc is None else f'  SoC {soc:.0%}'}",
        f"  cars     {_kw(flows.get('wallbox_power_w'))}   available for cars {_kw(live.get('available_power_w'))}",
    ]


def _sim_row(sim: dict[str, Any]) -> str:
    f = sim.get("flows") or {}
    if not f:
        return "  simulator: starting"
    kw = {key: value / 1000 for key, value in f.items() if key != "grid_phase_w"}
    return (
        f"  simulator: PV {kw['pv_w']:.2f} kW, house {kw['house_w']:.2f} kW, cars {kw['wallbox_w']:.2f} kW"
        f" -> the meter reads {kw['grid_w']:+.2f} kW (+ export, - import)"
    )
