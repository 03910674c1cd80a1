"""How the actor tree is declared: `Group`s of `Child`ren, in start order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from .base import ConnextActor

Strategy = Literal["one_for_one", "rest_for_one"]


@dataclass(frozen=True, slots=True)
class Child:
    """One supervised actor: `actor.start(ctx, **kwargs)` under a unique `name`."""

    name: str
    actor: type[ConnextActor]
    kwargs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Group:
    """Children supervised together.

    `one_for_one`: only the failed child restarts. `rest_for_one`: it and every child
    declared after it restart (a new bus means fresh device actors). More than
    `intensity` restarts within `period_s` gives the group up (degraded); the root
    group instead gives up only the child that keeps failing. None = the configured
    default.
    """

    name: str
    children: tuple[Child | Group, ...]
    strategy: Strategy = "one_for_one"
    intensity: int | None = None
    period_s: float | None = None


def walk(group: Group, parents: tuple[Group, ...] = ()) -> Iterator[tuple[Child, tuple[Group, ...]]]:
    """Every child in start order with the chain of groups above it (outermost first)."""
    chain = (*parents, group)
    for node in group.children:
        if isinstance(node, Group):
            yield from walk(node, chain)
        else:
            yield node, chain
