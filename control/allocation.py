"""Fair sharing of a budget among wallboxes: one common current, capped per wallbox.

Every wallbox that charges gets the same current `L`, or its own cap when that is
lower (`min(L, cap)`): "equal current". Each constraint is linear in the currents,

    sum_k weight_k * min(L, cap_k) <= budget,

(e.g. watts on the contracted power, amperes on one phase, watts of PV), and `L` is
the largest level every constraint allows: a water-filling, solved exactly in
O(n log n) per constraint (no iteration, so a decision stays in microseconds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True, slots=True)
class Constraint:
    """`sum_k weights[k] * current_k <= budget`; `reason` names it when it binds."""

    reason: str
    budget: float
    weights: tuple[float, ...]


def level_for(caps: Sequence[float], weights: Sequence[float], budget: float) -> float:
    """The largest common level one constraint allows (INF when it never binds)."""
    fixed, free = 0.0, sum(weights)
    for k in sorted(range(len(caps)), key=caps.__getitem__):
        if free <= 0.0:
            return INF
        level = (budget - fixed) / free
        if level <= caps[k]:
            return level
        fixed += weights[k] * caps[k]
        free -= weights[k]
    return INF  # every wallbox reaches its cap within the budget


def fill(caps: Sequence[float], constraints: Sequence[Constraint]) -> tuple[float, str | None]:
    """(level, reason of the binding constraint or None when only the caps bind)."""
    level, reason = INF, None
    for c in constraints:
        candidate = level_for(caps, c.weights, c.budget)
        if candidate < level:
            level, reason = candidate, c.reason
    return level, reason
