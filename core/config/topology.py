"""The nine installation topologies of SPEC §4 as data, and the cross-section rules
that tie a config's devices to its topology.

Reading of SPEC §4's "inverters and box sensors are alternatives": the *production*
source is either the Azzurro inverters (Modbus) or the box's CT 2 clamp, never both.
The grid exchange comes from a hybrid/storage inverter, CT 1 or the DTSU666, exactly
as the table says; a device the topology does not read is rejected, not ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .model import Config, LogicConfig
from .schema import ABSENT, Problem

Production = Literal["inverters", "ct2", "none"]
Grid = Literal["inverter", "ct1", "meter"]
DTSU666_ADDRESS = 32
MAX_INVERTERS = 8
MAX_WALLBOXES = 8


@dataclass(frozen=True, slots=True)
class Topology:
    number: int
    title: str
    phases: int
    production: Production
    grid: Grid
    inverter_kinds: frozenset[str] = frozenset()
    required_kinds: frozenset[str] = frozenset()  # at least one inverter of these


def _kinds(*names: str) -> frozenset[str]:
    return frozenset(names)


TOPOLOGIES: dict[int, Topology] = {
    t.number: t
    for t in (
        Topology(
            1,
            "single-phase, Azzurro hybrid inverter",
            1,
            "inverters",
            "inverter",
            _kinds("hybrid_1ph", "pv_1ph"),
            _kinds("hybrid_1ph"),
        ),
        Topology(
            2,
            "Azzurro 3000SP storage retrofit",
            1,
            "inverters",
            "inverter",
            _kinds("storage", "pv_1ph", "hybrid_1ph"),
            _kinds("storage"),
        ),
        Topology(
            3,
            "three-phase, Azzurro hybrid inverter",
            3,
            "inverters",
            "inverter",
            _kinds("hybrid_3ph", "pv_3ph", "pv_1ph"),
            _kinds("hybrid_3ph"),
        ),
        Topology(
            4, "single-phase, Azzurro PV string inverter", 1, "inverters", "ct1", _kinds("pv_1ph"), _kinds("pv_1ph")
        ),
        Topology(
            5,
            "three-phase, Azzurro PV string inverter",
            3,
            "inverters",
            "meter",
            _kinds("pv_3ph", "pv_1ph"),
            _kinds("pv_3ph", "pv_1ph"),
        ),
        Topology(6, "single-phase, non-Azzurro PV", 1, "ct2", "ct1"),
        Topology(7, "three-phase, non-Azzurro PV", 3, "ct2", "meter"),
        Topology(8, "single-phase, no PV", 1, "none", "ct1"),
        Topology(9, "three-phase, no PV", 3, "none", "meter"),
    )
}

GRID_SOURCE_KINDS = _kinds("hybrid_1ph", "hybrid_3ph", "storage")


def check_site(config: Config) -> list[Problem]:
    """Every cross-section rule; an empty list means the site is coherent."""
    problems: list[Problem] = []
    problems += _check_counts_and_uniqueness(config)
    problems += check_logics(config.logics, (o.number for o in config.outputs))
    topology = TOPOLOGIES.get(config.site.topology)
    if topology is not None:
        problems += _check_topology(config, topology)
    if (config.meter or config.inverters) and config.rs485 is None:
        problems.append(Problem("rs485", ABSENT, "is required when a meter or inverters are configured"))
    return problems


def _duplicates(key: str, values: list[object], what: str) -> list[Problem]:
    counts = Counter(values)
    return [Problem(key, v, f"{what} used {n} times; each must be unique") for v, n in counts.items() if n > 1]


def _check_counts_and_uniqueness(config: Config) -> list[Problem]:
    problems: list[Problem] = []
    if len(config.inverters) > MAX_INVERTERS:
        problems.append(
            Problem(
                "inverters",
                f"{len(config.inverters)} entries",
                f"at most {MAX_INVERTERS} inverters share the RS485 bus",
            )
        )
    if len(config.wallboxes) > MAX_WALLBOXES:
        problems.append(
            Problem(
                "wallboxes", f"{len(config.wallboxes)} entries", f"at most {MAX_WALLBOXES} wallboxes share the CAN bus"
            )
        )
    rs485_addresses = [i.address for i in config.inverters]
    if config.meter is not None:
        rs485_addresses.append(config.meter.address)
    problems += _duplicates("inverters[].address / meter.address", rs485_addresses, "RS485 address")
    problems += _duplicates("inverters[].serial", [i.serial for i in config.inverters], "serial")
    problems += _duplicates("wallboxes[].address", [w.address for w in config.wallboxes], "CAN address")
    problems += _duplicates("wallboxes[].serial", [w.serial for w in config.wallboxes], "serial")
    problems += _duplicates("outputs[].number", [o.number for o in config.outputs], "output number")
    for i, w in enumerate(config.wallboxes):
        if w.safe_current_a > w.max_current_a:
            problems.append(
                Problem(
                    f"wallboxes[{i}].safe_current_a",
                    w.safe_current_a,
                    f"must not exceed max_current_a ({w.max_current_a:g} A)",
                )
            )
    return problems


def check_logics(logics: Sequence[LogicConfig], outputs: Iterable[int], key: str = "logics") -> list[Problem]:
    """The rules across a logic's fields and across logics; also used for runtime edits."""
    problems = _duplicates(f"{key}[].name", [lg.name for lg in logics], "logic name")
    numbers = sorted(set(outputs))
    for i, logic in enumerate(logics):
        if logic.min >= logic.max:
            problems.append(
                Problem(
                    f"{key}[{i}].min",
                    logic.min,
                    f"must be below max ({logic.max:g}): max closes the contact, min opens it",
                )
            )
        if logic.output not in numbers:
            configured = ", ".join(map(str, numbers)) or "none"
            problems.append(
                Problem(f"{key}[{i}].output", logic.output, f"must be a configured output (configured: {configured})")
            )
    return problems


