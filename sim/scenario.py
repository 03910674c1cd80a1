"""Scenario files: a site, a day of PV and house load, cars that come and go.

A scenario is TOML (examples in sim/scenarios/):

    name = "Eco pure on a sunny day"
    date = "2026-06-21"            # local date in the site's time zone
    start = "00:00"                # local time the run starts
    duration_h = 24
    step_s = 1
    [config]                       # a site configuration as in config.toml ([box] and
    ...                            # [rs485] may be left out); the strategy and its
    [config.charging]              # parameters are in [config.charging]
    strategy = "eco_pure"
    [profiles]                     # [time, value] points, linear in between
    pv_w = [["06:00", 0], ["13:00", 5200], ["20:30", 0]]
    house_w = [["00:00", 300], ["19:00", 300], ["19:00:01", 2500]]   # a step: one second
    house_phase_split = [0.5, 0.3, 0.2]        # optional; three-phase sites
    [battery]                      # optional: a self-consumption battery (hybrid sites)
    capacity_kwh = 10
    [[cars]]
    wallbox = 1
    arrive = "08:00"               # times are HH:MM of elapsed time after the start date's
    depart = "30:00"               # local midnight; HH may pass 24 (30:00 = 06:00 the next day,
                                   # 07:00 local after an autumn DST change)
    battery_kwh = 60
    soc = 0.3

Errors name the key, the value and the rule, as for config.toml.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from connext.control.strategy import Strategy
from connext.core.config import Config, ConfigError, Problem, from_dict
from connext.core.config.schema import ABSENT, between, build, matches, section, setting

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

CLOCK = matches(
    r"([0-9]|[0-4][0-9]):[0-5][0-9](:[0-5][0-9])?", "must be a time HH:MM or HH:MM:SS (HH may pass 24 for the next day)"
)
DEFAULT_BOX = {"serial": "CA000000000000"}
DEFAULT_RS485 = {"port": "tcp://127.0.0.1:1"}  # never opened: the runner has no buses


def clock_s(text: str) -> float:
    """'07:30' -> 27000.0 seconds after midnight; '30:00' -> the next day at 06:00; '07:30:05' -> 27005.0."""
    parts = [int(p) for p in text.split(":")]
    return parts[0] * 3600.0 + parts[1] * 60.0 + (parts[2] if len(parts) == 3 else 0)


@section
class ScenarioSection:
    name: str = setting(...)
    description: str = setting("")
    date: str = setting(..., matches(r"\d{4}-\d{2}-\d{2}", "must be a date YYYY-MM-DD"))
    start: str = setting("00:00", CLOCK)
    duration_h: float = setting(24.0, between(0.01, 336, "a duration in hours"))
    step_s: float = setting(1.0, between(0.1, 60, "a step in seconds"))


@section
class CarSection:
    wallbox: int = setting(..., between(1, 31, "a wallbox address"))
    arrive: str = setting(..., CLOCK)
    depart: str = setting(..., CLOCK)
    battery_kwh: float = setting(..., between(1, 300, "a capacity in kWh"))
    soc: float = setting(..., between(0, 1, "a state of charge (ratio)"))
    max_current_a: float = setting(16.0, between(6, 80, "a current in A"))
    phases: Literal[1, 3] = setting(3)
    name: str = setting("")


@section
class BatterySection:
    capacity_kwh: float = setting(..., between(0.5, 500, "a capacity in kWh"))
    soc: float = setting(0.5, between(0, 1, "a state of charge (ratio)"))
    max_power_w: float = setting(3000.0, between(100, 50000, "a power in W"))


@dataclass(frozen=True, slots=True)
class Profile:
    """Linear interpolation between (seconds after the start date's midnight, value) points."""

    times_s: tuple[float, ...]
    values: tuple[float, ...]

    def at(self, t_s: float) -> float:
        i = bisect.bisect_right(self.times_s, t_s)
        if i == 0:
            return self.values[0]
        if i == len(self.times_s):
            return self.values[-1]
        t0, t1 = self.times_s[i - 1], self.times_s[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * (t_s - t0) / (t1 - t0)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    config: Config
    strategy: Strategy
    midnight: datetime  # aware UTC: the start date's local midnight, the origin of every HH:MM
    start_s: float  # seconds after midnight
    duration_s: float
    step_s: float
    pv: Profile
    house: Profile
    house_split: tuple[float, float, float]
    cars: tuple[CarSection, ...]
    battery: BatterySection | None


def load_scenario(path: str | Path, site: Config | None = None) -> Scenario:
    """Read and validate a scenario file; `ConfigError` lists every problem.

    With `site` (the whole-site simulator: the devices the daemon is configured for),
    that config is the site and the file's own `[config]` table, if any, is not used."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError([Problem(str(path), ABSENT, f"cannot be read: {err.strerror or err}")]) from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError([Problem(str(path), ABSENT, f"is not valid TOML: {err}")]) from err
    return parse_scenario(document, path.parent, site)


def parse_scenario(document: dict[str, Any], base_dir: Path, site: Config | None = None) -> Scenario:
    document = dict(document)
    problems: list[Problem] = []
    table = document.pop("config", None)
    config = site if site is not None else _config(table, base_dir, problems)
    profiles = document.pop("profiles", None)
    cars = [build(CarSection, c, f"cars[{i}]", problems) for i, c in enumerate(document.pop("cars", []))]
    battery_doc = document.pop("battery", None)
    battery = None if battery_doc is None else build(BatterySection, battery_doc, "battery", problems)
    head = build(ScenarioSection, document, "", problems)
    pv, house, split = _profiles(profiles, problems)
    if config is not None:
        problems += _check_cars(cars, config)
    if problems or head is None or config is None or pv is None or house is None:
        raise ConfigError(problems)
    zone = ZoneInfo(config.site.timezone)
    day = date.fromisoformat(head.date)
    midnight = datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)
    return Scenario(
        head.name,
        head.description,
        config,
        Strategy.from_config(config.charging),
        midnight,
        clock_s(head.start),
        head.duration_h * 3600.0,
        head.step_s,
        pv,
        house,
        split,
        tuple(c for c in cars if c is not None),
        battery,
    )


def _config(table: object, base_dir: Path, problems: list[Problem]) -> Config | None:
    if not isinstance(table, dict):
        problems.append(Problem("config", ABSENT, "is required: the site, as in config.toml"))
        return None
    table = {"box": DEFAULT_BOX, "state_dir": str(base_dir / "var"), **table}
    if ("meter" in table or "inverters" in table) and "rs485" not in table:
        table["rs485"] = DEFAULT_RS485
    try:
        return from_dict(table, base_dir)
    except ConfigError as err:
        problems += [dataclasses.replace(p, key=f"config.{p.key}") for p in err.problems]
        return None


def _profile(points: object, key: str, problems: list[Problem]) -> Profile | None:
    rule = 'must be a list of ["HH:MM", value] points in time order'
    if not isinstance(points, list) or not points:
        problems.append(Problem(key, points if points is not None else ABSENT, rule))
        return None
    times, values = [], []
    for i, point in enumerate(points):
        ok = isinstance(point, list) and len(point) == 2 and isinstance(point[0], str) and CLOCK.check(point[0])
        if not ok or isinstance(point[1], bool) or not isinstance(point[1], int | float):
            problems.append(Problem(f"{key}[{i}]", point, rule))
            return None
        times.append(clock_s(point[0]))
        values.append(float(point[1]))
    if any(b <= a for a, b in itertools.pairwise(times)):
        problems.append(Problem(key, points, "times must increase from one point to the next"))
        return None
    return Profile(tuple(times), tuple(values))


def _profiles(table: object, problems: list[Problem]) -> tuple[Profile | None, Profile | None, tuple]:
    if not isinstance(table, dict):
        problems.append(Problem("profiles", ABSENT, "is required: pv_w and house_w"))
        return None, None, ()
    unknown = sorted(set(table) - {"pv_w", "house_w", "house_phase_split"})
    problems += [Problem(f"profiles.{k}", table[k], "unknown key") for k in unknown]
    pv = _profile(table.get("pv_w", [["00:00", 0]]), "profiles.pv_w", problems)
    house = _profile(table.get("house_w"), "profiles.house_w", problems)
    split = table.get("house_phase_split", [1 / 3, 1 / 3, 1 / 3])
    valid = isinstance(split, list) and len(split) == 3 and all(isinstance(v, int | float) and v >= 0 for v in split)
    if not valid or abs(sum(split) - 1.0) > 1e-6:
        problems.append(Problem("profiles.house_phase_split", split, "must be three shares >= 0 that add up to 1"))
        return pv, house, ()
    return pv, house, tuple(float(v) for v in split)


def _check_cars(cars: list[CarSection | None], config: Config) -> list[Problem]:
    problems: list[Problem] = []
    addresses = {w.address for w in config.wallboxes}
    visits: dict[int, list[tuple[float, float]]] = {}
    for i, car in enumerate(cars):
        if car is None:
            continue
        if car.wallbox not in addresses:
            problems.append(Problem(f"cars[{i}].wallbox", car.wallbox, "must be the address of a [[config.wallboxes]]"))
        arrive, depart = clock_s(car.arrive), clock_s(car.depart)
        if depart <= arrive:
            problems.append(Problem(f"cars[{i}].depart", car.depart, f"must be after arrive ({car.arrive})"))
        for other_arrive, other_depart in visits.get(car.wallbox, []):
            if arrive < other_depart and other_arrive < depart:
                problems.append(Problem(f"cars[{i}].arrive", car.arrive, "overlaps another car on the same wallbox"))
        visits.setdefault(car.wallbox, []).append((arrive, depart))
    return problems
