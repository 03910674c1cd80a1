"""A run's outputs: DIR/timeline.csv, DIR/kpis.json and DIR/plot.png."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .scenario_run import RunResult, Timeline

PLOT_POINTS = 4000  # the plot shows at most this many points per line (strided)


def write_outputs(result: RunResult, out_dir: str | Path, plot: bool = True) -> list[Path]:
    """Write the three files; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_timeline(result, out / "timeline.csv"), write_kpis(result, out / "kpis.json")]
    if plot:
        paths.append(write_plot(result, out / "plot.png"))
    return paths


def local_times(origin: datetime, zone: ZoneInfo, t_s: list[float]) -> list[str]:
    """ISO 8601 local times (with the UTC offset) of `origin + t` for each t; the zone is
    looked up once per minute (offsets change on whole minutes)."""
    out: list[str] = []
    minute, prefix, offset = None, "", ""
    whole = all(float(t).is_integer() for t in t_s[:2])
    for t in t_s:
        m = int(t // 60)
        if m != minute:
            moment = (origin + timedelta(seconds=m * 60)).astimezone(zone)
            iso = moment.isoformat(timespec="minutes")
            prefix, offset, minute = iso[:16] + ":", iso[16:], m
        seconds = t - m * 60
        out.append(f"{prefix}{seconds:02.0f}{offset}" if whole else f"{prefix}{seconds:06.3f}{offset}")
    return out


def write_timeline(result: RunResult, path: Path) -> Path:
    """One row per step. `setpoint_a`/`reason`: decided on that step's reading, applied from the next."""
    tl, scenario = result.timeline, result.scenario
    origin = scenario.midnight + timedelta(seconds=scenario.start_s)
    header = ["time", "pv_w", "house_w", "grid_w", "battery_w"]
    for a in tl.addresses:
        header += [f"wb{a}_power_w", f"wb{a}_setpoint_a", f"wb{a}_phases", f"wb{a}_state", f"wb{a}_reason"]
    site = zip(
        local_times(origin, ZoneInfo(scenario.config.site.timezone), tl.t_s),
        *(map("{:.0f}".format, values) for values in (tl.pv_w, tl.house_w, tl.grid_w, tl.battery_w)),
        strict=True,
    )
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(header)
        for cells, wallboxes in zip(site, _wallbox_cells(tl), strict=True):  # times and numbers need no quotes
            f.write(f"{','.join(cells)}{wallboxes}\r\n")
    return path


def _wallbox_cells(tl: Timeline) -> Iterator[str]:
    """Per step, the wallbox columns as CSV text (each cell after a comma). A wallbox's five
    values mostly repeat from one step to the next: each distinct combination is formatted
    (and quoted where needed, by a real csv writer) once."""
    done: dict[tuple, str] = {}
    for powers, states, setpoints in zip(tl.powers, tl.states, tl.setpoints, strict=True):
        texts = []
        for power, state, sp in zip(powers, states, setpoints, strict=True):
            key = (power, sp.current_a, sp.phases, state, sp.reason)
            text = done.get(key)
            if text is None:
                text = done[key] = "," + _csv_text((f"{power:.0f}", f"{sp.current_a:g}", sp.phases, state, sp.reason))
            texts.append(text)
        yield "".join(texts)


def _csv_text(cells: tuple) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def write_kpis(result: RunResult, path: Path) -> Path:
    path.write_text(json.dumps(result.kpis, indent=2) + "\n", encoding="utf-8")
    return path


def write_plot(result: RunResult, path: Path) -> Path:
    """PV, house, grid and each car over the run, in kW against local hours."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    tl, scenario = result.timeline, result.scenario
    stride = max(1, len(tl.t_s) // PLOT_POINTS)
    hours = [(scenario.start_s + t) / 3600 for t in tl.t_s[::stride]]

    def kw(values: list[float]) -> list[float]:
        return [v / 1000 for v in values[::stride]]

    fig, ax = plt.subplots(figsize=(12, 5), dpi=100)
    ax.fill_between(hours, kw(tl.pv_w), color="gold", alpha=0.4, label="PV")
    ax.plot(hours, kw(tl.house_w), color="grey", lw=1, label="house (without cars)")
    ax.plot(hours, kw(tl.grid_w), color="black", lw=1, label="grid (+ export, - import)")
    for address, power in sorted(tl.power_w.items()):
        ax.plot(hours, kw(power), lw=1.2, label=f"wallbox {address}")
    contracted = scenario.config.site.contracted_power_w / 1000
    ax.axhline(-contracted, color="red", ls="--", lw=0.8, label="- contracted power")
    day = scenario.midnight.astimezone(ZoneInfo(scenario.config.site.timezone))
    ax.set_xlabel(f"hours after {day:%Y-%m-%d} 00:00 local")
    ax.set_ylabel("kW")
    ax.set_title(f"{scenario.name} ({scenario.strategy.name})")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