def _check_topology(config: Config, t: Topology) -> list[Problem]:
    problems: list[Problem] = []
    where = f"topology {t.number} ({t.title})"
    if config.site.phases != t.phases:
        problems.append(Problem("site.phases", config.site.phases, f"{where} is a {t.phases}-phase system"))
    problems += _check_production(config, t, where)
    problems += _check_grid(config, t, where)
    problems += _check_ct_multipliers(config, t, where)
    return problems


def _check_production(config: Config, t: Topology, where: str) -> list[Problem]:
    problems: list[Problem] = []
    ct2 = config.sensors.ct2 if config.sensors else None
    if t.production == "inverters":
        if not config.inverters:
            problems.append(
                Problem("inverters", ABSENT, f"{where} reads PV production from inverters: add [[inverters]]")
            )
        for i, inv in enumerate(config.inverters):
            if inv.kind not in t.inverter_kinds:
                problems.append(
                    Problem(f"inverters[{i}].kind", inv.kind, f"{where} allows {', '.join(sorted(t.inverter_kinds))}")
                )
        if config.inverters and not any(inv.kind in t.required_kinds for inv in config.inverters):
            problems.append(
                Problem(
                    "inverters",
                    ABSENT,
                    f"{where} needs at least one inverter of kind {', '.join(sorted(t.required_kinds))}",
                )
            )
        if ct2 is not None:
            problems.append(
                Problem(
                    "sensors.ct2",
                    ABSENT,
                    f"{where} reads production from inverters; inverters and box sensors are "
                    "alternatives: remove sensors.ct2",
                )
            )
        return problems
    if config.inverters:
        source = "CT 2" if t.production == "ct2" else "no PV"
        problems.append(
            Problem(
                "inverters",
                f"{len(config.inverters)} entries",
                f"{where} has {source} for production; inverters and box sensors are "
                "alternatives: remove [[inverters]]",
            )
        )
    if t.production == "ct2" and ct2 is None:
        problems.append(Problem("sensors.ct2", ABSENT, f"{where} reads PV production from CT 2: add [sensors.ct2]"))
    if t.production == "none" and ct2 is not None:
        problems.append(Problem("sensors.ct2", ABSENT, f"{where} has no PV: remove sensors.ct2"))
    return problems


def _check_grid(config: Config, t: Topology, where: str) -> list[Problem]:
    problems: list[Problem] = []
    ct1 = config.sensors.ct1 if config.sensors else None
    if t.grid == "meter":
        if config.meter is None:
            problems.append(
                Problem(
                    "meter",
                    ABSENT,
                    f"{where} reads the grid from the DTSU666: add [meter] at address {DTSU666_ADDRESS}",
                )
            )
        elif config.meter.address != DTSU666_ADDRESS:
            problems.append(
                Problem(
                    "meter.address",
                    config.meter.address,
                    f"{where} reads the DTSU666 at Modbus address {DTSU666_ADDRESS}",
                )
            )
    elif config.meter is not None:
        source = "the hybrid/storage inverter" if t.grid == "inverter" else "CT 1"
        problems.append(Problem("meter", ABSENT, f"{where} reads the grid from {source}: remove [meter]"))
    if t.grid == "ct1" and ct1 is None:
        problems.append(Problem("sensors.ct1", ABSENT, f"{where} reads the grid from CT 1: add [sensors.ct1]"))
    if t.grid != "ct1" and ct1 is not None:
        problems.append(Problem("sensors.ct1", ABSENT, f"{where} does not read the grid from CT 1: remove sensors.ct1"))
    return problems


def _check_ct_multipliers(config: Config, t: Topology, where: str) -> list[Problem]:
    problems: list[Problem] = []
    if config.sensors is None:
        return problems
    for name, ct in (("ct1", config.sensors.ct1), ("ct2", config.sensors.ct2)):
        if ct is not None and ct.multiplier != t.phases:
            problems.append(
                Problem(
                    f"sensors.{name}.multiplier",
                    ct.multiplier,
                    f"must be {t.phases} on a {t.phases}-phase site ({where}): 1 single-phase, 3 three-phase",
                )
            )
    return problems
