"""`evolve`: a fast `dataclasses.replace` for the decision's frozen values."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def evolve(obj: T, **changes: Any) -> T:
    """A copy of a frozen dataclass with some fields changed: `dataclasses.replace`, but
    several times faster (a decision makes a few of these per wallbox per reading)."""
    if isinstance(obj, tuple):  # a NamedTuple
        return obj._replace(**changes)  # type: ignore[attr-defined]
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return cls(*[changes[n] if n in changes else getattr(obj, n) for n in names])
