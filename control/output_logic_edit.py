"""Runtime changes to output logics and overrides (pure): who may, and is it valid.

The one place the rules of SPEC §6 and §8 meet a runtime request (debug socket now,
HTTP API later): the caller's role decides whether it may act at all; a logic is
checked with the very schema and cross-logic rules of the config file (no rules are
repeated here). Every function returns new values or raises `EditRefused`; storing
them is the caller's job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from connext.core.config import LogicConfig, Problem, check_logics
from connext.core.config.schema import ABSENT, build

from .output_logic_plan import Override

ROLES = ("owner", "administrator", "user")
EDITORS = ("owner", "administrator")  # SPEC §6: create / change / enable output logics
ACTIONS = ("set", "enable", "disable", "delete")
MAX_OVERRIDE_S = 7 * 86400.0


class EditRefused(Exception):
    """A refused change; `problems` name the field, the value and the rule."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def check_role(role: str, what: str) -> None:
    """Only the owner and administrators may change outputs and logics."""
    if role not in ROLES:
        raise EditRefused([Problem("role", role, f"must be one of {', '.join(ROLES)}")])
    if role not in EDITORS:
        raise EditRefused([Problem("role", role, f"may not {what}: only the owner or an administrator may (SPEC §6)")])


def logic_table(logic: LogicConfig) -> dict[str, Any]:
    """A logic as the TOML/JSON table it came from."""
    return dataclasses.asdict(logic)


def validate(tables: Sequence[Mapping[str, Any]], outputs: Iterable[int]) -> tuple[LogicConfig, ...]:
    """Build and check a whole list of logic tables with the config's own rules."""
    problems: list[Problem] = []
    built = [build(LogicConfig, dict(table), f"logics[{i}]", problems) for i, table in enumerate(tables)]
    if problems:
        raise EditRefused(problems)
    logics = tuple(lg for lg in built if lg is not None)
    problems += check_logics(logics, outputs)
    if problems:
        raise EditRefused(problems)
    return logics


def edit_logics(
    logics: Sequence[LogicConfig],
    action: str,
    name: str,
    fields: Mapping[str, Any],
    role: str,
    outputs: Iterable[int],
) -> tuple[LogicConfig, ...]:
    """The list after `action` on logic `name`: set (create or change), enable, disable, delete."""
    check_role(role, f"{action} output logics")
    if action not in ACTIONS:
        raise EditRefused([Problem("action", action, f"must be one of {', '.join(ACTIONS)}")])
    tables = [logic_table(lg) for lg in logics]
    index = next((i for i, t in enumerate(tables) if t["name"] == name), None)
    if index is None and action != "set":
        known = ", ".join(t["name"] for t in tables) or "none"
        raise EditRefused([Problem("name", name, f"is not a logic (known: {known})")])
    if action == "delete":
        del tables[index]  # type: ignore[arg-type]
    elif action in ("enable", "disable"):
        tables[index]["enabled"] = action == "enable"  # type: ignore[index]
    elif index is None:
        tables.append({"name": name, **fields})
    else:
        tables[index] = {**tables[index], **fields}
    return validate(tables, outputs)


def make_override(
    number: object, state: object, for_s: object, role: str, now: datetime, outputs: Iterable[int]
) -> Override:
    """A manual force of output `number` to `state` ("closed"/"open") for `for_s` seconds."""
    check_role(role, "force outputs")
    problems: list[Problem] = []
    numbers = sorted(set(outputs))
    if number not in numbers:
        problems.append(Problem("number", number, f"must be a configured output ({', '.join(map(str, numbers))})"))
    if state not in ("closed", "open"):
        problems.append(Problem("state", ABSENT if state is None else state, 'must be "closed" or "open"'))
    ok_duration = isinstance(for_s, int | float) and not isinstance(for_s, bool) and 1 <= for_s <= MAX_OVERRIDE_S
    if not ok_duration:
        problems.append(Problem("for_s", ABSENT if for_s is None else for_s, f"must be 1..{MAX_OVERRIDE_S:g} seconds"))
    if problems:
        raise EditRefused(problems)
    return Override(int(number), state == "closed", now + timedelta(seconds=float(for_s)), role)  # type: ignore[arg-type]
